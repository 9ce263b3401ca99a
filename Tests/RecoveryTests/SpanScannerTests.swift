import CockroachKV
import Foundation
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
    let entries = points.map { (key: bytes(hex: $0.str("key_hex")!), value: bytes(hex: $0.str("value_hex")!)) }
    return resolver.resolve(entries: entries).filter { r in spans.contains { $0.contains(r.roachKey) } }.map(describe)
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

  /// A pass stops at the first engine key past every span, and never before a wanted one:
  /// bytewise, an engine key of a roach key inside the span can sort after the span's end when
  /// that end continues the roach key with a 0x00 byte.
  @Test func stopsPastTheLastSpanOnly() {
    func engine(_ roach: [UInt8], wall: UInt8? = nil) -> [UInt8] {
      wall.map { roach + [0, 0, 0, 0, 0, 0, 0, 0, $0, 9] } ?? roach + [0]
    }
    let a: [UInt8] = [0x61], end: [UInt8] = [0x61, 0x00]   // the span [.., "a\0") holds "a"
    let bytewise = SpanScanner.stopBound(end: end, comparer: .bytewise)
    #expect(bytewise.bound == [0x61, 0x01])
    #expect(!bytewise.isPast(engine(a, wall: 0x17)) && !bytewise.isPast(engine(a)))
    #expect(engine(a, wall: 0x17).lexicographicallyPrecedes(end) == false)   // why a plain `end` would be wrong
    #expect(bytewise.isPast(engine([0x62])) && bytewise.isPast(engine([0x61, 0x01])))
    let plain = SpanScanner.stopBound(end: [0xf4, 0x8a], comparer: .bytewise)
    #expect(plain.bound == [0xf4, 0x8a] && !plain.isPast(engine([0xf4, 0x89, 0xff], wall: 1)) && plain.isPast(engine([0xf4, 0x8a])))
    let ordered = SpanScanner.stopBound(end: end, comparer: .cockroach)
    #expect(!ordered.isPast(engine(a, wall: 0x17)) && ordered.isPast(engine(end)) && ordered.isPast(engine([0x62], wall: 1)))
    #expect(!ordered.isPast([0x62]))   // not an engine key: never stops the pass
  }

  /// Recover reads one store in several work units at once: span scanners over different
  /// spans of one `Store` on four threads, three rounds each, give exactly the oracle's
  /// resolutions (blob-resident values included: the outcome carries the value bytes).
  @Test func concurrentScannersOfOneStore() throws {
    let store = try Store(path: Fixtures.path(Self.storeDir))
    let t108 = try Keyspace.parse("/Table/108")
    // Primary keys 0, 50, 100, 150, 200 (ints below 110 encode as one byte 0x88 + v).
    let cuts: [[UInt8]] = [t108 + [0x89], t108 + [0x89, 0xba], t108 + [0x89, 0xec],
                           t108 + [0x89, 0xf6, 0x96], t108 + [0x89, 0xf6, 0xc8], t108 + [0x8a]]
    let spans = zip(cuts, cuts.dropFirst()).map { KeySpan(start: $0, end: $1) }
    let want = try spans.map { try Self.oracle(spans: [$0], at: .max) }
    #expect(want.allSatisfy { $0.count > 20 })
    let got = ScanResults(count: spans.count)
    DispatchQueue.concurrentPerform(iterations: spans.count) { i in
      for _ in 0..<3 {
        var lines: [String] = []
        let stats = SpanScanner(store: store, spans: [spans[i]]).run { _, r in lines.append(Self.describe(r)) }
        got.set(i, lines, problems: stats.problems.map(\.description))
      }
    }
    for i in spans.indices {
      let (lines, problems) = got.get(i)
      #expect(lines == want[i], "span \(i)")
      #expect(problems.isEmpty, "span \(i): \(problems)")
    }
  }
}

/// Per-span results of a concurrent test, behind a lock.
final class ScanResults: @unchecked Sendable {
  let lock = NSLock()
  var slots: [(lines: [String], problems: [String])]
  init(count: Int) { slots = Array(repeating: ([], []), count: count) }
  func set(_ i: Int, _ lines: [String], problems: [String]) { lock.lock(); slots[i] = (lines, problems); lock.unlock() }
  func get(_ i: Int) -> ([String], [String]) { lock.lock(); defer { lock.unlock() }; return slots[i] }
}
