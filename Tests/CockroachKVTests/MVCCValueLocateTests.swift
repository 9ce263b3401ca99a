import Testing
@testable import CockroachKV
import SalvageTestSupport

/// `MVCCValue.locate` (the borrowed scan's parser) accepts exactly what `init(decoding:)`
/// accepts and finds the same header and RoachValue bytes: on CockroachDB's own vectors and
/// on random damage to them.
struct MVCCValueLocateTests {
  static let vectors = [
    "00000004650a020809000000000122", "00000008650a02080920032801000000000122", "00000006650a0208092003",
    "00000004650a002003000000000122", "00000008650a00320408011001000000000122", "00000004650a0028010000000003666f6f",
    "0000000003666f6f", "000000000122", "", "00000004650a020809", "00000004650a003200",
  ].map { bytes(hex: $0) }

  static func agree(_ b: [UInt8]) -> Bool {
    let decoded = try? MVCCValue(decoding: b)
    let located = b.withUnsafeBytes { raw in
      MVCCValue.locate(raw).map { MVCCValue(header: $0.header, value: RoachValue(validated: Array(raw[$0.roachValueStart...]))) }
    }
    return decoded == located
  }

  @Test func vectorsLocateAsTheyDecode() {
    for v in Self.vectors {
      #expect(Self.agree(v), "\(hexString(v))")
      #expect(v.withUnsafeBytes { MVCCValue.locate($0) } != nil)
    }
  }

  @Test func damagedValuesLocateAsTheyDecode() {
    var rng = SplitMix64(state: 0x10ca7e)
    var refused = 0, accepted = 0
    for i in 0..<20_000 {
      var v = Self.vectors[Int(rng.next() % UInt64(Self.vectors.count))]
      guard !v.isEmpty else { continue }
      switch rng.next() % 3 {
      case 0: v[Int(rng.next() % UInt64(v.count))] = UInt8(truncatingIfNeeded: rng.next())
      case 1: v.removeLast(Int(rng.next() % UInt64(v.count)))
      default: v[3] = UInt8(truncatingIfNeeded: rng.next() % 24)  // header length
      }
      #expect(Self.agree(v), "case \(i): \(hexString(v))")
      if (try? MVCCValue(decoding: v)) == nil { refused += 1 } else { accepted += 1 }
    }
    #expect(refused > 1000 && accepted > 1000)
  }
}
