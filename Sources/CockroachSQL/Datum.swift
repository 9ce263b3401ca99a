/// One decoded SQL value. Times keep CockroachDB's own units so nothing is rounded:
/// dates in days since 1970-01-01, TIME in microseconds since midnight, timestamps as
/// Unix seconds + nanoseconds (UTC instant; TIMESTAMP stores its wall clock as if UTC).
public indirect enum Datum: Sendable, Hashable {
  case null
  case bool(Bool)
  case int(Int64)
  case float(Double)
  case decimal(SQLDecimal)
  /// STRING, VARCHAR, CHAR, NAME and collated strings.
  case string(String)
  case bytes([UInt8])
  case date(days: Int64)
  case time(micros: Int64)
  /// `offsetSecs` is seconds *west* of UTC, as stored (`-05:00` → 18000).
  case timeTZ(micros: Int64, offsetSecs: Int32)
  case timestamp(seconds: Int64, nanos: Int64)
  case timestampTZ(seconds: Int64, nanos: Int64)
  case interval(months: Int64, days: Int64, nanos: Int64)
  case uuid([UInt8])
  /// `addr` is 4 (IPv4) or 16 (IPv6) bytes.
  case inet(mask: UInt8, addr: [UInt8])
  case json(JSONValue)
  /// Bit string, one character '0'/'1' per bit.
  case bits(String)
  /// An ENUM member: its physical representation and, when the type descriptor is known, its label.
  case enumValue(physical: [UInt8], label: String?)
  case oid(UInt32)
  case array([Datum])
  /// A value Salvage does not decode: the type it was meant to be and the stored bytes.
  case raw(type: String, bytes: [UInt8])

  public var isNull: Bool { if case .null = self { return true } else { return false } }
}

/// A JSON document (JSONB), objects keeping their stored (sorted) key order.
public indirect enum JSONValue: Sendable, Hashable {
  case null
  case bool(Bool)
  case number(SQLDecimal)
  case string(String)
  case array([JSONValue])
  case object([(String, JSONValue)])

  public static func == (a: JSONValue, b: JSONValue) -> Bool {
    switch (a, b) {
    case (.null, .null): return true
    case let (.bool(x), .bool(y)): return x == y
    case let (.number(x), .number(y)): return x == y
    case let (.string(x), .string(y)): return x == y
    case let (.array(x), .array(y)): return x == y
    case let (.object(x), .object(y)):
      return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
    default: return false
    }
  }

  public func hash(into h: inout Hasher) {
    switch self {
    case .null: h.combine(0)
    case .bool(let b): h.combine(b)
    case .number(let n): h.combine(n)
    case .string(let s): h.combine(s)
    case .array(let a): h.combine(a)
    case .object(let o): for (k, v) in o { h.combine(k); h.combine(v) }
    }
  }
}
