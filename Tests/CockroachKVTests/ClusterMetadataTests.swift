import Testing
@testable import CockroachKV
import SalvageTestSupport

struct ClusterMetadataTests {
  static func descriptorProto() -> PB {
    var d = PB()
    d.int(1, 12)
    d.bytes(2, bytes(hex: "bd"))        // /Table/53
    d.bytes(3, bytes(hex: "be"))        // /Table/54
    for (n, s, r, t) in [(1, 1, 1, -1), (2, 2, 3, 5), (3, 4, 4, 1)] {
      var rep = PB()
      rep.varint(1, UInt64(n)); rep.varint(2, UInt64(s)); rep.varint(3, UInt64(r))
      if t >= 0 { rep.varint(4, UInt64(t)) }  // absent type = VOTER_FULL (19.1)
      d.message(4, rep)
    }
    d.varint(5, 5)
    d.int(6, 7)
    var sticky = PB(); sticky.varint(1, 1_700_000_000_000_000_000)
    d.message(7, sticky)
    d.varint(8, 1)  // generation_comparable (19.x): ignored
    return d
  }

  @Test func rangeDescriptor() throws {
    let d = try RangeDescriptor(decoding: Self.descriptorProto().bytes)
    #expect(d.rangeID == 12 && d.startKey == [0xBD] && d.endKey == [0xBE])
    #expect(d.replicas == [ReplicaDescriptor(nodeID: 1, storeID: 1, replicaID: 1),
                           ReplicaDescriptor(nodeID: 2, storeID: 2, replicaID: 3, typeValue: 5),
                           ReplicaDescriptor(nodeID: 3, storeID: 4, replicaID: 4, typeValue: 1)])
    #expect(d.replicas.map(\.type) == [.voterFull, .nonVoter, .learner])
    #expect(d.nextReplicaID == 5 && d.generation == 7 && d.stickyBit == ts(1_700_000_000_000_000_000))
    #expect(d.span == "r12:[/Table/53, /Table/54)")
    // As stored in meta2: an MVCC value (roachpb.Value BYTES) at /Meta2/<end key>.
    let key = LocalKeys.rangeMetaKey(d.endKey)
    #expect(Keyspace.prettyPrint(key) == "/Meta2/Table/54")
    let value = RoachValue(tag: 3, data: Self.descriptorProto().bytes, key: key)
    try value.checkChecksum(key: key)
    #expect(try RangeDescriptor(mvccValue: value.rawBytes) == d)
    #expect(throws: KVError.self) { try RangeDescriptor(mvccValue: []) }
  }

  @Test func corruptDescriptorNamesTheReplica() {
    var d = PB()
    d.int(1, 3)
    d.bytes(4, [0x08])  // replica with a truncated varint
    do {
      _ = try RangeDescriptor(decoding: d.bytes)
      Issue.record("no error")
    } catch {
      #expect(error.what == "RangeDescriptor.ReplicaDescriptor" && error.kind == .truncated)
    }
  }

  @Test func storeIdentInline() throws {
    var p = PB()
    p.bytes(1, bytes(hex: "cf379e85637142e6acc8ed5259fa177a"))
    p.varint(2, 3)
    p.varint(3, 4)
    var md = PB()
    md.bytes(6, RoachValue(tag: 3, data: p.bytes, key: LocalKeys.storeIdentKey).rawBytes)
    let s = try StoreIdent(inlineValue: md.bytes)
    #expect(s.clusterID?.description == "cf379e85-6371-42e6-acc8-ed5259fa177a" && s.nodeID == 3 && s.storeID == 4)
    #expect(Keyspace.prettyPrint(LocalKeys.storeIdentKey) == "/Local/Store/storeIdent")
    #expect(LocalKeys.role(of: LocalKeys.storeIdentKey) == .storeIdent)
    #expect(throws: KVError.self) { try StoreIdent(inlineValue: p.bytes) }  // not wrapped
  }

  @Test func rangeAppliedState() throws {
    var st = PB()
    st.fixed64(1, 1_700_000_000_000_000_000)
    st.int(4, 1000); st.int(5, 10); st.int(6, 200); st.int(7, 10); st.int(8, 800); st.int(9, 12)
    st.int(11, 1); st.int(12, 50); st.int(13, 2); st.int(14, 0)
    st.fixed64(2, 5); st.fixed64(3, UInt64(bitPattern: -7)); st.int(10, 40); st.int(15, 3)
    st.int(16, 1)
    st.int(99, 1)  // unknown (newer) field: skipped
    var a = PB()
    a.varint(1, 1234)
    a.varint(2, 1200)
    a.message(3, st)
    var c = PB(); c.varint(1, 1_700_000_001_000_000_000); c.varint(2, 2)
    a.message(4, c)
    a.varint(5, 6)
    let s = try RangeAppliedState(decoding: a.bytes)
    #expect(s.raftAppliedIndex == 1234 && s.leaseAppliedIndex == 1200 && s.raftAppliedIndexTerm == 6)
    #expect(s.raftClosedTimestamp == ts(1_700_000_001_000_000_000, 2))
    #expect(s.stats.lastUpdateNanos == 1_700_000_000_000_000_000 && s.stats.liveBytes == 1000 && s.stats.liveCount == 10)
    #expect(s.stats.keyBytes == 200 && s.stats.valBytes == 800 && s.stats.valCount == 12 && s.stats.intentCount == 1)
    #expect(s.stats.sysBytes == 50 && s.stats.sysCount == 2)
    #expect(s.stats.intentAge == 5 && s.stats.gcBytesAge == -7 && s.stats.intentBytes == 40)
    #expect(s.stats.abortSpanBytes == 3 && s.stats.separatedIntentCount == 1)
    var md = PB()
    md.bytes(6, RoachValue(tag: 3, data: a.bytes, key: nil).rawBytes)
    #expect(try RangeAppliedState(inlineValue: md.bytes) == s)
  }

  @Test func keyBuildersAndRoles() throws {
    let applied = LocalKeys.rangeAppliedStateKey(rangeID: 5)
    #expect(hexString(applied) == "01698d727261736b")
    #expect(LocalKeys.role(of: applied) == .rangeAppliedState(rangeID: 5))
    let log = LocalKeys.raftLogKey(rangeID: 5, index: 10)
    #expect(hexString(log) == "01698d757266746c000000000000000a")
    #expect(LocalKeys.role(of: log) == .raftLog(rangeID: 5, index: 10))
    #expect(LocalKeys.role(of: bytes(hex: "01698d7572667474")) == .rangeIDLocal(rangeID: 5, replicated: false, suffix: Array("rftt".utf8)))
    let rd = LocalKeys.rangeDescriptorKey(startKey: Array("a".utf8))
    #expect(hexString(rd) == "016b1261000172647363")  // spec §4.2 derived vector
    #expect(LocalKeys.role(of: rd) == .rangeDescriptor(startKey: [0x61]))
    let id = UUID16(bytes(hex: "cf379e85637142e6acc8ed5259fa177a"))!
    let txn = LocalKeys.transactionKey(anchor: [0xBD, 0x89], txnID: id)
    #expect(LocalKeys.role(of: txn) == .transactionRecord(anchor: [0xBD, 0x89], txnID: id))
    #expect(LocalKeys.role(of: LocalKeys.lockTableKey(lockedKey: [0xBD])) == .lock(lockedKey: [0xBD]))
    #expect(LocalKeys.rangeMetaKey([0xBD]) == [0x03, 0xBD])
    #expect(LocalKeys.rangeMetaKey([0x03, 0xBD]) == [0x02, 0xBD])
    #expect(LocalKeys.rangeMetaKey([]) == [0x02])
    #expect(Keyspace.prettyPrint(LocalKeys.meta2Key(rangeEndKey: [0xFF, 0xFF])) == "/Meta2/Max")
    #expect(LocalKeys.role(of: [0x03, 0xFF, 0xFF]) == .meta(level: 2, endKey: [0xFF, 0xFF]))
    #expect(LocalKeys.role(of: bytes(hex: "f2898888")) == .table(tenant: nil, tableID: 106))
    #expect(LocalKeys.role(of: bytes(hex: "fe8dbd89")) == .table(tenant: 5, tableID: 53))
    #expect(LocalKeys.role(of: bytes(hex: "04746464")) == .system)
    #expect(LocalKeys.role(of: bytes(hex: "0169")) == .other)
  }

  /// The fixtures' five lock-table keys are separated intents (strength 3).
  @Test func fixtureLockTableKeys() throws {
    var n = 0
    for x in try Fixtures.jsonl("pebble-gen/sst/pebblev4-zstd.points.jsonl") {
      let k = try EngineKey(decoding: bytes(hex: x.str("key_hex")!))
      guard let lock = try LockTableKey(k) else { continue }
      n += 1
      #expect(lock.isIntent)
      #expect(OrderedEncoding.hex2(lock.strength) + hexString(lock.txnID.bytes) == x.str("version_hex"))
      #expect(Keyspace.prettyPrint(lock.lockedKey).hasPrefix("/Table/106/1/"))
      #expect(lock.engineKey.encoded == k.encoded)
    }
    #expect(n >= 5)
    #expect(try LockTableKey(EngineKey(roachKey: [0xBD])) == nil)
    #expect(throws: KVError.self) { try LockTableKey(EngineKey(roachKey: LocalKeys.lockTableKey(lockedKey: [1]), version: .mvcc(ts(1)))) }
  }
}

struct TransactionRecordTests {
  @Test func committedAndStaging() throws {
    var rec = PB()
    var meta = PB()
    meta.bytes(1, bytes(hex: "cf379e85637142e6acc8ed5259fa177a"))
    meta.bytes(3, Array("a".utf8))
    meta.varint(4, 1)
    rec.message(1, meta)
    rec.varint(4, 1)
    let anchor = Array("a".utf8), id = UUID16(bytes(hex: "cf379e85637142e6acc8ed5259fa177a"))!
    let key = LocalKeys.transactionKey(anchor: anchor, txnID: id)
    #expect(Keyspace.prettyPrint(key) == #"/Local/Range"a"/Transaction/"cf379e85-6371-42e6-acc8-ed5259fa177a""#)
    let stored = RoachValue(tag: 3, data: rec.bytes, key: key).rawBytes
    let r = try TransactionRecord(storedValue: stored, unversioned: false)
    #expect(r.status == .committed && r.meta.id == id && r.meta.key == anchor && r.meta.epoch == 1)

    var staging = PB()
    staging.varint(4, 3)
    var w = PB(); w.bytes(1, [0xBD, 0x89]); w.varint(2, 4)
    staging.message(17, w)
    staging.message(17, w)
    var md = PB(); md.bytes(6, RoachValue(tag: 3, data: staging.bytes, key: nil).rawBytes)
    let s = try TransactionRecord(storedValue: md.bytes, unversioned: true)
    #expect(s.status == .staging && s.inFlightWrites.count == 2 && s.inFlightWrites[0].sequence == 4)
    #expect(throws: KVError.self) { try TransactionRecord(storedValue: [], unversioned: false) }
    #expect(CockroachKV.comparerName == "cockroach_comparator")
  }
}
