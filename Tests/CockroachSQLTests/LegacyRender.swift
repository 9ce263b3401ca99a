@testable import CockroachSQL

// The String renderer as it stood before the byte renderer (commit 174f62b), kept verbatim
// (renamed) as the oracle of RenderBytesTests: the byte path must print exactly this.

enum LegacySQLText {
  /// Nil for NULL. `problems` receives a note when the text cannot reproduce the value
  /// (an ENUM without its type descriptor, raw bytes of an undecoded type).
  static func render(_ d: Datum, type: SQLType? = nil, problems: inout [String]) -> String? {
    if type?.family == .collatedString, case .string(let s) = d { return collated(s, type!) }
    switch d {
    case .null: return nil
    case .bool(let b): return b ? "true" : "false"
    case .int(let i): return String(i)
    case .float(let f): return float(f)
    case .decimal(let x): return legacyDecimal(x)
    case .string(let s): return s
    case .bytes(let b): return "\\x" + hex(b)
    case .date(let days):
      if days != Int64.max && days != Int64.min && days.magnitude >= 1 << 40 {
        problems.append("DATE \(days) days from 1970 is outside any calendar; written as the day count")
        return String(days)
      }
      return date(days)
    case .time(let us): return time(us)
    case .timeTZ(let us, let off): return time(us) + offset(-Int64(off))
    case .timestamp(let s, let n), .timestampTZ(let s, let n):
      if n < 0 || n >= 1_000_000_000 || s.magnitude >= 1 << 50 {
        problems.append("timestamp \(s)s \(n)ns is out of range; written as printed")
      }
      if case .timestampTZ = d { return timestamp(s, n) + "+00:00" }
      return timestamp(s, n)
    case .interval(let m, let d, let n): return interval(months: m, days: d, nanos: n)
    case .uuid(let u): return uuid(u)
    case .inet(let mask, let addr): return inet(mask: mask, addr: addr)
    case .json(let j): var s = ""; legacyJSON(j, into: &s); return s
    case .bits(let b): return b
    case .enumValue(let p, let label):
      if let label { return label }
      problems.append("ENUM value \\x\(hex(p)) has no label (type descriptor missing); written as hex")
      return "\\x" + hex(p)
    case .oid(let o): return String(o)
    case .array(let a): return array(a, element: type?.element, problems: &problems)
    case .raw(let t, let b):
      problems.append("\(t) value not decoded; written as hex")
      return "\\x" + hex(b)
    }
  }

  static func render(_ d: Datum, type: SQLType? = nil) -> String? {
    var p: [String] = []
    return render(d, type: type, problems: &p)
  }

  /// SQL string literal: single quotes doubled, backslashes literal (standard strings).
  static func literal(_ s: String) -> String { "'" + s.legacyReplacingQuote() + "'" }

  static func collated(_ s: String, _ t: SQLType) -> String {
    literal(s) + " COLLATE " + SQLIdent.quote(t.locale ?? "default")
  }

  static func hex(_ b: [UInt8]) -> String {
    let digits = Array("0123456789abcdef")
    var s = ""
    s.reserveCapacity(b.count * 2)
    for x in b { s.append(digits[Int(x >> 4)]); s.append(digits[Int(x & 15)]) }
    return s
  }

  static func pad(_ v: Int64, _ n: Int) -> String {
    let s = String(v.magnitude)
    return (v < 0 ? "-" : "") + String(repeating: "0", count: max(0, n - s.count)) + s
  }

  /// Go's `strconv.FormatFloat(f, 'g', -1, 64)`, CockroachDB's FLOAT text: the shortest
  /// round-trip digits (Swift's `description` has the same), exponent form below 1e-4 and from
  /// 1e6 on (`1e+06`, `2.5e-07`), no trailing `.0` (`3`).
  static func float(_ f: Double) -> String {
    if f.isNaN { return "NaN" }
    if f.isInfinite { return f < 0 ? "-Infinity" : "Infinity" }
    let sign = f.sign == .minus ? "-" : ""
    if f == 0 { return sign + "0" }
    var text = Substring(f.magnitude.description)
    var exp10 = 0
    if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
      exp10 = Int(text[text.index(after: e)...]) ?? 0
      text = text[..<e]
    }
    let dot = text.firstIndex(of: ".") ?? text.endIndex
    var digits = Array(text[..<dot]) + (dot < text.endIndex ? Array(text[text.index(after: dot)...]) : [])
    var point = text.distance(from: text.startIndex, to: dot) + exp10   // digits before the point
    while digits.first == "0" { digits.removeFirst(); point -= 1 }
    while digits.last == "0" { digits.removeLast() }
    let x = point - 1   // decimal exponent of the first digit
    if x < -4 || x >= 6 {
      let mantissa = String(digits[0]) + (digits.count > 1 ? "." + String(digits[1...]) : "")
      return sign + mantissa + "e" + (x < 0 ? "-" : "+") + (abs(x) < 10 ? "0" : "") + String(abs(x))
    }
    if point <= 0 { return sign + "0." + String(repeating: "0", count: -point) + String(digits) }
    if point >= digits.count { return sign + String(digits) + String(repeating: "0", count: point - digits.count) }
    return sign + String(digits[..<point]) + "." + String(digits[point...])
  }

  /// Fraction digits of `nanos`, trailing zeros dropped ("" when zero).
  static func fraction(_ nanos: Int64) -> String {
    guard nanos != 0 else { return "" }
    var s = pad(nanos, 9)
    while s.last == "0" { s.removeLast() }
    return "." + s
  }

  /// Civil date of a day count since 1970-01-01 (proleptic Gregorian; Hinnant's days→civil).
  static func civil(_ days: Int64) -> (Int64, Int64, Int64) {
    let z = days + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let doe = z - era * 146_097
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
    let mp = (5 * doy + 2) / 153
    let d = doy - (153 * mp + 2) / 5 + 1
    let m = mp < 10 ? mp + 3 : mp - 9
    return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
  }

  static func ymd(_ days: Int64) -> String {
    let (y, m, d) = civil(days)
    // Year 0 is 1 BC (Postgres/CockroachDB text).
    let body = (y > 0 ? pad(y, 4) : pad(1 - y, 4)) + "-" + pad(m, 2) + "-" + pad(d, 2)
    return y > 0 ? body : body + " BC"
  }

  static func date(_ days: Int64) -> String {
    if days == Int64.max { return "infinity" }
    if days == Int64.min { return "-infinity" }
    guard days.magnitude < 1 << 40 else { return String(days) }   // render() reports these
    return ymd(days)
  }

  static func time(_ us: Int64) -> String {
    let s = us / 1_000_000, f = us % 1_000_000
    return pad(s / 3600, 2) + ":" + pad(s / 60 % 60, 2) + ":" + pad(s % 60, 2) + fraction(f * 1000)
  }

  /// `eastSecs` east of UTC, printed ±HH:MM[:SS].
  static func offset(_ eastSecs: Int64) -> String {
    let a = eastSecs.magnitude
    var s = (eastSecs < 0 ? "-" : "+") + pad(Int64(a / 3600), 2) + ":" + pad(Int64(a / 60 % 60), 2)
    if a % 60 != 0 { s += ":" + pad(Int64(a % 60), 2) }
    return s
  }

  static func timestamp(_ secs: Int64, _ nanos: Int64) -> String {
    // Floor division so instants before 1970 land on the right day.
    let secs = max(min(secs, 1 << 50), -(1 << 50))   // keeps the calendar maths in range
    var days = secs / 86_400, rem = secs % 86_400
    if rem < 0 { rem += 86_400; days -= 1 }
    var n = nanos
    if n < 0 || n >= 1_000_000_000 { n = 0 }  // out-of-range nanos cannot be printed faithfully
    let (y, m, d) = civil(days)
    let datePart = (y > 0 ? pad(y, 4) : pad(1 - y, 4)) + "-" + pad(m, 2) + "-" + pad(d, 2)
    let clock = pad(rem / 3600, 2) + ":" + pad(rem / 60 % 60, 2) + ":" + pad(rem % 60, 2) + fraction(n)
    return datePart + " " + clock + (y > 0 ? "" : " BC")
  }

  /// Postgres-style interval text (CockroachDB's default IntervalStyle): years and months
  /// split (truncating, each keeping the sign), plural unless the count is exactly 1.
  static func interval(months: Int64, days: Int64, nanos: Int64) -> String {
    func unit(_ n: Int64, _ name: String) -> String { "\(n) \(name)" + (n == 1 ? "" : "s") }
    var parts: [String] = []
    if months / 12 != 0 { parts.append(unit(months / 12, "year")) }
    if months % 12 != 0 { parts.append(unit(months % 12, "mon")) }
    if days != 0 { parts.append(unit(days, "day")) }
    if nanos != 0 || parts.isEmpty {
      let a = nanos.magnitude
      let secs = a / 1_000_000_000
      var clock = pad(Int64(secs / 3600), 2) + ":" + pad(Int64(secs / 60 % 60), 2) + ":" + pad(Int64(secs % 60), 2)
      clock += fraction(Int64(a % 1_000_000_000))
      parts.append((nanos < 0 ? "-" : "") + clock)
    }
    return parts.joined(separator: " ")
  }

  static func uuid(_ u: [UInt8]) -> String {
    let h = Array(hex(u))
    guard h.count == 32 else { return hex(u) }
    return String(h[0..<8]) + "-" + String(h[8..<12]) + "-" + String(h[12..<16]) + "-" + String(h[16..<20]) + "-" + String(h[20...])
  }

  static func inet(mask: UInt8, addr: [UInt8]) -> String {
    if addr.count == 4 {
      let s = addr.map(String.init).joined(separator: ".")
      return mask == 32 ? s : s + "/\(mask)"
    }
    // RFC 5952: lowercase hex groups, the longest run (≥2) of zero groups as "::".
    var groups: [UInt16] = []
    for i in stride(from: 0, to: min(addr.count, 16) - 1, by: 2) { groups.append(UInt16(addr[i]) << 8 | UInt16(addr[i + 1])) }
    var best = (start: -1, len: 0), i = 0
    while i < groups.count {
      if groups[i] == 0 {
        var j = i
        while j < groups.count && groups[j] == 0 { j += 1 }
        if j - i > best.len && j - i >= 2 { best = (i, j - i) }
        i = j
      } else { i += 1 }
    }
    let g = groups.map { String($0, radix: 16) }
    var s: String
    if best.start >= 0 {
      s = g[..<best.start].joined(separator: ":") + "::" + g[(best.start + best.len)...].joined(separator: ":")
    } else {
      s = g.joined(separator: ":")
    }
    return mask == 128 ? s : s + "/\(mask)"
  }

  /// `ARRAY[…]` with each element as a string literal the element type parses (`NULL` bare).
  static func array(_ a: [Datum], element: SQLType?, problems: inout [String]) -> String {
    let parts = a.map { e -> String in
      guard let t = render(e, problems: &problems) else { return "NULL" }
      if element?.family == .collatedString, case .string(let s) = e { return collated(s, element!) }
      return literal(t)
    }
    return "ARRAY[" + parts.joined(separator: ",") + "]"
  }
}

/// CSV for `IMPORT INTO t (cols…) CSV DATA ('…') WITH nullif = '\N'`.
///
/// Convention: NULL is the *unquoted* field `\N`; every non-NULL value that is empty, equals
/// `\N`, or holds the delimiter, a quote, CR or LF is quoted RFC 4180-style (`"` doubled).
/// CockroachDB 23.1+ never treats a quoted field as NULL unless `allow_quoted_null` is given,
/// so the empty string and the text `\N` survive; older releases compare `nullif` to the
/// unquoted text only as far as we know (UNVERIFIED for < 23.1).
struct LegacyCSVWriter: Sendable {
  var delimiter: Character = ","
  var nullMarker = "\\N"

  init() {}

  func field(_ text: String?) -> String {
    guard let text else { return nullMarker }
    // Byte scan (not Characters: grapheme breaking is the slowest part of a large export).
    let d = delimiter.asciiValue ?? 0x2C
    let needs = text.isEmpty || text == nullMarker
      || text.utf8.contains { $0 == d || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }
    guard needs else { return text }
    var out = "\""
    for c in text.unicodeScalars {
      if c == "\"" { out += "\"\"" } else { out.unicodeScalars.append(c) }
    }
    return out + "\""
  }

  /// One CSV record (with its "\n"); `types[i]` is the type of `datums[i]`.
  func line(_ datums: [Datum], types: [SQLType], problems: inout [String]) -> String {
    var fields: [String] = []
    for (i, d) in datums.enumerated() {
      fields.append(field(LegacySQLText.render(d, type: i < types.count ? types[i] : nil, problems: &problems)))
    }
    return fields.joined(separator: String(delimiter)) + "\n"
  }

  /// One CSV record of `row` over `columns` (normally `table.dataColumns`).
  func line(_ row: TableRowDecoder.Row, columns: [ColumnDescriptor], problems: inout [String]) -> String {
    line(row.datums(columns), types: columns.map(\.type), problems: &problems)
  }

  /// The IMPORT statement matching this writer's options.
  func importStatement(table: String, columns: [String], url: String) -> String {
    let cols = columns.map(SQLIdent.quote).joined(separator: ", ")
    var opts = "nullif = '\(nullMarker.legacyReplacingQuote())'"
    if delimiter != "," { opts += ", delimiter = '\(String(delimiter).legacyReplacingQuote())'" }
    return "IMPORT INTO \(table) (\(cols)) CSV DATA ('\(url.legacyReplacingQuote())') WITH \(opts);"
  }
}


extension String {
  func legacyReplacingQuote() -> String {
    split(separator: "'", omittingEmptySubsequences: false).joined(separator: "''")
  }
}

/// JSONValue.description as it stood before the byte renderer.
func legacyJSON(_ j: JSONValue, into s: inout String) {
  switch j {
  case .null: s += "null"
  case .bool(let b): s += b ? "true" : "false"
  case .number(let d): s += legacyDecimal(d)
  case .string(let t): legacyJSONQuote(t, into: &s)
  case .array(let a):
    s += "["
    for (i, v) in a.enumerated() { if i > 0 { s += ", " }; legacyJSON(v, into: &s) }
    s += "]"
  case .object(let o):
    s += "{"
    for (i, (k, v)) in o.enumerated() {
      if i > 0 { s += ", " }
      legacyJSONQuote(k, into: &s)
      s += ": "
      legacyJSON(v, into: &s)
    }
    s += "}"
  }
}

func legacyJSONQuote(_ t: String, into s: inout String) {
  s += "\""
  for u in t.unicodeScalars {
    switch u {
    case "\"": s += "\\\""
    case "\\": s += "\\\\"
    case "\n": s += "\\n"
    case "\r": s += "\\r"
    case "\t": s += "\\t"
    case "\u{08}": s += "\\b"
    case "\u{0C}": s += "\\f"
    default:
      if u.value < 0x20 {
        let h = String(u.value, radix: 16)
        s += "\\u" + String(repeating: "0", count: 4 - h.count) + h
      } else {
        s.unicodeScalars.append(u)
      }
    }
  }
  s += "\""
}

/// SQLDecimal.description as it stood before the byte renderer.
func legacyDecimal(_ x: SQLDecimal) -> String {
  switch x.form {
  case .nan: return "NaN"
  case .infinite: return x.negative ? "-Infinity" : "Infinity"
  case .finite: break
  }
  let sign = x.negative ? "-" : ""
  let digits = Array(x.coefficient)
  let adjusted = x.exponent + digits.count - 1
  if x.exponent <= 0 && adjusted >= -6 {
    if x.exponent == 0 { return sign + x.coefficient }
    let point = digits.count + x.exponent       // digits before the decimal point
    if point > 0 {
      return sign + String(digits[..<point]) + "." + String(digits[point...])
    }
    return sign + "0." + String(repeating: "0", count: -point) + x.coefficient
  }
  var s = sign + String(digits[0])
  if digits.count > 1 { s += "." + String(digits[1...]) }
  s += "E" + (adjusted >= 0 ? "+" : "-") + String(adjusted.magnitude)
  return s
}
