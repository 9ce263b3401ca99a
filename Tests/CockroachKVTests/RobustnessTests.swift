import Testing
@testable import CockroachKV
import SalvageTestSupport

/// Seeded random and mutated inputs through every decoder: each must decode or throw a
/// KVError, never trap. (Style guide §4: deterministic, CI-cheap; the seed is fixed.)
struct RobustnessTests {
  typealias Rng = SplitMix64

  static func everyDecoder(_ b: [UInt8]) {
    _ = try? EngineKey(decoding: b)
    _ = try? MVCCValue(decoding: b)
    _ = try? MVCCMetadata(decoding: b)
    _ = try? RangeDescriptor(decoding: b)
    _ = try? StoreIdent(decoding: b)
    _ = try? RangeAppliedState(decoding: b)
    _ = try? RoachValue(rawBytes: b).decoded()
    for tag: UInt8 in [1, 2, 3, 4, 5, 6, 10, 11, 12, 13, 14] { _ = try? RoachValue(rawBytes: [0, 0, 0, 0, tag] + b).decoded() }
    _ = try? MVCCRangeKey.decodeSet(startEngineKey: [0x61, 0], value: b)
    _ = try? MVCCRangeKey.decodeUnset(value: b)
    _ = Keyspace.prettyPrint(b)
    _ = LocalKeys.role(of: b)
    _ = b.withUnsafeBytes { EngineKey.split($0) }
    _ = EngineKey.compare(b, Array(b.reversed()))
    if let k = try? EngineKey(decoding: b) { _ = try? LockTableKey(k) }
  }

  @Test func randomBytes() {
    var rng = Rng(state: 0x5A17_A6E0)
    for i in 0..<4000 {
      let n = Int(rng.next() % 64)
      var b = rng.bytes(n)
      // Bias some inputs toward valid-looking prefixes so decoders get past the first byte.
      switch i % 6 {
      case 1: b = [0x01, 0x69, 0x8D] + b
      case 2: b = [0x01, 0x6B, 0x12] + b
      case 3: b = [0x01, 0x7A, 0x6B, 0x12] + b
      case 4: b = [0, 0, 0, UInt8(n / 2), 0x65] + b
      case 5: b = [0xF2, 0x89] + b
      default: break
      }
      Self.everyDecoder(b)
    }
  }

  /// Every single-byte mutation and truncation of real encodings.
  @Test func mutatedRealEncodings() {
    let seeds: [[UInt8]] = [
      bytes(hex: "666f6f0016cf10bc050557410000ffff0d"),
      bytes(hex: "00000004650a020809000000000122"),
      bytes(hex: "247286f30a3505348c0e57ea"),
      bytes(hex: "016b12f28988880001" + "74786e2d" + "cf379e85637142e6acc8ed5259fa177a"),
      bytes(hex: "017a6b12f28989880001000371dd1e0f90886204579d3c7c4a9cadf412"),
      ClusterMetadataTests.descriptorProto().bytes,
      MVCCResolverTests.txnMeta(ts(10)).bytes,
    ]
    for s in seeds {
      for n in 0...s.count { Self.everyDecoder(Array(s.prefix(n))) }
      for i in s.indices {
        for x: UInt8 in [0x00, 0x01, 0x7F, 0x80, 0xFF, s[i] ^ 0x10] {
          var m = s
          m[i] = x
          Self.everyDecoder(m)
        }
      }
    }
  }

  /// Printed keys always parse back to the same bytes when they decode fully (random table keys).
  @Test func randomTableKeysRoundTrip() throws {
    var rng = Rng(state: 42)
    for _ in 0..<500 {
      var k: [UInt8] = []
      OrderedEncoding.encodeUvarintAscending(rng.next() % 100_000, into: &k)
      for _ in 0..<Int(rng.next() % 4) {
        switch rng.next() % 4 {
        case 0: OrderedEncoding.encodeVarintAscending(Int64(bitPattern: rng.next()) >> Int64(rng.next() % 63), into: &k)
        case 1: OrderedEncoding.encodeBytesAscending(rng.bytes(Int(rng.next() % 8)), into: &k)
        case 2: k.append(0x00)
        default: OrderedEncoding.encodeFloatAscending(Double(Int64(bitPattern: rng.next()) >> 20) / 1024, into: &k)
        }
      }
      let text = Keyspace.prettyPrint(k)
      #expect(try Keyspace.parse(text) == k, "\(text)")
    }
  }

  @Test func randomTextNeverTraps() {
    var rng = Rng(state: 7)
    let alphabet = Array("/TableLocalRangeIDMeta2Tenant\"\\x0123456789abcdefNULL#.-ue".utf8)
    for _ in 0..<3000 {
      let t = (0..<Int(rng.next() % 24)).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }
      _ = try? Keyspace.parse(String(decoding: t, as: UTF8.self))
      _ = try? MVCCTimestamp(parsing: String(decoding: t, as: UTF8.self))
    }
  }
}
