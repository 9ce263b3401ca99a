// The row interface between the SQL decoding layer and every output of this module.
// Deliberately small: the SQL layer maps each decoded datum to one `ExportValue` and
// each table descriptor to one `ExportTable`; the writers never see CockroachDB types
// beyond the SQL text of the column type.

/// One column as it appears in the table's CREATE TABLE.
public struct ExportColumn: Sendable, Equatable {
  public var name: String
  /// The column type as SQL text, exactly as in CREATE TABLE: "INT8", "DECIMAL(10,2)",
  /// "STRING", "BYTES", "TIMESTAMPTZ", "INT8[]", "JSONB", "UUID"…
  public var cockroachType: String
  public var nullable: Bool

  public init(_ name: String, _ cockroachType: String, nullable: Bool = true) {
    self.name = name
    self.cockroachType = cockroachType
    self.nullable = nullable
  }
}

/// One primary-key column, in key order.
public struct ExportKeyColumn: Sendable, Equatable {
  public var column: String
  public var descending: Bool

  public init(_ column: String, descending: Bool = false) {
    self.column = column
    self.descending = descending
  }
}

/// A table to export. Rows are `[ExportValue]` in `columns` order (hidden columns such as
/// an implicit `rowid` are included only if the SQL layer lists them here).
public struct ExportTable: Sendable, Equatable {
  public var database: String
  public var schema: String
  public var name: String
  public var columns: [ExportColumn]
  /// Empty means "no declared key": sinks then create the table without one.
  public var primaryKey: [ExportKeyColumn]

  public init(database: String, schema: String = "public", name: String,
              columns: [ExportColumn], primaryKey: [ExportKeyColumn] = []) {
    self.database = database
    self.schema = schema
    self.name = name
    self.columns = columns
    self.primaryKey = primaryKey
  }

  /// `db.schema.table`, for messages.
  public var qualifiedName: String { "\(database).\(schema).\(name)" }
}

/// One datum. Every case carries (or renders to) the text CockroachDB's IMPORT INTO CSV
/// parses for the column type; the typed cases exist so SQLite and PostgreSQL can store
/// integers, floats, booleans and blobs natively.
///
/// | case | SQL types | CSV text |
/// |---|---|---|
/// | `null` | any | see `CSVDialect` (NULL convention) |
/// | `bool` | BOOL | `true` / `false` |
/// | `int` | INT2/4/8, OID | decimal digits |
/// | `float` | FLOAT4/8 | shortest round-trip text; `NaN`, `Infinity`, `-Infinity` |
/// | `decimal` | DECIMAL | the exact text the SQL layer gives (`1.00`, `-0`, `NaN`) |
/// | `text` | STRING, VARCHAR, CHAR, NAME, ENUM label | the string itself |
/// | `bytes` | BYTES | `\x` followed by lower-case hex |
/// | `timestamp` | TIMESTAMP, TIMESTAMPTZ | RFC 3339 text, e.g. `2024-01-02T03:04:05.123456Z` |
/// | `other` | DATE, TIME, INTERVAL, UUID, INET, JSONB, arrays, BIT, … | the datum's text form (`{1,2}`, `{"a": 1}`) |
public enum ExportValue: Sendable, Equatable {
  case null
  case bool(Bool)
  case int(Int64)
  case float(Double)
  case decimal(String)
  case text(String)
  case bytes([UInt8])
  case timestamp(String)
  case other(text: String)
}

public typealias ExportRow = [ExportValue]

/// Rows pulled one at a time (GRDB's cursor shape): `nil` ends the table, a thrown error
/// aborts it. Implementations may reuse storage between calls; sinks never keep a row.
public protocol ExportRowSource {
  mutating func next() throws -> ExportRow?
}

/// Adapts any sequence of rows (an array in tests, a lazy map in the SQL layer).
public struct ExportRows<Base: Sequence>: ExportRowSource where Base.Element == ExportRow {
  var iterator: Base.Iterator
  public init(_ rows: Base) { iterator = rows.makeIterator() }
  public mutating func next() throws -> ExportRow? { iterator.next() }
}

extension ExportValue {
  /// CockroachDB's text form of the value; nil for NULL.
  public var cockroachText: String? {
    switch self {
    case .null: return nil
    case .bool(let b): return b ? "true" : "false"
    case .int(let i): return String(i)
    case .float(let d): return Self.floatText(d)
    case .decimal(let s), .text(let s), .timestamp(let s), .other(text: let s): return s
    case .bytes(let b): return Self.hexText(b)
    }
  }

  /// Swift prints `nan`/`inf`; CockroachDB and PostgreSQL both read these spellings.
  static func floatText(_ d: Double) -> String {
    if d.isNaN { return "NaN" }
    if d.isInfinite { return d < 0 ? "-Infinity" : "Infinity" }
    return d.description
  }

  /// `\x0aff`: the BYTES escape format CockroachDB and PostgreSQL (bytea_output=hex) parse.
  static func hexText(_ bytes: [UInt8]) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var out = [UInt8]()
    out.reserveCapacity(2 + bytes.count * 2)
    out.append(UInt8(ascii: "\\"))
    out.append(UInt8(ascii: "x"))
    for b in bytes {
      out.append(digits[Int(b >> 4)])
      out.append(digits[Int(b & 0x0f)])
    }
    return String(decoding: out, as: UTF8.self)
  }
}
