import Testing
@testable import CockroachKV
import SalvageTestSupport

struct RoachValueTests {
  @Test func crc32IEEECheckValue() {
    #expect(CRC32.ieee(Array("123456789".utf8)) == 0xCBF4_3926)
    #expect(CRC32.ieee(Array("6789".utf8), extending: CRC32.ieee(Array("12345".utf8))) == 0xCBF4_3926)
  }

  /// docs/tech-notes/encoding.md row /Table/51/1/4/0 (spec §8): a real checksum.
  @Test func encodingMdRowChecksum() throws {
    let key = bytes(hex: "bb898c88")
    let v = try RoachValue(rawBytes: bytes(hex: "247286f30a3505348c0e57ea"))
    #expect(v.storedChecksum == 0x2472_86F3)
    #expect(v.tag == .tuple)
    #expect(v.verifyChecksum(key: key) == .valid)
    try v.checkChecksum(key: key)
    // The checksum covers the key: another key fails, naming both values.
    #expect(v.verifyChecksum(key: bytes(hex: "bb898d88")) != .valid)
    #expect(throws: KVError.self) { try v.checkChecksum(key: bytes(hex: "bb898d88")) }
    // and the data: flip one bit of the body.
    var raw = v.rawBytes
    raw[7] ^= 0x01
    #expect(try RoachValue(rawBytes: raw).verifyChecksum(key: key) != .valid)
    // Re-encoding with our checksum reproduces the stored bytes.
    #expect(RoachValue(tag: 10, data: Array(v.data), key: key).rawBytes == v.rawBytes)
    #expect(try v.decoded() == .raw(tag: 10, data: bytes(hex: "3505348c0e57ea")))
  }

  /// Fixture values carry checksum 00000000 (unset): never verified, never a mismatch.
  @Test func fixtureValuesHaveUnsetChecksums() throws {
    var counts = [UInt8: Int]()
    for x in try Fixtures.jsonl("pebble-gen/sst/rocksdbv2-snappy.points.jsonl") {
      guard x.str("kind") == "SET", let vh = x.str("value_hex"), !vh.isEmpty,
            let rk = x.str("roach_key_hex"), rk.hasPrefix("f"), (x.str("version_hex") ?? "").count >= 16 else { continue }
      let mv = try MVCCValue(decoding: bytes(hex: vh))
      #expect(mv.header == nil)
      #expect(mv.value.verifyChecksum(key: bytes(hex: rk)) == .unset)
      try mv.value.checkChecksum(key: bytes(hex: rk))
      counts[mv.value.tagByte, default: 0] += 1
      if case .raw(let tag, let data) = try mv.value.decoded() {
        #expect(tag == 10 && data == Array(mv.value.data))
      } else if case .bytes(let b) = try mv.value.decoded() {
        #expect(b == Array(mv.value.data))
      } else {
        Issue.record("unexpected decoding of \(vh.prefix(20))")
      }
    }
    #expect(counts[10, default: 0] > 500)  // TUPLE rows of table 106
    #expect(counts[3, default: 0] == 10)   // BYTES rows of table 107
  }

  @Test func scalarBodies() throws {
    func v(_ tag: UInt8, _ hex: String) throws -> ScalarValue {
      try RoachValue(rawBytes: [0, 0, 0, 0, tag] + bytes(hex: hex)).decoded()
    }
    #expect(try v(1, "22") == .int(17))
    #expect(try v(1, "01") == .int(-1))
    #expect(try v(2, "3ff8000000000000") == .float(1.5))
    #expect(try v(3, "68656c6c6f") == .bytes(Array("hello".utf8)))
    // TIME: 14 ‖ varint(secs) ‖ varint(nanos) (key-style).
    #expect(try v(4, "14" + "f96553f100" + "f70100") == .time(unixSeconds: 1_700_000_000, nanos: 256))
    // DURATION 1 day: encoding_test.go TestEncodeDecodeDuration.
    #expect(try v(6, "16fb4e94914f00008889") == .duration(months: 0, days: 1, nanos: 0))
    // TIMETZ 00:00:01-05:00 → µs + offset·1e6 = 1e6 + 18000e6.
    var tz: [UInt8] = [0x3C]
    OrderedEncoding.encodeVarintAscending(18_001_000_000, into: &tz)
    OrderedEncoding.encodeVarintAscending(18000, into: &tz)
    #expect(try v(12, kvHex(tz)) == .timeTZ(micros: 1_000_000, offsetSecondsWest: 18000))
    // DECIMAL (decimal_test.go TestNonsortingEncodeDecimal): 256 → 348b0100; spec §6.3.2 10000.50.
    guard case .decimal(let d256) = try v(5, "348b0100"), case .decimal(let d) = try v(5, "348d0f4272") else {
      Issue.record("not decimals"); return
    }
    #expect(d256.description == "256")
    #expect(d.description == "10000.50" && d.exponent == -2)
    guard case .decimal(let negZero) = try v(5, "1a89"), case .decimal(let small) = try v(5, "2889" + "7b") else {
      Issue.record("not decimals"); return
    }
    #expect(negZero.negative)
    #expect(small.description == "0.0123")  // e = -1, C = 123 → 123·10^-4
    #expect(try v(14, String(repeating: "3ff0000000000000", count: 4)) == .box2D(loX: 1, hiX: 1, loY: 1, hiY: 1))
    #expect(try v(11, "05" + "a800000000000000") == .bitArray(bitLength: 5, words: [0xA800_0000_0000_0000]))
    #expect(try v(13, "0801") == .raw(tag: 13, data: [8, 1]))
  }

  @Test(arguments: [(UInt8(1), "22ff"), (1, ""), (2, "3ff0"), (4, "15"), (4, "14fc"), (6, "16"), (12, "3d"),
                    (5, "50"), (11, "ff"), (11, "4100"), (14, "00")])
  func malformedBodiesThrow(_ tag: UInt8, _ hex: String) {
    #expect(throws: KVError.self) { try RoachValue(rawBytes: [0, 0, 0, 0, tag] + bytes(hex: hex)).decoded() }
  }

  @Test func shortValuesAreCorrupt() throws {
    for n in 1...4 { #expect(throws: KVError.self) { try RoachValue(rawBytes: [UInt8](repeating: 0, count: n)) } }
    let empty = try RoachValue(rawBytes: [UInt8]())
    #expect(try empty.isEmpty && empty.verifyChecksum(key: [1]) == .unset && empty.decoded() == .empty)
  }
}
