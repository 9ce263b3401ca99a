import Testing
import CockroachKV
import SSTable
@testable import Recovery

/// In-memory catalogs: descriptors and applied states without a store on disk.
fileprivate func descriptor(_ id: Int64, _ start: [UInt8], _ end: [UInt8], gen: Int64, stores: [Int32]) -> RangeDescriptor {
  var d = RangeDescriptor()
  d.rangeID = id; d.startKey = start; d.endKey = end; d.generation = gen
  d.replicas = stores.map { ReplicaDescriptor(nodeID: $0, storeID: $0, replicaID: $0) }
  return d
}

fileprivate func catalog(_ storeID: Int32, holds: [(RangeDescriptor, UInt64)], damaged: [KeySpan] = []) -> StoreCatalog {
  var c = StoreCatalog(path: "/stores/s\(storeID)")
  var ident = StoreIdent(); ident.nodeID = storeID; ident.storeID = storeID
  c.ident = ident
  for (d, applied) in holds {
    c.localDescriptors.append(DescriptorRecord(descriptor: d, timestamp: MVCCTimestamp(wallTime: 1), source: .rangeLocal,
                                               key: LocalKeys.rangeDescriptorKey(startKey: d.startKey)))
    var s = ReplicaState(rangeID: d.rangeID)
    var a = RangeAppliedState(); a.raftAppliedIndex = applied
    s.appliedState = a
    c.replicas[d.rangeID] = s
  }
  c.damagedSpans = damaged
  return c
}

fileprivate let t50: [UInt8] = [0xBA], t51: [UInt8] = [0xBB], t52: [UInt8] = [0xBC], t60: [UInt8] = [0xC4]

struct DescriptorUnionTests {
  /// After a merge r6 is gone, but a lagging store still has it: the merged r5 (higher
  /// generation) supersedes it, and r6's span is not reported lost.
  @Test func mergeSupersedesTheOlderRightHandSide() {
    let merged = descriptor(5, t50, t52, gen: 4, stores: [1])
    let rhs = descriptor(6, t51, t52, gen: 3, stores: [2])
    let v = ClusterView([catalog(1, holds: [(merged, 50)]), catalog(2, holds: [(rhs, 9)])])
    #expect(v.conflicts.map(\.description) == ["r5 and r6 overlap on [/Table/51, /Table/52): r6 superseded (lower generation)"])
    #expect(v.range(6)?.superseded == true && v.range(5)?.superseded == false)
    #expect(v.lost.map(\.pretty) == ["[/Min, /Table/50)", "[/Table/52, /Max)"])
    #expect(v.lost.allSatisfy { $0.rangeIDs.isEmpty })
  }

  /// Equal generations cannot be ordered: both are kept and the conflict reported.
  @Test func equalGenerationsConflict() {
    let a = descriptor(5, t50, t52, gen: 2, stores: [1])
    let b = descriptor(6, t51, t60, gen: 2, stores: [2])
    let v = ClusterView([catalog(1, holds: [(a, 1)]), catalog(2, holds: [])])
    #expect(v.ranges.count == 1)
    let both = ClusterView([catalog(1, holds: [(a, 1)]), catalog(2, holds: [(b, 1)])])
    #expect(both.conflicts == [DescriptorConflict(rangeIDs: (5, 6), overlap: KeySpan(start: t51, end: t52), supersededRangeID: nil)])
    #expect(both.ranges.map(\.superseded) == [false, false])
  }

  /// The same range id at two generations: the higher one is the range's descriptor.
  @Test func higherGenerationWinsPerRange() {
    let old = descriptor(2, t50, t60, gen: 2, stores: [1, 2])
    let new = descriptor(2, t50, t52, gen: 3, stores: [1, 2])
    let v = ClusterView([catalog(1, holds: [(old, 10)]), catalog(2, holds: [(new, 12)])])
    #expect(v.ranges.count == 1)
    #expect(v.range(2)?.descriptor == new)
    #expect(v.range(2)?.chosenFrom.store == 1)
    #expect(v.range(2)?.generationsSeen == [2, 3])
  }
}

struct CoverageTests {
  @Test func tableIDs() {
    func ids(_ s: [UInt8], _ e: [UInt8]) -> [UInt64] { Coverage.tableIDs(overlapping: KeySpan(start: s, end: e)).ids }
    #expect(ids(t50, t52) == [50, 51])
    #expect(ids(t50, t52 + [0x89]) == [50, 51, 52])  // into /Table/52/1
    #expect(ids([0xBA, 0x89, 0x90], t51) == [50])
    #expect(ids([], [0x04]) == [])  // system keys only
    #expect(ids([0x04], [0x8A]) == [0, 1])
    let open = Coverage.tableIDs(overlapping: KeySpan(start: t60, end: LocalKeys.keyMax))
    #expect(open.ids == [60] && open.openEnded)
    let wide = Coverage.tableIDs(overlapping: KeySpan(start: [0x88], end: [0xFD]))
    #expect(wide.ids.count == 1000 && wide.openEnded)
  }

  @Test func indexIDs() throws {
    func ids(_ s: String, _ e: String) throws -> [UInt64] {
      Coverage.indexIDs(within: KeySpan(start: try Keyspace.parse(s), end: try Keyspace.parse(e)))
    }
    #expect(try ids("/Table/53/2", "/Table/53/4") == [2, 3])
    #expect(try ids("/Table/53/1/5", "/Table/53/1/9") == [1])
    #expect(try ids("/Table/53/1/5", "/Table/53/3/1") == [1, 2, 3])
    #expect(try ids("/Table/53", "/Table/54") == [])  // the whole table
    #expect(try ids("/System/\"desc-idgen\"", "/Table/53/2") == [])
  }

  /// With the schema known, a span reaching the next table still names the indexes it held.
  @Test func indexesOfKnownTables() throws {
    let tables: [(id: UInt32, name: String, indexes: [(id: UInt32, name: String)])] = [
      (53, "game.users", [(1, "primary"), (2, "users_email_key")]),
      (54, "game.events", [(1, "primary"), (2, "events_kind_at_idx")])]
    func names(_ s: String, _ e: String) throws -> [String] {
      Coverage.indexes(overlapping: KeySpan(start: try Keyspace.parse(s), end: try Keyspace.parse(e)), tables: tables)
        .map { "\($0.table)/\($0.indexID)/\($0.index)" }
    }
    #expect(try names("/Table/53/1/71", "/Table/54") == ["game.users/1/primary", "game.users/2/users_email_key"])
    #expect(try names("/Table/53/1/5", "/Table/53/1/9") == ["game.users/1/primary"])
    #expect(try names("/Table/53/2", "/Table/54/1/3") == ["game.users/2/users_email_key", "game.events/1/primary"])
    #expect(try names("/Table/53/3", "/Table/54") == [])
    #expect(try names("/Table/0", "/Table/11") == [])
  }

  @Test func unionAndComplement() {
    let a = KeySpan(start: [1], end: [3]), b = KeySpan(start: [3], end: [4]), c = KeySpan(start: [6], end: [8])
    #expect(Coverage.union([c, b, a]) == [KeySpan(start: [1], end: [4]), c])
    #expect(Coverage.complement(Coverage.union([a, b, c]), within: KeySpan(start: [0], end: [9]))
      == [KeySpan(start: [0], end: [1]), KeySpan(start: [4], end: [6]), KeySpan(start: [8], end: [9])])
  }
}

struct ReplicaPlanTests {
  /// Only the damaged part of the chosen replica is read from the next one, and a span
  /// damaged everywhere has no store.
  @Test func fallbackOnlyForDamagedSpans() {
    let r = descriptor(5, t50, t60, gen: 1, stores: [1, 2, 3])
    let bad1 = KeySpan(start: [0xBB], end: [0xBC]), bad2 = KeySpan(start: [0xC0], end: [0xC1])
    let cs = [catalog(1, holds: [(r, 100)], damaged: [bad1, bad2]),
              catalog(2, holds: [(r, 90)], damaged: [bad2]),
              catalog(3, holds: [(r, 80)], damaged: [KeySpan(start: [0xC0, 0x01], end: [0xC2])])]
    let plans = ReplicaPlanner.plan(ClusterView(cs), catalogs: cs)
    #expect(plans == [RangePlan(rangeID: 5, span: KeySpan(start: t50, end: t60), chosenStore: 0, fallbacks: [
      .init(span: bad1, store: 1),
      .init(span: bad2, store: nil),
    ])])
  }

  @Test func noReplicaNoChoice() {
    let r = descriptor(4, t50, t60, gen: 1, stores: [7])
    var meta = catalog(1, holds: [])
    meta.metaDescriptors = [DescriptorRecord(descriptor: r, timestamp: MVCCTimestamp(wallTime: 1), source: .meta2, key: LocalKeys.meta2Key(rangeEndKey: t60))]
    let plans = ReplicaPlanner.plan(ClusterView([meta]), catalogs: [meta])
    #expect(plans.map(\.chosenStore) == [nil])
  }

  @Test func missingLDBIsAClearFailure() {
    #expect(LDBError.missing.description.contains("rocksdb-tools"))
  }
}

struct RangeKeyTests {
  /// Pebble range keys become MVCC range keys: bounds lose the sentinel, the suffix is the
  /// timestamp; an empty value is a tombstone; a bound without a sentinel is reported.
  @Test func mvccRangeKeysFromPebbleRangeKeys() {
    let suffix = Array(Enc.mvcc([], wallSeconds: 7).dropFirst())
    var problems: [Problem] = []
    let keys = EngineEntries.mvccRangeKeys([
      RangeKey(start: Enc.table(54) + [0], end: Enc.table(55) + [0], seq: 9, kind: Kind.rangeKeySet, suffix: suffix, value: []),
      RangeKey(start: Enc.table(56), end: Enc.table(57) + [0], seq: 9, kind: Kind.rangeKeySet, suffix: suffix, value: []),
    ], storePath: "/s", problems: &problems)
    #expect(keys == [MVCCRangeKey(start: Enc.table(54), end: Enc.table(55), timestamp: MVCCTimestamp(wallTime: 7_000_000_000))])
    #expect(keys.first?.isTombstone == true)
    #expect(problems.map(\.description) == ["/s: range key at c0 has no MVCC bounds or suffix"])
    #expect(problems.first?.kind == .undecodable && problems.first?.store == "/s" && problems.first?.key == Enc.table(56))
  }
}
