import CockroachKV

/// Value-side primitives (spec §6.2–6.3, pitfall §9.1): the MSB-first non-sorting uvarint of
/// tags and lengths, zigzag LEB128 bodies, plain LEB128 decimal lengths, and value tags.
///
/// ```
/// valueTag := nsUvarint(delta << 4 | type)                 type < 15
///           | nsUvarint(delta << 4 | 15) ‖ nsUvarint(type)  type ≥ 15
/// nsUvarint: 7-bit groups, most significant first, 0x80 on all but the last byte
/// ```
public enum ValueEncoding {
  /// `encoding.Type` values (§6.3).
  public enum EncType: Int, Sendable {
    case null = 1, notNull = 2, int = 3, float = 4, decimal = 5, bytes = 6, bytesDesc = 7, time = 8
    case duration = 9, `true` = 10, `false` = 11, uuid = 12, array = 13, ipAddr = 14, json = 15
    case tuple = 16, bitArray = 17, bitArrayDesc = 18, timeTZ = 19, geo = 20, geoDesc = 21
    case arrayKeyAsc = 22, arrayKeyDesc = 23, box2D = 24, void = 25, tsQuery = 26, tsVector = 27
    case pgVector = 44
  }

  public static func nsUvarint(_ b: inout ArraySlice<UInt8>, _ what: String = "non-sorting uvarint")
    throws(SQLDecodeError) -> UInt64
  {
    var v: UInt64 = 0
    var i = b.startIndex
    while i < b.endIndex {
      let x = b[i]
      guard v >> 57 == 0 else { throw SQLDecodeError(.corrupt, what, "overflows 64 bits") }
      v = (v << 7) | UInt64(x & 0x7F)
      i += 1
      if x < 0x80 { b = b[i...]; return v }
    }
    throw SQLDecodeError(.truncated, what, "runs past the end")
  }

  /// Go `binary.Uvarint` (LEB128, low group first).
  public static func uvarint(_ b: inout ArraySlice<UInt8>, _ what: String = "uvarint") throws(SQLDecodeError) -> UInt64 {
    let r = try kv(what) { () throws(KVError) in try ProtoReader.uvarint(b, at: b.startIndex, what: what) }
    b = b[r.next...]
    return r.value
  }

  /// Go `binary.Varint` (zigzag LEB128).
  public static func zigzag(_ b: inout ArraySlice<UInt8>, _ what: String = "varint") throws(SQLDecodeError) -> Int64 {
    ProtoReader.zigzag(try uvarint(&b, what))
  }

  public static func take(_ b: inout ArraySlice<UInt8>, _ n: UInt64, _ what: String) throws(SQLDecodeError) -> ArraySlice<UInt8> {
    guard n <= UInt64(b.count) else {
      throw SQLDecodeError(.truncated, what, "needs \(n) bytes, \(b.count) remain")
    }
    let s = b.prefix(Int(n))
    b = b.dropFirst(Int(n))
    return s
  }

  /// Reads a value tag: the column-ID delta and the encoding type.
  public static func tag(_ b: inout ArraySlice<UInt8>) throws(SQLDecodeError) -> (delta: UInt64, type: Int) {
    let t = try nsUvarint(&b, "value tag")
    var type = Int(t & 15)
    if type == 15 {
      let x = try nsUvarint(&b, "value tag type")
      guard x < 256 else { throw SQLDecodeError(.corrupt, "value tag", "encoding type \(x)") }
      type = Int(x)
    }
    return (t >> 4, type)
  }

  /// Skips one body of encoding type `type` (for columns the descriptor no longer has).
  public static func skipBody(_ type: Int, _ b: inout ArraySlice<UInt8>) throws(SQLDecodeError) {
    switch EncType(rawValue: type) {
    case .null, .notNull, .true, .false, .void: return
    case .int: _ = try uvarint(&b)
    case .float: _ = try take(&b, 8, "float")
    case .decimal: _ = try take(&b, try uvarint(&b), "decimal")
    case .bytes, .array, .json, .geo, .tsQuery, .tsVector, .pgVector:
      _ = try take(&b, try nsUvarint(&b), "bytes")
    case .time, .timeTZ: _ = try uvarint(&b); _ = try uvarint(&b)
    case .duration: _ = try uvarint(&b); _ = try uvarint(&b); _ = try uvarint(&b)
    case .uuid: _ = try take(&b, 16, "uuid")
    case .ipAddr: _ = try ipAddr(&b)
    case .bitArray:
      let bits = try nsUvarint(&b)
      _ = try take(&b, (bits / 64 + (bits % 64 == 0 ? 0 : 1)) * 8, "bit array")
    case .box2D: for _ in 0..<4 { _ = try SQLOrderedDecoding.float(&b, descending: false) }
    case .tuple:
      let n = try nsUvarint(&b)
      for _ in 0..<n {
        let t = try tag(&b)
        try skipBody(t.type, &b)
      }
    default:
      throw SQLDecodeError(.unsupported, "value", "cannot skip encoding type \(type)")
    }
  }

  /// `family(0 IPv4, 1 IPv6) ‖ mask ‖ address` (pkg/util/ipaddr `ToBuffer`).
  public static func ipAddr(_ b: inout ArraySlice<UInt8>) throws(SQLDecodeError) -> Datum {
    let head = try take(&b, 2, "inet")
    let fam = head[head.startIndex], mask = head[head.startIndex + 1]
    let n: UInt64
    switch fam {
    case 0: n = 4
    case 1: n = 16
    default: throw SQLDecodeError(.corrupt, "inet", "address family \(fam)")
    }
    guard mask <= n * 8 else { throw SQLDecodeError(.corrupt, "inet", "mask /\(mask) too long") }
    return .inet(mask: mask, addr: Array(try take(&b, n, "inet")))
  }

  /// Non-sorting decimal (§6.3.2); `b` is exactly the encoded decimal.
  public static func nonsortingDecimal(_ b: ArraySlice<UInt8>) throws(SQLDecodeError) -> SQLDecimal {
    guard let m = b.first else { throw SQLDecodeError(.truncated, "decimal", "empty") }
    var rest = b.dropFirst()
    switch m {
    case 0x18: return .nan
    case 0x19: return .negativeInfinity
    case 0x35: return .infinity
    case 0x27: return SQLDecimal(coefficient: "0", exponent: 0)
    default: break
    }
    let negative: Bool
    var e: Int? = nil
    switch m {
    case 0x1A, 0x34: negative = m == 0x1A; e = try SQLOrderedDecoding.expo(try SQLOrderedDecoding.uvarintAscending(&rest))
    case 0x26, 0x28: negative = m == 0x26; e = -(try SQLOrderedDecoding.expo(try SQLOrderedDecoding.uvarintAscending(&rest)))
    case 0x25, 0x29: negative = m == 0x25
    default: throw SQLDecodeError(.corrupt, "decimal", "marker 0x\(kvHex([m])) is not a non-sorting decimal")
    }
    // Checked before the quadratic base conversion runs on it.
    guard rest.count <= DecimalLimits.maxCoefficientBytes else {
      throw SQLDecodeError(.corrupt, "decimal", "coefficient of \(rest.count) bytes")
    }
    let digits = SQLDecimal.digits(bigEndian: rest)
    // value = 0.digits × 10^e, i.e. exponent = e − number of digits.
    let exponent = (e ?? 0) - digits.count
    guard DecimalLimits.allows(exponent: exponent, digits: digits.count) else {
      throw SQLDecodeError(.corrupt, "decimal", "exponent \(exponent) with \(digits.count) digits is outside apd's limits")
    }
    return SQLDecimal(negative: negative, coefficient: digits, exponent: exponent)
  }
}
