import SSTable

/// CockroachDB's order-preserving key encodings (spec §5.2; pkg/util/encoding), the subset
/// the keyspace printer and parser need: integers, bytes/strings, NULL, floats and the
/// fixed-width uint64 of Raft log indexes. The SQL layer reuses them.
///
/// ```
/// uvarint-asc  v ≤ 109        → 0x88+v
///              otherwise      → 0xf5+n ‖ v as n BE bytes (n = 1…8)
/// varint-asc   v ≥ 0          → uvarint-asc(v)
///              v < 0          → 0x88-n ‖ n low bytes of v (two's complement)
/// varint-desc  v              → varint-asc(^v)
/// bytes-asc    0x12 ‖ data with 00 → 00 ff ‖ 00 01
/// bytes-desc   0x13 ‖ NOT(escaped data ‖ 00 01)
/// NULL         00 (asc) / ff (desc)
/// ```
public enum OrderedEncoding {
  public static let intMin: UInt8 = 0x80
  public static let intZero: UInt8 = 0x88
  public static let intMax: UInt8 = 0xFD
  public static let bytesMarker: UInt8 = 0x12
  public static let bytesDescMarker: UInt8 = 0x13

  // MARK: integers

  public static func encodeUvarintAscending(_ v: UInt64, into out: inout [UInt8]) {
    if v <= 109 { out.append(intZero + UInt8(v)); return }
    let n = (64 - v.leadingZeroBitCount + 7) / 8
    out.append(0xF5 + UInt8(n))
    for i in stride(from: n - 1, through: 0, by: -1) { out.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(i)))) }
  }

  public static func encodeVarintAscending(_ v: Int64, into out: inout [UInt8]) {
    if v >= 0 { encodeUvarintAscending(UInt64(v), into: &out); return }
    // n = fewest bytes with v ≥ -(2^(8n)-1), i.e. ~v < 2^(8n)-1 (encoding.go's switch).
    let u = UInt64(bitPattern: v)
    var n = 1
    while n < 8 && ~u >= (UInt64(1) << (8 * UInt64(n))) - 1 { n += 1 }
    out.append(intZero - UInt8(n))
    for i in stride(from: n - 1, through: 0, by: -1) { out.append(UInt8(truncatingIfNeeded: u >> (8 * UInt64(i)))) }
  }

  public static func encodeVarintDescending(_ v: Int64, into out: inout [UInt8]) {
    encodeVarintAscending(~v, into: &out)
  }

  /// Decodes an ascending varint (also reads uvarints ≤ Int64.max).
  public static func decodeVarintAscending(_ b: ArraySlice<UInt8>) throws(KVError) -> (Int64, ArraySlice<UInt8>) {
    guard let m = b.first else { throw KVError(.truncated, "varint", "empty input") }
    guard m >= intMin, m <= intMax else { throw KVError(.corrupt, "varint", "marker 0x\(hex2(m)) is not an integer") }
    let l = Int(m) - Int(intZero)
    if l < 0 {
      let n = -l
      guard b.count >= 1 + n else { throw KVError(.truncated, "varint", "needs \(1 + n) bytes, have \(b.count)") }
      var v = UInt64.max
      for x in b.dropFirst().prefix(n) { v = (v << 8) | UInt64(x) }
      return (Int64(bitPattern: v), b.dropFirst(1 + n))
    }
    if l <= 109 { return (Int64(l), b.dropFirst()) }
    let (u, rest) = try decodeUvarintAscending(b)
    guard u <= UInt64(Int64.max) else { throw KVError(.corrupt, "varint", "value \(u) overflows int64") }
    return (Int64(u), rest)
  }

  public static func decodeUvarintAscending(_ b: ArraySlice<UInt8>) throws(KVError) -> (UInt64, ArraySlice<UInt8>) {
    guard let m = b.first else { throw KVError(.truncated, "uvarint", "empty input") }
    guard m >= intZero, m <= intMax else { throw KVError(.corrupt, "uvarint", "marker 0x\(hex2(m)) is not an unsigned integer") }
    let l = Int(m) - Int(intZero)
    if l <= 109 { return (UInt64(l), b.dropFirst()) }
    let n = l - 109
    guard b.count >= 1 + n else { throw KVError(.truncated, "uvarint", "needs \(1 + n) bytes, have \(b.count)") }
    var v: UInt64 = 0
    for x in b.dropFirst().prefix(n) { v = (v << 8) | UInt64(x) }
    return (v, b.dropFirst(1 + n))
  }

  public static func decodeVarintDescending(_ b: ArraySlice<UInt8>) throws(KVError) -> (Int64, ArraySlice<UInt8>) {
    let (v, rest) = try decodeVarintAscending(b)
    return (~v, rest)
  }

  /// Fixed 8-byte big-endian uint64 (`EncodeUint64Ascending`, Raft log indexes).
  public static func decodeUint64Ascending(_ b: ArraySlice<UInt8>) throws(KVError) -> (UInt64, ArraySlice<UInt8>) {
    guard b.count >= 8 else { throw KVError(.truncated, "uint64", "needs 8 bytes, have \(b.count)") }
    var v: UInt64 = 0
    for x in b.prefix(8) { v = (v << 8) | UInt64(x) }
    return (v, b.dropFirst(8))
  }

  public static func encodeUint64Ascending(_ v: UInt64, into out: inout [UInt8]) {
    for i in stride(from: 7, through: 0, by: -1) { out.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(i)))) }
  }

  // MARK: bytes

  public static func encodeBytesAscending<C: Collection>(_ data: C, into out: inout [UInt8]) where C.Element == UInt8 {
    out.append(bytesMarker)
    for x in data {
      out.append(x)
      if x == 0 { out.append(0xFF) }
    }
    out.append(0x00)
    out.append(0x01)
  }

  /// Decodes `12 ‖ escaped ‖ 00 01`.
  public static func decodeBytesAscending(_ b: ArraySlice<UInt8>) throws(KVError) -> ([UInt8], ArraySlice<UInt8>) {
    try decodeBytes(b, marker: bytesMarker, invert: 0)
  }

  /// Decodes `13 ‖ NOT(escaped ‖ 00 01)`.
  public static func decodeBytesDescending(_ b: ArraySlice<UInt8>) throws(KVError) -> ([UInt8], ArraySlice<UInt8>) {
    try decodeBytes(b, marker: bytesDescMarker, invert: 0xFF)
  }

  static func decodeBytes(_ b: ArraySlice<UInt8>, marker: UInt8, invert: UInt8) throws(KVError) -> ([UInt8], ArraySlice<UInt8>) {
    guard let m = b.first else { throw KVError(.truncated, "bytes", "empty input") }
    guard m == marker else { throw KVError(.corrupt, "bytes", "marker 0x\(hex2(m)), expected 0x\(hex2(marker))") }
    var out: [UInt8] = []
    var i = b.startIndex + 1
    while i < b.endIndex {
      let x = b[i] ^ invert
      if x != 0 { out.append(x); i += 1; continue }
      guard i + 1 < b.endIndex else { break }
      switch b[i + 1] ^ invert {
      case 0xFF: out.append(0); i += 2
      case 0x01: return (out, b[(i + 2)...])
      case let e: throw KVError(.corrupt, "bytes", "invalid escape 00 \(hex2(e))", offset: i - b.startIndex)
      }
    }
    throw KVError(.truncated, "bytes", "no terminator")
  }

  // MARK: floats

  /// `02` NaN, `03 ‖ ^bits` negative, `04` zero, `05 ‖ bits` positive (encoding/float.go).
  public static func decodeFloatAscending(_ b: ArraySlice<UInt8>) throws(KVError) -> (Double, ArraySlice<UInt8>) {
    guard let m = b.first else { throw KVError(.truncated, "float", "empty input") }
    switch m {
    case 0x02: return (.nan, b.dropFirst())
    case 0x04: return (0, b.dropFirst())
    case 0x03, 0x05:
      guard b.count >= 9 else { throw KVError(.truncated, "float", "needs 9 bytes, have \(b.count)") }
      var u: UInt64 = 0
      for x in b.dropFirst().prefix(8) { u = (u << 8) | UInt64(x) }
      return (Double(bitPattern: m == 0x05 ? u : ~u), b.dropFirst(9))
    default: throw KVError(.corrupt, "float", "marker 0x\(hex2(m)) is not an ascending float")
    }
  }

  @usableFromInline static func hex2(_ b: UInt8) -> String { [b].hex }
}

/// Lowercase hex of bytes (used in messages and the printer's raw fallbacks): the project's
/// one encoder (`SSTable`'s `hex`).
@inlinable
public func kvHex<C: Sequence>(_ bytes: C) -> String where C.Element == UInt8 { Array(bytes).hex }

extension OrderedEncoding {
  public static func encodeFloatAscending(_ f: Double, into out: inout [UInt8]) {
    if f.isNaN { out.append(0x02); return }
    if f == 0 { out.append(0x04); return }
    let bits = f < 0 ? ~f.bitPattern : f.bitPattern
    out.append(f < 0 ? 0x03 : 0x05)
    encodeUint64Ascending(bits, into: &out)
  }
}
