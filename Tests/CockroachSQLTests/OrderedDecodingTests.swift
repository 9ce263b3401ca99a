import Testing
import CockroachKV
@testable import CockroachSQL

/// Spec §5.2 / §8 vectors (the machine-readable ../fixtures/crdb-vectors.json is absent, so the
/// vectors printed in the spec text are used).
@Suite struct OrderedDecodingTests {
  func dec<T>(_ h: String, _ f: (inout ArraySlice<UInt8>) throws(SQLDecodeError) -> T) throws -> T {
    var b = hex(h)[...]
    let v = try f(&b)
    #expect(b.isEmpty, "left \(b.count) bytes of \(h)")
    return v
  }

  @Test func integers() throws {
    #expect(try dec("f66e", SQLOrderedDecoding.uvarintAscending) == 110)
    #expect(try dec("87fe", SQLOrderedDecoding.varintDescending) == 1)
    #expect(try dec("87ff", SQLOrderedDecoding.varintDescending) == 0)
    #expect(try dec("88", SQLOrderedDecoding.varintDescending) == -1)
    #expect(try dec("86ff00", SQLOrderedDecoding.varintAscending) == -256)
    #expect(try dec("808000000000000000", SQLOrderedDecoding.varintAscending) == Int64.min)
    #expect(try dec("88", SQLOrderedDecoding.uvarintDescending) == 0)
    #expect(try dec("87fe", SQLOrderedDecoding.uvarintDescending) == 1)
    #expect(try dec("86feff", SQLOrderedDecoding.uvarintDescending) == 256)
  }

  @Test func bytesAndStrings() throws {
    let t = SQLType(.bytes)
    #expect(try dec("126200ff00ff610001") { (b) throws(SQLDecodeError) in try DatumDecoding.key(t, .asc, &b) }
            == .bytes([0x62, 0, 0, 0x61]))
    #expect(try dec("13979a939390fffe") { (b) throws(SQLDecodeError) in try DatumDecoding.key(SQLType(.string), .desc, &b) }
            == .string("hello"))
    #expect(try dec("139dfffe") { (b) throws(SQLDecodeError) in try DatumDecoding.key(SQLType(.string), .desc, &b) }
            == .string("b"))
  }

  @Test func floats() throws {
    #expect(try dec("03400fffffffffffff") { (b) throws(SQLDecodeError) in try SQLOrderedDecoding.float(&b, descending: false) } == -1.0)
    // Descending = ascending encoding of −f.
    #expect(try dec("03400fffffffffffff") { (b) throws(SQLDecodeError) in try SQLOrderedDecoding.float(&b, descending: true) } == 1.0)
    #expect(try dec("06") { (b) throws(SQLDecodeError) in try SQLOrderedDecoding.float(&b, descending: true) }.isNaN)
  }

  @Test(arguments: [
    ("2a031400", "1.1"), ("2a0200", "1"), ("291400", "0.1"), ("24fd00", "-1"),
    ("34f701f51a00", "1.3E+1001"), ("27", "0"), ("18", "NaN"), ("35", "Infinity"), ("19", "-Infinity"),
  ])
  func decimalKeys(_ v: (String, String)) throws {
    let d = try dec(v.0) { (b) throws(SQLDecodeError) in try SQLOrderedDecoding.decimal(&b, descending: false) }
    #expect(d.description == v.1)
  }

  @Test func decimalKeyDescendingIsNegatedAscending() throws {
    // Descending 1 is the ascending encoding of −1.
    let d = try dec("24fd00") { (b) throws(SQLDecodeError) in try SQLOrderedDecoding.decimal(&b, descending: true) }
    #expect(d.description == "1")
    #expect(try dec("36") { (b) throws(SQLDecodeError) in try SQLOrderedDecoding.decimal(&b, descending: true) } == .nan)
  }

  @Test func interval() throws {
    let d = try dec("16fb4e94914f00008889") { (b) throws(SQLDecodeError) in try SQLOrderedDecoding.interval(&b, descending: false) }
    #expect(d.months == 0 && d.days == 1 && d.nanos == 0)
  }

  @Test func timestampAndTimeTZ() throws {
    // 1489427290.811792567 (spec §6.8 MVCC example reused as a key-style time).
    var enc: [UInt8] = [0x14]
    OrderedEncoding.encodeVarintAscending(1_489_427_290, into: &enc)
    OrderedEncoding.encodeVarintAscending(811_792_567, into: &enc)
    var b = enc[...]
    let (s, n) = try SQLOrderedDecoding.timestamp(&b, descending: false)
    #expect(s == 1_489_427_290 && n == 811_792_567)
    // 12:00-05:00: µs + 18000·10⁶, offset 18000 (west-positive), descending.
    var tz: [UInt8] = [0x3C]
    OrderedEncoding.encodeVarintDescending(43_200_000_000 + 18_000_000_000, into: &tz)
    OrderedEncoding.encodeVarintDescending(18_000, into: &tz)
    b = tz[...]
    let (us, off) = try SQLOrderedDecoding.timeTZ(&b, descending: true)
    #expect(us == 43_200_000_000 && off == 18_000 && b.isEmpty)
  }

  @Test func bitArrays() throws {
    // B'101' → one word 0xa000…, 3 bits used.
    var enc: [UInt8] = [0x3A]
    OrderedEncoding.encodeUvarintAscending(0xA000_0000_0000_0000, into: &enc)
    enc += [0x00, 0x8B]
    var b = enc[...]
    #expect(try SQLOrderedDecoding.bitArray(&b, descending: false) == "101")
    b = hex("3a0088")[...]
    #expect(try SQLOrderedDecoding.bitArray(&b, descending: false) == "")
  }

  @Test func nullsAndArrays() throws {
    var b = hex("00ff")[...]
    #expect(try DatumDecoding.key(SQLType(.int), .asc, &b) == .null)
    #expect(try DatumDecoding.key(SQLType(.int), .desc, &b) == .null)
    // ARRAY[1, NULL, 3] ascending: 3f 89 01 8b 00.
    b = hex("3f89018b00")[...]
    #expect(try DatumDecoding.key(SQLType(.array, element: SQLType(.int)), .asc, &b) == .array([.int(1), .null, .int(3)]))
    #expect(b.isEmpty)
  }

  @Test func hostileBytesNeverTrap() {
    let types: [SQLType] = [SQLType(.decimal), SQLType(.timestamp), SQLType(.interval), SQLType(.bit),
                            SQLType(.string), SQLType(.inet), SQLType(.array, element: SQLType(.decimal)),
                            SQLType(.timeTZ), SQLType(.float), SQLType(.uuid)]
    var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
    for _ in 0..<3000 {
      seed = seed &* 6364136223846793005 &+ 1442695040888963407
      let n = Int(seed >> 60)
      var buf: [UInt8] = []
      for i in 0..<n { buf.append(UInt8(truncatingIfNeeded: seed >> UInt64(i * 4 % 56))) }
      for t in types {
        for d in [IndexDirection.asc, .desc] {
          var b = buf[...]
          _ = try? DatumDecoding.key(t, d, &b)
          var v = buf[...]
          _ = try? DatumDecoding.value(t, encType: Int(seed % 20), &v)
        }
      }
    }
  }
}
