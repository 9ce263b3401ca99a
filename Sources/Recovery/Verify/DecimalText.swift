/// DECIMAL text without an exponent, so CockroachDB's `1.3E+3` (apd's scientific form for
/// a positive exponent) and PostgreSQL's `1300` compare equal. Digits are only moved, never
/// rounded or trimmed: `1.50` and `1.5` stay different (their scales differ in both engines).
public enum SQLDecimalText {
  public static func plain(_ text: String) -> String {
    let u = Array(text.utf8)
    guard let e = u.firstIndex(where: { $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }),
          let exp = Int(String(decoding: u[(e + 1)...], as: UTF8.self)), exp.magnitude < 100_000 else { return text }
    var mantissa = u[..<e]
    var sign = ""
    if let f = mantissa.first, f == UInt8(ascii: "-") || f == UInt8(ascii: "+") {
      if f == UInt8(ascii: "-") { sign = "-" }
      mantissa = mantissa.dropFirst()
    }
    let dot = mantissa.firstIndex(of: UInt8(ascii: "."))
    let whole = dot.map { mantissa[..<$0] } ?? mantissa
    let fraction = dot.map { mantissa[($0 + 1)...] } ?? []
    let digits = Array(whole) + Array(fraction)
    guard !digits.isEmpty, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return text }
    let point = whole.count + exp
    var intPart: [UInt8], fracPart: [UInt8]
    if point <= 0 {
      intPart = []; fracPart = Array(repeating: 0x30, count: -point) + digits
    } else if point >= digits.count {
      intPart = digits + Array(repeating: 0x30, count: point - digits.count); fracPart = []
    } else {
      intPart = Array(digits[..<point]); fracPart = Array(digits[point...])
    }
    while intPart.count > 1 && intPart[0] == 0x30 { intPart.removeFirst() }
    if intPart.isEmpty { intPart = [0x30] }
    let body = String(decoding: intPart, as: UTF8.self) + (fracPart.isEmpty ? "" : "." + String(decoding: fracPart, as: UTF8.self))
    return sign + body
  }
}
