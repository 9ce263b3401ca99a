import CZlib
import CockroachSQL
import Foundation
import Recovery

/// Loads the recovered tables into SQLite (the default `DIR/salvage.sqlite`) and, when asked,
/// PostgreSQL, by streaming each table's finished CSV back through `RecoveredCSVRows`: the
/// CSV is the one source of truth, so every output holds exactly the same rows.
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

/// Reads a table CSV written by `RecoveryFiles` (RFC 4180, NULL = unquoted `\N`), 1 MiB at a
/// time, turning each field into a typed `ExportValue` by its column's type.
public struct RecoveredCSVRows: ExportRowSource {
  let handle: FileHandle?
  /// For `<table>.csv.gz` (`recover --gzip`).
  let gz: gzFile?
  let families: [TypeFamily?]
  var buffer: [UInt8] = []
  var position = 0
  var eof = false
  let path: String
  var row = 0
  var closed = false

  public init(path: String, table: RecoveredTable) throws {
    if path.hasSuffix(".gz") {
      guard let g = gzopen(path, "rb") else { throw RecoveryError("cannot read \(path)") }
      gz = g
      handle = nil
    } else {
      guard let h = FileHandle(forReadingAtPath: path) else { throw RecoveryError("cannot read \(path)") }
      handle = h
      gz = nil
    }
    self.path = path
    families = table.columns.map { $0.type.family }
  }

  mutating func fill() throws {
    if position > 0 { buffer.removeFirst(position); position = 0 }
    if let g = gz {
      var chunk = [UInt8](repeating: 0, count: 1 << 20)
      let n = chunk.withUnsafeMutableBytes { gzread(g, $0.baseAddress, UInt32($0.count)) }
      guard n >= 0 else { throw RecoveryError("\(path): gzip data damaged") }
      if n == 0 { eof = true } else { buffer += chunk[..<Int(n)] }
    } else if let data = try handle!.read(upToCount: 1 << 20), !data.isEmpty {
      buffer += data
    } else {
      eof = true
    }
  }

  /// The next record's fields (nil text = NULL), or nil at the end of the file.
  mutating func record() throws -> [String?]? {
    while true {
      if let (fields, end) = Self.parse(buffer, from: position) {
        position = end
        return fields
      }
      if eof {
        guard position < buffer.count else { return nil }
        throw RecoveryError("\(path): record \(row + 1) is cut short (unterminated quote or missing newline)")
      }
      try fill()
    }
  }

  /// One record starting at `from`, if a complete one (ending in "\n") is in `b`.
  static func parse(_ b: [UInt8], from: Int) -> (fields: [String?], end: Int)? {
    var fields: [String?] = []
    var i = from
    var field: [UInt8] = []
    var quoted = false
    var inQuotes = false
    while i < b.count {
      let c = b[i]
      if inQuotes {
        if c == 0x22 {
          if i + 1 < b.count && b[i + 1] == 0x22 { field.append(0x22); i += 2; continue }
          if i + 1 >= b.count { return nil }
          inQuotes = false
        } else {
          field.append(c)
        }
        i += 1
        continue
      }
      switch c {
      case 0x22 where field.isEmpty && !quoted:
        quoted = true
        inQuotes = true
      case 0x2C, 0x0A:
        let text = String(decoding: field, as: UTF8.self)
        fields.append(!quoted && text == "\\N" ? nil : text)
        field.removeAll(keepingCapacity: true)
        quoted = false
        if c == 0x0A { return (fields, i + 1) }
      default:
        field.append(c)
      }
      i += 1
    }
    return nil
  }

  public mutating func next() throws -> ExportRow? {
    guard !closed, let fields = try record() else {
      if !closed, let gz { gzclose(gz) }
      if !closed { try? handle?.close() }
      closed = true
      return nil
    }
    row += 1
    guard fields.count == families.count else {
      throw RecoveryError("\(path): record \(row) has \(fields.count) fields, the table \(families.count) columns")
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
