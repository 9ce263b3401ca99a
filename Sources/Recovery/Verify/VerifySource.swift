import CockroachKV
import CockroachSQL
import Foundation

/// A directory `verify` reads: a `salvage recover` output, a CockroachDB BACKUP, or CSVs with
/// DDL; or prepared entries (Export's SQLite and PostgreSQL readers). Each table comes with
/// a way to stream its rows in primary-key order. `open` may run on several threads at once
/// (one table each).
public struct VerifySource {
  public enum Kind: String, Sendable { case recovery, backup, csv, sqlite, postgres }
  public struct Entry {
    public var table: VerifyTable
    /// Where the rows come from, for messages.
    public var file: String
    /// Streams the rows in primary-key order (sorting externally under `work` if needed).
    public var open: (_ work: String) throws -> RowStream
    /// Rows the source itself could not decode (backup only).
    public var problems: () -> [Problem]
    /// Damaged data files or blocks skipped (backup only): their keys are not compared.
    public var damaged: () -> [Problem]
    /// For a side whose key has no directions of its own (PostgreSQL): streams the rows in
    /// `order`'s key order (this table with the other side's directions).
    public var openInOrder: ((_ work: String, _ order: VerifyTable) throws -> RowStream)?

    public init(table: VerifyTable, file: String, open: @escaping (_ work: String) throws -> RowStream,
                problems: @escaping () -> [Problem] = { [] },
                damaged: @escaping () -> [Problem] = { [] },
                openInOrder: ((_ work: String, _ order: VerifyTable) throws -> RowStream)? = nil) {
      self.table = table
      self.file = file
      self.open = open
      self.problems = problems
      self.damaged = damaged
      self.openInOrder = openInOrder
    }
  }

  public var directory: String
  public var kind: Kind
  public var tables: [Entry]

  /// A source whose tables another module prepared; `directory` names it in the report.
  public init(directory: String, kind: Kind, tables: [Entry]) {
    self.directory = directory
    self.kind = kind
    self.tables = tables
  }

  /// - Parameter csv: how CSV files of a CSV directory spell NULL and headers (a recover
  ///   output is always read in recover's own dialect).
  /// - Parameters:
  ///   - localities: more directories of a locality-aware backup (B-LOC in docs/backup-format.md).
  ///   - asOf: read a backup as of this time (a layer's end, or inside revision history).
  public init(directory: String, runLimit: Int = 200_000, csv: CSVDialect = CSVDialect(),
              localities: [String] = [], asOf: MVCCTimestamp? = nil) throws {
    var isDir: ObjCBool = false
    guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDir), isDir.boolValue else {
      throw RecoveryError("\(directory) is not a directory")
    }
    self.directory = directory
    if BackupLocation.isBackup(directory) {
      kind = .backup
      let chain = try BackupLocation.open([directory] + localities, asOf: asOf)
      let manifest = chain.layers.last!.manifest.path
      let problemBox = ProblemBox()
      tables = try chain.tables.map { db, d in
        let t = try VerifyTable(database: db, descriptor: d)
        return Entry(table: t, file: manifest, open: { work in
          let sorter = try ExternalSorter(directory: work, runLimit: runLimit, order: t.compareKeys)
          var reader = BackupTableReader(chain: chain, descriptor: d, table: t)
          try reader.read(into: sorter)
          problemBox.set(t.qualifiedName, reader.problems, reader.damaged)
          return try sorter.finish()
        }, problems: { problemBox.get(t.qualifiedName) }, damaged: { problemBox.damaged(t.qualifiedName) })
      }
      return
    }
    let isRecovery = FileManager.default.fileExists(atPath: directory + "/report.json")
    kind = isRecovery ? .recovery : .csv
    let sqlFiles = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(".sql") && $0 != "import.sql" }.sorted()
    guard !sqlFiles.isEmpty else {
      throw RecoveryError("\(directory): no BACKUP_MANIFEST, no schema.sql (or other .sql with CREATE TABLE): cannot tell its tables")
    }
    var entries: [Entry] = []
    for f in sqlFiles {
      let text = try String(contentsOfFile: directory + "/" + f, encoding: .utf8)
      let parsed: [SchemaParser.ParsedTable]
      do { parsed = try SchemaParser.parse(text) } catch { throw RecoveryError("\(directory)/\(f): \(error)") }
      for p in parsed {
        let db = p.qualifiedName.count >= 2 ? p.qualifiedName[0] : ""
        let t = try VerifyTable(database: db, descriptor: p.table)
        let schema = p.qualifiedName.count >= 3 ? p.qualifiedName[1] : "public"
        let candidates = (db.isEmpty ? [] : [directory + "/" + OutputPath.csv(database: db, schema: schema, table: t.name)])
          + [directory + "/" + OutputPath.component(t.name) + ".csv"]
        guard let file = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
          throw RecoveryError("\(t.qualifiedName): no CSV file (looked for \(candidates.joined(separator: ", ")))")
        }
        let sorted = isRecovery
        let dialect = csv
        entries.append(Entry(table: t, file: file, open: { work in
          if sorted { return try CSVRecordReader(path: file) }   // recover writes key order
          let sorter = try ExternalSorter(directory: work, runLimit: runLimit, order: t.compareKeys)
          let r = try CSVRecordReader(path: file, null: dialect.null)
          if let first = try r.next(), !dialect.isHeader(first, columns: t.columns) { try sorter.add(first) }
          while let row = try r.next() { try sorter.add(row) }
          return try sorter.finish()
        }, problems: { [] }))
      }
    }
    tables = entries
  }
}

/// Per-table decode problems, written by tables verified in parallel.
final class ProblemBox: @unchecked Sendable {
  private var problems: [String: [Problem]] = [:]
  private var damage: [String: [Problem]] = [:]
  private let lock = NSLock()
  func set(_ table: String, _ p: [Problem], _ d: [Problem] = []) { lock.lock(); problems[table] = p; damage[table] = d; lock.unlock() }
  func get(_ table: String) -> [Problem] { lock.lock(); defer { lock.unlock() }; return problems[table] ?? [] }
  func damaged(_ table: String) -> [Problem] { lock.lock(); defer { lock.unlock() }; return damage[table] ?? [] }
}
