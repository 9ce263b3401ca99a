import CockroachKV
import Testing
@testable import CockroachSQL

/// KeyEncoding for the primary-key types beyond the common ones (issue 18): each value
/// round-trips through `DatumDecoding.key` and sorts like its value, in both directions; and
/// bytes match the spec's worked examples (§5.2.4, §5.2.5, §8: CockroachDB's own test vectors).
struct KeyEncodingTypesTests {
  static func encoded(_ d: Datum, _ dir: IndexDirection) -> [UInt8]? {
    var out: [UInt8] = []
    return KeyEncoding.encode(d, dir, into: &out) ? out : nil
  }

  static func hex(_ d: Datum, _ dir: IndexDirection = .asc) -> String? {
    encoded(d, dir)?.map { String(format: "%02x", $0) }.joined()
  }

  static func dec(_ text: String) -> Datum { .decimal(SQLDecimal(text)!) }

  /// Values in ascending order, per type (NaNs apart: they are not equal to themselves).
  static let cases: [(SQLType, [Datum])] = [
    (SQLType(.decimal), [.decimal(.nan), .decimal(.negativeInfinity), dec("-13E+1000"), dec("-1E+12"), dec("-1234"), dec("-1.5"),
                         dec("-0.001"), dec("0"), dec("0.0001"), dec("0.001"), dec("0.0123"), dec("0.1"), dec("1"), dec("1.1"),
                         dec("1.5"), dec("99.99"), dec("1234"), dec("1E+12"), dec("13E+1000"), .decimal(.infinity)]),
    (SQLType(.float), [.float(-.infinity), .float(-1.5), .float(-1e-300), .float(0), .float(2.5), .float(.infinity)]),
    (SQLType(.interval), [.interval(months: -1, days: 0, nanos: 0), .interval(months: 0, days: 0, nanos: -5),
                          .interval(months: 0, days: 0, nanos: 0), .interval(months: 0, days: 1, nanos: 0),
                          .interval(months: 1, days: 1, nanos: 5), .interval(months: 12, days: 0, nanos: 0)]),
    (SQLType(.timeTZ), [.timeTZ(micros: 1000, offsetSecs: 0), .timeTZ(micros: 0, offsetSecs: 18000),
                        .timeTZ(micros: 86_399_000_000, offsetSecs: -3600), .timeTZ(micros: 86_399_000_000, offsetSecs: 0)]),
    (SQLType(.inet), [.inet(mask: 8, addr: [10, 0, 0, 0]), .inet(mask: 32, addr: [192, 168, 1, 1]),
                      .inet(mask: 128, addr: [UInt8](repeating: 0, count: 15) + [1])]),
    (SQLType(.bit), [.bits(""), .bits("0"), .bits("00"), .bits("01"), .bits(String(repeating: "1", count: 64)),
                     .bits(String(repeating: "1", count: 65))]),
    (SQLType(.array, element: SQLType(.int)), [.array([]), .array([.null]), .array([.int(1)]), .array([.int(1), .int(2)]), .array([.int(2)])]),
    (SQLType(.array, element: SQLType(.string)), [.array([.string("a")]), .array([.string("a"), .null]), .array([.string("b")])]),
  ]

  @Test(arguments: [IndexDirection.asc, .desc])
  func roundTripsAndSorts(_ dir: IndexDirection) throws {
    for (type, datums) in Self.cases {
      var keys: [[UInt8]] = []
      for d in datums {
        let out = try #require(Self.encoded(d, dir), "\(d)")
        var b = out[...]
        #expect(try DatumDecoding.key(type, dir, &b) == d && b.isEmpty, "\(d) \(dir)")
        keys.append(out)
      }
      let want = dir == .asc ? keys : keys.reversed()
      #expect(keys.sorted { $0.lexicographicallyPrecedes($1) } == want, "\(type.family!) \(dir)")
    }
  }

  @Test func nanFloatsSortFirstAscendingAndLastDescending() throws {
    for dir in [IndexDirection.asc, .desc] {
      let nan = try #require(Self.encoded(.float(.nan), dir))
      var b = nan[...]
      #expect(try DatumDecoding.key(SQLType(.float), dir, &b).isNaNFloat && b.isEmpty)
      let others = [Datum.float(-.infinity), .float(0), .float(.infinity)].compactMap { Self.encoded($0, dir) }
      #expect(others.allSatisfy { dir == .asc ? nan.lexicographicallyPrecedes($0) : $0.lexicographicallyPrecedes(nan) })
    }
  }

  /// Bytes from the spec (CockroachDB's decimal_test.go, encoding_test.go, float_test.go).
  @Test func bytesMatchTheSpecsVectors() {
    #expect(Self.hex(Self.dec("1")) == "2a0200")
    #expect(Self.hex(Self.dec("0.1")) == "291400")
    #expect(Self.hex(Self.dec("-1")) == "24fd00")
    #expect(Self.hex(Self.dec("13E+1000")) == "34f701f51a00")
    #expect(Self.hex(Self.dec("1.1")) == "2a031400")
    // §5.2.5's E and M: 1234 → E=2 M=19 44; 0.0123 → E=0 M=03 2e; 1.0 → E=1 M=02.
    #expect(Self.hex(Self.dec("1234")) == "2b194400")
    #expect(Self.hex(Self.dec("0.0123")) == "29032e00")
    // Trailing zeros and the sign of zero are lost (composite values, §6.5).
    #expect(Self.hex(Self.dec("1.0")) == "2a0200" && Self.hex(Self.dec("1.500")) == Self.hex(Self.dec("1.5")))
    #expect(Self.hex(Self.dec("-0.00")) == "27" && Self.hex(Self.dec("0"), .desc) == "27")
    #expect(Self.hex(.decimal(.nan)) == "18" && Self.hex(.decimal(.nan), .desc) == "36")
    #expect(Self.hex(.decimal(.infinity)) == "35" && Self.hex(.decimal(.negativeInfinity)) == "19")
    // Descending = the negated value ascending.
    #expect(Self.hex(Self.dec("1"), .desc) == Self.hex(Self.dec("-1")))
    #expect(Self.hex(.interval(months: 0, days: 1, nanos: 0)) == "16fb4e94914f00008889")
    #expect(Self.hex(.float(-1)) == "03400fffffffffffff")
    #expect(Self.hex(.float(-1), .desc) == Self.hex(.float(1)) && Self.hex(.float(.nan), .desc) == "06")
    // §5.2.2: uvarint-desc 0 → 88, else 0x88-n ‖ n bytes of ^v (as OrderedEncoding decodes it).
    var u: [UInt8] = []
    KeyEncoding.encodeUvarintDescending(0, into: &u)
    KeyEncoding.encodeUvarintDescending(1, into: &u)
    KeyEncoding.encodeUvarintDescending(300, into: &u)
    #expect(u == [0x88, 0x87, 0xFE, 0x86, 0xFE, 0xD3])
    // INET: bytes of family ‖ mask ‖ address (§5.2.4).
    #expect(Self.hex(.inet(mask: 32, addr: [192, 168, 1, 1])) == "1200ff20c0a801010001")
    // A collated string is re-encoded only from the collation key read from a key.
    #expect(Self.hex(.raw(type: "collation key", bytes: [0x29, 0x01])) == "1229010001")
    #expect(Self.encoded(.string("x"), .asc) != nil && Self.encoded(.json(.null), .asc) == nil)
  }
}

extension Datum {
  var isNaNFloat: Bool { if case .float(let f) = self { return f.isNaN } else { return false } }
}
