import Testing
import SalvageTestSupport
@testable import SSTable

/// Snappy's 8-byte fast paths against the exact path and against a generator that knows the
/// output it encoded: random streams of literals (every length form) and copies (all three
/// offset widths, overlapping offsets 1–7 included), then random damage, which both paths
/// must refuse or decode alike. Real engine output is covered by the snappy fixtures.
struct SnappyTests {
  /// A random valid block and the bytes it decodes to.
  static func block(_ rng: inout SplitMix64) -> (compressed: [UInt8], plain: [UInt8]) {
    var plain: [UInt8] = []
    var body: [UInt8] = []
    let elements = Int(rng.next() % 200)
    for _ in 0..<elements {
      if plain.isEmpty || rng.next() % 3 == 0 {
        // Mostly short literals (the fast path), sometimes long ones (1–4 extra length bytes).
        let len = rng.next() % 4 == 0 ? 1 + Int(rng.next() % 300) : 1 + Int(rng.next() % 16)
        let lit = (0..<len).map { _ in UInt8(truncatingIfNeeded: rng.next() % 8 &+ 0x61) }
        let n = len - 1
        if n < 60 {
          body.append(UInt8(n << 2))
        } else {
          let width = n < 256 && rng.next() % 2 == 0 ? 1 : Int(2 + rng.next() % 3)
          body.append(UInt8((59 + width) << 2))
          for k in 0..<width { body.append(UInt8(truncatingIfNeeded: n >> (8 * k))) }
        }
        body += lit
        plain += lit
      } else {
        let offset = rng.next() % 2 == 0 ? 1 + Int(rng.next() % 8) : 1 + Int(rng.next() % UInt64(plain.count))
        guard offset <= plain.count else { continue }
        let form = rng.next() % 3
        let len: Int
        if form == 0 && offset < 2048 {
          len = 4 + Int(rng.next() % 8)
          body.append(UInt8(1 | (len - 4) << 2 | (offset >> 8) << 5))
          body.append(UInt8(truncatingIfNeeded: offset))
        } else if form == 1 && offset < 65536 {
          len = 1 + Int(rng.next() % 64)
          body.append(UInt8(2 | (len - 1) << 2))
          body += [UInt8(truncatingIfNeeded: offset), UInt8(truncatingIfNeeded: offset >> 8)]
        } else {
          len = 1 + Int(rng.next() % 64)
          body.append(UInt8(3 | (len - 1) << 2))
          body += (0..<4).map { UInt8(truncatingIfNeeded: offset >> (8 * $0)) }
        }
        for _ in 0..<len { plain.append(plain[plain.count - offset]) }
      }
    }
    var header: [UInt8] = []
    var n = plain.count
    while n >= 0x80 { header.append(UInt8(n & 0x7f) | 0x80); n >>= 7 }
    header.append(UInt8(n))
    return (header + body, plain)
  }

  /// Decodes with the fast paths on or off; nil when refused.
  static func decode(_ block: [UInt8], fast: Bool) -> [UInt8]? {
    block.withUnsafeBytes { src -> [UInt8]? in
      guard let n = Snappy.uncompressedLength(src), n <= 1 << 20 else { return nil }
      var out = [UInt8](repeating: 0xEE, count: n)
      let ok = out.withUnsafeMutableBytes { Snappy.decode(src, into: $0, fast: fast) }
      return ok ? out : nil
    }
  }

  @Test func fastPathsMatchTheGeneratorAndTheExactPath() {
    var rng = SplitMix64(state: 0x5eed_5a99)
    var fastBytes = 0
    for i in 0..<2000 {
      let (block, plain) = Self.block(&rng)
      #expect(Self.decode(block, fast: true) == plain, "block \(i)")
      #expect(Self.decode(block, fast: false) == plain, "block \(i)")
      fastBytes += plain.count
    }
    #expect(fastBytes > 500_000)
  }

  @Test func damagedBlocksFailOrDecodeAlikeOnBothPaths() {
    var rng = SplitMix64(state: 0xdead_5a99)
    var refused = 0
    for i in 0..<3000 {
      var (block, _) = Self.block(&rng)
      guard !block.isEmpty else { continue }
      for _ in 0..<(1 + Int(rng.next() % 3)) {
        block[Int(rng.next() % UInt64(block.count))] = UInt8(truncatingIfNeeded: rng.next())
      }
      if rng.next() % 4 == 0 { block.removeLast(Int(rng.next() % UInt64(block.count))) }
      let fast = Self.decode(block, fast: true)
      #expect(fast == Self.decode(block, fast: false), "damaged block \(i)")
      if fast == nil { refused += 1 }
    }
    #expect(refused > 1000)
  }

  /// Overlapping copies with every short offset, with room enough behind them (a 120-byte
  /// literal follows) for the fast path to take them.
  @Test func shortOffsetPatterns() {
    for offset in 1...16 {
      for len in [4, 11, 16, 17, 64] {
        let seed = (0..<offset).map { UInt8(0x30 + $0) }
        let tail = [UInt8](repeating: 0x7a, count: 120)
        let plain = seed + (0..<len).map { seed[$0 % offset] } + tail
        let n = plain.count  // a two-byte uvarint (128 ≤ n < 16384)
        var block: [UInt8] = [UInt8(n & 0x7f) | 0x80, UInt8(n >> 7), UInt8((offset - 1) << 2)] + seed
        block += [UInt8(2 | (len - 1) << 2), UInt8(offset), 0]
        block += [60 << 2, 119] + tail
        #expect(Self.decode(block, fast: true) == plain, "offset \(offset) length \(len)")
        #expect(Self.decode(block, fast: false) == plain, "offset \(offset) length \(len)")
      }
    }
  }
}
