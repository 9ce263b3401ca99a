/// Ordered encodings of TIMESTAMP, DECIMAL and BIT keys (spec §5.2.4–5.2.5), decoded to the
/// text CockroachDB's key printer shows: `2016-03-30T13:40:35.053725008Z`, `12.34`, `B00111010`.
extension OrderedEncoding {
  public static let timeMarker: UInt8 = 0x14
  public static let bitArrayMarker: UInt8 = 0x3A

  /// `14 ‖ varint-asc(unix secs) ‖ varint-asc(nanos)`.
  public static func decodeTimeAscending(_ b: ArraySlice<UInt8>) throws(KVError) -> ((seconds: Int64, nanos: Int64), ArraySlice<UInt8>) {
    guard b.first == timeMarker else { throw KVError(.corrupt, "time", "missing marker 0x14") }
    let (s, r1) = try decodeVarintAscending(b.dropFirst())
    let (n, r2) = try decodeVarintAscending(r1)
    return ((s, n), r2)
  }

  public static func encodeTimeAscending(seconds: Int64, nanos: Int64, into out: inout [UInt8]) {
    out.append(timeMarker)
    encodeVarintAscending(seconds, into: &out)
    encodeVarintAscending(nanos, into: &out)
  }

  /// Go's `t.UTC().Format(time.RFC3339Nano)` for years 0…9999 (fraction without trailing zeros).
  public static func formatRFC3339Nano(seconds: Int64, nanos: Int64) -> String? {
    guard nanos >= 0, nanos < 1_000_000_000 else { return nil }
    let days = seconds >= 0 ? seconds / 86_400 : -((-seconds + 86_399) / 86_400)
    let secOfDay = seconds - days * 86_400
    let c = CivilDate(days: days)
    let (y, m, d) = (c.year, c.month, c.day)
    guard y >= 0, y <= 9999 else { return nil }
    func p(_ v: Int64, _ w: Int) -> String { let s = String(v); return String(repeating: "0", count: max(0, w - s.count)) + s }
    var s = "\(p(y, 4))-\(p(m, 2))-\(p(d, 2))T\(p(secOfDay / 3600, 2)):\(p(secOfDay / 60 % 60, 2)):\(p(secOfDay % 60, 2))"
    if nanos != 0 {
      var f = p(nanos, 9)
      while f.hasSuffix("0") { f.removeLast() }
      s += "." + f
    }
    return s + "Z"
  }

  /// RFC 3339 text with an offset (`Z` or `±HH:MM`) → UTC seconds and nanos; the inverse of
  /// `formatRFC3339Nano` (`TimestampText` owns the parsing).
  public static func parseRFC3339(_ text: String) -> (seconds: Int64, nanos: Int64)? {
    guard let t = TimestampText.parse(text), t.hadOffset else { return nil }
    return (t.seconds, t.nanos)
  }

  // MARK: decimals

  /// `EncodeUvarintDescending`: 0 → 88; else (0x88 − n) ‖ n bytes of ^v.
  public static func decodeUvarintDescending(_ b: ArraySlice<UInt8>) throws(KVError) -> (UInt64, ArraySlice<UInt8>) {
    guard let m = b.first else { throw KVError(.truncated, "uvarint-desc", "empty input") }
    guard m >= 0x80, m <= 0x88 else { throw KVError(.corrupt, "uvarint-desc", "marker 0x\(hex2(m))") }
    let n = Int(0x88 - m)
    guard b.count >= 1 + n else { throw KVError(.truncated, "uvarint-desc", "needs \(1 + n) bytes") }
    var v: UInt64 = 0
    for x in b.dropFirst().prefix(n) { v = v << 8 | UInt64(~x) }
    return (v, b.dropFirst(1 + n))
  }

  /// The ascending sorting DECIMAL (spec §5.2.5) as plain text: `12.34`, `-1`, `0`, `NaN`,
  /// `Infinity`. Value = ±0.M × 100^E; M is base-100 digits coded 2d+1 (last 2d), ended by 00.
  public static func decodeDecimalAscending(_ b: ArraySlice<UInt8>) throws(KVError) -> (String, ArraySlice<UInt8>) {
    guard let m = b.first else { throw KVError(.truncated, "decimal", "empty input") }
    var rest = b.dropFirst()
    switch m {
    case 0x18, 0x36: return ("NaN", rest)
    case 0x19: return ("-Infinity", rest)
    case 0x35: return ("Infinity", rest)
    case 0x27: return ("0", rest)
    default: break
    }
    // E is a base-100 exponent read as a magnitude; checked before any arithmetic on it.
    func magnitude(_ u: UInt64) throws(KVError) -> Int {
      guard let e = DecimalLimits.exponentMagnitude(u) else { throw KVError(.corrupt, "decimal", "exponent \(u) out of range") }
      return e
    }
    var e: Int
    switch m {
    case 0x1A: let (u, r) = try decodeUvarintDescending(rest); e = try magnitude(u); rest = r
    case 0x1B...0x25: e = Int(0x25 - m)
    case 0x26: let (u, r) = try decodeUvarintAscending(rest); e = -(try magnitude(u)); rest = r
    case 0x28: let (u, r) = try decodeUvarintDescending(rest); e = -(try magnitude(u)); rest = r
    case 0x29...0x33: e = Int(m - 0x29)
    case 0x34: let (u, r) = try decodeUvarintAscending(rest); e = try magnitude(u); rest = r
    default: throw KVError(.corrupt, "decimal", "marker 0x\(hex2(m))")
    }
    let negative = m < 0x27
    guard let end = rest.firstIndex(of: 0) else { throw KVError(.truncated, "decimal", "no terminator") }
    let mant = rest[..<end].map { negative ? ~$0 : $0 }
    guard !mant.isEmpty else { throw KVError(.corrupt, "decimal", "empty mantissa") }
    // 0.M × 100^E has 2·|M| digits and adjusted exponent 2E − 1: the zero padding below is bounded here.
    guard DecimalLimits.allows(exponent: 2 * e - 2 * mant.count, digits: 2 * mant.count) else {
      throw KVError(.corrupt, "decimal", "\(2 * mant.count) digits × 100^\(e) is outside apd's limits")
    }
    var digits = ""
    for (i, x) in mant.enumerated() {
      let d = i == mant.count - 1 ? Int(x) / 2 : (Int(x) - 1) / 2
      guard d < 100 else { throw KVError(.corrupt, "decimal", "mantissa byte 0x\(hex2(x))") }
      digits += d < 10 ? "0\(d)" : "\(d)"
    }
    // digits = 0.<digits> × 10^(2e): the point sits after 2e digits.
    let point = 2 * Int(e)
    var intPart: String, frac: String
    if point <= 0 {
      intPart = "0"
      frac = String(repeating: "0", count: -point) + digits
    } else if point >= digits.count {
      intPart = digits + String(repeating: "0", count: point - digits.count)
      frac = ""
    } else {
      intPart = String(digits.prefix(point))
      frac = String(digits.dropFirst(point))
    }
    while intPart.count > 1 && intPart.hasPrefix("0") { intPart.removeFirst() }
    while frac.hasSuffix("0") { frac.removeLast() }
    return ((negative ? "-" : "") + intPart + (frac.isEmpty ? "" : "." + frac), b[end...].dropFirst())
  }

  // MARK: bit arrays

  /// `3a ‖ uvarint-asc(word)* ‖ 00 ‖ uvarint-asc(bits used in last word)` → `B0101…`.
  public static func decodeBitArrayAscending(_ b: ArraySlice<UInt8>) throws(KVError) -> (String, ArraySlice<UInt8>) {
    guard b.first == bitArrayMarker else { throw KVError(.corrupt, "bit array", "missing marker 0x3a") }
    var rest = b.dropFirst()
    var words: [UInt64] = []
    while let x = rest.first, x != 0 {
      let (w, r) = try decodeUvarintAscending(rest)
      words.append(w)
      rest = r
    }
    guard rest.first == 0 else { throw KVError(.truncated, "bit array", "no terminator") }
    let (last, r) = try decodeUvarintAscending(rest.dropFirst())
    guard last <= 64, !(words.isEmpty && last != 0) else { throw KVError(.corrupt, "bit array", "\(last) bits in the last word") }
    var s = "B"
    for (i, w) in words.enumerated() {
      let n = i == words.count - 1 ? Int(last) : 64
      for bit in 0..<n { s.append((w >> UInt64(63 - bit)) & 1 == 1 ? "1" : "0") }
    }
    return (s, r)
  }
}
