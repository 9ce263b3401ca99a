import Foundation
import GRDB

/// Writes every exported table into one SQLite file (default `DIR/salvage.sqlite`), the
/// output a person can open at once with `sqlite3` or any SQLite browser.
///
/// - Table names: `OutputNames.sqliteTable` (`<db>_<table>`, `<db>_<schema>_<table>`
///   outside `public`); a second table mapping to the same name (SQLite compares names
///   case-insensitively) is an error, not a merge.
/// - Types: `sqliteType` maps each CockroachDB type to a storage class; DECIMAL stays TEXT
///   because NUMERIC affinity would round it to a double. The CockroachDB type of each
///   column is kept in `salvage_columns`.
/// - The declared primary key (with its directions) is the table's PRIMARY KEY, so a
///   duplicate is rejected by SQLite, listed in the report and in `salvage_rejected`,
///   and never replaces the first row.
/// - Rows go in through one cached prepared statement, `transactionRows` per transaction.
/// - The file is built as `<path>.tmp` and renamed by `finish()`: an interrupted export
///   never leaves a plausible-looking partial database under the real name.
/// - `salvage_meta` records, per table, the source, the load time and the row counts.
public final class SQLiteSink {
  public let path: String
  public let source: String
  public let transactionRows: Int
  private let tmpPath: String
  var queue: DatabaseQueue?
  var createdNames: [String: String] = [:]   // lower-cased SQLite name → source table
  /// The tables' fills: their statements are finalized before the connection closes.
  var fills: [TableFill] = []

  public init(path: String, source: String, guard outputGuard: OutputGuard,
              transactionRows: Int = 50_000) throws {
    try outputGuard.check(path)
    self.path = path
    self.source = source
    self.transactionRows = max(1, transactionRows)
    tmpPath = path + ".tmp"
    try AtomicOutputFile.makeDirectories(parentOf: path, table: nil)
    for stale in [tmpPath, tmpPath + "-journal"] { unlink(stale) }
    var config = Configuration()
    config.label = "salvage-export"
    // The copy written during a recovery keeps one transaction open across the chunks it
    // is handed (SQLiteRowCopy); it commits every `transactionRows` rows and at the end.
    config.allowsUnsafeTransactions = true
    do {
      let queue = try DatabaseQueue(path: tmpPath, configuration: config)
      try queue.writeWithoutTransaction { db in
        // The file is private until renamed, so durability is bought once, in finish().
        try db.execute(sql: "PRAGMA synchronous = OFF")
        // No rollback journal either (an interrupted export leaves only the .tmp file, which
        // is never used), and a cache that holds the pages inserts keep touching.
        try db.execute(sql: "PRAGMA journal_mode = OFF")
        try db.execute(sql: "PRAGMA cache_size = -65536")
        try db.execute(sql: """
          CREATE TABLE salvage_meta (
            source_table TEXT PRIMARY KEY, sqlite_table TEXT NOT NULL, source TEXT NOT NULL,
            exported_at TEXT NOT NULL, rows_read INTEGER NOT NULL, rows_inserted INTEGER NOT NULL,
            rows_rejected INTEGER NOT NULL);
          CREATE TABLE salvage_columns (
            sqlite_table TEXT NOT NULL, position INTEGER NOT NULL, name TEXT NOT NULL,
            cockroach_type TEXT NOT NULL, nullable INTEGER NOT NULL, PRIMARY KEY (sqlite_table, position));
          CREATE TABLE salvage_rejected (
            sqlite_table TEXT NOT NULL, source_row INTEGER NOT NULL, primary_key TEXT NOT NULL, reason TEXT NOT NULL);
          """)
      }
      self.queue = queue
    } catch let error as DatabaseError {
      throw ExportError(.sqlite(error.message ?? "\(error)"), file: tmpPath)
    }
  }

  deinit {
    guard let queue else { return }
    // A run that failed: the open transaction is rolled back and every statement finalized
    // before the connection closes. (Finalized later, from a fill's deinit, the last
    // statement closed the connection, and SQLite's rollback called GRDB's rollback hook on
    // its freed observer: a crash.)
    try? queue.writeWithoutTransaction { db in if db.isInsideTransaction { try db.rollback() } }
    for f in fills { f.insert = nil }
    try? queue.close()
    unlink(tmpPath)
  }

  /// Creates the table and inserts every row of `rows`.
  @discardableResult
  public func load<Rows: ExportRowSource>(_ table: ExportTable, rows: inout Rows) throws -> TableLoadReport {
    let fill = try createTable(table)
    try write(fill) { db in
      var inBatch = 0
      try db.beginTransaction()
      while let row = try rows.next() {
        try insert(fill, row: row, in: db)
        inBatch += 1
        if inBatch == transactionRows {
          try db.commit()
          try db.beginTransaction()
          inBatch = 0
        }
      }
      try recordMeta(fill, in: db)
      try db.commit()
    }
    return fill.report
  }

  /// Runs `body` on the database; SQLite errors become `ExportError`s naming the table and
  /// the row, and an open transaction is rolled back.
  func write(_ fill: TableFill?, _ body: (Database) throws -> Void) throws {
    guard let queue else { preconditionFailure("SQLiteSink used after finish()") }
    try queue.writeWithoutTransaction { db in
      do {
        try body(db)
      } catch {
        if db.isInsideTransaction { try? db.rollback() }
        if let error = error as? DatabaseError {
          let rows = fill?.report.rowsRead ?? 0
          throw ExportError(.sqlite(error.message ?? "\(error)"), table: fill?.table.qualifiedName, file: path,
                            row: rows == 0 ? nil : rows)
        }
        throw error
      }
    }
  }

  /// Closes the database, makes it durable and moves it to `path`.
  public func finish() throws {
    guard let queue else { return }
    self.queue = nil
    for f in fills { f.insert = nil }
    do {
      try queue.close()
    } catch {
      unlink(tmpPath)
      throw ExportError(.sqlite("\(error)"), file: tmpPath)
    }
    let fd = open(tmpPath, O_RDONLY | O_CLOEXEC)
    guard fd >= 0, fsync(fd) == 0 else {
      let e = errno
      if fd >= 0 { close(fd) }
      unlink(tmpPath)
      throw ExportError(.io(operation: "fsync", errno: e), file: tmpPath)
    }
    close(fd)
    guard rename(tmpPath, path) == 0 else {
      let e = errno
      unlink(tmpPath)
      throw ExportError(.io(operation: "rename", errno: e), file: path)
    }
    AtomicOutputFile.fsyncDirectory(of: path)
  }

  // MARK: Mapping

  static func createTableSQL(_ table: ExportTable, name: String) -> String {
    var parts = table.columns.map { c in
      "\(OutputNames.quoted(c.name)) \(sqliteType(c.cockroachType))" + (c.nullable ? "" : " NOT NULL")
    }
    if !table.primaryKey.isEmpty {
      let key = table.primaryKey.map { OutputNames.quoted($0.column) + ($0.descending ? " DESC" : "") }
      parts.append("PRIMARY KEY (\(key.joined(separator: ", ")))")
    }
    return "CREATE TABLE \(OutputNames.quoted(name)) (\(parts.joined(separator: ", ")))"
  }

  /// The SQLite storage class for a CockroachDB column type: INTEGER (integers, BOOL as
  /// 0/1), REAL (floats), BLOB (BYTES) and TEXT for everything else, DECIMAL included.
  public static func sqliteType(_ cockroachType: String) -> String {
    let t = cockroachType.uppercased().trimmingCharacters(in: .whitespaces)
    if t.hasSuffix("]") || t.hasPrefix("ARRAY") { return "TEXT" }
    let base = t.prefix { $0 != "(" }.trimmingCharacters(in: .whitespaces)
    switch base {
    case "INT", "INT2", "INT4", "INT8", "INT64", "INTEGER", "SMALLINT", "BIGINT",
         "SERIAL", "SERIAL2", "SERIAL4", "SERIAL8", "SMALLSERIAL", "BIGSERIAL", "OID", "BOOL", "BOOLEAN":
      return "INTEGER"
    case "FLOAT", "FLOAT4", "FLOAT8", "REAL", "DOUBLE PRECISION":
      return "REAL"
    case "BYTES", "BYTEA", "BLOB":
      return "BLOB"
    default:
      return "TEXT"
    }
  }

  static func now() -> String {
    let f = ISO8601DateFormatter()
    f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    return f.string(from: Date())
  }
}
