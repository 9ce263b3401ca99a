import CockroachSQL
import Foundation
import Recovery

/// Writes a recovery's output directory:
///
/// ```
/// OUT/<db>/<table>.csv     rows by primary key, CockroachDB IMPORT CSV (NULL = unquoted \N)
/// OUT/schema.sql           CREATE statements recovered from the descriptors
/// OUT/import.sql           IMPORT INTO statements matching the CSV dialect
/// OUT/report.json          what was read, recovered, lost (see RecoveryReport)
/// OUT/.salvage-work/       per-chunk CSV parts (removed once the tables are assembled)
/// ```
/// Chunks finish in any order (stores are read in parallel); each chunk's rows go to its own
/// part file and the parts are concatenated in key order at the end, so the output is the
/// same byte for byte whatever the parallelism.
public final class RecoveryFiles: RecoveredRowSink, @unchecked Sendable {
  public let directory: String
  let work: String
  let csv = CSVWriter()
  var tables: [RecoveredTable] = []
  var chunks: [RecoveryChunk] = []
  var renderProblems: [String] = []
  /// Tables whose CSV was written, with row counts, for other sinks (SQLite) to load.
  public private(set) var written: [(table: RecoveredTable, path: String)] = []

  /// Refuses an output directory inside (or containing) any input directory: evidence is
  /// never written to.
  public init(directory: String, inputs: [String]) throws {
    let out = URL(fileURLWithPath: directory).standardizedFileURL.path
    for i in inputs {
      let input = URL(fileURLWithPath: i).standardizedFileURL.path
      if out == input || out.hasPrefix(input + "/") || input.hasPrefix(out + "/") {
        throw RecoveryError("refusing to write \(directory): it overlaps the input directory \(i)")
      }
    }
    self.directory = out
    work = out + "/.salvage-work"
    try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
  }

  public func begin(tables: [RecoveredTable], chunks: [RecoveryChunk]) throws {
    self.tables = tables
    self.chunks = chunks
    for t in tables.indices { try FileManager.default.createDirectory(atPath: partDir(t), withIntermediateDirectories: true) }
  }

  func partDir(_ table: Int) -> String { work + "/\(tables[table].descriptor.id)" }
  func partPath(_ c: RecoveryChunk) -> String { partDir(c.table) + "/" + String(format: "%08d.csv", c.index) }

  public func chunk(_ chunk: RecoveryChunk, rows: [TableRowDecoder.Row]) throws {
    let columns = tables[chunk.table].columns
    var text = ""
    text.reserveCapacity(rows.count * 64)
    for r in rows { text += csv.line(r, columns: columns, problems: &renderProblems) }
    let path = partPath(chunk)
    if !FileManager.default.fileExists(atPath: path) { FileManager.default.createFile(atPath: path, contents: nil) }
    guard let h = FileHandle(forWritingAtPath: path) else { throw RecoveryError("cannot write \(path)") }
    defer { try? h.close() }
    try h.seekToEnd()
    try h.write(contentsOf: Data(text.utf8))
  }

  public func finish(_ report: RecoveryReport) throws {
    var sql = "-- Recovered by salvage from: \(report.stores.joined(separator: ", "))\n\n"
    var imports = """
      -- Load the recovered tables into a new cluster:
      --   1. run schema.sql (CREATE DATABASE / TABLE);
      --   2. make the CSV files reachable by every node, e.g. `cockroach nodelocal upload <db>/<table>.csv <db>/<table>.csv`
      --      (or userfile upload, or a cloud bucket: then change the URLs below);
      --   3. run this file. NULL is the unquoted field \\N; every other value is literal.

      """
    var databases = Set<String>()
    for (t, table) in tables.enumerated() {
      let dbDir = directory + "/" + table.database
      try FileManager.default.createDirectory(atPath: dbDir, withIntermediateDirectories: true)
      let final = dbDir + "/" + table.name + ".csv"
      try concatenate(parts: chunks.filter { $0.table == t }.sorted { $0.index < $1.index }.map(partPath), into: final)
      written.append((table, final))
      if databases.insert(table.database).inserted { sql += "CREATE DATABASE IF NOT EXISTS \(SQLIdent.quote(table.database));\n" }
      sql += table.ddl + (table.ddl.hasSuffix(";") ? "\n\n" : ";\n\n")
      let name = [table.database, table.name].map(SQLIdent.quote).joined(separator: ".")
      imports += csv.importStatement(table: name, columns: table.columns.map(\.name),
                                     url: "nodelocal://1/\(table.database)/\(table.name).csv") + "\n"
    }
    try atomicWrite(sql, to: directory + "/schema.sql")
    try atomicWrite(imports, to: directory + "/import.sql")
    var r = report
    r.problems += renderProblems
    try atomicWrite(ReportJSON.encode(r), to: directory + "/report.json")
    try? FileManager.default.removeItem(atPath: work)
  }

  func concatenate(parts: [String], into path: String) throws {
    let tmp = path + ".tmp"
    FileManager.default.createFile(atPath: tmp, contents: nil)
    guard let out = FileHandle(forWritingAtPath: tmp) else { throw RecoveryError("cannot write \(tmp)") }
    for p in parts where FileManager.default.fileExists(atPath: p) {
      guard let input = FileHandle(forReadingAtPath: p) else { throw RecoveryError("cannot read \(p)") }
      while let data = try input.read(upToCount: 1 << 20), !data.isEmpty { try out.write(contentsOf: data) }
      try input.close()
    }
    try out.synchronize()
    try out.close()
    _ = try? FileManager.default.removeItem(atPath: path)
    try FileManager.default.moveItem(atPath: tmp, toPath: path)
  }
}

/// Writes `text` to `path` through a temporary file and a rename, so a reader never sees half.
func atomicWrite(_ text: String, to path: String) throws {
  let tmp = path + ".tmp"
  try Data(text.utf8).write(to: URL(fileURLWithPath: tmp))
  _ = try? FileManager.default.removeItem(atPath: path)
  try FileManager.default.moveItem(atPath: tmp, toPath: path)
}
