import Foundation
import GRDB
import GRDBSQLite

/// One value to bind, borrowing its bytes for the duration of the bind.
enum SQLiteCell {
  case null
  case int(Int64)
  case real(Double)
  case text(UnsafeRawBufferPointer)
  case blob(UnsafeRawBufferPointer)
}

extension SQLiteSink {
  /// A table being filled: created, with its prepared insert and its counts. Used from the
  /// sink's database queue only.
  public final class TableFill {
    let table: ExportTable
    let name: String
    public internal(set) var report: TableLoadReport
    var insert: Statement?

    init(table: ExportTable, name: String) {
      self.table = table
      self.name = name
      report = TableLoadReport(table: table.qualifiedName, targetTable: name)
    }
  }

  /// Creates the table (refusing a second table under the same SQLite name) and lists its
  /// columns in `salvage_columns`.
  func createTable(_ table: ExportTable) throws -> TableFill {
    let name = OutputNames.sqliteTable(table)
    if let other = createdNames[name.lowercased()] {
      throw ExportError(.nameCollision(with: other), table: table.qualifiedName, file: path)
    }
    createdNames[name.lowercased()] = table.qualifiedName
    let fill = TableFill(table: table, name: name)
    let placeholders = Array(repeating: "?", count: table.columns.count).joined(separator: ", ")
    try write(fill) { db in
      try db.inTransaction {
        try db.execute(sql: Self.createTableSQL(table, name: name))
        for (i, c) in table.columns.enumerated() {
          try db.execute(sql: "INSERT INTO salvage_columns VALUES (?, ?, ?, ?, ?)",
                         arguments: [name, i + 1, c.name, c.cockroachType, c.nullable])
        }
        return .commit
      }
      fill.insert = try db.makeStatement(sql: "INSERT INTO \(OutputNames.quoted(name)) VALUES (\(placeholders))")
    }
    fills.append(fill)
    return fill
  }

  static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
  static let constraintPrimaryKey: Int32 = 19 | (6 << 8)   // SQLITE_CONSTRAINT_PRIMARYKEY
  static let constraintUnique: Int32 = 19 | (8 << 8)       // SQLITE_CONSTRAINT_UNIQUE

  /// Binds one value (1-based `index`). Text and blobs are bound with their length: a NUL
  /// inside a string is kept, and an empty BYTES value is an empty blob, not NULL. A NaN REAL
  /// is bound as the text `NaN` (SQLite would store it as NULL).
  static func bind(_ cell: SQLiteCell, _ stmt: OpaquePointer, _ index: Int32) {
    switch cell {
    case .null: sqlite3_bind_null(stmt, index)
    case .int(let i): sqlite3_bind_int64(stmt, index, i)
    case .real(let d) where d.isNaN: sqlite3_bind_text(stmt, index, "NaN", 3, transient)
    case .real(let d): sqlite3_bind_double(stmt, index, d)
    case .text(let p):
      if let base = p.baseAddress {
        sqlite3_bind_text(stmt, index, base.assumingMemoryBound(to: CChar.self), Int32(p.count), transient)
      } else {
        sqlite3_bind_text(stmt, index, "", 0, transient)
      }
    case .blob(let p):
      if let base = p.baseAddress, p.count > 0 {
        sqlite3_bind_blob(stmt, index, base, Int32(p.count), transient)
      } else {
        sqlite3_bind_zeroblob(stmt, index, 0)
      }
    }
  }

  /// Binds `value` the way the SQLite copy stores it: BOOL as 0/1, DECIMAL and times as text.
  static func withCell<R>(_ value: ExportValue, _ body: (SQLiteCell) -> R) -> R {
    switch value {
    case .null: return body(.null)
    case .bool(let b): return body(.int(b ? 1 : 0))
    case .int(let i): return body(.int(i))
    case .float(let d): return body(.real(d))
    case .decimal(var s), .text(var s), .timestamp(var s), .other(text: var s):
      return s.withUTF8 { body(.text(UnsafeRawBufferPointer($0))) }
    case .bytes(let b): return b.withUnsafeBytes { body(.blob($0)) }
    }
  }

  /// Inserts one row of `fill`'s table: `bind` binds every column of the prepared insert.
  /// A row whose primary key is already there is rejected (never replaces the first one),
  /// counted, listed, and recorded in `salvage_rejected` with its `key` description.
  func insert(_ fill: TableFill, in db: Database, bind: (OpaquePointer) -> Void, key: () -> String) throws {
    let stmt = fill.insert!.sqliteStatement
    fill.report.rowsRead += 1
    sqlite3_reset(stmt)
    bind(stmt)
    let rc = sqlite3_step(stmt)
    if rc == SQLITE_DONE {
      fill.report.rowsInserted += 1
      return
    }
    let extended = sqlite3_extended_errcode(sqlite3_db_handle(stmt))
    let message = String(cString: sqlite3_errmsg(sqlite3_db_handle(stmt)))
    sqlite3_reset(stmt)   // repeats the step's error once; consumed here
    guard extended == Self.constraintPrimaryKey || extended == Self.constraintUnique else {
      throw ExportError(.sqlite(message), table: fill.table.qualifiedName, file: path, row: fill.report.rowsRead)
    }
    let k = key()
    fill.report.reject(row: fill.report.rowsRead, key: k, reason: "duplicate primary key")
    try db.execute(sql: "INSERT INTO salvage_rejected VALUES (?, ?, ?, ?)",
                   arguments: [fill.name, fill.report.rowsRead, k, "duplicate primary key"])
  }

  /// `insert` for a row of export values (checked against the column count).
  func insert(_ fill: TableFill, row: ExportRow, in db: Database) throws {
    guard row.count == fill.table.columns.count else {
      throw ExportError(.wrongColumnCount(expected: fill.table.columns.count, got: row.count),
                        table: fill.table.qualifiedName, file: path, row: fill.report.rowsRead + 1)
    }
    try insert(fill, in: db, bind: { stmt in
      for (i, v) in row.enumerated() { Self.withCell(v) { Self.bind($0, stmt, Int32(i + 1)) } }
    }, key: { fill.table.keyDescription(row) })
  }

  /// The table's line in `salvage_meta`.
  func recordMeta(_ fill: TableFill, in db: Database) throws {
    try db.execute(sql: "INSERT INTO salvage_meta VALUES (?, ?, ?, ?, ?, ?, ?)",
                   arguments: [fill.table.qualifiedName, fill.name, source, Self.now(), fill.report.rowsRead,
                               fill.report.rowsInserted, fill.report.rowsRejected])
  }
}
