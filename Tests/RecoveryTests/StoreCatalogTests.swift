import Testing
import CockroachKV
import LSMStore
@testable import Recovery

/// One store's catalog, read from the scenario's stores.
struct StoreCatalogTests {
  @Test func storeOneCatalog() throws {
    let c = try scenarioCatalogs()[0]
    #expect(c.problems == [])
    #expect(c.ident == { var i = StoreIdent(); i.clusterID = UUID16(ClusterScenario.clusterID); i.nodeID = 1; i.storeID = 1; return i }())
    // Newest committed version per descriptor key; the r5 intent (gen 9) is not taken.
    #expect(c.localDescriptors.map { [$0.descriptor.rangeID, $0.descriptor.generation] } == [[1, 1], [2, 3], [3, 3], [5, 1]])
    #expect(c.localDescriptors.map(\.span.pretty) == ["[/Min, /Table/50)", "[/Table/50, /Table/52)", "[/Table/52, /Table/53)", "[/Table/54, /Max)"])
    #expect(c.intents.count == 1)
    #expect(c.intents.first?.key == Enc.rangeDescriptorKey(ClusterScenario.t54))
    // meta2 by key: /Meta2/Table/53 now addresses r3 (the old r2 record is an older version).
    #expect(c.metaDescriptors.map { Keyspace.prettyPrint($0.key) } == ["/Meta2/Table/50", "/Meta2/Table/52", "/Meta2/Table/53", "/Meta2/Table/54", "/Meta2/Max"])
    #expect(c.metaDescriptors.map(\.descriptor.rangeID) == [1, 2, 3, 4, 5])
    #expect(c.metaDescriptors.allSatisfy { $0.source == .meta2 })
    #expect(c.replicas.keys.sorted() == [1, 2, 3, 5])
    #expect(c.replicas[2]?.raftAppliedIndex == 200 && c.replicas[2]?.leaseAppliedIndex == 120)
    #expect(c.replicas[1]?.raftLog?.first == 98 && c.replicas[1]?.raftLog?.last == 101 && c.replicas[1]?.raftLog?.count == 4)
    #expect(c.heldRangeIDs == [1, 2, 3, 5])
    #expect(c.damagedSpans == [])
  }

  /// s2 never flushed (WAL only); s3 is 19.1-style (legacy applied-index keys).
  @Test func walOnlyAndLegacyStores() throws {
    let cs = try scenarioCatalogs()
    #expect(cs[1].ident?.storeID == 2 && cs[1].ident?.nodeID == 2)
    #expect(cs[1].localDescriptor(rangeID: 2)?.descriptor.generation == 2)
    #expect(cs[1].heldRangeIDs == [1, 2, 5])
    let s3 = cs[2]
    #expect(s3.problems == [])
    #expect(s3.replicas[1]?.appliedState == nil)
    #expect(s3.replicas[1]?.legacyRaftAppliedIndex == 90 && s3.replicas[1]?.legacyLeaseAppliedIndex == 40)
    #expect(s3.replicas[1]?.raftAppliedIndex == 90)
    #expect(s3.metaDescriptors.map(\.descriptor.rangeID) == [1, 2, 4, 5])
    #expect(s3.metaDescriptors[1].descriptor.generation == 2)
  }

  /// The catalog's pass keeps each replica's Raft state for replay, with only the log entries
  /// past its applied index (s1 holds r1's entries 98–101 and has applied 100): the logs of a
  /// store's thousands of replicas are not held whole.
  @Test func raftLogsKeepOnlyUnappliedEntries() throws {
    let paths = try ClusterScenario.build("catalog-raft")
    let c = try StoreCatalog.read(path: paths[0])
    #expect(c.replicas[1]?.raftAppliedIndex == 100)
    #expect(c.raftLogs[1]?.entries.keys.sorted() == [101])
    #expect(c.raftLogs[1]?.highestAppliedEntry == 100 && c.raftLogs[1]?.lastIndex == 101)
    #expect(c.replicas[1]?.raftLog?.count == 4)
    // Read without applied indexes, the whole log.
    #expect(RaftLogReader.read(try Store(path: paths[0]))[1]?.entries.keys.sorted() == [98, 99, 100, 101])
  }
}

