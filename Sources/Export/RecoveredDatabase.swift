import CockroachSQL
import Foundation
import Recovery

/// Loads the recovered tables into SQLite and PostgreSQL by streaming each table's finished
/// CSV back through `RecoveredCSVRows`: for `--keep-latest` runs and `salvage finish` (a plain
/// `recover` writes both copies in its own pass: `SQLiteRowCopy`, `PostgresRowCopy`). Either
/// way the databases hold exactly the CSVs' rows.
public enum RecoveredDatabase {
  /// The export model of a recovered table.
  public static func exportTable(_ t: RecoveredTable) -> ExportTable {
    let d = t.descriptor
    let pk = d.primaryIndex.keyColumnIDs.enumerated().compactMap { i, id -> ExportKeyColumn? in
      guard let c = d.column(id: id), t.columns.contains(where: { $0.id == id }) else { return nil }
      return ExportKeyColumn(c.name, descending: i < d.primaryIndex.directions.count && d.primaryIndex.directions[i] == .desc)
    }
    return ExportTable(database: t.database, schema: t.qualifiedName[1], name: t.name,
                       columns: t.columns.map { ExportColumn($0.name, $0.type.sqlName() ?? "STRING", nullable: $0.nullable) },
                       primaryKey: pk)
  }

  /// Loads every written table into a new SQLite file; returns per-table load reports.
  public static func loadSQLite(_ files: RecoveryFiles, path: String, inputs: [String]) throws -> [TableLoadReport] {
    let sink = try SQLiteSink(path: path, source: inputs.joined(separator: ", "), guard: OutputGuard(forbiddenDirectories: inputs))
    var reports: [TableLoadReport] = []
    for (table, csv) in files.written {
      var rows = try RecoveredCSVRows(path: csv, table: table)
      reports.append(try sink.load(exportTable(table), rows: &rows))
    }
    try sink.finish()
    return reports
  }

  /// Loads every written table into PostgreSQL at `url` (the database must exist).
  public static func loadPostgres(_ files: RecoveryFiles, url: String, inputs: [String]) async throws -> [TableLoadReport] {
    let sink = try await PostgresSink.connect(url: url, source: inputs.joined(separator: ", "))
    var reports: [TableLoadReport] = []
    do {
      for (table, csv) in files.written {
        var rows = try RecoveredCSVRows(path: csv, table: table)
        reports.append(try await sink.load(exportTable(table), rows: &rows))
      }
    } catch {
      await sink.close()
      throw error
    }
    await sink.close()
    return reports
  }
}

/// A table CSV written by `RecoveryFiles` (plain or `.csv.gz`) as typed rows: the records of
/// `CSVRecordReader` (recover's dialect, the last newline required), each field an
/// `ExportValue` by its column's type.
public struct RecoveredCSVRows: ExportRowSource {
  let reader: CSVRecordReader
  let families: [TypeFamily?]

  public init(path: String, table: RecoveredTable) throws {
    reader = try CSVRecordReader(path: path, requireFinalNewline: true)
    families = table.columns.map { $0.type.family }
  }

  public mutating func next() throws -> ExportRow? {
    guard let fields = try reader.next() else { return nil }
    guard fields.count == families.count else {
      throw RecoveryError("\(reader.path): record \(reader.records) has \(fields.count) fields, the table \(families.count) columns")
    }
    return zip(fields, families).map { text, family in Self.value(text, family) }
  }

  static func value(_ text: String?, _ family: TypeFamily?) -> ExportValue {
    guard let text else { return .null }
    switch family {
    case .bool: return .bool(text == "true")
    case .int, .oid: return Int64(text).map { .int($0) } ?? .other(text: text)
    case .float:
      switch text {
      case "NaN": return .float(.nan)
      case "Infinity", "+Infinity": return .float(.infinity)
      case "-Infinity": return .float(-.infinity)
      default: return Double(text).map { .float($0) } ?? .other(text: text)
      }
    case .decimal: return .decimal(text)
    case .bytes:
      guard text.hasPrefix("\\x") else { return .bytes(Array(text.utf8)) }
      var out: [UInt8] = []
      var hi: UInt8?
      for ch in text.utf8.dropFirst(2) {
        guard let v = hexValue(ch) else { return .other(text: text) }
        if let h = hi { out.append(h << 4 | v); hi = nil } else { hi = v }
      }
      return hi == nil ? .bytes(out) : .other(text: text)
    case .timestamp, .timestampTZ, .date, .time, .timeTZ: return .timestamp(text)
    case .string, .collatedString, .name: return .text(text)
    default: return .other(text: text)
    }
  }

  static func hexValue(_ c: UInt8) -> UInt8? {
    switch c {
    case 0x30...0x39: c - 0x30
    case 0x61...0x66: c - 0x61 + 10
    case 0x41...0x46: c - 0x41 + 10
    default: nil
    }
  }
}
