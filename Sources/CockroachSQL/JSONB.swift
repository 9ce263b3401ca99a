/// JSONB binary (value side, spec §6.6).
///
/// ```
/// container := header(4 BE) ‖ JEntry(4 BE)× ‖ payloads
///   header   : bits 29–31 type (4 array, 2 object, 1 scalar), low 29 bits count (pairs for objects)
///   object   : keyJEntry×n ‖ valueJEntry×n ‖ key payloads ‖ value payloads
///   JEntry   : bit 31 offset flag, bits 28–30 type (0 null, 1 string, 2 number, 3 false, 4 true,
///              5 container), low 28 bits = length, or end offset into the payload area if flagged
/// number payload := LEB128 length ‖ non-sorting decimal
/// ```
public enum JSONB {
  static let maxDepth = 256

  public static func decode(_ b: ArraySlice<UInt8>) throws(SQLDecodeError) -> JSONValue {
    try container(b, depth: 0)
  }

  static func be32(_ b: ArraySlice<UInt8>, _ at: Int) -> UInt32 {
    let i = b.startIndex + at
    return UInt32(b[i]) << 24 | UInt32(b[i + 1]) << 16 | UInt32(b[i + 2]) << 8 | UInt32(b[i + 3])
  }

  static func container(_ b: ArraySlice<UInt8>, depth: Int) throws(SQLDecodeError) -> JSONValue {
    guard depth < maxDepth else { throw SQLDecodeError(.unsupported, "jsonb", "nesting deeper than \(maxDepth)") }
    guard b.count >= 4 else { throw SQLDecodeError(.truncated, "jsonb", "container header needs 4 bytes") }
    let header = be32(b, 0)
    let count = Int(header & 0x1FFF_FFFF)
    let entries: Int
    switch header >> 29 {
    case 4: entries = count
    case 2: entries = count * 2
    case 1: entries = 1
    default: throw SQLDecodeError(.corrupt, "jsonb", "container type bits \(header >> 29)", offset: 0)
    }
    // Each entry needs 4 bytes; checked before anything is allocated.
    guard entries <= (b.count - 4) / 4 else {
      throw SQLDecodeError(.truncated, "jsonb", "\(entries) entries do not fit in \(b.count) bytes")
    }
    let payloadStart = 4 + 4 * entries
    let payloadLen = b.count - payloadStart
    var values: [JSONValue] = []
    values.reserveCapacity(entries)
    var end = 0
    for i in 0..<entries {
      let e = be32(b, 4 + 4 * i)
      let start = end
      let low = Int(e & 0x0FFF_FFFF)
      end = e & 0x8000_0000 != 0 ? low : start + low
      guard end >= start, end <= payloadLen else {
        throw SQLDecodeError(.corrupt, "jsonb", "entry \(i) payload \(start)..<\(end) outside \(payloadLen) bytes",
                             offset: 4 + 4 * i)
      }
      let p = b[(b.startIndex + payloadStart + start)..<(b.startIndex + payloadStart + end)]
      values.append(try scalar(type: (e >> 28) & 7, p, depth: depth))
    }
    switch header >> 29 {
    case 4: return .array(values)
    case 1: return values[0]
    default:
      var pairs: [(String, JSONValue)] = []
      for i in 0..<count {
        guard case .string(let k) = values[i] else {
          throw SQLDecodeError(.corrupt, "jsonb", "object key \(i) is not a string")
        }
        pairs.append((k, values[count + i]))
      }
      return .object(pairs)
    }
  }

  static func scalar(type: UInt32, _ p: ArraySlice<UInt8>, depth: Int) throws(SQLDecodeError) -> JSONValue {
    switch type {
    case 0: return .null
    case 1: return .string(String(decoding: p, as: UTF8.self))
    case 2:
      var r = p
      let n = try ValueEncoding.uvarint(&r, "jsonb number length")
      return .number(try ValueEncoding.nonsortingDecimal(try ValueEncoding.take(&r, n, "jsonb number")))
    case 3: return .bool(false)
    case 4: return .bool(true)
    case 5: return try container(p, depth: depth + 1)
    default: throw SQLDecodeError(.corrupt, "jsonb", "JEntry type \(type)")
    }
  }
}

extension JSONValue: CustomStringConvertible {
  /// JSON text as CockroachDB prints it (`{"a": 1, "b": [true, null]}`).
  public var description: String {
    var out = ByteSink(capacity: 64)
    write(into: &out)
    return String(decoding: out.bytes, as: UTF8.self)
  }

  /// Appends the JSON text to `out` (the one implementation: `description` wraps it).
  public func write(into out: inout ByteSink) {
    switch self {
    case .null: out.append("null")
    case .bool(let b): out.append(b ? "true" : "false")
    case .number(let d): d.write(into: &out)
    case .string(let t): JSONValue.quote(t, into: &out)
    case .array(let a):
      out.append(UInt8(ascii: "["))
      for (i, v) in a.enumerated() {
        if i > 0 { out.append(", ") }
        v.write(into: &out)
      }
      out.append(UInt8(ascii: "]"))
    case .object(let o):
      out.append(UInt8(ascii: "{"))
      for (i, (k, v)) in o.enumerated() {
        if i > 0 { out.append(", ") }
        JSONValue.quote(k, into: &out)
        out.append(": ")
        v.write(into: &out)
      }
      out.append(UInt8(ascii: "}"))
    }
  }

  /// A JSON string: `"`, `\` and control characters escaped; bytes from 0x80 (the rest of
  /// UTF-8) as they are.
  static func quote(_ t: String, into out: inout ByteSink) {
    var t = t
    t.withUTF8 { quote(bytes: UnsafeRawBufferPointer($0), into: &out) }
  }

  /// A JSON string literal of UTF-8 `bytes`: runs that need no escape are copied whole.
  static func quote(bytes: UnsafeRawBufferPointer, into out: inout ByteSink) {
    out.append(UInt8(ascii: "\""))
    var run = 0
    for (i, u) in bytes.enumerated() where u < 0x20 || u == UInt8(ascii: "\"") || u == UInt8(ascii: "\\") {
      if i > run { out.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[run..<i])) }
      run = i + 1
      switch u {
      case UInt8(ascii: "\""): out.append("\\\"")
      case UInt8(ascii: "\\"): out.append("\\\\")
      case 0x0A: out.append("\\n")
      case 0x0D: out.append("\\r")
      case 0x09: out.append("\\t")
      case 0x08: out.append("\\b")
      case 0x0C: out.append("\\f")
      default: out.append("\\u00"); out.hex(u)
      }
    }
    if run < bytes.count { out.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[run...])) }
    out.append(UInt8(ascii: "\""))
  }
}
