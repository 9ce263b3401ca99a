import Testing
import SalvageTestSupport
@testable import CockroachSQL

/// The byte renderer (`SQLText.write`, `CSVWriter.write`) prints exactly what the String
/// renderer it replaced printed (`LegacySQLText`, kept verbatim in LegacyRender.swift), for
/// edge cases of every type and for seeded random datums.
@Suite struct RenderBytesTests {
  typealias Seeded = SplitMix64

  struct Case { var type: SQLType?; var datum: Datum }

  static let strings = ["", "\\N", "N", "a,b", "\"", "say \"hi\"", "\n", "\r", "x\r\ny", "tab\there", "Zoë", "日本",
                        "🦀", "'", "''", "O'Brien", "back\\slash", "e\u{301}", " ", "NULL", ",", "\\x00"]
  static let dayEdges: [Int64] = [0, -1, 1, 19_782, 19_783, 11_016, -719_162, -719_163, -719_528, -719_529, -1_000_000,
                                  2_932_896, (1 << 40) - 1, -((1 << 40) - 1), 1 << 40, -(1 << 40), Int64.max, Int64.min,
                                  Int64.max - 1, Int64.min + 1, -141_714, 2_147_483_647]
  static let floatEdges: [Double] = [0, -0.0, .nan, -.nan, .infinity, -.infinity, 1, -1, 3, 0.1, 1.0 / 3, 1e6, 999_999.5,
                                     1e6 - 1, 1e-4, 9.99e-5, 1e-5, 5e-324, .greatestFiniteMagnitude,
                                     .leastNormalMagnitude, 123_456.789, 1_234_567.5, 1e21, 1e22, 1e23, 2.5e-7, 100, 1e15,
                                     1e16, 1.5e300, 0.000123, 0.30000000000000004]

  /// `ByteSink.hex` (16 bytes a SSSE3 step, the rest a byte at a time) against `%02x`: every byte value,
  /// every length up to 40 and every starting offset of the input.
  @Test func hexMatchesPrintf() {
    let all = (0..<256).map(UInt8.init) + (0..<256).map { UInt8(255 - $0) }
    for start in 0..<8 {
      for n in 0...40 where start + n <= all.count {
        let slice = Array(all[(start * 37 % 400)...].prefix(n))
        var sink = ByteSink(capacity: 0)
        sink.append(0x7C)
        slice.withUnsafeBytes { sink.hex($0) }
        #expect(String(decoding: sink.bytes, as: UTF8.self) == "|" + slice.map { String(format: "%02x", $0) }.joined())
      }
    }
    var whole = ByteSink(capacity: 0)
    all.withUnsafeBytes { whole.hex($0) }
    #expect(String(decoding: whole.bytes, as: UTF8.self) == all.map { String(format: "%02x", $0) }.joined())
  }

  static func cases() -> [Case] {
    var c: [Case] = []
    func add(_ t: SQLType?, _ d: Datum) { c.append(Case(type: t, datum: d)); c.append(Case(type: nil, datum: d)) }
    var rng = Seeded(state: 16)
    func bytes(_ n: Int) -> [UInt8] { (0..<n).map { _ in UInt8.random(in: 0...255, using: &rng) } }
    func text() -> String {
      let alphabet = Array("ab ,\"'\n\r\\Né€\t0")
      return String((0..<Int.random(in: 0...8, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! })
    }
    add(SQLType(.bool), .bool(true)); add(SQLType(.bool), .bool(false)); add(SQLType(.int), .null)
    for i: Int64 in [0, 1, -1, 9, 10, 99, 100, 12_345, Int64.min, Int64.max] { add(SQLType(.int), .int(i)) }
    for f in floatEdges { add(SQLType(.float), .float(f)); add(SQLType(.float), .float(-f)) }
    for s in ["0", "-0", "1.00", "10000.50", "1.3E+1001", "0.0000001", "0.000001", "1E-1000", "123456789012345678901234567890",
              "-0.000000000000000000001", "12E+3", "NaN", "Infinity", "-Infinity"] {
      add(SQLType(.decimal), .decimal(SQLDecimal(s)!))
    }
    for s in strings { add(SQLType(.string), .string(s)); add(SQLType(.collatedString, locale: "de"), .string(s)) }
    add(SQLType(.collatedString, locale: "en-US"), .string("x")); add(SQLType(.collatedString), .string("y"))
    add(SQLType(.bytes), .bytes([])); add(SQLType(.bytes), .bytes([0, 0xff, 0x41, 0x0a, 0x2c]))
    for d in dayEdges { add(SQLType(.date), .date(days: d)) }
    for us: Int64 in [0, 1, 999_999, 1_000_000, 45_296_789_000, 86_399_999_999, 86_400_000_000, -1, -86_400_000_000,
                      Int64.max, Int64.min] {
      add(SQLType(.time), .time(micros: us))
      for off: Int32 in [0, 18_000, -19_800, 3_599, -50_400, 50_400, 1, Int32.min, Int32.max] {
        add(SQLType(.timeTZ), .timeTZ(micros: us, offsetSecs: off))
      }
    }
    let secs: [Int64] = [0, -1, 1, 86_399, 86_400, -86_400, -86_401, 951_782_400, 1_489_427_290, -62_135_596_800,
                         -62_135_596_801, -62_167_219_200, -62_167_219_201, 253_402_300_799, 253_402_300_800, 1 << 50,
                         -(1 << 50), (1 << 50) + 1, Int64.max, Int64.min]
    for s in secs {
      for n: Int64 in [0, 1, 1_000, 811_792_567, 999_999_999, 100_000_000, -5, 1_000_000_000] {
        add(SQLType(.timestamp), .timestamp(seconds: s, nanos: n))
        add(SQLType(.timestampTZ), .timestampTZ(seconds: s, nanos: n))
      }
    }
    let counts: [Int64] = [0, 1, -1, 2, 11, 12, 13, -12, -13, 25, Int64.max, Int64.min]
    for m in counts {
      for d in counts {
        for n: Int64 in [0, 1, -1_000, 14_706_789_000_000, 86_400_000_000_000, Int64.max, Int64.min] {
          add(SQLType(.interval), .interval(months: m, days: d, nanos: n))
        }
      }
    }
    add(SQLType(.uuid), .uuid(bytes(16))); add(SQLType(.uuid), .uuid(bytes(3))); add(SQLType(.uuid), .uuid([]))
    add(SQLType(.inet), .inet(mask: 8, addr: [10, 0, 0, 0])); add(SQLType(.inet), .inet(mask: 32, addr: [1, 2, 3, 4]))
    add(SQLType(.inet), .inet(mask: 128, addr: Array(repeating: 0, count: 15) + [1]))
    add(SQLType(.inet), .inet(mask: 64, addr: [0x20, 0x01, 0x0d, 0xb8] + Array(repeating: 0, count: 11) + [1]))
    add(SQLType(.json), .json(.object([("a", .array([.number(SQLDecimal("1.50")!), .null, .bool(true)])),
                                       ("b\"", .string("x\ny,z")), ("c", .object([]))])))
    add(SQLType(.bit), .bits("0101")); add(SQLType(.bit), .bits(""))
    add(SQLType(.oid), .oid(0)); add(SQLType(.oid), .oid(UInt32.max))
    add(SQLType(.enumType), .enumValue(physical: [0x40], label: "ok, \"yes\""))
    add(SQLType(.enumType), .enumValue(physical: [0x80, 0x01], label: nil))
    add(nil, .raw(type: "GEOGRAPHY", bytes: [1, 2, 3]))
    // Arrays with NULLs, quotes, collated elements, nesting.
    add(SQLType(.array, element: SQLType(.int)), .array([.int(1), .null, .int(-3)]))
    add(SQLType(.array, element: SQLType(.int)), .array([]))
    add(SQLType(.array, element: SQLType(.string)), .array(strings.map(Datum.string) + [.null]))
    add(SQLType(.array, element: SQLType(.collatedString, locale: "de")), .array([.string("O'Brien"), .null, .string("")]))
    add(SQLType(.array, element: SQLType(.timestampTZ)), .array([.timestampTZ(seconds: -62_167_219_201, nanos: 5), .null]))
    add(SQLType(.array, element: SQLType(.bytes)), .array([.bytes([1, 0x27]), .bytes([])]))
    add(SQLType(.array, element: SQLType(.decimal)), .array([.decimal(SQLDecimal("1.0")!), .decimal(.nan)]))
    add(SQLType(.array, element: SQLType(.float)), .array([.float(.nan), .float(-0.0), .float(1e-7)]))
    add(nil, .array([.array([.string("a'b"), .null]), .enumValue(physical: [1], label: nil)]))
    func json(depth: Int) -> JSONValue {
      switch Int.random(in: depth > 2 ? 0...3 : 0...5, using: &rng) {
      case 0: return .null
      case 1: return .bool(Bool.random(using: &rng))
      case 2: return .number(SQLDecimal(negative: Bool.random(using: &rng), coefficient: String(rng.next() % 100_000),
                                        exponent: Int.random(in: -3...2, using: &rng)))
      case 3: return .string(text() + String(UnicodeScalar(UInt8.random(in: 0...0x7f, using: &rng))))
      case 4: return .array((0..<Int.random(in: 0...3, using: &rng)).map { _ in json(depth: depth + 1) })
      default: return .object((0..<Int.random(in: 0...3, using: &rng)).map { _ in (text(), json(depth: depth + 1)) })
      }
    }
    add(SQLType(.json), .json(.string((0..<0x80).map { String(UnicodeScalar(UInt8($0))) }.joined() + "é€🦀")))
    // Seeded random values.
    for _ in 0..<3_000 {
      add(SQLType(.int), .int(Int64(bitPattern: rng.next()) >> Int64.random(in: 0...63, using: &rng)))
      let f = Double(bitPattern: rng.next())
      add(SQLType(.float), .float(f))
      add(SQLType(.float), .float(Double(Int.random(in: -1_000_000...1_000_000, using: &rng)) / pow10(Int.random(in: 0...12, using: &rng))))
      let digits = String((0..<Int.random(in: 1...40, using: &rng)).map { _ in "0123456789".randomElement(using: &rng)! })
      add(SQLType(.decimal), .decimal(SQLDecimal(negative: Bool.random(using: &rng), coefficient: digits,
                                                 exponent: Int.random(in: -40...20, using: &rng))))
      add(SQLType(.string), .string(text()))
      add(SQLType(.collatedString, locale: "fr"), .string(text()))
      add(SQLType(.bytes), .bytes(bytes(Int.random(in: 0...12, using: &rng))))
      add(SQLType(.date), .date(days: Int64.random(in: -3_000_000...3_000_000, using: &rng)))
      add(SQLType(.date), .date(days: Int64.random(in: -(1 << 40)...(1 << 40), using: &rng)))
      add(SQLType(.time), .time(micros: Int64.random(in: 0...86_400_000_000, using: &rng)))
      add(SQLType(.timeTZ), .timeTZ(micros: Int64.random(in: 0...86_400_000_000, using: &rng),
                                    offsetSecs: Int32.random(in: -57_599...57_599, using: &rng)))
      let s = Int64.random(in: -300_000_000_000...300_000_000_000, using: &rng)
      let n = Bool.random(using: &rng) ? 0 : Int64.random(in: 0..<1_000_000_000, using: &rng)
      add(SQLType(.timestamp), .timestamp(seconds: s, nanos: n))
      add(SQLType(.timestampTZ), .timestampTZ(seconds: s, nanos: n / 1000 * 1000))
      add(SQLType(.interval), .interval(months: Int64.random(in: -1000...1000, using: &rng), days: Int64.random(in: -1000...1000, using: &rng),
                                        nanos: Int64.random(in: -1_000_000_000_000_000...1_000_000_000_000_000, using: &rng)))
      add(SQLType(.uuid), .uuid(bytes(16)))
      add(SQLType(.json), .json(json(depth: 0)))
      add(SQLType(.array, element: SQLType(.string)), .array((0..<Int.random(in: 0...4, using: &rng)).map { _ in
        Bool.random(using: &rng) ? .null : .string(text()) }))
    }
    return c
  }

  static func pow10(_ n: Int) -> Double { (0..<n).reduce(1.0) { x, _ in x * 10 } }

  @Test func everyDatumRendersAsBefore() {
    var mismatches = 0
    for c in Self.cases() {
      var old: [String] = [], new: [String] = []
      let want = LegacySQLText.render(c.datum, type: c.type, problems: &old)
      let got = SQLText.render(c.datum, type: c.type, problems: &new)
      if got != want || new != old {
        mismatches += 1
        if mismatches <= 20 { Issue.record("\(c.datum) as \(String(describing: c.type?.family)): \(String(reflecting: got)) != \(String(reflecting: want)); problems \(new) vs \(old)") }
      }
    }
    #expect(mismatches == 0)
  }

  /// Whole records: every field (with its quoting) and separators, for several delimiters.
  @Test func csvRecordsAsBefore() {
    let all = Self.cases()
    for delim: Character in [",", "\t", ";", "€", "|"] {
      var w = CSVWriter(), l = LegacyCSVWriter()
      w.delimiter = delim; l.delimiter = delim
      var start = 0
      while start < all.count {
        let part = all[start..<min(all.count, start + 7)]
        let types = part.map { $0.type ?? SQLType(.string) }
        var old: [String] = [], new: [String] = []
        let want = l.line(part.map(\.datum), types: types, problems: &old)
        var out = ByteSink()
        w.write(part.map(\.datum), types: types, into: &out, problems: &new)
        #expect(String(decoding: out.bytes, as: UTF8.self) == want, "delimiter \(delim), cases \(start)…")
        #expect(w.line(part.map(\.datum), types: types, problems: &new) == want)
        #expect(new == old + old)
        start += 7
      }
      for s in Self.strings + ["\u{20AC}", "a\u{20AC}b"] { #expect(w.field(s) == l.field(s), "\(s)") }
      #expect(w.field(nil) == l.field(nil))
    }
  }

  /// The one deliberate difference: the String renderer split on the Character `'`, so a
  /// quote followed by a combining mark (one grapheme) was not doubled and ended the SQL
  /// literal early. Bytes double every quote.
  @Test func quoteBeforeCombiningMarkIsDoubled() {
    let t = SQLType(.collatedString, locale: "de")
    #expect(SQLText.render(.string("a'\u{301}b"), type: t) == "'a''\u{301}b' COLLATE de")
    #expect(LegacySQLText.render(.string("a'\u{301}b"), type: t) == "'a'\u{301}b' COLLATE de")
    #expect(SQLText.render(.array([.string("'\u{301}")]), type: SQLType(.array, element: SQLType(.string)))
            == "ARRAY['''\u{301}']")
  }

  @Test func byteSinkDigitsAndQuoting() {
    var out = ByteSink()
    for v: UInt64 in [0, 7, 10, 99, 100, 101, 12_345, UInt64.max] { out.unsigned(v, width: 3); out.append(UInt8(ascii: " ")) }
    out.padded(-5, 2); out.append(UInt8(ascii: " ")); out.decimal(Int64.min)
    #expect(String(decoding: out.bytes, as: UTF8.self)
            == "000 007 010 099 100 101 12345 18446744073709551615 -05 -9223372036854775808")
    // Widths 1 and 2 below 100 take the two-byte path.
    out.removeAll()
    for (v, w) in [(0, 1), (7, 1), (7, 2), (10, 1), (10, 2), (99, 2), (0, 0), (100, 2)] as [(UInt64, Int)] {
      out.unsigned(v, width: w); out.append(UInt8(ascii: " "))
    }
    #expect(String(decoding: out.bytes, as: UTF8.self) == "0 7 07 10 10 99 0 100 ")
    out.removeAll()
    out.append("x"); out.append(contentsOf: "a\"b\"\""); out.quote(from: 1, 0x22)
    #expect(String(decoding: out.bytes, as: UTF8.self) == "x\"a\"\"b\"\"\"\"\"")
  }
}
