/// Go's `strconv.Quote` over raw bytes (what `%q` prints for a `[]byte`), and its inverse.
/// CockroachDB's key printer quotes strings and raw key tails this way, so Salvage must
/// too for its output to match `cockroach debug keys`.
enum GoQuote {
  static func quote<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
    let b = Array(bytes)
    var out = "\""
    var i = 0
    while i < b.count {
      let (scalar, width) = decodeUTF8(b, i)
      defer { i += width }
      guard let s = scalar else { out += "\\x" + OrderedEncoding.hex2(b[i]); continue }
      switch s {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\u{07}": out += "\\a"
      case "\u{08}": out += "\\b"
      case "\u{0C}": out += "\\f"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      case "\u{0B}": out += "\\v"
      default:
        if isPrint(s) {
          out.unicodeScalars.append(s)
        } else if s.value < 0x80 {
          out += "\\x" + OrderedEncoding.hex2(UInt8(s.value))
        } else if s.value < 0x10000 {
          out += "\\u" + pad(String(s.value, radix: 16), 4)
        } else {
          out += "\\U" + pad(String(s.value, radix: 16), 8)
        }
      }
    }
    return out + "\""
  }

  /// Go's `unicode.IsPrint`: letters, marks, numbers, punctuation, symbols and ASCII space.
  static func isPrint(_ s: Unicode.Scalar) -> Bool {
    if s == " " { return true }
    switch s.properties.generalCategory {
    case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
         .nonspacingMark, .spacingMark, .enclosingMark,
         .decimalNumber, .letterNumber, .otherNumber,
         .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
         .initialPunctuation, .finalPunctuation, .otherPunctuation,
         .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol:
      return true
    default:
      return false
    }
  }

  static func pad(_ s: String, _ n: Int) -> String { String(repeating: "0", count: max(0, n - s.count)) + s }

  /// One UTF-8 scalar at `i`: (scalar, width), or (nil, 1) for an invalid byte, as Go's
  /// `utf8.DecodeRune` (overlong forms and surrogates are invalid).
  static func decodeUTF8(_ b: [UInt8], _ i: Int) -> (Unicode.Scalar?, Int) {
    let c0 = b[i]
    if c0 < 0x80 { return (Unicode.Scalar(c0), 1) }
    let need: Int
    var v: UInt32
    switch c0 {
    case 0xC2...0xDF: need = 1; v = UInt32(c0 & 0x1F)
    case 0xE0...0xEF: need = 2; v = UInt32(c0 & 0x0F)
    case 0xF0...0xF4: need = 3; v = UInt32(c0 & 0x07)
    default: return (nil, 1)
    }
    guard i + need < b.count else { return (nil, 1) }
    for k in 1...need {
      let c = b[i + k]
      guard c & 0xC0 == 0x80 else { return (nil, 1) }
      v = (v << 6) | UInt32(c & 0x3F)
    }
    let minimum: UInt32 = need == 1 ? 0x80 : (need == 2 ? 0x800 : 0x10000)
    guard v >= minimum, v <= 0x10FFFF, let s = Unicode.Scalar(v) else { return (nil, 1) }
    return (s, need + 1)
  }

  /// Inverse of `quote` (Go `strconv.Unquote` for double-quoted strings): returns the bytes
  /// and the index just past the closing quote. `text[start]` must be `"`.
  static func unquote(_ text: [UInt8], from start: Int) throws(KVError) -> ([UInt8], Int) {
    func bad(_ m: String) -> KVError { KVError(.syntax, "quoted string", m, offset: start) }
    guard start < text.count, text[start] == UInt8(ascii: "\"") else { throw bad("expected \"") }
    var out: [UInt8] = []
    var i = start + 1
    func hexValue(_ n: Int) throws(KVError) -> UInt32 {
      guard i + n <= text.count else { throw bad("short escape") }
      var v: UInt32 = 0
      for k in 0..<n {
        let c = text[i + k]
        let d: UInt32
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(c - 48)
        case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(c - 87)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(c - 55)
        default: throw bad("bad hex digit in escape")
        }
        v = v << 4 | d
      }
      i += n
      return v
    }
    while i < text.count {
      let c = text[i]
      if c == UInt8(ascii: "\"") { return (out, i + 1) }
      if c != UInt8(ascii: "\\") { out.append(c); i += 1; continue }
      i += 1
      guard i < text.count else { break }
      let e = text[i]
      i += 1
      switch e {
      case UInt8(ascii: "a"): out.append(7)
      case UInt8(ascii: "b"): out.append(8)
      case UInt8(ascii: "f"): out.append(12)
      case UInt8(ascii: "n"): out.append(10)
      case UInt8(ascii: "r"): out.append(13)
      case UInt8(ascii: "t"): out.append(9)
      case UInt8(ascii: "v"): out.append(11)
      case UInt8(ascii: "\\"), UInt8(ascii: "\""), UInt8(ascii: "'"): out.append(e)
      case UInt8(ascii: "x"): out.append(UInt8(try hexValue(2)))
      case UInt8(ascii: "u"), UInt8(ascii: "U"):
        let v = try hexValue(e == UInt8(ascii: "u") ? 4 : 8)
        guard let s = Unicode.Scalar(v) else { throw bad("invalid code point") }
        out.append(contentsOf: Array(String(Character(s)).utf8))
      case UInt8(ascii: "0")...UInt8(ascii: "7"):
        guard i + 2 <= text.count else { throw bad("short octal escape") }
        var v = UInt32(e - 48)
        for k in 0..<2 {
          let d = text[i + k]
          guard d >= 48, d <= 55 else { throw bad("bad octal escape") }
          v = v * 8 + UInt32(d - 48)
        }
        guard v <= 255 else { throw bad("octal escape > 255") }
        i += 2
        out.append(UInt8(v))
      default: throw bad("unknown escape \\\(Character(Unicode.Scalar(e)))")
      }
    }
    throw bad("missing closing quote")
  }
}
