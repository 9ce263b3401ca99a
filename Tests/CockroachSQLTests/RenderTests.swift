import Testing
@testable import CockroachSQL

/// A test-only reader of the text CockroachDB's IMPORT accepts, restricted to the forms
/// `SQLText` writes, so every rendering is checked by parsing it back to the same datum.
enum TextReader {
  struct Bad: Error { var text: String }

  static func parse(_ s: String, _ t: SQLType) throws -> Datum {
    switch t.family! {
    case .bool: return .bool(s == "true")
    case .int: guard let v = Int64(s) else { throw Bad(text: s) }; return .int(v)
    case .oid: guard let v = UInt32(s) else { throw Bad(text: s) }; return .oid(v)
    case .float: guard let v = Double(s) else { throw Bad(text: s) }; return .float(v)
    case .decimal: guard let v = SQLDecimal(s) else { throw Bad(text: s) }; return .decimal(v)
    case .string, .name: return .string(s)
    case .collatedString:
      let suffix = " COLLATE " + SQLIdent.quote(t.locale!)
      guard s.hasSuffix(suffix) else { throw Bad(text: s) }
      return .string(try literal(String(s.dropLast(suffix.count))))
    case .bytes: return .bytes(try unhex(s))
    case .uuid: return .uuid(try unhex("\\x" + s.filter { $0 != "-" }))
    case .bit: return .bits(s)
    case .date: return .date(days: try date(s))
    case .time: return .time(micros: try clock(s) / 1000)
    case .timeTZ:
      let i = s.lastIndex { $0 == "+" || $0 == "-" }!
      return .timeTZ(micros: try clock(String(s[..<i])) / 1000, offsetSecs: Int32(-(try offset(String(s[i...])))))
    case .timestamp, .timestampTZ:
      var body = s
      if t.family == .timestampTZ { #expect(body.hasSuffix("+00:00")); body = String(body.replacingOccurrences(of: "+00:00", with: "")) }
      let bc = body.hasSuffix(" BC")
      if bc { body.removeLast(3) }
      let parts = body.split(separator: " ")
      let days = try date(String(parts[0]) + (bc ? " BC" : ""))
      let n = try clock(String(parts[1]))
      let secs = days * 86_400 + n / 1_000_000_000
      return t.family == .timestamp ? .timestamp(seconds: secs, nanos: n % 1_000_000_000)
                                    : .timestampTZ(seconds: secs, nanos: n % 1_000_000_000)
    case .interval:
      var m: Int64 = 0, d: Int64 = 0, n: Int64 = 0
      let w = s.split(separator: " ").map(String.init)
      var i = 0
      while i < w.count {
        if i + 1 < w.count, w[i + 1].hasPrefix("year") { m += 12 * Int64(w[i])!; i += 2 }
        else if i + 1 < w.count, w[i + 1].hasPrefix("mon") { m += Int64(w[i])!; i += 2 }
        else if i + 1 < w.count, w[i + 1].hasPrefix("day") { d = Int64(w[i])!; i += 2 }
        else { n = w[i].hasPrefix("-") ? -(try clock(String(w[i].dropFirst()))) : try clock(w[i]); i += 1 }
      }
      return .interval(months: m, days: d, nanos: n)
    case .inet:
      let parts = s.split(separator: "/")
      let a = String(parts[0])
      if a.contains(":") {
        let halves = a.components(separatedBy: "::")
        let head = halves[0].isEmpty ? [] : halves[0].split(separator: ":").map { UInt16($0, radix: 16)! }
        let tail = halves.count > 1 && !halves[1].isEmpty ? halves[1].split(separator: ":").map { UInt16($0, radix: 16)! } : []
        let groups = head + Array(repeating: 0, count: 8 - head.count - tail.count) + tail
        return .inet(mask: parts.count > 1 ? UInt8(parts[1])! : 128, addr: groups.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xff)] })
      }
      return .inet(mask: parts.count > 1 ? UInt8(parts[1])! : 32, addr: a.split(separator: ".").map { UInt8($0)! })
    case .json: var p = JSONReader(s: Array(s.unicodeScalars)); return .json(try p.value())
    case .enumType: return .enumValue(physical: [], label: s)
    case .array: return .array(try array(s, t.element!))
    default: throw Bad(text: s)
    }
  }

  static func unhex(_ s: String) throws -> [UInt8] {
    guard s.hasPrefix("\\x") else { throw Bad(text: s) }
    return hex(String(s.dropFirst(2)))
  }

  /// Days from civil (Hinnant's inverse), "YYYY-MM-DD[ BC]" / infinity.
  static func date(_ s: String) throws -> Int64 {
    if s == "infinity" { return Int64.max }
    if s == "-infinity" { return Int64.min }
    let bc = s.hasSuffix(" BC")
    let p = (bc ? String(s.dropLast(3)) : s).split(separator: "-").map { Int64($0)! }
    var y = bc ? 1 - p[0] : p[0]
    let m = p[1], d = p[2]
    y -= m <= 2 ? 1 : 0
    let era = (y >= 0 ? y : y - 399) / 400
    let yoe = y - era * 400
    let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
    return era * 146_097 + doe - 719_468
  }

  /// "HH:MM:SS[.f]" → nanoseconds.
  static func clock(_ s: String) throws -> Int64 {
    let p = s.split(separator: ":")
    guard p.count == 3 else { throw Bad(text: s) }
    let sec = p[2].split(separator: ".")
    var frac: Int64 = 0
    if sec.count > 1 { frac = Int64(sec[1].padding(toLength: 9, withPad: "0", startingAt: 0))! }
    return ((Int64(p[0])! * 60 + Int64(p[1])!) * 60 + Int64(sec[0])!) * 1_000_000_000 + frac
  }

  static func offset(_ s: String) throws -> Int64 {
    let sign: Int64 = s.hasPrefix("-") ? -1 : 1
    let p = s.dropFirst().split(separator: ":").map { Int64($0)! }
    return sign * (p[0] * 3600 + p[1] * 60 + (p.count > 2 ? p[2] : 0))
  }

  /// SQL string literal '…' with '' for a quote.
  static func literal(_ s: String) throws -> String {
    guard s.count >= 2, s.hasPrefix("'"), s.hasSuffix("'") else { throw Bad(text: s) }
    return String(s.dropFirst().dropLast()).replacingOccurrences(of: "''", with: "'")
  }

  /// `ARRAY[elem, …]`, each element NULL or a string literal (optionally COLLATE x).
  static func array(_ s: String, _ e: SQLType) throws -> [Datum] {
    guard s.hasPrefix("ARRAY["), s.hasSuffix("]") else { throw Bad(text: s) }
    let u = Array(s.dropFirst(6).dropLast().unicodeScalars)
    var out: [Datum] = []
    var i = 0
    while i < u.count {
      if u[i] == "N" { out.append(.null); i += 4 }
      else {
        var j = i + 1
        while true { if u[j] == "'" { if j + 1 < u.count && u[j + 1] == "'" { j += 2; continue }; break }; j += 1 }
        var end = j + 1
        while end < u.count && u[end] != "," { end += 1 }
        out.append(try parse(String(String.UnicodeScalarView(u[i..<end])).replacingOccurrences(of: " COLLATE " + SQLIdent.quote(e.locale ?? "-"), with: "").unquotedIfNeeded(e), e))
        i = end
      }
      i += 1   // the comma
    }
    return out
  }
}

extension String {
  /// Array elements arrive as literals; collated ones are re-wrapped for `parse`.
  func unquotedIfNeeded(_ e: SQLType) throws -> String {
    if e.family == .collatedString { return self + " COLLATE " + SQLIdent.quote(e.locale!) }
    return try TextReader.literal(self)
  }
}

struct JSONReader {
  var s: [Unicode.Scalar]
  var i = 0
  mutating func ws() { while i < s.count && s[i] == " " { i += 1 } }
  mutating func value() throws -> JSONValue {
    ws()
    switch s[i] {
    case "n": i += 4; return .null
    case "t": i += 4; return .bool(true)
    case "f": i += 5; return .bool(false)
    case "\"": return .string(try string())
    case "[":
      i += 1; ws()
      var a: [JSONValue] = []
      if s[i] == "]" { i += 1; return .array(a) }
      while true { a.append(try value()); ws(); if s[i] == "]" { i += 1; return .array(a) }; i += 1 }
    case "{":
      i += 1; ws()
      var o: [(String, JSONValue)] = []
      if s[i] == "}" { i += 1; return .object(o) }
      while true {
        ws(); let k = try string(); ws(); i += 1
        o.append((k, try value())); ws()
        if s[i] == "}" { i += 1; return .object(o) }
        i += 1
      }
    default:
      var t = ""
      while i < s.count, "0123456789+-.eE".unicodeScalars.contains(s[i]) { t.unicodeScalars.append(s[i]); i += 1 }
      return .number(SQLDecimal(t)!)
    }
  }
  mutating func string() throws -> String {
    i += 1
    var out = String.UnicodeScalarView()
    while s[i] != "\"" {
      if s[i] == "\\" {
        i += 1
        switch s[i] {
        case "n": out.append("\n"); case "t": out.append("\t"); case "r": out.append("\r")
        case "b": out.append("\u{08}"); case "f": out.append("\u{0C}")
        case "u": out.append(Unicode.Scalar(UInt32(String(String.UnicodeScalarView(s[(i + 1)...(i + 4)])), radix: 16)!)!); i += 4
        default: out.append(s[i])
        }
      } else { out.append(s[i]) }
      i += 1
    }
    i += 1
    return String(out)
  }
}

@Suite struct RenderTests {
  static let cases: [(SQLType, Datum, String)] = [
    (SQLType(.bool), .bool(true), "true"),
    (SQLType(.int), .int(Int64.min), "-9223372036854775808"),
    (SQLType(.float), .float(0.1), "0.1"),
    (SQLType(.float), .float(-1e300), "-1e+300"),
    (SQLType(.float), .float(3), "3"),
    (SQLType(.float), .float(-0.0), "-0"),
    (SQLType(.float), .float(123456.789), "123456.789"),
    (SQLType(.float), .float(1234567.5), "1.2345675e+06"),
    (SQLType(.float), .float(1e6), "1e+06"),
    (SQLType(.float), .float(0.0001), "0.0001"),
    (SQLType(.float), .float(-2.5e-7), "-2.5e-07"),
    (SQLType(.float), .float(1e22), "1e+22"),
    (SQLType(.float), .float(.infinity), "Infinity"),
    (SQLType(.decimal), .decimal(SQLDecimal("10000.50")!), "10000.50"),
    (SQLType(.decimal), .decimal(SQLDecimal("1.3E+1001")!), "1.3E+1001"),
    (SQLType(.decimal), .decimal(SQLDecimal("0.0000001")!), "1E-7"),
    (SQLType(.decimal), .decimal(SQLDecimal("-0")!), "-0"),
    (SQLType(.decimal), .decimal(.nan), "NaN"),
    (SQLType(.string), .string("a,\"b\"\nc"), "a,\"b\"\nc"),
    (SQLType(.bytes), .bytes([0, 0xff, 0x41]), "\\x00ff41"),
    (SQLType(.date), .date(days: 19_782), "2024-02-29"),
    (SQLType(.date), .date(days: -719_163), "0001-12-31 BC"),
    (SQLType(.date), .date(days: Int64.max), "infinity"),
    (SQLType(.time), .time(micros: 45_296_789_000), "12:34:56.789"),
    (SQLType(.time), .time(micros: 86_400_000_000), "24:00:00"),
    (SQLType(.timeTZ), .timeTZ(micros: 3_600_000_000, offsetSecs: 18_000), "01:00:00-05:00"),
    (SQLType(.timeTZ), .timeTZ(micros: 0, offsetSecs: -19_800), "00:00:00+05:30"),
    (SQLType(.timestamp), .timestamp(seconds: 1_489_427_290, nanos: 811_792_000), "2017-03-13 17:48:10.811792"),
    (SQLType(.timestamp), .timestamp(seconds: -1, nanos: 0), "1969-12-31 23:59:59"),
    (SQLType(.timestampTZ), .timestampTZ(seconds: 0, nanos: 1000), "1970-01-01 00:00:00.000001+00:00"),
    (SQLType(.interval), .interval(months: 14, days: 3, nanos: 14_706_789_000_000), "1 year 2 mons 3 days 04:05:06.789"),
    (SQLType(.interval), .interval(months: 0, days: 1, nanos: 0), "1 day"),
    (SQLType(.interval), .interval(months: -1, days: 0, nanos: -1_000), "-1 mons -00:00:00.000001"),
    (SQLType(.interval), .interval(months: -14, days: 1, nanos: 0), "-1 years -2 mons 1 day"),
    (SQLType(.interval), .interval(months: 12, days: 0, nanos: 0), "1 year"),
    (SQLType(.interval), .interval(months: 0, days: 0, nanos: 0), "00:00:00"),
    (SQLType(.uuid), .uuid([0x63, 0x61, 0x6e, 0x20] + Array(repeating: 0x11, count: 12)), "63616e20-1111-1111-1111-111111111111"),
    (SQLType(.inet), .inet(mask: 8, addr: [10, 0, 0, 0]), "10.0.0.0/8"),
    (SQLType(.inet), .inet(mask: 128, addr: Array(repeating: 0, count: 15) + [1]), "::1"),
    (SQLType(.inet), .inet(mask: 64, addr: [0x20, 0x01, 0x0d, 0xb8] + Array(repeating: 0, count: 11) + [1]), "2001:db8::1/64"),
    (SQLType(.json), .json(.object([("a", .array([.number(SQLDecimal("1.50")!), .null])), ("b\"", .string("x\ny"))])),
     "{\"a\": [1.50, null], \"b\\\"\": \"x\\ny\"}"),
    (SQLType(.bit), .bits("0101"), "0101"),
    (SQLType(.oid), .oid(26), "26"),
    (SQLType(.enumType), .enumValue(physical: [], label: "ok"), "ok"),
    (SQLType(.array, element: SQLType(.string)), .array([.string("a b"), .null, .string("NULL"), .string(""), .string("q'\"\\")]),
     "ARRAY['a b',NULL,'NULL','','q''\"\\']"),
    (SQLType(.array, element: SQLType(.bytes)), .array([.bytes([1])]), "ARRAY['\\x01']"),
    (SQLType(.array, element: SQLType(.decimal)), .array([.decimal(SQLDecimal("1.0")!)]), "ARRAY['1.0']"),
    (SQLType(.array, element: SQLType(.int)), .array([]), "ARRAY[]"),
    (SQLType(.array, element: SQLType(.timestampTZ)), .array([.timestampTZ(seconds: 0, nanos: 0)]), "ARRAY['1970-01-01 00:00:00+00:00']"),
    (SQLType(.collatedString, locale: "de"), .string("O'Brien, Zoë"), "'O''Brien, Zoë' COLLATE de"),
    (SQLType(.array, element: SQLType(.collatedString, locale: "en-US")), .array([.string("a")]), "ARRAY['a' COLLATE \"en-US\"]"),
  ]

  @Test func everyTypeRendersAndParsesBack() throws {
    for (t, d, text) in Self.cases {
      var problems: [String] = []
      let r = SQLText.render(d, type: t, problems: &problems)
      #expect(r == text, "\(d)")
      #expect(problems.isEmpty)
      #expect(try TextReader.parse(r ?? "", t) == d, "\(text)")
    }
  }

  @Test func datesAgreeWithTheInverse() throws {
    for days in stride(from: Int64(-800_000), through: 3_000_000, by: 997) {
      #expect(try TextReader.date(SQLText.date(days)) == days)
    }
  }

  @Test func csvNullConvention() {
    let w = CSVWriter()
    var p: [String] = []
    #expect(w.line([.int(1), .null, .string(""), .string("\\N"), .string("a,b"), .string("say \"hi\"")],
                   types: [SQLType(.int)] + Array(repeating: SQLType(.string), count: 5), problems: &p)
            == "1,\\N,\"\",\"\\N\",\"a,b\",\"say \"\"hi\"\"\"\n")
    #expect(w.importStatement(table: "bank.public.accounts", columns: ["id", "owner"], url: "nodelocal://1/accounts.csv")
            == "IMPORT INTO bank.public.accounts (id, owner) CSV DATA ('nodelocal://1/accounts.csv') WITH nullif = '\\N';")
    #expect(SQLText.render(.enumValue(physical: [0x80], label: nil), problems: &p) == "\\x80" && p.count == 1)
  }
}

@Suite struct RenderOutOfRangeTests {
  @Test func impossibleTimesAreReportedNotChanged() {
    var p: [String] = []
    #expect(SQLText.render(.date(days: 1 << 45), problems: &p) == "35184372088832" && p.count == 1)
    _ = SQLText.render(.timestamp(seconds: Int64.max, nanos: -5), problems: &p)
    _ = SQLText.render(.timestampTZ(seconds: Int64.min, nanos: 0), problems: &p)
    #expect(p.count == 3)
  }
}
