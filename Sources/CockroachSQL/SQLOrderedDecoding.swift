import CockroachKV

/// Ordered (key-side) decoders CockroachKV's `OrderedEncoding` does not have (spec §5.2):
/// descending floats, decimals, timestamps, TIMETZ, intervals, bit arrays and BOX2D; and thin
/// `SQLDecodeError` wrappers over those it has (varints, uvarint-desc, float-asc). Named apart
/// from `OrderedEncoding` so the rest can be consolidated there later.
/// Each decoder consumes its bytes from the front of `b`; bad bytes throw, never trap.
///
/// ```
/// uvarint-desc  0 → 88; else 0x88-n ‖ n bytes of ^v
/// float-desc    06 NaN; else float-asc(-f)
/// decimal       18 NaN, 19 -inf, 1a ‖ uvarint-desc(E) ‖ ^M ‖ 00, 1b…25 ‖ ^M ‖ 00 (E = 0x25-m),
///               26 ‖ uvarint-asc(-E) ‖ ^M ‖ 00, 27 zero, 28 ‖ uvarint-desc(-E) ‖ M ‖ 00,
///               29…33 ‖ M ‖ 00 (E = m-0x29), 34 ‖ uvarint-asc(E) ‖ M ‖ 00, 35 +inf, 36 NaN desc
///               M = base-100 digits, 2d+1 each, last 2d; desc = asc of the negated value
/// timestamp     14 ‖ varint(secs) ‖ varint(nanos)              desc: varint-desc both
/// timetz        3c ‖ varint(µs + off·10⁶) ‖ varint(off)         desc: varint-desc both
/// interval      16 ‖ varint(sortNanos) ‖ varint(months) ‖ varint(days)   desc: varint-desc all
/// bit array     3a ‖ uvarint-asc(word)* ‖ 00 ‖ uvarint-asc(lastBits)
///               3b ‖ uvarint-desc(word)* ‖ ff ‖ uvarint-desc(lastBits)
/// ```
public enum SQLOrderedDecoding {
  static func truncated(_ what: String, _ need: Int, _ have: Int) -> SQLDecodeError {
    SQLDecodeError(.truncated, what, "needs \(need) bytes, have \(have)")
  }

  static func marker(_ b: ArraySlice<UInt8>, _ what: String) throws(SQLDecodeError) -> UInt8 {
    guard let m = b.first else { throw SQLDecodeError(.truncated, what, "empty input") }
    return m
  }

  // MARK: integers

  public static func varintAscending(_ b: inout ArraySlice<UInt8>) throws(SQLDecodeError) -> Int64 {
    let (v, rest) = try kv("varint") { () throws(KVError) in try OrderedEncoding.decodeVarintAscending(b) }
    b = rest
    return v
  }

  public static func varintDescending(_ b: inout ArraySlice<UInt8>) throws(SQLDecodeError) -> Int64 {
    ~(try varintAscending(&b))
  }

  public static func uvarintAscending(_ b: inout ArraySlice<UInt8>) throws(SQLDecodeError) -> UInt64 {
    let (v, rest) = try kv("uvarint") { () throws(KVError) in try OrderedEncoding.decodeUvarintAscending(b) }
    b = rest
    return v
  }

  public static func uvarintDescending(_ b: inout ArraySlice<UInt8>) throws(SQLDecodeError) -> UInt64 {
    let (v, rest) = try kv("uvarint-desc") { () throws(KVError) in try OrderedEncoding.decodeUvarintDescending(b) }
    b = rest
    return v
  }

  // MARK: floats

  public static func float(_ b: inout ArraySlice<UInt8>, descending: Bool) throws(SQLDecodeError) -> Double {
    if descending && b.first == 0x06 { b = b.dropFirst(); return .nan }
    let (v, rest) = try kv("float") { () throws(KVError) in try OrderedEncoding.decodeFloatAscending(b) }
    b = rest
    if descending && !v.isNaN { return v == 0 ? 0 : -v }
    return v
  }

  // MARK: decimals (§5.2.5)

  public static func decimal(_ b: inout ArraySlice<UInt8>, descending: Bool) throws(SQLDecodeError) -> SQLDecimal {
    let m = try marker(b, "decimal")
    switch m {
    case 0x18, 0x36: b = b.dropFirst(); return .nan
    case 0x27: b = b.dropFirst(); return SQLDecimal(coefficient: "0", exponent: 0)
    case 0x35: b = b.dropFirst(); return descending ? .negativeInfinity : .infinity
    case 0x19: b = b.dropFirst(); return descending ? .infinity : .negativeInfinity
    default: break
    }
    var rest = b.dropFirst()
    let negative: Bool
    let e: Int
    switch m {
    case 0x1A:
      negative = true
      e = try expo(try uvarintDescending(&rest))
    case 0x1B...0x25:
      negative = true
      e = Int(0x25 - m)
    case 0x26:
      negative = true
      e = -(try expo(try uvarintAscending(&rest)))
    case 0x28:
      negative = false
      e = -(try expo(try uvarintDescending(&rest)))
    case 0x29...0x33:
      negative = false
      e = Int(m - 0x29)
    case 0x34:
      negative = false
      e = try expo(try uvarintAscending(&rest))
    default:
      throw SQLDecodeError(.corrupt, "decimal", "marker 0x\(kvHex([m])) is not a decimal")
    }
    guard let end = rest.firstIndex(of: 0x00) else {
      throw SQLDecodeError(.truncated, "decimal", "no 00 terminator after the mantissa")
    }
    let mant = rest[..<end]
    guard !mant.isEmpty else { throw SQLDecodeError(.corrupt, "decimal", "empty mantissa") }
    // 0.M × 100^E: 2·|M| digits, adjusted exponent 2E − 1 (bounded before building the digits).
    guard DecimalLimits.allows(exponent: 2 * e - 2 * mant.count, digits: 2 * mant.count) else {
      throw SQLDecodeError(.corrupt, "decimal", "\(2 * mant.count) digits × 100^\(e) is outside apd's limits")
    }
    var digits = ""
    digits.reserveCapacity(mant.count * 2)
    for raw in mant {
      let t = Int(negative ? ~raw : raw) / 2
      guard t <= 99 else { throw SQLDecodeError(.corrupt, "decimal", "base-100 digit \(t) out of range") }
      digits.append(Character(Unicode.Scalar(UInt8(48 + t / 10))))
      digits.append(Character(Unicode.Scalar(UInt8(48 + t % 10))))
    }
    if digits.last == "0" { digits.removeLast() }
    b = rest[(end + 1)...]
    // value = 0.digits × 100^E
    return SQLDecimal(negative: negative != descending, coefficient: digits, exponent: 2 * e - digits.count)
  }

  static func expo(_ v: UInt64) throws(SQLDecodeError) -> Int {
    guard let e = DecimalLimits.exponentMagnitude(v) else { throw SQLDecodeError(.corrupt, "decimal", "exponent \(v) out of range") }
    return e
  }

  // MARK: times

  static func expect(_ b: inout ArraySlice<UInt8>, _ m: UInt8, _ what: String) throws(SQLDecodeError) {
    let got = try marker(b, what)
    guard got == m else {
      throw SQLDecodeError(.corrupt, what, "marker 0x\(kvHex([got])), expected 0x\(kvHex([m]))")
    }
    b = b.dropFirst()
  }

  static func varint(_ b: inout ArraySlice<UInt8>, _ descending: Bool) throws(SQLDecodeError) -> Int64 {
    descending ? try varintDescending(&b) : try varintAscending(&b)
  }

  public static func timestamp(_ b: inout ArraySlice<UInt8>, descending: Bool) throws(SQLDecodeError) -> (Int64, Int64) {
    try expect(&b, 0x14, "timestamp")
    let s = try varint(&b, descending)
    let n = try varint(&b, descending)
    return (s, n)
  }

  public static func timeTZ(_ b: inout ArraySlice<UInt8>, descending: Bool) throws(SQLDecodeError) -> (Int64, Int32) {
    try expect(&b, 0x3C, "timetz")
    let t = try varint(&b, descending)
    let off = try varint(&b, descending)
    guard let o = Int32(exactly: off) else { throw SQLDecodeError(.corrupt, "timetz", "offset \(off) out of range") }
    return (t &- off &* 1_000_000, o)
  }

  public static func interval(_ b: inout ArraySlice<UInt8>, descending: Bool) throws(SQLDecodeError) -> (months: Int64, days: Int64, nanos: Int64) {
    try expect(&b, 0x16, "interval")
    let sort = try varint(&b, descending)
    let months = try varint(&b, descending)
    let days = try varint(&b, descending)
    let dayNanos: Int64 = 86_400 * 1_000_000_000
    // Wrapping: hostile values must not trap; real ones never overflow (the writer checks).
    return (months, days, sort &- days &* dayNanos &- months &* 30 &* dayNanos)
  }

  // MARK: bit arrays

  public static func bitArray(_ b: inout ArraySlice<UInt8>, descending: Bool) throws(SQLDecodeError) -> String {
    try expect(&b, descending ? 0x3B : 0x3A, "bit array")
    var words: [UInt64] = []
    let term: UInt8 = descending ? 0xFF : 0x00
    while true {
      let m = try marker(b, "bit array")
      if m == term { b = b.dropFirst(); break }
      words.append(descending ? try uvarintDescending(&b) : try uvarintAscending(&b))
    }
    let last = descending ? try uvarintDescending(&b) : try uvarintAscending(&b)
    return try bitString(words: words, lastBitsUsed: last)
  }

  /// Bits MSB-first from 64-bit words; the last word uses `lastBitsUsed` bits.
  static func bitString(words: [UInt64], lastBitsUsed: UInt64) throws(SQLDecodeError) -> String {
    if words.isEmpty {
      guard lastBitsUsed == 0 else { throw SQLDecodeError(.corrupt, "bit array", "no words but \(lastBitsUsed) bits used") }
      return ""
    }
    guard lastBitsUsed >= 1, lastBitsUsed <= 64 else {
      throw SQLDecodeError(.corrupt, "bit array", "last word uses \(lastBitsUsed) bits")
    }
    var s = ""
    for (i, w) in words.enumerated() {
      let n = i == words.count - 1 ? Int(lastBitsUsed) : 64
      for j in 0..<n { s.append((w >> UInt64(63 - j)) & 1 == 1 ? "1" : "0") }
    }
    return s
  }

  // MARK: BOX2D

  public static func box2D(_ b: inout ArraySlice<UInt8>, descending: Bool) throws(SQLDecodeError) -> [Double] {
    try expect(&b, 0x41, "box2d")
    var out: [Double] = []
    for _ in 0..<4 { out.append(try float(&b, descending: descending)) }
    return out
  }
}
