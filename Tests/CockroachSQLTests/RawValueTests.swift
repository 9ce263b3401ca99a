import Testing
import CockroachKV
import SalvageTestSupport
@testable import CockroachSQL

/// Random stored DECIMAL and JSONB bodies (spec §6.3.2, §6.6), well-formed and damaged, for
/// comparing the borrowed-byte readers (`RawDecimal`, `JSONB.isPlain`/`write(raw:)`) with the
/// general decoders on the same bytes.
struct StoredValueGen {
  var rng: SplitMix64

  mutating func pick<T>(_ xs: [T]) -> T { xs[Int(rng.next() % UInt64(xs.count))] }

  /// A non-sorting decimal: every marker (and a few that are not), small and huge exponents,
  /// coefficients of 0 to 12 bytes.
  mutating func decimal(odd: Bool) -> [UInt8] {
    let markers: [UInt8] = odd ? [0x1A, 0x34, 0x26, 0x28, 0x25, 0x29, 0x27, 0x18, 0x19, 0x35, 0x30]
                               : [0x1A, 0x34, 0x26, 0x28, 0x25, 0x29, 0x27]
    let m = pick(markers)
    var out = [m]
    if [0x1A, 0x34, 0x26, 0x28].contains(m) {
      let e: UInt64 = odd && rng.next() % 4 == 0 ? pick([100_001, 100_200, 1 << 33]) : rng.next() % 40
      OrderedEncoding.encodeUvarintAscending(e, into: &out)
    }
    let n = Int(rng.next() % (odd ? 13 : 9))
    out += (0..<n).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
    return out
  }

  static func be32(_ v: UInt32) -> [UInt8] { [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: v >> $0) } }

  /// A JSONB container of up to `depth` levels: objects, arrays and scalars with strings
  /// (escapes, non-ASCII, invalid UTF-8) and numbers; offset-flagged JEntries now and then.
  mutating func json(depth: Int) -> [UInt8] {
    let kind: UInt32 = depth == 0 ? 1 : pick([1, 2, 4, 4])
    let count = kind == 1 ? 1 : Int(rng.next() % 4)
    var entries: [(type: UInt32, payload: [UInt8])] = []
    if kind == 2 {
      for _ in 0..<count { entries.append((1, string())) }
    }
    for _ in 0..<count {
      switch rng.next() % (depth == 0 ? 5 : 6) {
      case 0: entries.append((0, []))
      case 1: entries.append((1, string()))
      case 2:
        let d = decimal(odd: false)
        var p: [UInt8] = []
        var n = UInt64(d.count)
        while n >= 0x80 { p.append(UInt8(n & 0x7F) | 0x80); n >>= 7 }
        entries.append((2, p + [UInt8(n)] + d))
      case 3: entries.append((3, []))
      case 4: entries.append((4, []))
      default: entries.append((5, json(depth: depth - 1)))
      }
    }
    var out = Self.be32(kind << 29 | UInt32(count))
    var payload: [UInt8] = []
    for e in entries {
      payload += e.payload
      let offsetFlag = rng.next() % 4 == 0
      out += Self.be32(offsetFlag ? 0x8000_0000 | e.type << 28 | UInt32(payload.count) : e.type << 28 | UInt32(e.payload.count))
    }
    return out + payload
  }

  mutating func string() -> [UInt8] {
    let words = ["a", "q\"uote", "back\\slash", "line\nbreak\t", "\u{1}", "é", "日本", ""]
    var s = Array((0..<Int(rng.next() % 4)).map { _ in pick(words) }.joined().utf8)
    if rng.next() % 8 == 0 { s += [0xC3, 0x28] }   // invalid UTF-8
    return s
  }

  /// `b` damaged now and then: a flipped byte, or cut short.
  mutating func damage(_ b: [UInt8]) -> [UInt8] {
    var b = b
    guard !b.isEmpty else { return b }
    switch rng.next() % 3 {
    case 0: b[Int(rng.next() % UInt64(b.count))] ^= UInt8(truncatingIfNeeded: rng.next() | 1)
    case 1: b.removeLast(Int(rng.next() % UInt64(b.count)) + 1)
    default: break
    }
    return b
  }
}

@Suite struct RawValueTests {
  @Test func rawDecimalReadsWhatTheGeneralDecoderReads() {
    var g = StoredValueGen(rng: SplitMix64(state: 21))
    var taken = 0
    for i in 0..<20_000 {
      let b = g.decimal(odd: i % 2 == 1)
      let general = try? ValueEncoding.nonsortingDecimal(b[...])
      let raw = b.withUnsafeBytes { RawDecimal($0, 0, $0.count) }
      guard let raw else { continue }
      taken += 1
      let text = raw.withDigits { d -> String in
        var out = ByteSink()
        SQLDecimal.writeFinite(negative: raw.negative, digits: d, exponent: raw.exponent, into: &out)
        return String(decoding: out.bytes, as: UTF8.self)
      }
      // Whatever the raw reader takes, the general decoder takes too, with the same text.
      #expect(general?.description == text, "\(b)")
      #expect(general.map { $0.exponent == raw.exponent && $0.coefficient.count == raw.digits } == true)
    }
    #expect(taken > 5_000)   // it really reads the common shapes
  }

  @Test(arguments: [false, true]) func rawJSONBWritesWhatTheDecoderWrites(damaged: Bool) {
    var g = StoredValueGen(rng: SplitMix64(state: damaged ? 8 : 7))
    var plain = 0
    for _ in 0..<5_000 {
      var b = g.json(depth: Int(g.rng.next() % 4))
      if damaged { b = g.damage(b) }
      let decoded = try? JSONB.decode(b[...])
      let isPlain = b.withUnsafeBytes { JSONB.isPlain($0) }
      if decoded == nil { #expect(!isPlain, "\(b)") }
      guard isPlain, let decoded else { continue }
      plain += 1
      var raw = ByteSink(), general = ByteSink()
      #expect(b.withUnsafeBytes { JSONB.write(raw: $0, into: &raw) })
      decoded.write(into: &general)
      #expect(raw.bytes == general.bytes, "\(decoded)")
    }
    #expect(plain > (damaged ? 1_000 : 4_000))
  }
}
