import CockroachKV
import CockroachSQL
import Foundation

/// One table as `verify` compares it: the CSV columns (recover's order: the table's data
/// columns) and the primary key, with the order recover writes rows in.
public struct VerifyTable: Sendable {
  public var database: String
  public var name: String
  public var columns: [String]
  public var kinds: [ValueKind]
  /// Indexes into `columns` of the primary-key columns, and their directions.
  public var key: [Int]
  public var descending: [Bool]

  public var qualifiedName: String { database.isEmpty ? name : database + "." + name }

  /// How a text value compares and when two texts mean the same value.
  public enum ValueKind: Sendable {
    case integer, decimal, float, timestamp, json, other
    init(_ t: SQLType) {
      switch t.family {
      case .int, .oid: self = .integer
      case .decimal: self = .decimal
      case .float: self = .float
      case .timestamp, .timestampTZ: self = .timestamp
      case .json: self = .json
      default: self = .other
      }
    }

    /// The kind of a column typed by name, as CockroachDB, PostgreSQL or SQLite spell it
    /// (`INT8`, `bigint`, `DECIMAL(10,2)`, `double precision`, `timestamp with time zone`).
    public init(typeName: String) {
      let t = typeName.uppercased().trimmingCharacters(in: .whitespaces)
      let base = String(t.prefix { $0 != "(" }).trimmingCharacters(in: .whitespaces)
      if t.hasSuffix("]") || t.hasPrefix("ARRAY") { self = .other; return }
      switch base {
      case "INT", "INT2", "INT4", "INT8", "INT64", "INTEGER", "SMALLINT", "BIGINT", "OID",
           "SERIAL", "SERIAL2", "SERIAL4", "SERIAL8", "SMALLSERIAL", "BIGSERIAL": self = .integer
      case "DECIMAL", "NUMERIC", "DEC": self = .decimal
      case "FLOAT", "FLOAT4", "FLOAT8", "REAL", "DOUBLE PRECISION", "DOUBLE": self = .float
      case "JSON", "JSONB": self = .json
      default: self = base.hasPrefix("TIMESTAMP") ? .timestamp : .other
      }
    }
  }

  /// A table described by its parts (a database's catalog rather than a descriptor).
  public init(database: String, name: String, columns: [String], kinds: [ValueKind], key: [Int], descending: [Bool]) {
    self.database = database
    self.name = name
    self.columns = columns
    self.kinds = kinds
    self.key = key
    self.descending = descending
  }

  public init(database: String, descriptor t: TableDescriptor) throws {
    self.database = database
    name = t.name
    let cols = t.dataColumns.filter { !$0.hidden }
    columns = cols.map(\.name)
    kinds = cols.map { ValueKind($0.type) }
    key = []
    descending = []
    for (i, id) in t.primaryIndex.keyColumnIDs.enumerated() {
      guard let at = cols.firstIndex(where: { $0.id == id }) else {
        throw RecoveryError("\(database).\(t.name): primary-key column \(id) is not among the CSV columns")
      }
      key.append(at)
      descending.append(t.primaryIndex.direction(at: i) == .desc)
    }
    if key.isEmpty { throw RecoveryError("\(database).\(t.name): no primary key") }
  }

  public func column(_ name: String) -> Int? { columns.firstIndex(of: name) }

  /// Orders rows as recover writes them: by primary key, each column in its index direction,
  /// NULL first in ascending order (CockroachDB's key order).
  public func compareKeys(_ a: [String?], _ b: [String?]) -> Int {
    for (i, c) in key.enumerated() {
      let r = Self.compare(a[c], b[c], kinds[c])
      if r != 0 { return descending[i] ? -r : r }
    }
    return 0
  }

  /// Typed comparison of two text values: integers and decimals numerically, timestamps and
  /// everything else by UTF-8 bytes (CockroachDB's order for strings; hex BYTES keep it).
  public static func compare(_ a: String?, _ b: String?, _ kind: ValueKind) -> Int {
    switch (a, b) {
    case (nil, nil): return 0
    case (nil, _): return -1
    case (_, nil): return 1
    case let (x?, y?):
      switch kind {
      case .integer:
        if let p = Int64(x), let q = Int64(y) { return p < q ? -1 : p > q ? 1 : 0 }
      case .decimal:
        if let p = Decimal(string: x), let q = Decimal(string: y) { return p < q ? -1 : p > q ? 1 : 0 }
      case .float:
        if let p = Double(x), let q = Double(y), !p.isNaN, !q.isNaN { return p < q ? -1 : p > q ? 1 : 0 }
      case .timestamp:
        return bytes(normal(x, kind), normal(y, kind))
      case .json, .other: break
      }
      return bytes(x, y)
    }
  }

  static func bytes(_ x: String, _ y: String) -> Int {
    if x == y { return 0 }
    return x.utf8.lexicographicallyPrecedes(y.utf8) ? -1 : 1
  }

  /// The spelling differences that are not value differences, for timestamps: RFC 3339's `T`
  /// and `Z` vs CockroachDB's space and `+00:00` (or no offset: TIMESTAMP is UTC), other
  /// offsets, trailing fraction zeros. Parsed text becomes the UTC instant with 9 fraction
  /// digits (so byte order is time order); text that does not parse keeps its spelling.
  static func normal(_ s: String, _ kind: ValueKind) -> String {
    guard kind == .timestamp, s.utf8.count > 10 else { return s }
    if let t = TimestampText.parse(s), let text = OrderedEncoding.formatRFC3339Nano(seconds: t.seconds, nanos: 0) {
      let n = String(t.nanos)
      return text.dropLast().replacingOccurrences(of: "T", with: " ") + "." + String(repeating: "0", count: 9 - n.count) + n
    }
    var u = Array(s.utf8)
    if u[10] == UInt8(ascii: "T") { u[10] = UInt8(ascii: " ") }
    return String(decoding: u, as: UTF8.self)
  }

  /// Whether two texts are one value: beyond the `T`, a float's spellings (`1e-05` and
  /// `1e-5`: PostgreSQL and Swift print exponents differently), a decimal's exponent form
  /// (`1.3E+3` is CockroachDB's text of PostgreSQL's `1300`; the scale must still agree) and
  /// JSON's key order and spacing (PostgreSQL's jsonb orders keys by length first).
  public static func same(_ a: String?, _ b: String?, _ kind: ValueKind) -> Bool {
    if a == b { return true }
    guard let a, let b else { return false }
    switch kind {
    case .float:
      guard let p = Double(a), let q = Double(b) else { return false }
      return p == q || (p.isNaN && q.isNaN)
    case .decimal:
      return SQLDecimalText.plain(a) == SQLDecimalText.plain(b)
    case .json:
      guard let p = try? JSONSerialization.jsonObject(with: Data(a.utf8), options: .fragmentsAllowed),
            let q = try? JSONSerialization.jsonObject(with: Data(b.utf8), options: .fragmentsAllowed) else { return false }
      return jsonEqual(p, q)
    default:
      return normal(a, kind) == normal(b, kind)
    }
  }

  /// Parsed JSON values equal, objects regardless of key order.
  static func jsonEqual(_ a: Any, _ b: Any) -> Bool {
    switch (a, b) {
    case let (x as [String: Any], y as [String: Any]):
      return x.count == y.count && x.allSatisfy { k, v in y[k].map { jsonEqual(v, $0) } ?? false }
    case let (x as [Any], y as [Any]):
      return x.count == y.count && zip(x, y).allSatisfy { jsonEqual($0, $1) }
    case let (x as String, y as String): return x == y
    case let (x as NSNumber, y as NSNumber): return x == y
    case (is NSNull, is NSNull): return true
    default: return false
    }
  }

  /// The primary key as text, for listings: `5/30`.
  public func keyText(_ row: [String?]) -> String {
    key.map { row[$0] ?? "NULL" }.joined(separator: "/")
  }
}
