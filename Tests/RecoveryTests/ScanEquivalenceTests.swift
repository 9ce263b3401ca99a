import CockroachKV
import LSMStore
import Testing
@testable import CockroachKV
@testable import Recovery
import SalvageTestSupport

/// The borrowed scan (`SpanScanner.runBorrowed`, through `run`) gives, on every fixture
/// store, exactly the resolutions and statistics of the copying scan it replaced — kept here,
/// verbatim but for names, as the oracle: every entry copied out of `VisibleIterator.next()`,
/// `EngineKey(decoding:)`, an array group, and the array resolver of before.
struct ScanEquivalenceTests {
  /// The engine-made Pebble store (range keys, merges, deletions) and the three RocksDB
  /// stores of the cluster scenario (interleaved and separated intents, tombstones, inline
  /// values, a bytewise store whose versions come oldest first).
  static func stores() throws -> [String] {
    [try Fixtures.path("pebble-gen/store")] + (try ClusterScenario.build("scan-equivalence"))
  }

  @Test func borrowedScanMatchesTheCopyingScan() throws {
    for dir in try Self.stores() {
      // The last two start past the lock table: the scanner seeks to them and reads the
      // lock table (separated intents) on its own.
      // (Minimum keys resolved: some stores hold no SQL table keys.)
      for (spans, minimum) in [([KeySpan.everything], 11), ([KeySpan(start: [0x01, 0x69], end: [0x01, 0x6c]), KeySpan(start: [0xbe], end: [0xf5])], 1),
                               ([KeySpan(start: [0x88], end: [0xbe]), KeySpan(start: [0xbe, 0x89], end: [0xff])], 0),
                               ([KeySpan(start: SpanScanner.lockTableEnd, end: [0xff])], 11)] {
        try check(dir, spans: spans, minimum: minimum)
      }
    }
  }

  func check(_ dir: String, spans: [KeySpan], minimum: Int) throws {
    let store = try Store(path: dir)
    var checked = 0
    for ts in [MVCCTimestamp.max, MVCCTimestamp(wallTime: 1_700_000_060_000_000_000), MVCCTimestamp(wallTime: 25_000_000_000)] {
      var got: [MVCCResolution] = []
      let stats = SpanScanner(store: store, spans: spans, readTimestamp: ts).run { _, r in got.append(r) }
      var want: [MVCCResolution] = []
      let wantStats = Self.legacyScan(store, spans: spans, readTimestamp: ts) { _, r in want.append(r) }
      #expect(got.count == want.count)
      for (g, w) in zip(got, want) where g != w {
        Issue.record("\(dir) @\(ts): \(hexString(g.roachKey)): \(g.outcome) / \(w.outcome)")
        break
      }
      #expect(stats.keys == wantStats.keys && stats.values == wantStats.values && stats.deleted == wantStats.deleted)
      #expect(stats.intents == wantStats.intents && stats.newerThanReadTime == wantStats.newerThanReadTime)
      #expect(stats.problems == wantStats.problems)
      // A seek reads no block before the first span (the oracle reads them all).
      let sought = !spans[0].start.lexicographicallyPrecedes(SpanScanner.lockTableEnd)
      #expect(sought ? stats.engineEntries <= wantStats.engineEntries : stats.engineEntries == wantStats.engineEntries, "\(dir)")
      checked += got.count
    }
    #expect(checked >= minimum, "\(dir)")
  }

  // MARK: the copying scan of before (oracle)

  static func legacyScan(_ store: Store, spans: [KeySpan], readTimestamp: MVCCTimestamp,
                         _ emit: (Int, MVCCResolution) -> Void) -> SpanScanStats {
    let scanner = SpanScanner(store: store, spans: spans, readTimestamp: readTimestamp)
    var stats = SpanScanStats()
    let rangeKeys = EngineEntries.mvccRangeKeys(store, problems: &stats.problems)
    var resolver = MVCCResolver(readTimestamp: readTimestamp, rangeKeys: rangeKeys)
    var groupKey: [UInt8]? = nil
    var groupSpan = -1
    var group: [Versioned] = []
    func flush() {
      guard let k = groupKey else { return }
      group.sort { (a: Versioned, b: Versioned) -> Bool in
        switch (a.version, b.version) {
        case (.none, _): return true
        case (_, .none): return false
        default: return zeroOr(a.version) > zeroOr(b.version)
        }
      }
      let r = legacyResolve(resolver, roachKey: k, entries: group)
      stats.keys += 1
      switch r.outcome {
      case .value, .inline: stats.values += 1
      case .deleted, .deletedByRangeTombstone: stats.deleted += 1
      default: break
      }
      stats.intents += r.intents.filter(\.isIntent).count
      stats.newerThanReadTime += r.newerVersions
      emit(groupSpan, r)
      groupKey = nil
      group.removeAll(keepingCapacity: true)
    }
    let it = store.makeVisibleIterator()
    let stop = spans.last.map { SpanScanner.stopBound(end: $0.end, comparer: store.comparer) }
    while let e = it.next() {
      if let stop, !stop.byRoachKey, stop.isPast(e.key) { break }
      let decoded = try? EngineKey(decoding: e.key)
      if let stop, stop.byRoachKey, let k = decoded, !k.roachKey.lexicographicallyPrecedes(stop.bound) { break }
      stats.engineEntries += 1
      guard let key = decoded else {
        stats.problems.append(Problem(.undecodable, key: e.key, "key \(e.key.hex) is not a CockroachDB engine key"))
        continue
      }
      if let lock = try? LockTableKey(key) {
        resolver.register(lock: lock, metadata: e.value)
        continue
      }
      if key.roachKey != groupKey {
        flush()
        guard let span = scanner.spanIndex(key.roachKey) else { continue }
        groupKey = key.roachKey
        groupSpan = span
      }
      if e.unresolvedBlob { stats.problems.append(Problem(.damage, key: key.roachKey, "blob value unreadable at \(Keyspace.prettyPrint(key.roachKey))")) }
      group.append(Versioned(version: key.version, value: e.value))
    }
    flush()
    stats.problems += it.issues.map { Problem($0) }
    return stats
  }

  static func zeroOr(_ v: EngineKey.Version) -> MVCCTimestamp {
    if case .mvcc(let t) = v { return t }
    return .zero
  }

  struct Versioned {
    var version: EngineKey.Version
    var value: [UInt8]
  }

  static func legacyResolve(_ m: MVCCResolver, roachKey: [UInt8], entries: [Versioned]) -> MVCCResolution {
    var r = MVCCResolution(roachKey: roachKey)
    var intents = m.locks[roachKey] ?? []
    for e in entries {
      guard case .none = e.version else { continue }
      do {
        let md = try MVCCMetadata(decoding: e.value)
        switch md.meaning {
        case .intent: intents.append(MVCCIntent(key: roachKey, metadata: md))
        case .inline(let v): r.outcome = .inline(v)
        case .unexpected: r.problems.append(KVError(.corrupt, "MVCCMetadata", "neither intent nor inline value at \(Keyspace.prettyPrint(roachKey))"))
        }
      } catch {
        r.problems.append(error)
      }
    }
    let provisional = Set(intents.filter(\.isIntent).map(\.timestamp))
    var rt: MVCCTimestamp? = nil
    for t in m.rangeTombstones {
      if roachKey.lexicographicallyPrecedes(t.start) { break }
      if t.covers(roachKey), t.timestamp <= m.readTimestamp, rt.map({ t.timestamp > $0 }) ?? true { rt = t.timestamp }
    }
    var decided = r.outcome != .absent
    for e in entries {
      guard case .mvcc(let t) = e.version else { continue }
      if provisional.contains(t) {
        for i in intents.indices where intents[i].isIntent && intents[i].timestamp == t {
          intents[i].provisionalValue = try? MVCCValue(decoding: e.value)
        }
        continue
      }
      if t > m.readTimestamp { r.newerVersions += 1; continue }
      if decided { r.olderVersions += 1; continue }
      decided = true
      if let rt, t < rt {
        r.outcome = .deletedByRangeTombstone(rt)
        r.olderVersions += 1
        continue
      }
      do {
        let v = try MVCCValue(decoding: e.value)
        r.outcome = v.isTombstone ? .deleted(t) : .value(t, v)
      } catch {
        r.outcome = .undecodable(t, error)
      }
    }
    if !decided, let rt { r.outcome = .deletedByRangeTombstone(rt) }
    r.intents = intents
    return r
  }
}
