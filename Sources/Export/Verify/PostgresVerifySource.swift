import Foundation
import PostgresNIO
import Recovery

/// A PostgreSQL database (`postgres://…` URL) as verify's SOURCE. Each table is read with
/// its own connection (`SELECT col::text, …`, streamed) and sorted with Salvage's key order
/// (ExternalSorter), so PostgreSQL's collations and key directions never matter. Sessions
/// pin the settings the text depends on: TimeZone UTC, DateStyle ISO, IntervalStyle
/// postgres, bytea_output hex, extra_float_digits 1 (shortest round-trip floats).
///
/// Table names: PostgresSink loads `db.public.t` as schema `db`, table `t`; so RECOVERED's
/// `db.t` is PostgreSQL's `"db"."t"`, else `"public"."t"` when no schema `db` holds a `t`.
/// Every other user table is named `schema.table` (reported as missing from RECOVERED).
/// `public.salvage_meta` (PostgresSink's bookkeeping) is skipped.
public enum PostgresVerifySource {
  public static func isURL(_ s: String) -> Bool { s.hasPrefix("postgres://") || s.hasPrefix("postgresql://") }

  struct Column { var name: String; var kind: DatabaseText.PostgresKind }
  struct TableInfo { var schema: String; var table: String; var columns: [Column] }

  static let settings = ["SET TimeZone = 'UTC'", "SET DateStyle = 'ISO, MDY'", "SET IntervalStyle = 'postgres'",
                         "SET bytea_output = 'hex'", "SET extra_float_digits = 1"]

  public static func make(url: String, recovered: VerifySource, runLimit: Int) throws -> VerifySource {
    let shown = PostgresSink.redacted(url)
    let infos = try blocking { try await catalog(url: url) }
    var entries: [VerifySource.Entry] = []
    let bySchema = Dictionary(grouping: infos, by: \.schema)
    for info in infos {
      // The RECOVERED table this one stands for, if any.
      let r = recovered.tables.map(\.table).first { $0.database == info.schema && $0.name == info.table }
        ?? (info.schema == "public" ? recovered.tables.map(\.table).first { rt in
          rt.name == info.table && !(bySchema[rt.database]?.contains { $0.table == info.table } ?? false) } : nil)
      let names = info.columns.map(\.name)
      let file = shown + " table " + OutputNames.quoted(info.schema) + "." + OutputNames.quoted(info.table)
      guard let r else {
        let t = VerifyTable(database: info.schema, name: info.table, columns: names, kinds: names.map { _ in .other }, key: [], descending: [])
        entries.append(.init(table: t, file: file, open: { _ in throw RecoveryError("\(file): no RECOVERED table to compare with") }))
        continue
      }
      let table: VerifyTable
      do { table = try r.adopted(by: names, database: r.database, source: file) } catch {
        let message = "\(error)"
        let t = VerifyTable(database: r.database, name: r.name, columns: names, kinds: names.map { _ in .other }, key: [], descending: [])
        entries.append(.init(table: t, file: file, open: { _ in throw RecoveryError(message) }))
        continue
      }
      let kinds = info.columns.map(\.kind)
      let sql = "SELECT " + names.map { OutputNames.quoted($0) + "::text" }.joined(separator: ", ")
        + " FROM " + OutputNames.quoted(info.schema) + "." + OutputNames.quoted(info.table)
      entries.append(.init(table: table, file: file, open: { work in
        let sorter = try ExternalSorter(directory: work, runLimit: runLimit, order: table.compareKeys)
        let box = Unchecked(sorter)
        try blocking {
          try await withConnection(url) { c, logger in
            var fields = [String?](repeating: nil, count: kinds.count)
            for try await row in try await c.query(PostgresQuery(unsafeSQL: sql), logger: logger) {
              var i = 0
              for cell in row {
                fields[i] = DatabaseText.postgres(try cell.decode(String?.self), kinds[i])
                i += 1
              }
              try box.value.add(fields)
            }
          }
        }
        return try sorter.finish()
      }))
    }
    return VerifySource(directory: shown, kind: .postgres, tables: entries)
  }

  /// User tables and their columns (`format_type` names), in schema, table, column order.
  static func catalog(url: String) async throws -> [TableInfo] {
    try await withConnection(url) { c, logger in
      let sql = """
        SELECT n.nspname::text, c.relname::text, a.attname::text, format_type(a.atttypid, a.atttypmod)
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_attribute a ON a.attrelid = c.oid
        WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND a.attnum > 0 AND NOT a.attisdropped
          AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
          AND NOT (n.nspname = 'public' AND c.relname = 'salvage_meta')
        ORDER BY 1, 2, a.attnum
        """
      var out: [TableInfo] = []
      for try await (schema, table, column, type) in try await c.query(PostgresQuery(unsafeSQL: sql), logger: logger)
        .decode((String, String, String, String).self) {
        if out.last?.schema != schema || out.last?.table != table { out.append(TableInfo(schema: schema, table: table, columns: [])) }
        out[out.count - 1].columns.append(Column(name: column, kind: .init(formatType: type)))
      }
      return out
    }
  }

  static func withConnection<T>(_ url: String, _ body: (PostgresConnection, Logger) async throws -> T) async throws -> T {
    let logger = Logger(label: "salvage.verify.postgres")
    let c: PostgresConnection
    do { c = try await PostgresConnection.connect(configuration: try PostgresSink.configuration(url: url), id: 1, logger: logger) } catch {
      throw RecoveryError("cannot connect to \(PostgresSink.redacted(url)): \(PostgresSink.describe(error))")
    }
    do {
      for s in settings { try await c.query(PostgresQuery(unsafeSQL: s), logger: logger) }
      let r = try await body(c, logger)
      try? await c.close()
      return r
    } catch {
      try? await c.close()
      if error is RecoveryError { throw error }
      throw RecoveryError("\(PostgresSink.redacted(url)): \(PostgresSink.describe(error))")
    }
  }

  /// Runs async work from synchronous code (verify's worker threads are GCD threads, never
  /// the cooperative pool the task runs on, so waiting cannot starve it).
  static func blocking<T>(_ body: @escaping () async throws -> T) throws -> T {
    let result = Unchecked<Result<T, Error>?>(nil)
    let done = DispatchSemaphore(value: 0)
    Task {
      do { result.value = .success(try await body()) } catch { result.value = .failure(error) }
      done.signal()
    }
    done.wait()
    return try result.value!.get()
  }
}

/// A value handed across the blocking bridge (one writer, read after the semaphore).
final class Unchecked<T>: @unchecked Sendable {
  var value: T
  init(_ value: T) { self.value = value }
}
