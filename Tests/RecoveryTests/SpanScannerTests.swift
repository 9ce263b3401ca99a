import CockroachKV
import LSMStore
import Testing
@testable import Recovery
import SalvageTestSupport

/// The span scanner's one pass over a real Pebble store gives, for every roach key of the
/// requested spans, the same MVCC resolution as resolving the engine's own final state.
struct SpanScannerTests {
  static let storeDir = "pebble-gen/store"

  /// Independent oracle: the engine's visible state (final-state.points.jsonl, range keys
  /// from final-state.rangekeys.jsonl) resolved key group by key group.
  static func oracle(spans: [KeySpan], at ts: MVCCTimestamp) throws -> [String] {
    let points = try Fixtures.jsonl("pebble-gen/store-expected/final-state.points.jsonl")
    let rks = try Fixtures.jsonl("pebble-gen/store-expected/final-state.rangekeys.jsonl").map {
      MVCCRangeKey(start: Array(bytes(hex: $0.str("start_hex")!).dropLast()), end: Array(bytes(hex: $0.str("end_hex")!).dropLast()),
                   timestamp: try MVCCRangeKey.suffixTimestamp(bytes(hex: $0.str("suffix_hex")!)),
                   rawValue: bytes(hex: $0.str("value_hex") ?? ""))
    }
    var resolver = MVCCResolver(readTimestamp: ts, rangeKeys: rks)
    var out: [String] = []
    for p in points {
      if let r = try resolver.push(engineKey: bytes(hex: p.str("key_hex")!), value: bytes(hex: p.str("value_hex")!)),
         spans.contains(where: { $0.contains(r.roachKey) }) { out.append(describe(r)) }
    }
    if let r = resolver.finish(), spans.contains(where: { $0.contains(r.roachKey) }) { out.append(describe(r)) }
    return out
  }

  static func describe(_ r: MVCCResolution) -> String {
    "\(hexString(r.roachKey)) \(r.outcome) intents=\(r.intents.count)"
  }

  @Test(arguments: [MVCCTimestamp.max, MVCCTimestamp(wallTime: 1_700_000_060_000_000_000)])
  func resolvesLikeTheEngineState(_ ts: MVCCTimestamp) throws {
    let store = try Store(path: Fixtures.path(Self.storeDir))
    // Two spans inside table 108 and one covering the range-local keys.
    let t108 = try Keyspace.parse("/Table/108")
    #expect(t108 == [0xf4])
    let spans = [KeySpan(start: t108 + [0x89], end: t108 + [0x89, 0xf6, 0x64]),
                 KeySpan(start: t108 + [0x89, 0xf6, 0x96], end: t108 + [0x8a]),
                 KeySpan(start: [0x01, 0x69], end: [0x01, 0x6a])]
    var got: [String] = []
    var perSpan = [0, 0, 0]
    let stats = try SpanScanner(store: store, spans: spans, readTimestamp: ts).run { i, r in
      got.append(Self.describe(r))
      perSpan[i] += 1
    }
    let want = try Self.oracle(spans: spans, at: ts)
    #expect(want.count > 100)
    #expect(got == want)
    #expect(perSpan.allSatisfy { $0 > 0 })
    #expect(stats.keys == got.count)
    #expect(stats.problems.isEmpty, "\(stats.problems)")
  }
}
