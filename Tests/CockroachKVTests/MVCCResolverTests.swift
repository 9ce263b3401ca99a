import Testing
@testable import CockroachKV
import SalvageTestSupport

struct MVCCResolverTests {
  static let a = Array("a".utf8), b = Array("b".utf8)

  static func version(_ k: [UInt8], _ t: MVCCTimestamp) -> [UInt8] { EngineKey(roachKey: k, version: .mvcc(t)).encoded }
  static func int(_ v: UInt8) -> [UInt8] { [0, 0, 0, 0, 1, v << 1] }

  /// a@9 = 1, a@5 = tombstone, a@1 = 3, b@4 = 4.
  static var history: [([UInt8], [UInt8])] {
    [(version(a, ts(9)), int(1)), (version(a, ts(5)), []), (version(a, ts(1)), int(3)), (version(b, ts(4)), int(4))]
  }

  static func run(_ entries: [([UInt8], [UInt8])], at t: MVCCTimestamp = .max, rangeKeys: [MVCCRangeKey] = []) throws -> [MVCCResolution] {
    var r = MVCCResolver(readTimestamp: t, rangeKeys: rangeKeys)
    var out: [MVCCResolution] = []
    var bad: [KVError] = []
    out = r.resolve(entries: entries) { _, e in bad.append(e) }
    if let e = bad.first { throw e }
    return out
  }

  static func intValue(_ o: MVCCResolution.Outcome) -> Int64? {
    guard case .value(_, let v) = o, case .int(let i)? = try? v.value.decoded() else { return nil }
    return i
  }

  @Test func readTimestampSelectsVersion() throws {
    let atMax = try Self.run(Self.history)
    #expect(atMax.map(\.roachKey) == [Self.a, Self.b])
    #expect(Self.intValue(atMax[0].outcome) == 1 && atMax[0].olderVersions == 2)
    #expect(Self.intValue(atMax[1].outcome) == 4)
    #expect(try Self.run(Self.history, at: ts(7))[0].outcome == .deleted(ts(5)))
    #expect(try Self.run(Self.history, at: ts(5))[0].outcome == .deleted(ts(5)))  // a read at t sees t
    let at3 = try Self.run(Self.history, at: ts(3))
    #expect(Self.intValue(at3[0].outcome) == 3 && at3[0].newerVersions == 2)
    #expect(at3[1].outcome == .absent && at3[1].newerVersions == 1)
    #expect(try Self.run(Self.history, at: ts(0, 1))[0].outcome == .absent)
  }

  @Test func rangeTombstonesHideOlderVersions() throws {
    let rt = MVCCRangeKey(start: Self.a, end: Array("az".utf8), timestamp: ts(6))
    let atMax = try Self.run(Self.history, rangeKeys: [rt])
    #expect(Self.intValue(atMax[0].outcome) == 1)                        // a@9 is above the tombstone
    #expect(Self.intValue(atMax[1].outcome) == 4)                        // b is outside [a, az)
    #expect(try Self.run(Self.history, at: ts(8), rangeKeys: [rt])[0].outcome == .deletedByRangeTombstone(ts(6)))
    #expect(try Self.run(Self.history, at: ts(5), rangeKeys: [rt])[0].outcome == .deleted(ts(5)))  // tombstone not yet written
    // A point version at exactly the range tombstone's timestamp is not hidden (t < T only).
    let same = MVCCRangeKey(start: Self.a, end: Self.b, timestamp: ts(9))
    #expect(Self.intValue(try Self.run(Self.history, rangeKeys: [same])[0].outcome) == 1)
    // Covering a key with no versions at all still reports the deletion.
    let onlyB = try Self.run([(Self.version(Self.b, ts(1)), Self.int(2))], rangeKeys: [MVCCRangeKey(start: Self.b, end: Array("c".utf8), timestamp: ts(3))])
    #expect(onlyB[0].outcome == .deletedByRangeTombstone(ts(3)))
    // A non-tombstone (opaque) range key hides nothing.
    let opaque = MVCCRangeKey(start: Self.a, end: Self.b, timestamp: ts(20), rawValue: bytes(hex: "00000004656f7061717565"))
    #expect(Self.intValue(try Self.run(Self.history, rangeKeys: [opaque])[0].outcome) == 1)
  }

  static func txnMeta(_ t: MVCCTimestamp) -> PB {
    var txn = PB()
    txn.bytes(1, bytes(hex: "cf379e85637142e6acc8ed5259fa177a"))
    txn.bytes(3, Self.a)
    var w = PB(); w.int(1, t.wallTime); if t.logical != 0 { w.varint(2, UInt64(t.logical)) }
    txn.message(5, w)
    var md = PB()
    md.message(1, txn)
    md.message(2, w)
    return md
  }

  /// ≤21.x: the intent's metadata is the unversioned key, right before its versions.
  @Test func interleavedIntentIsReportedNotReturned() throws {
    let entries = [(EngineKey(roachKey: Self.a).encoded, Self.txnMeta(ts(10)).bytes),
                   (Self.version(Self.a, ts(10)), Self.int(7))] + Self.history
    let res = try Self.run(entries)
    #expect(Self.intValue(res[0].outcome) == 1)                          // a@9, not the provisional a@10
    #expect(res[0].intents.count == 1)
    let i = res[0].intents[0]
    #expect(!i.separated && i.isIntent && i.timestamp == ts(10))
    #expect(i.txnID?.description == "cf379e85-6371-42e6-acc8-ed5259fa177a" && i.txn?.key == Self.a)
    #expect(try i.provisionalValue?.value.decoded() == .int(7))
    #expect(res[0].newerVersions == 0)
  }

  /// ≥21.1: lock-table keys sort under /Local/Lock, before table data.
  @Test func separatedIntentAndPlainLock() throws {
    let id = UUID16(bytes(hex: "cf379e85637142e6acc8ed5259fa177a"))!
    let intent = LockTableKey(lockedKey: Self.a, strength: 3, txnID: id)
    let shared = LockTableKey(lockedKey: Self.b, strength: 1, txnID: id)
    let entries = [(intent.engineKey.encoded, Self.txnMeta(ts(9)).bytes), (shared.engineKey.encoded, Self.txnMeta(ts(4)).bytes)]
      + Self.history
    let res = try Self.run(entries)
    #expect(res.map(\.roachKey) == [Self.a, Self.b])
    #expect(try Self.run(Self.history)[0].outcome != res[0].outcome)
    #expect(res[0].outcome == .deleted(ts(5)))                          // a@9 is provisional → next is the tombstone
    #expect(res[0].intents.count == 1 && res[0].intents[0].separated && res[0].intents[0].timestamp == ts(9))
    #expect(Self.intValue(res[1].outcome) == 4)                          // a shared lock hides nothing
    #expect(res[1].intents.count == 1 && !res[1].intents[0].isIntent)
  }

  @Test func inlineValuesAndBadMetadata() throws {
    var md = PB()
    md.bytes(6, bytes(hex: "0000000003") + Array("v".utf8))
    let res = try Self.run([(EngineKey(roachKey: Self.a).encoded, md.bytes), (EngineKey(roachKey: Self.b).encoded, [0x0B])])
    #expect(res[0].outcome == .inline(try RoachValue(rawBytes: bytes(hex: "000000000376"))))
    #expect(res[1].outcome == .absent && res[1].problems.count == 1)
    let bad = try Self.run([(Self.version(Self.a, ts(1)), [1, 2])])
    guard case .undecodable(let t, _) = bad[0].outcome else { Issue.record("\(bad[0].outcome)"); return }
    #expect(t == ts(1))
  }

  /// Entries in any order resolve as in engine order (a bytewise store lists versions oldest
  /// first); a key that is no engine key is reported and left out.
  @Test func anyInputOrderAndBadKeys() throws {
    let inOrder = try Self.run(Self.history)
    #expect(try Self.run(Self.history.reversed()).map(\.outcome) == inOrder.map(\.outcome))
    #expect(try Self.run([Self.history[2], Self.history[0], Self.history[3], Self.history[1]]).map(\.roachKey) == [Self.a, Self.b])
    var r = MVCCResolver()
    var bad: [[UInt8]] = []
    let res = r.resolve(entries: [([0x61, 0x01], []), (Self.version(Self.b, ts(4)), Self.int(4))]) { key, _ in bad.append(key) }
    #expect(bad == [[0x61, 0x01]])
    #expect(res.map(\.roachKey) == [Self.b])
  }

  /// The store fixture's final visible state (after Pebble's own merge), with its MVCC range
  /// tombstones, resolved at several timestamps and checked against a brute-force model.
  @Test(arguments: [MVCCTimestamp.max, ts(1_700_000_120_000_000_000), ts(1_700_000_100_000_000_000, 1), ts(1_700_000_000_050_000_000)])
  func storeFinalStateMatchesBruteForce(_ at: MVCCTimestamp) throws {
    let points = try Fixtures.jsonl("pebble-gen/store-expected/final-state.points.jsonl")
    let rks = try Fixtures.jsonl("pebble-gen/store-expected/final-state.rangekeys.jsonl").map { x in
      MVCCRangeKey(start: Array(bytes(hex: x.str("start_hex")!).dropLast()), end: Array(bytes(hex: x.str("end_hex")!).dropLast()),
                    timestamp: try MVCCRangeKey.suffixTimestamp(bytes(hex: x.str("suffix_hex")!)),
                    rawValue: bytes(hex: x.str("value_hex") ?? ""))
    }
    #expect(points.count == 781 && rks.count == 6)
    let res = try Self.run(points.map { (bytes(hex: $0.str("key_hex")!), bytes(hex: $0.str("value_hex")!)) }, at: at, rangeKeys: rks)

    // Brute force: per roach key, the newest version ≤ at; hidden if a covering range
    // tombstone ≤ at is newer than it.
    var versions: [String: [(MVCCTimestamp, String)]] = [:]
    for x in points where x.uint64("wall_time") != nil {
      versions[x.str("roach_key_hex")!, default: []].append((ts(Int64(x.uint64("wall_time")!), Int32(x.int("logical")!)), x.str("value_hex")!))
    }
    var counts = [String: Int]()
    for r in res where r.roachKey.first.map({ $0 >= 0x88 }) ?? false {
      let k = hexString(r.roachKey)
      let visible = (versions[k] ?? []).filter { $0.0 <= at }.max { $0.0 < $1.0 }
      let rt = rks.filter { $0.covers(r.roachKey) && $0.timestamp <= at }.map(\.timestamp).max()
      switch r.outcome {
      case .value(let t, let v):
        #expect(visible?.0 == t && hexString(v.value.rawBytes) == visible?.1, "\(k)")
        #expect(rt == nil || rt! <= t, "\(k)")
        counts["value", default: 0] += 1
      case .deleted(let t):
        #expect(visible?.0 == t && visible?.1 == "", "\(k)")
        counts["deleted", default: 0] += 1
      case .deletedByRangeTombstone(let t):
        #expect(rt == t && (visible == nil || visible!.0 < t), "\(k)")
        counts["rangeDeleted", default: 0] += 1
      case .absent:
        #expect(visible == nil && rt == nil, "\(k)")
        counts["absent", default: 0] += 1
      default:
        Issue.record("\(k): \(r.outcome)")
      }
    }
    #expect(counts["value", default: 0] > 30, "\(counts)")
    if at == .max {
      #expect(counts["deleted", default: 0] > 0 && counts["rangeDeleted", default: 0] > 0, "\(counts)")
      // The lock-table keys became intents on the table rows they lock; their fixture
      // values are not MVCCMetadata, which is reported, not fatal.
      let intents = res.flatMap(\.intents)
      #expect(intents.count == 3 && intents.allSatisfy { $0.separated && $0.isIntent && $0.problem != nil })
    }
  }
}
