import Testing
import CockroachKV
@testable import Recovery

/// The scenario's three stores together (`ClusterScenario`), and subsets of them.
struct ClusterViewTests {
  @Test func rangesHoldersAndChoice() throws {
    let v = ClusterView(try scenarioCatalogs())
    #expect(v.stores.map(\.label) == ["s1 (n1)", "s2 (n2)", "s3 (n3)"])
    #expect(v.ranges.map(\.rangeID) == [1, 2, 3, 4, 5])
    #expect(v.conflicts == [])
    #expect(v.ranges.map { $0.descriptor.generation } == [1, 3, 3, 1, 1])
    // r1: equal applied index on s1 and s2 → higher lease applied index (s2); s3 10 behind.
    let r1 = try #require(v.range(1))
    #expect(r1.replicas.map(\.storeID) == [2, 1, 3])
    #expect(r1.lagging.map(\.gap) == [0, 10])
    #expect(r1.missing == [] && r1.notFound == [])
    // r2: split seen by s1 (gen 3) but not s2 (gen 2); s1 is 20 entries ahead.
    let r2 = try #require(v.range(2))
    #expect(r2.span.pretty == "[/Table/50, /Table/52)")
    #expect(r2.generationsSeen == [2, 3])
    #expect(r2.chosenFrom.store == 0 && r2.chosenFrom.source == .rangeLocal)
    #expect(r2.replicas.map(\.storeID) == [1, 2])
    #expect(r2.replicas.map(\.localGeneration) == [3, 2])
    #expect(r2.lagging.map(\.gap) == [20])
    #expect(r2.missing.map(\.storeID) == [4])
    // r3: only s1 applied the split; s2 is named but holds nothing.
    let r3 = try #require(v.range(3))
    #expect(r3.replicas.map(\.storeID) == [1])
    #expect(r3.notFound.map(\.storeID) == [2] && r3.missing.map(\.storeID) == [4])
    // r4: every replica on an absent store.
    let r4 = try #require(v.range(4))
    #expect(r4.replicas == [] && r4.missing.map(\.storeID) == [4, 5, 6])
    #expect(r4.chosenFrom.source == .meta2)
    // r5: full tie → lowest store id; s3 is named but holds no replica.
    let r5 = try #require(v.range(5))
    #expect(r5.replicas.map(\.storeID) == [1, 2])
    #expect(r5.notFound.map(\.storeID) == [3])
  }

  @Test func lostSpanIsTheRangeOnAbsentStores() throws {
    let v = ClusterView(try scenarioCatalogs())
    #expect(v.lost == [LostSpan(start: [0xBD], end: [0xBE], pretty: "[/Table/53, /Table/54)", rangeIDs: [4], tableIDs: [53], tablesOpenEnded: false)])
  }

  /// Without s1 nobody holds r3: its span is lost, and the stale pre-split r2 view of s2 and
  /// s3 does not count as a replica of r3.
  @Test func losingStoreOne() throws {
    let cs = Array(try scenarioCatalogs().dropFirst())
    let v = ClusterView(cs)
    #expect(v.range(2)?.descriptor.generation == 3)  // s2's meta2 knows the split
    #expect(v.lost.map(\.pretty) == ["[/Table/52, /Table/54)"])
    #expect(v.lost.map(\.rangeIDs) == [[3, 4]])
    #expect(v.lost.map(\.tableIDs) == [[52, 53]])
    // s2's replica of r2 from before the split still holds /Table/52's keys: reported, not used.
    #expect(v.lost.first?.staleCopies == [StaleCopy(store: 0, rangeID: 2, generation: 2, overlap: KeySpan(start: [0xBC], end: [0xBD]))])
  }

  /// Only s3 (stale meta2): r3 is unknown, so its span is a gap with no descriptor; r2 is
  /// the pre-split descriptor, held by nobody.
  @Test func onlyTheStaleStore() throws {
    let v = ClusterView([try scenarioCatalogs()[2]])
    #expect(v.ranges.map(\.rangeID) == [1, 2, 4, 5])
    #expect(v.lost.map(\.pretty) == ["[/Table/50, /Max)"])
    #expect(v.lost.first?.rangeIDs == [2, 4, 5])
    #expect(v.lost.first?.tableIDs == [50] && v.lost.first?.tablesOpenEnded == true)
  }
}
