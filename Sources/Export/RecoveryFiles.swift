import CockroachSQL
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Recovery

/// Writes a recovery's output directory:
///
/// ```
/// OUT/<db>/<table>.csv     rows by primary key, CockroachDB IMPORT CSV (NULL = unquoted \N)
/// OUT/schema.sql           CREATE statements recovered from the descriptors
/// OUT/import.sql           IMPORT INTO statements matching the CSV dialect
/// OUT/report.json          what was read, recovered, lost (see RecoveryReport)
/// OUT/.salvage-work/       tables being written, chunks' parts (removed at the end)
/// ```
/// Chunks finish in any order; a table's bytes are in key order whatever the parallelism
/// (`TableStream`: chunks in turn write into the table file, others into parts appended when
/// their turn comes), so the output is the same byte for byte for any `--jobs`. Each finished
/// chunk is recorded, so a re-run into the same OUT can keep it (RecoveryFiles+Resume.swift).
public final class RecoveryFiles: RecoveredRowSink, @unchecked Sendable {
  public let directory: String
  let work: String
  let csv = CSVWriter()
  var tables: [RecoveredTable] = []
  var chunks: [RecoveryChunk] = []
  var renderProblems: [String] = []
  /// Render problems of chunks not finished yet, by part path (they go into the chunk's record).
  var pendingRenderProblems: [String: [String]] = [:]
  /// Per table, where its chunks' bytes go.
  var streams: [TableStream] = []
  /// Backup-filled chunks whose key list this run has begun (guarded by `stateLock`).
  var keysStarted = Set<RecoveryChunk.Key>()
  /// Chunks whose partial rows (rebuilt from indexes) this run has begun (guarded by `stateLock`).
  var partialStarted = Set<RecoveryChunk.Key>()
  /// Off for shard workers: their chunks stay parts, which `salvage finish` assembles.
  public var writesInPlace = true
  /// Memory for chunks finished out of turn (`TableStream`); SALVAGE_HOLD_BYTES sets it (tests
  /// set 0 to exercise the part files).
  let holdBudget = TableStream.HoldBudget(bytes: ProcessInfo.processInfo.environment["SALVAGE_HOLD_BYTES"].flatMap { Int($0) } ?? 256 << 20)
  /// Guards `pendingRenderProblems`: `chunk` runs on several workers at once (each chunk's
  /// rows go to its own file, so nothing else is shared).
  let stateLock = NSLock()
  public var acceptsConcurrentChunks: Bool { true }
  /// Tables whose CSV was written, with row counts, for other sinks (SQLite) to load.
  public private(set) var written: [(table: RecoveredTable, path: String)] = []
  /// Optional "latest N rows per partition" filter.
  public var keepLatest: KeepLatest?
  /// Writes `<table>.csv.gz` (IMPORT INTO is told to decompress it).
  public var gzip = false
  /// Rows the filter dropped, per table name.
  public private(set) var filteredOut: [String: Int] = [:]
  /// The SQLite copy written during the run (`copyToSQLite`), and how it ended.
  var sqliteCopy: SQLiteRowCopy?
  public private(set) var sqliteResult: Result<[TableLoadReport], Error>?
  /// The PostgreSQL copy written during the run (`copyToPostgres`), and how it ended.
  var postgresCopy: PostgresRowCopy?
  public private(set) var postgresResult: Result<[TableLoadReport], Error>?

  /// Writes the SQLite copy at `path` in the same pass as the CSVs, from the typed rows.
  /// Not with `keepLatest` (its filter drops rows only once the CSVs are complete): the
  /// copy is then loaded from the finished CSVs (`RecoveredDatabase.loadSQLite`).
  public func copyToSQLite(path: String, inputs: [String]) {
    precondition(keepLatest == nil, "the SQLite copy of a --keep-latest run is loaded from its CSVs")
    do { sqliteCopy = try SQLiteRowCopy(path: path, inputs: inputs) } catch { sqliteResult = .failure(error) }
  }

  /// Loads PostgreSQL at `url` in the same pass as the CSVs, from the typed rows (as
  /// `copyToSQLite`; not with `keepLatest`: then `RecoveredDatabase.loadPostgres`).
  public func copyToPostgres(url: String, inputs: [String]) {
    precondition(keepLatest == nil, "the PostgreSQL copy of a --keep-latest run is loaded from its CSVs")
    do { postgresCopy = try PostgresRowCopy(url: url, inputs: inputs) } catch { postgresResult = .failure(error) }
  }

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
    try makePartDirectories()
    makeStreams()
    if let copy = sqliteCopy {
      do { try copy.begin(tables: tables, chunks: chunks, workDirectory: work) } catch {
        sqliteResult = .failure(error)
        sqliteCopy = nil
      }
    }
    if let copy = postgresCopy {
      do { try copy.begin(tables: tables, chunks: chunks, workDirectory: work) } catch {
        postgresResult = .failure(error)
        postgresCopy = nil
      }
    }
  }

  func makePartDirectories() throws {
    for t in tables.indices { try FileManager.default.createDirectory(atPath: partDir(t), withIntermediateDirectories: true) }
  }

  func makeStreams() {
    streams = tables.indices.map { t in
      let inPlace = writesInPlace && !gzip && keepLatest?.columns(of: tables[t]) == nil
      return TableStream(path: partDir(t) + "/table.csv", chunks: chunks.filter { $0.table == t }, inPlace: inPlace,
                         budget: holdBudget, partPath: { [unowned self] in self.partPath($0) })
    }
  }

  func partDir(_ table: Int) -> String { work + "/\(tables[table].descriptor.id)" }
  func partPath(_ c: RecoveryChunk) -> String { partDir(c.table) + "/" + String(format: "%08d.csv", c.index) }

  public func chunk(_ chunk: RecoveryChunk, rows: RowBatch) throws {
    let columns = tables[chunk.table].columns
    let ordinals = columns.map { rows.layout.ordinal(of: $0.id) ?? -1 }
    guard !ordinals.contains(-1) else { throw RecoveryError("output column missing from the row layout of \(tables[chunk.table].name)") }
    let tagged = keepLatest?.columns(of: tables[chunk.table])
    var out = ByteSink(capacity: rows.byteCount * 2 + rows.count * 16)
    var problems: [String] = []
    for r in 0..<rows.count {
      // Filtered tables: each line carries its partition and order values for `finish`.
      if let (p, o) = tagged {
        let tag = { (k: Int) in
          (SQLText.render(rows.datum(r, ordinals[k]), type: columns[k].type) ?? "\\N").replacingOccurrences(of: "\t", with: " ")
        }
        out.append(contentsOf: tag(p) + "\t" + tag(o) + "\t")
      }
      csv.write(rows, row: r, ordinals: ordinals, into: &out, problems: &problems)
    }
    if sqliteCopy?.failed == false || postgresCopy?.failed == false {
      // One typed copy of the rows serves both databases.
      let typed = SQLiteRows(rows, ordinals: ordinals, families: columns.map(\.type.family))
      sqliteCopy?.add(typed, of: chunk)
      postgresCopy?.add(typed, of: chunk)
    }
    if !problems.isEmpty { stateLock.lock(); pendingRenderProblems[partPath(chunk), default: []] += problems; stateLock.unlock() }
    try streams[chunk.table].write(out.bytes, of: chunk)
  }

  public func finish(_ report: RecoveryReport) throws {
    var sql = "-- Recovered by salvage from: \(report.stores.joined(separator: ", "))\n\n"
    var imports = """
      -- Load the recovered tables into a new cluster:
      --   1. run schema.sql (CREATE DATABASE / TABLE);
      --   2. make the CSV files reachable by every node, e.g. `cockroach nodelocal upload <db>/<table>.csv <db>/<table>.csv`
      --      (names are file-safe: other bytes than letters, digits, _ - . are written %XX)
      --      (or userfile upload, or a cloud bucket: then change the URLs below);
      --   3. run this file. NULL is the unquoted field \\N; every other value is literal.

      """
    var databases = Set<String>()
    for (t, table) in tables.enumerated() {
      // File-safe names: a table called `../x` or `a/b` stays inside OUT/<db>/.
      let relative = OutputPath.csv(database: table.database, schema: table.qualifiedName[1], table: table.name, gzip: gzip)
      let final = directory + "/" + relative
      try FileManager.default.createDirectory(atPath: (final as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
      let parts = chunks.filter { $0.table == t }.sorted { $0.index < $1.index }.map(partPath)
      if streams[t].inPlace {
        try streams[t].install(at: final)
      } else if let k = keepLatest, k.columns(of: table) != nil {
        try filterLatest(k, parts: parts, into: final, table: table)
      } else {
        try concatenate(parts: parts, into: final)
      }
      written.append((table, final))
      if databases.insert(table.database).inserted { sql += "CREATE DATABASE IF NOT EXISTS \(SQLIdent.quote(table.database));\n" }
      sql += table.ddl + (table.ddl.hasSuffix(";") ? "\n\n" : ";\n\n")
      let name = [table.database, table.name].map(SQLIdent.quote).joined(separator: ".")
      imports += csv.importStatement(table: name, columns: table.columns.map(\.name),
                                     url: "nodelocal://1/" + relative, gzip: gzip) + "\n"
    }
    try writeFilledKeys()
    imports += try writePartialRows()
    try atomicWrite(sql, to: directory + "/schema.sql")
    try atomicWrite(imports, to: directory + "/import.sql")
    var r = report
    r.problems += renderProblems.sorted().map { Problem(.undecodable, $0) }
    for (name, dropped) in filteredOut.sorted(by: { $0.key < $1.key }) {
      if let i = r.tables.firstIndex(where: { $0.table == name }) { r.tables[i].filteredOut = dropped }
    }
    let json = ReportJSON.encode(r)
    try atomicWrite(json, to: directory + "/report.json")
    // The picture of it: rendered from the JSON just written (one path with `salvage report`).
    try atomicWrite(try HTMLReport.render(reportJSON: Data(json.utf8)), to: directory + "/report.html")
    if let copy = sqliteCopy {
      sqliteResult = Result { try copy.finish() }
      sqliteCopy = nil
    }
    if let copy = postgresCopy {
      postgresResult = Result { try copy.finish() }
      postgresCopy = nil
    }
    try? FileManager.default.removeItem(atPath: work)
  }

  /// Applies `--keep-latest` to one table. Holds the table's lines in memory: it is meant for
  /// journal tables whose kept rows are what matters; the dropped count goes to the report.
  func filterLatest(_ k: KeepLatest, parts: [String], into path: String, table: RecoveredTable) throws {
    var text = ""
    for p in parts where FileManager.default.fileExists(atPath: p) { text += try String(contentsOfFile: p, encoding: .utf8) }
    // Tagged lines end at "\n"; CSV fields may contain quoted newlines, so split on the tag
    // structure: every record starts with two tab-separated fields.
    let (kept, dropped) = k.filter(Self.taggedRecords(text))
    filteredOut[table.qualifiedName.joined(separator: ".")] = dropped
    try atomicWrite(kept.joined(), to: path, gzip: gzip)
  }

  /// Splits tagged text into records (`tag \t tag \t csv line\n`), respecting quoted newlines.
  static func taggedRecords(_ text: String) -> [Substring] {
    var out: [Substring] = []
    var start = text.startIndex
    var inQuotes = false
    var tabs = 0
    var i = text.startIndex
    while i < text.endIndex {
      let c = text[i]
      if tabs < 2 { if c == "\t" { tabs += 1 } } else if c == "\"" { inQuotes.toggle() } else if c == "\n" && !inQuotes {
        let next = text.index(after: i)
        out.append(text[start..<next])
        start = next
        tabs = 0
      }
      i = text.index(after: i)
    }
    if start < text.endIndex { out.append(text[start...]) }
    return out
  }

  /// The table's CSV from its parts in order. One part (already fsynced) becomes the file by
  /// a rename; several are copied in the kernel.
  func concatenate(parts: [String], into path: String) throws {
    let present = parts.filter { FileManager.default.fileExists(atPath: $0) }
    if present.count == 1, !gzip, rename(present[0], path) == 0 {
      AtomicOutputFile.fsyncDirectory(of: path)
      return
    }
    let out = try AtomicOutputFile(path: path, gzip: gzip, guard: .none)
    for p in present { try out.append(fileAt: p) }
    try out.commit()
  }
}

/// Writes `text` to `path` so a reader never sees half of it (AtomicOutputFile: tmp, fsync, rename).
func atomicWrite(_ text: String, to path: String, gzip: Bool = false) throws {
  let out = try AtomicOutputFile(path: path, gzip: gzip, guard: .none)
  try out.write(Array(text.utf8))
  try out.commit()
}
