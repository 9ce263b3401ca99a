/// An arbitrary-precision decimal as CockroachDB stores it (apd.Decimal): sign, a base-10
/// coefficient kept as a digit string (no size limit, no rounding) and a base-10 exponent,
/// value = ±coefficient × 10^exponent. Trailing zeros and the sign of zero are kept, because
/// `1.00` and `1` (and `-0`) are different stored values (spec §6.3.2).
public struct SQLDecimal: Equatable, Hashable, Sendable, CustomStringConvertible {
  public enum Form: Sendable, Hashable { case finite, infinite, nan }
  public var form: Form
  public var negative: Bool
  /// Decimal digits without leading zeros ("0" for zero).
  public var coefficient: String
  public var exponent: Int

  public init(negative: Bool = false, coefficient: String, exponent: Int) {
    self.form = .finite
    self.negative = negative
    let trimmed = coefficient.drop(while: { $0 == "0" })
    self.coefficient = trimmed.isEmpty ? "0" : String(trimmed)
    self.exponent = exponent
  }

  public static let nan = SQLDecimal(form: .nan, negative: false)
  public static let infinity = SQLDecimal(form: .infinite, negative: false)
  public static let negativeInfinity = SQLDecimal(form: .infinite, negative: true)

  init(form: Form, negative: Bool) {
    self.form = form
    self.negative = negative
    self.coefficient = "0"
    self.exponent = 0
  }

  /// Parses CockroachDB decimal text ("-12.50", "1.3E+1001", "NaN", "-Infinity"); nil if malformed.
  public init?(_ text: String) {
    var s = Substring(text)
    var neg = false
    if s.first == "-" || s.first == "+" { neg = s.first == "-"; s = s.dropFirst() }
    switch s.lowercased() {
    case "nan": self = .nan; return
    case "infinity", "inf": self = neg ? .negativeInfinity : .infinity; return
    default: break
    }
    var exp = 0
    if let e = s.firstIndex(where: { $0 == "e" || $0 == "E" }) {
      guard let x = Int(s[s.index(after: e)...]) else { return nil }
      exp = x
      s = s[..<e]
    }
    var digits = ""
    var seenPoint = false
    for c in s {
      if c == "." { guard !seenPoint else { return nil }; seenPoint = true; continue }
      guard c.isASCII, c.isNumber else { return nil }
      digits.append(c)
      if seenPoint { exp -= 1 }
    }
    guard !digits.isEmpty else { return nil }
    self.init(negative: neg, coefficient: digits, exponent: exp)
  }

  public var isZero: Bool { form == .finite && coefficient == "0" }

  /// General Decimal Arithmetic "to-scientific-string", the text apd (and so CockroachDB)
  /// prints; it parses back to the same coefficient and exponent.
  public var description: String {
    var out = ByteSink(capacity: coefficient.utf8.count + 8)
    write(into: &out)
    return String(decoding: out.bytes, as: UTF8.self)
  }

  /// Appends `description`'s text to `out` (the one implementation of it).
  public func write(into out: inout ByteSink) {
    switch form {
    case .nan: out.append("NaN"); return
    case .infinite: out.append(negative ? "-Infinity" : "Infinity"); return
    case .finite: break
    }
    var c = coefficient
    c.withUTF8 { Self.writeFinite(negative: negative, digits: $0, exponent: exponent, into: &out) }
  }

  /// The text of a finite decimal ±`digits`×10^`exponent` (`digits`: ASCII, no leading zeros).
  static func writeFinite(negative: Bool, digits: UnsafeBufferPointer<UInt8>, exponent: Int, into out: inout ByteSink) {
    if negative { out.append(UInt8(ascii: "-")) }
    let n = digits.count
    let adjusted = exponent + n - 1
    if exponent <= 0 && adjusted >= -6 {
      let point = n + exponent       // digits before the decimal point
      if exponent == 0 {
        out.bytes.append(contentsOf: digits)
      } else if point > 0 {
        out.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: digits[..<point]))
        out.append(UInt8(ascii: "."))
        out.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: digits[point...]))
      } else {
        out.append("0.")
        for _ in 0..<(-point) { out.append(UInt8(ascii: "0")) }
        out.bytes.append(contentsOf: digits)
      }
      return
    }
    if n > 0 { out.append(digits[0]) }
    if n > 1 { out.append(UInt8(ascii: ".")); out.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: digits[1...])) }
    out.append(UInt8(ascii: "E"))
    out.append(adjusted >= 0 ? UInt8(ascii: "+") : UInt8(ascii: "-"))
    out.unsigned(UInt64(adjusted.magnitude))
  }

  /// Decimal digits of an unsigned big-endian integer (Go `big.Int.SetBytes`), as the
  /// non-sorting encoding stores coefficients. Quadratic, so inputs are capped by callers.
  static func digits(bigEndian bytes: ArraySlice<UInt8>) -> String {
    // Base-10^9 limbs, least significant first; multiply-add one byte at a time.
    var limbs: [UInt32] = []
    for b in bytes {
      var carry = UInt64(b)
      for i in limbs.indices {
        let v = UInt64(limbs[i]) * 256 + carry
        limbs[i] = UInt32(v % 1_000_000_000)
        carry = v / 1_000_000_000
      }
      while carry > 0 { limbs.append(UInt32(carry % 1_000_000_000)); carry /= 1_000_000_000 }
    }
    guard let top = limbs.last else { return "0" }
    var s = String(top)
    for limb in limbs.dropLast().reversed() {
      let d = String(limb)
      s += String(repeating: "0", count: 9 - d.count) + d
    }
    return s
  }

  /// Big-endian bytes of the coefficient (inverse of `digits(bigEndian:)`), for encoders in tests.
  public var coefficientBytes: [UInt8] {
    var out: [UInt8] = []          // little-endian while building
    for c in coefficient.utf8 {
      var carry = UInt32(c - 48)
      for i in out.indices {
        let v = UInt32(out[i]) * 10 + carry
        out[i] = UInt8(v & 0xFF)
        carry = v >> 8
      }
      while carry > 0 { out.append(UInt8(carry & 0xFF)); carry >>= 8 }
    }
    return out.reversed()
  }
}
