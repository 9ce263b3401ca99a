import CockroachKV
import Foundation
import LSMStore
import Testing
@testable import Recovery

/// `RaftReplayChecker`: the applied tail of a replica's log, replayed with the apply-time
/// rules, must reach the store's own lease applied index and lease, with the accepted
/// commands' versioned writes in the store and the rejected ones' absent. Each variant below
/// plants the one difference a wrong rule would cause, and the check must report it.
struct RaftReplayCheckTests {
  /// s1 holds r1 [/Min, /Max) applied to 14, lease applied index 7, lease #2. Its log still
  /// holds 10 (row 1, MLI 5), 11 (row 1 again, MLI 6), 12 (a reproposal of 11: MLI 6,
  /// row 9), 13 (a lease request, #2), 14 (row 2, MLI 7, under lease #2). The store holds
  /// what CockroachDB applied: the writes of 10, 11 and 14, not 12's.
  static func build(storedLAI: UInt64 = 7, storedLease: Int64 = 2, reproposalApplied: Bool = false,
                    dropWriteOf14: Bool = false) throws -> (Store, ClusterView) {
    var s = StoreSpec()
    s.put(Enc.unversioned(Enc.storeIdentKey), Enc.storeIdent(cluster: ClusterScenario.clusterID, node: 1, store: 1))
    let d = Enc.descriptor(1, [], ClusterScenario.keyMax, generation: 1, replicas: [(1, 1, 1)])
    s.put(Enc.mvcc(Enc.rangeDescriptorKey([]), wallSeconds: 1), d)
    s.put(Enc.mvcc(Enc.meta2Key(ClusterScenario.keyMax), wallSeconds: 1), d)
    s.put(Enc.unversioned(Enc.rangeIDKey(1, replicated: true, "rask")), Enc.appliedState(raft: 14, lease: storedLAI))
    s.put(Enc.unversioned(Enc.rangeIDKey(1, replicated: true, "rll-")), RaftEnc.stored(RaftEnc.lease(sequence: storedLease).bytes))
    s.put(Enc.unversioned(Enc.rangeIDKey(1, replicated: false, "rfth")), RaftEnc.hardState(term: 2, commit: 14))
    func write(_ pk: UInt64, _ v: Int64) -> (key: [UInt8], value: [UInt8]) {
      (Enc.mvcc(Enc.row(60, pk), wallSeconds: 100 + v), Enc.intValue(v))
    }
    let w10 = write(1, 10), w11 = write(1, 11), w12 = write(9, 12), w14 = write(2, 14)
    let data: [(UInt64, [UInt8])] = [
      (10, RaftEnc.normalData(RaftEnc.command(mli: 5, batch: RaftEnc.batch([RaftEnc.put(w10.key, w10.value)])))),
      (11, RaftEnc.normalData(RaftEnc.command(mli: 6, batch: RaftEnc.batch([RaftEnc.put(w11.key, w11.value)])))),
      (12, RaftEnc.normalData(RaftEnc.command(mli: 6, batch: RaftEnc.batch([RaftEnc.put(w12.key, w12.value)])))),
      (13, RaftEnc.normalData(RaftEnc.command(mli: 0, newLease: 2))),
      // Admission control v2 with priority 1 (version byte 0x44), as a real 25.4 log holds.
      (14, RaftEnc.normalData(RaftEnc.command(mli: 7, leaseSeq: 2, batch: RaftEnc.batch([RaftEnc.put(w14.key, w14.value)])), version: 0x44)),
    ]
    for (i, d) in data { s.put(RaftEnc.logKey(1, i), RaftEnc.stored(RaftEnc.entry(term: 2, index: i, data: d))) }
    for w in [w10, w11] + (dropWriteOf14 ? [] : [w14]) + (reproposalApplied ? [w12] : []) { s.put(w.key, w.value) }
    let dir = try makeTempDir("raft-check")
    try s.write(to: dir + "/s1")
    let catalog = try StoreCatalog.read(path: dir + "/s1")
    return (try Store(path: dir + "/s1"), ClusterView([catalog]))
  }

  static func check(_ built: (Store, ClusterView)) throws -> ReplayCheck {
    let checks = RaftReplayChecker.check(stores: [built.0], view: built.1)
    #expect(checks.count == 1)
    return try #require(checks.first)
  }

  @Test func agreesWithWhatTheStoreApplied() throws {
    let c = try Self.check(try Self.build())
    #expect((c.firstIndex, c.appliedIndex) == (10, 14))
    #expect((c.accepted, c.rejected, c.empty) == (4, 1, 0))
    #expect((c.replayedLeaseAppliedIndex, c.storedLeaseAppliedIndex) == (7, 7))
    #expect((c.replayedLeaseSequence, c.storedLeaseSequence) == (2, 2))
    #expect((c.writesFound, c.writesMissing, c.writesDiffering, c.rejectedWritesPresent) == (3, 0, 0, 0))
    #expect(c.stopped == nil)
    #expect(c.agrees)
  }

  /// CockroachDB applied the "reproposal": the MLI rule would have been wrong.
  @Test func reportsARejectedCommandTheStoreApplied() throws {
    let c = try Self.check(try Self.build(reproposalApplied: true))
    #expect(c.rejectedWritesPresent == 1)
    #expect(!c.agrees)
  }

  @Test func reportsAnotherLeaseAppliedIndex() throws {
    let c = try Self.check(try Self.build(storedLAI: 8))
    #expect(!c.leaseAppliedIndexAgrees)
    #expect(!c.agrees)
  }

  @Test func reportsAnotherLease() throws {
    let c = try Self.check(try Self.build(storedLease: 3))
    #expect(!c.leaseAgrees)
    #expect(!c.agrees)
  }

  /// A write may leave the store legitimately (an intent pushed, GC): counted, not a disagreement.
  @Test func countsWritesNoLongerInTheStore() throws {
    let c = try Self.check(try Self.build(dropWriteOf14: true))
    #expect((c.writesFound, c.writesMissing) == (2, 1))
    #expect(c.agrees)
  }
}
