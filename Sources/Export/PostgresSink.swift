import Foundation
import PostgresNIO

/// Loads exported tables into a running PostgreSQL server, given a
/// `postgres://user[:password]@host[:port]/database` URL (TCP, no TLS).
///
/// Per table (steps 1, 3 and 4 in one transaction):
/// 1. `CREATE SCHEMA IF NOT EXISTS` `<db>` (or `<db>_<schema>` outside `public`) and
///    `CREATE TABLE` with `PostgresTypes.postgresType` columns, NOT NULL and PRIMARY KEY
///    as declared (PostgreSQL keys have no direction; DESC only affected order).
/// 2. `COPY` (text format) into a temporary staging table numbered by source row, made before
///    step 1 (outside its transaction; it may take several COPYs). Staging is what lets a
///    duplicate key be reported instead of aborting the whole COPY.
/// 3. Duplicates beyond the first row of a key are listed (row number and key); then
///    `INSERT … SELECT … ORDER BY row ON CONFLICT DO NOTHING` keeps the first of each key.
/// 4. `public.salvage_meta` gets the source, time and row counts, as in SQLite.
///
/// A failed table is rolled back entirely; the error names the table and PostgreSQL's
/// message, whose context gives the COPY line (= source row) when a value is rejected.
public final class PostgresSink: @unchecked Sendable {   // one owner at a time
  public let source: String
  private let connection: PostgresConnection
  private let logger = Logger(label: "salvage.export.postgres")
  private var createdNames: [String: String] = [:]
  private var metaCreated = false
  /// Bytes handed to the server per COPY message.
  private let copyChunk = 1 << 18

  private init(connection: PostgresConnection, source: String) {
    self.connection = connection
    self.source = source
  }

  public static func connect(url: String, source: String) async throws -> PostgresSink {
    let config = try configuration(url: url)
    let logger = Logger(label: "salvage.export.postgres")
    do {
      let connection = try await PostgresConnection.connect(configuration: config, id: 1, logger: logger)
      return PostgresSink(connection: connection, source: source)
    } catch {
      throw ExportError(.postgres("cannot connect to \(redacted(url)): \(describe(error))"))
    }
  }

  public func close() async {
    try? await connection.close()
  }

  /// The PostgreSQL schema and table for a source table.
  public static func target(_ table: ExportTable) -> (schema: String, table: String) {
    (table.schema == "public" ? table.database : "\(table.database)_\(table.schema)", table.name)
  }

  @discardableResult
  public func load<Rows: ExportRowSource>(_ table: ExportTable, rows: inout Rows) async throws -> TableLoadReport {
    try await stage(table, as: "salvage_copy")
    let read: Int
    do { read = try await copy(table, rows: &rows, into: "salvage_copy") } catch {
      try? await execute("DROP TABLE IF EXISTS salvage_copy")
      throw Self.wrapped(error, table)
    }
    return try await complete(table, staging: "salvage_copy", rowsRead: read)
  }

  // MARK: Steps (also taken one at a time by `PostgresTables`, the copy made in a recovery's pass)

  /// Step 2's staging table: a session temporary table `staging`, typed as the target.
  func stage(_ table: ExportTable, as staging: String) async throws {
    let (schema, name) = Self.target(table)
    if let other = createdNames[schema + "\u{0}" + name] {
      throw ExportError(.nameCollision(with: other), table: table.qualifiedName)
    }
    createdNames[schema + "\u{0}" + name] = table.qualifiedName
    let stagingColumns = zip(Self.staged(table), table.columns).map { "\($0) \(PostgresTypes.postgresType($1.cockroachType))" }
    do {
      try await execute("CREATE TEMP TABLE \(staging) (salvage_row bigserial, " + stagingColumns.joined(separator: ", ") + ")")
    } catch {
      throw Self.wrapped(error, table)
    }
  }

  /// Staging names: any source name is safe.
  static func staged(_ table: ExportTable) -> [String] { table.columns.indices.map { "c\($0 + 1)" } }

  /// COPY text lines (`PostgresTypes.appendCopyLine`) into the staging table.
  func copy(_ lines: [UInt8], into staging: String, table: ExportTable) async throws {
    do {
      try await connection.copyFrom(table: staging, columns: Self.staged(table), format: .text(.init()), logger: logger) { writer in
        var i = 0
        while i < lines.count {
          let end = min(i + copyChunk, lines.count)
          try await writer.write(ByteBuffer(bytes: lines[i..<end]))
          i = end
        }
      }
    } catch {
      throw Self.wrapped(error, table)
    }
  }

  /// Steps 1, 3 and 4 in one transaction, once every row is staged; the staging table goes.
  func complete(_ table: ExportTable, staging: String, rowsRead: Int) async throws -> TableLoadReport {
    let (schema, name) = Self.target(table)
    let targetName = OutputNames.quoted(schema) + "." + OutputNames.quoted(name)
    var report = TableLoadReport(table: table.qualifiedName, targetTable: schema + "." + name)
    report.rowsRead = rowsRead
    let staged = Self.staged(table)
    do {
      try await execute("BEGIN")
      try await execute("CREATE SCHEMA IF NOT EXISTS \(OutputNames.quoted(schema))")
      try await execute(Self.createTableSQL(table, targetName: targetName))
      try await listDuplicates(table, staged: staged, staging: staging, report: &report)
      let columnList = table.columns.map { OutputNames.quoted($0.name) }.joined(separator: ", ")
      let conflict = table.primaryKey.isEmpty ? "" : " ON CONFLICT DO NOTHING"
      report.rowsInserted = try await count("""
        WITH ins AS (INSERT INTO \(targetName) (\(columnList)) SELECT \(staged.joined(separator: ", "))
        FROM \(staging) ORDER BY salvage_row\(conflict) RETURNING 1) SELECT count(*) FROM ins
        """)
      report.rowsRejected = report.rowsRead - report.rowsInserted
      try await recordMeta(report)
      try await execute("COMMIT")
      try await execute("DROP TABLE \(staging)")
    } catch {
      try? await execute("ROLLBACK")
      try? await execute("DROP TABLE IF EXISTS \(staging)")
      throw Self.wrapped(error, table)
    }
    return report
  }

  /// `error` as an ExportError naming `table`.
  static func wrapped(_ error: any Error, _ table: ExportTable) -> ExportError {
    if var e = error as? ExportError {
      e.table = e.table ?? table.qualifiedName
      return e
    }
    return ExportError(.postgres(describe(error)), table: table.qualifiedName)
  }

  private func copy<Rows: ExportRowSource>(_ table: ExportTable, rows: inout Rows, into staging: String) async throws -> Int {
    var scratch: [UInt8] = []
    scratch.reserveCapacity(copyChunk + 4096)
    var read = 0
    let arrays = PostgresTypes.arrayColumns(table)
    try await connection.copyFrom(table: staging, columns: Self.staged(table), format: .text(.init()),
                                  logger: logger) { writer in
      while let row = try rows.next() {
        read += 1
        guard row.count == table.columns.count else {
          throw ExportError(.wrongColumnCount(expected: table.columns.count, got: row.count),
                            table: table.qualifiedName, row: read)
        }
        PostgresTypes.appendCopyLine(row, arrays: arrays, to: &scratch)
        if scratch.count >= copyChunk {
          try await writer.write(ByteBuffer(bytes: scratch))
          scratch.removeAll(keepingCapacity: true)
        }
      }
      if !scratch.isEmpty { try await writer.write(ByteBuffer(bytes: scratch)) }
    }
    return read
  }

  /// Rows whose key already appeared earlier in the source, first `maxListed` of them.
  private func listDuplicates(_ table: ExportTable, staged: [String], staging: String,
                              report: inout TableLoadReport) async throws {
    let keyColumns: [(name: String, staged: String)] = table.primaryKey.compactMap { key in
      table.columns.firstIndex { $0.name == key.column }.map { (key.column, staged[$0]) }
    }
    guard !keyColumns.isEmpty else { return }
    let keyText = keyColumns.map { OutputNames.literal($0.name + "=") + " || quote_nullable(\($0.staged)::text)" }
      .joined(separator: " || ', ' || ")
    let partition = keyColumns.map(\.staged).joined(separator: ", ")
    let sql = """
      SELECT salvage_row, \(keyText) FROM (SELECT *, row_number() OVER (PARTITION BY \(partition)
      ORDER BY salvage_row) AS salvage_n FROM \(staging)) d WHERE salvage_n > 1
      ORDER BY salvage_row LIMIT \(TableLoadReport.maxListed)
      """
    for try await (row, key) in try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger)
      .decode((Int64, String).self) {
      report.rejected.append(.init(row: Int(row), key: key, reason: "duplicate primary key"))
    }
  }

  private func recordMeta(_ report: TableLoadReport) async throws {
    if !metaCreated {
      try await execute("""
        CREATE TABLE IF NOT EXISTS public.salvage_meta (source_table text PRIMARY KEY, target_table text NOT NULL,
          source text NOT NULL, exported_at timestamptz NOT NULL, rows_read bigint NOT NULL,
          rows_inserted bigint NOT NULL, rows_rejected bigint NOT NULL)
        """)
      metaCreated = true
    }
    let values = [report.table, report.targetTable, source].map(OutputNames.literal).joined(separator: ", ")
    try await execute("""
      INSERT INTO public.salvage_meta VALUES (\(values), now(), \(report.rowsRead), \(report.rowsInserted),
        \(report.rowsRejected)) ON CONFLICT (source_table) DO UPDATE SET target_table = EXCLUDED.target_table,
        source = EXCLUDED.source, exported_at = EXCLUDED.exported_at, rows_read = EXCLUDED.rows_read,
        rows_inserted = EXCLUDED.rows_inserted, rows_rejected = EXCLUDED.rows_rejected
      """)
  }

  static func createTableSQL(_ table: ExportTable, targetName: String) -> String {
    var parts = table.columns.map { c in
      "\(OutputNames.quoted(c.name)) \(PostgresTypes.postgresType(c.cockroachType))" + (c.nullable ? "" : " NOT NULL")
    }
    if !table.primaryKey.isEmpty {
      parts.append("PRIMARY KEY (" + table.primaryKey.map { OutputNames.quoted($0.column) }.joined(separator: ", ") + ")")
    }
    return "CREATE TABLE \(targetName) (\(parts.joined(separator: ", ")))"
  }

  private func execute(_ sql: String) async throws {
    try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger)
  }

  private func count(_ sql: String) async throws -> Int {
    for try await n in try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger).decode(Int64.self) {
      return Int(n)
    }
    return 0
  }

  // MARK: URL and errors

  static func configuration(url: String) throws -> PostgresConnection.Configuration {
    guard let c = URLComponents(string: url), c.scheme == "postgres" || c.scheme == "postgresql" else {
      throw ExportError(.postgres("not a postgres:// URL: \(redacted(url))"))
    }
    let database = c.path.hasPrefix("/") ? String(c.path.dropFirst()) : c.path
    return PostgresConnection.Configuration(
      host: c.host.flatMap { $0.isEmpty ? nil : $0 } ?? "127.0.0.1", port: c.port ?? 5432,
      username: c.user ?? "postgres", password: c.password,
      database: database.isEmpty ? nil : database, tls: .disable)
  }

  /// The URL without its password, for messages.
  static func redacted(_ url: String) -> String {
    guard var c = URLComponents(string: url), c.password != nil else { return url }
    c.password = "***"
    return c.string ?? url
  }

  /// PostgresNIO hides server messages from `description`; reports need them.
  static func describe(_ error: any Error) -> String {
    if let e = error as? PSQLError {
      if let info = e.serverInfo {
        return [info[.message], info[.detail].map { "detail: \($0)" }, info[.locationContext].map { "context: \($0)" }]
          .compactMap { $0 }.joined(separator: "; ")
      }
      return "\(e.code)" + (e.underlying.map { ": \($0)" } ?? "")
    }
    return "\(error)"
  }
}
