import Foundation
import PostgresNIO
import Recovery

/// A PostgreSQL database (`postgres://…` URL) as verify's SOURCE or RECOVERED. Each table is read with
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

  struct Column { var name: String; var type: String; var kind: DatabaseText.PostgresKind; var keyPosition: Int }
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
      entries.append(.init(table: table, file: file, open: rows(url, info, runLimit, table)))
    }
    return VerifySource(directory: shown, kind: .postgres, tables: entries)
  }

  /// RECOVERED side: PostgresSink's load (`public.salvage_meta` names each table's `db.t`;
  /// other tables are `schema.table`). Keys come from the PRIMARY KEY constraints; having no
  /// directions, each table is sorted in SOURCE's key order when compared (`openInOrder`).
  public static func makeRecovered(url: String, runLimit: Int) throws -> VerifySource {
    let shown = PostgresSink.redacted(url)
    let (infos, meta) = try blocking { (try await catalog(url: url), try await loadedNames(url: url)) }
    let entries = infos.map { info -> VerifySource.Entry in
      let (database, name) = meta[info.schema + "." + info.table] ?? (info.schema, info.table)
      let keyed = info.columns.enumerated().filter { $0.element.keyPosition > 0 }.sorted { $0.element.keyPosition < $1.element.keyPosition }
      let table = VerifyTable(database: database, name: name, columns: info.columns.map(\.name),
                              kinds: info.columns.map { .init(typeName: $0.type) },
                              key: keyed.map(\.offset), descending: keyed.map { _ in false })
      let file = shown + " table " + OutputNames.quoted(info.schema) + "." + OutputNames.quoted(info.table)
      guard !keyed.isEmpty else {
        return .init(table: table, file: file, open: { _ in throw RecoveryError("\(file): the table has no PRIMARY KEY") })
      }
      return .init(table: table, file: file, open: rows(url, info, runLimit, table),
                   openInOrder: { work, order in try rows(url, info, runLimit, order)(work) })
    }
    return VerifySource(directory: shown, kind: .postgres, tables: entries)
  }

  /// `salvage_meta`'s target table (`schema.table`) → the source's database and table.
  static func loadedNames(url: String) async throws -> [String: (String, String)] {
    try await withConnection(url) { c, logger in
      var out: [String: (String, String)] = [:]
      let exists = "SELECT (to_regclass('public.salvage_meta') IS NOT NULL)::text"
      for try await e in try await c.query(PostgresQuery(unsafeSQL: exists), logger: logger).decode(String.self) where e != "true" {
        return out
      }
      let sql = "SELECT source_table, target_table FROM public.salvage_meta"
      for try await (source, target) in try await c.query(PostgresQuery(unsafeSQL: sql), logger: logger).decode((String, String).self) {
        let parts = source.split(separator: ".", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
        if parts.count == 3 { out[target] = (parts[0], parts[2]) }
      }
      return out
    }
  }

  /// Reads a table (`SELECT col::text, …`, streamed) into a sorter ordered by `order`.
  static func rows(_ url: String, _ info: TableInfo, _ runLimit: Int, _ order: VerifyTable) -> (String) throws -> RowStream {
    let kinds = info.columns.map(\.kind)
    let sql = "SELECT " + info.columns.map { OutputNames.quoted($0.name) + "::text" }.joined(separator: ", ")
      + " FROM " + OutputNames.quoted(info.schema) + "." + OutputNames.quoted(info.table)
    return { work in
      let sorter = try ExternalSorter(directory: work, runLimit: runLimit, order: order.compareKeys)
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
    }
  }

  /// User tables and their columns (`format_type` names), in schema, table, column order.
  static func catalog(url: String) async throws -> [TableInfo] {
    try await withConnection(url) { c, logger in
      let sql = """
        SELECT n.nspname::text, c.relname::text, a.attname::text, format_type(a.atttypid, a.atttypmod),
          coalesce((SELECT k.n FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS k(att, n) WHERE k.att = a.attnum), 0)::text
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_attribute a ON a.attrelid = c.oid
          LEFT JOIN pg_index i ON i.indrelid = c.oid AND i.indisprimary
        WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND a.attnum > 0 AND NOT a.attisdropped
          AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
          AND NOT (n.nspname = 'public' AND c.relname = 'salvage_meta')
        ORDER BY 1, 2, a.attnum
        """
      var out: [TableInfo] = []
      for try await (schema, table, column, type, key) in try await c.query(PostgresQuery(unsafeSQL: sql), logger: logger)
        .decode((String, String, String, String, String).self) {
        if out.last?.schema != schema || out.last?.table != table { out.append(TableInfo(schema: schema, table: table, columns: [])) }
        out[out.count - 1].columns.append(Column(name: column, type: type, kind: .init(formatType: type), keyPosition: Int(key) ?? 0))
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
