import Testing
@testable import CockroachKV
import SalvageTestSupport

/// Vectors from spec §5.2.2/§5.2.3 (encoding_test.go).
struct OrderedEncodingTests {
  @Test(arguments: [(Int64(0), "88"), (1, "89"), (109, "f5"), (110, "f66e"), (256, "f70100"),
                    (-1, "87ff"), (-256, "86ff00"), (Int64.min, "808000000000000000"),
                    (-255, "8701"), (Int64.max, "fd7fffffffffffffff")])
  func varintAscending(_ v: Int64, _ hex: String) throws {
    var out: [UInt8] = []
    OrderedEncoding.encodeVarintAscending(v, into: &out)
    #expect(hexString(out) == hex)
    let (d, rest) = try OrderedEncoding.decodeVarintAscending(bytes(hex: hex)[...])
    #expect(d == v && rest.isEmpty)
  }

  @Test(arguments: [(Int64(0), "87ff"), (1, "87fe"), (-1, "88")])
  func varintDescending(_ v: Int64, _ hex: String) throws {
    var out: [UInt8] = []
    OrderedEncoding.encodeVarintDescending(v, into: &out)
    #expect(hexString(out) == hex)
    #expect(try OrderedEncoding.decodeVarintDescending(bytes(hex: hex)[...]).0 == v)
  }

  @Test func uvarintLarge() throws {
    var out: [UInt8] = []
    OrderedEncoding.encodeUvarintAscending(UInt64.max, into: &out)
    #expect(hexString(out) == "fdffffffffffffffff")
    #expect(try OrderedEncoding.decodeUvarintAscending(out[...]).0 == UInt64.max)
    #expect(throws: KVError.self) { try OrderedEncoding.decodeVarintAscending(out[...]) }  // > Int64.max
  }

  @Test func bytesVectors() throws {
    var out: [UInt8] = []
    OrderedEncoding.encodeBytesAscending(Array("hello".utf8), into: &out)
    #expect(hexString(out) == "1268656c6c6f0001")
    out = []
    OrderedEncoding.encodeBytesAscending([0x62, 0, 0, 0x61], into: &out)
    #expect(hexString(out) == "126200ff00ff610001")
    #expect(try OrderedEncoding.decodeBytesAscending(out[...]).0 == [0x62, 0, 0, 0x61])
    let (d, rest) = try OrderedEncoding.decodeBytesDescending(bytes(hex: "13979a939390fffe")[...])
    #expect(String(decoding: d, as: UTF8.self) == "hello" && rest.isEmpty)
    #expect(try OrderedEncoding.decodeBytesDescending(bytes(hex: "139dfffe")[...]).0 == [0x62])
  }

  @Test(arguments: ["", "12", "1261", "126100", "126100ff", "1261000201", "f7", "87", "7f", "05ff"])
  func malformedThrows(_ hex: String) {
    let b = bytes(hex: hex)[...]
    #expect(throws: KVError.self) {
      switch b.first {
      case 0x12?: _ = try OrderedEncoding.decodeBytesAscending(b)
      case 0x05?: _ = try OrderedEncoding.decodeFloatAscending(b)
      default: _ = try OrderedEncoding.decodeVarintAscending(b)
      }
    }
  }

  @Test func floats() throws {
    // −1.0 → 03 400fffffffffffff (float_test.go)
    #expect(try OrderedEncoding.decodeFloatAscending(bytes(hex: "03400fffffffffffff")[...]).0 == -1.0)
    for f in [0.0, 1.5, -2.25, 1e300, -1e-300] {
      var out: [UInt8] = []
      OrderedEncoding.encodeFloatAscending(f, into: &out)
      #expect(try OrderedEncoding.decodeFloatAscending(out[...]).0 == f)
    }
  }
}
