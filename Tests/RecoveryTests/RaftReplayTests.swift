import CockroachKV
import LSMStore
import Testing
@testable import Recovery

/// RaftReplayer on hand-built logs (docs/raft-log-format.md R-COMMIT, R-APPLY-*, R-DAMAGE).
struct RaftReplayTests {
  static let k1 = Enc.mvcc(Enc.row(60, 1), wallSeconds: 100)
  static let k2 = Enc.mvcc(Enc.row(60, 2), wallSeconds: 100)
  static let k3 = Enc.mvcc(Enc.row(60, 3), wallSeconds: 100)

  /// A log holding `entries` (index → (term, data)), with HardState commit and a lease.
  static func log(_ entries: [UInt64: (term: UInt64, data: [UInt8])], commit: UInt64, lease: Int64? = 1) -> ReplicaRaftLog {
    var l = ReplicaRaftLog(rangeID: 7)
    for (i, e) in entries { l.entries[i] = RaftEnc.stored(RaftEnc.entry(term: e.term, index: i, data: e.data)) }
    l.hardState = RaftHardState(term: entries.values.map(\.term).max() ?? 1, vote: 0, commit: commit)
    l.lease = lease.map { RaftLease(sequence: $0) }
    return l
  }

  static func write(_ key: [UInt8], mli: UInt64, seq: Int64 = 1) -> [UInt8] {
    RaftEnc.normalData(RaftEnc.command(mli: mli, leaseSeq: seq, batch: RaftEnc.batch([RaftEnc.put(key, Enc.intValue(Int64(mli)))])))
  }

  static func replica(_ store: Int, applied: UInt64 = 10, lai: UInt64 = 5, _ log: ReplicaRaftLog) -> RaftReplayer.Replica {
    RaftReplayer.Replica(store: store, appliedIndex: applied, leaseAppliedIndex: lai, log: log)
  }

  @Test func appliesCommittedEntriesInOrderAndNothingPastCommit() {
    let l = Self.log([10: (1, Self.write(Self.k1, mli: 5)), 11: (1, Self.write(Self.k1, mli: 6)),
                      12: (1, Self.write(Self.k2, mli: 7)), 13: (1, Self.write(Self.k3, mli: 8))], commit: 12)
    let r = RaftReplayer.replay(rangeID: 7, replicas: [Self.replica(0, l)])
    #expect(r.commit == 12 && r.stopped == nil)
    #expect(r.entries.map(\.index) == [11, 12])
    #expect(r.applied == 2 && r.beyondCommit == 1)
    #expect(r.ops.map(\.key) == [Self.k1, Self.k2])
    #expect(r.keysByTable == [60: 2])
  }

  @Test func rejectsReproposalsWithStaleMaxLeaseIndex() {
    // 12 re-proposes 11's command (same MLI 6): it must not apply twice.
    let l = Self.log([11: (1, Self.write(Self.k1, mli: 6)), 12: (1, Self.write(Self.k1, mli: 6)),
                      13: (1, Self.write(Self.k2, mli: 5))], commit: 13)
    let r = RaftReplayer.replay(rangeID: 7, replicas: [Self.replica(0, l)])
    #expect(r.entries.map(\.outcome) == [.applied(ops: 1), .rejected("reproposal: lease applied index 6, command requires < 6"),
                                         .rejected("reproposal: lease applied index 6, command requires < 5")])
    #expect(r.ops.count == 1)
  }

  @Test func leaseSequenceCheckedWhereTheLeaseIsKnown() {
    let entries: [UInt64: (term: UInt64, data: [UInt8])] = [
      11: (1, Self.write(Self.k1, mli: 6, seq: 2)),     // proposed under lease 2, current 1: rejected
      12: (1, RaftEnc.normalData(RaftEnc.command(mli: 0, leaseSeq: 1, newLease: 3))),  // lease request → lease 3
      13: (1, Self.write(Self.k2, mli: 7, seq: 1)),     // old lease: rejected
      14: (1, Self.write(Self.k3, mli: 8, seq: 3)),     // new lease: applied
    ]
    let known = RaftReplayer.replay(rangeID: 7, replicas: [Self.replica(0, Self.log(entries, commit: 14))])
    #expect(known.leaseSequence == 1 && !known.leaseCheckSkipped)
    #expect(known.entries.map(\.outcome) == [.rejected("proposed under lease #2, applied under lease #1"), .applied(ops: 0),
                                             .rejected("proposed under lease #1, applied under lease #3"), .applied(ops: 1)])
    #expect(known.ops.map(\.key) == [Self.k3])
    // No lease record: the check is skipped (and reported) until a lease change is seen.
    let unknown = RaftReplayer.replay(rangeID: 7, replicas: [Self.replica(0, Self.log(entries, commit: 14, lease: nil))])
    #expect(unknown.leaseCheckSkipped)
    #expect(unknown.entries.map(\.outcome) == [.applied(ops: 1), .applied(ops: 0),
                                               .rejected("proposed under lease #1, applied under lease #3"), .applied(ops: 1)])
  }

  /// R-APPLY-GC: a command writing at or below the GC threshold is rejected (after its max
  /// lease index moved the counter); a GC command's new threshold applies to what follows;
  /// no stored threshold is a zero one.
  @Test func writesAtOrBelowTheGCThresholdAreRejected() {
    func put(_ key: [UInt8], mli: UInt64, wall: UInt64) -> [UInt8] {
      RaftEnc.normalData(RaftEnc.command(mli: mli, batch: RaftEnc.batch([RaftEnc.put(key, Enc.intValue(1))]), writeWall: wall))
    }
    var l = Self.log([11: (1, put(Self.k1, mli: 6, wall: 50)),                                          // at the threshold
                      12: (1, put(Self.k2, mli: 7, wall: 51)),                                          // above it
                      13: (1, RaftEnc.normalData(RaftEnc.command(mli: 8, writeWall: 60, newGCThresholdWall: 90))),
                      14: (1, put(Self.k3, mli: 9, wall: 80)),                                          // below the new one
                      15: (1, put(Self.k3, mli: 9, wall: 95))], commit: 15)                             // MLI 9 was used by 14
    l.gcThreshold = MVCCTimestamp(wallTime: 50, logical: 0)
    let r = RaftReplayer.replay(rangeID: 7, replicas: [Self.replica(0, l)])
    #expect(r.entries.map(\.outcome) == [
      .rejected("writes at \(MVCCTimestamp(wallTime: 50, logical: 0)), at or below the GC threshold \(MVCCTimestamp(wallTime: 50, logical: 0))"),
      .applied(ops: 1), .applied(ops: 0),
      .rejected("writes at \(MVCCTimestamp(wallTime: 80, logical: 0)), at or below the GC threshold \(MVCCTimestamp(wallTime: 90, logical: 0))"),
      .rejected("reproposal: lease applied index 9, command requires < 9")])
    #expect(r.ops.map(\.key) == [Self.k2])
    l.gcThreshold = nil
    #expect(RaftReplayer.replay(rangeID: 7, replicas: [Self.replica(0, l)]).entries.first?.outcome == .applied(ops: 1))
  }

  /// R-APPLY-LEASE for lease requests (forced_error.go): one whose prev_lease_proposal is not
  /// the current lease's proposed_ts was proposed against another version of the lease (a
  /// duplicate of one that applied already); one for a store outside the range's descriptor
  /// is refused.
  @Test func leaseRequestsAreCheckedAgainstTheLeaseTheyReplace() {
    func request(_ seq: Int64, store: Int32 = 1, proposed: UInt64, prev: UInt64) -> [UInt8] {
      RaftEnc.normalData(RaftEnc.command(mli: 0, leaseSeq: seq - 1, newLease: seq, newLeaseStore: store,
                                         newLeaseProposedWall: proposed, prevLeaseProposalWall: prev))
    }
    var l = Self.log([11: (1, request(2, proposed: 200, prev: 100)),   // replaces lease #1 proposed at 100: applies
                      12: (1, request(2, proposed: 300, prev: 100)),   // its duplicate: #1 is no longer current
                      13: (1, request(3, store: 9, proposed: 400, prev: 200)),   // store 9 holds no replica
                      14: (1, Self.write(Self.k1, mli: 6, seq: 2))], commit: 14)
    l.lease = RaftLease(sequence: 1, proposedTS: MVCCTimestamp(wallTime: 100, logical: 0))
    let r = RaftReplayer.replay(rangeID: 7, replicas: [Self.replica(0, l)], replicaStores: [1, 2, 3])
    #expect(r.entries.map(\.outcome) == [
      .applied(ops: 0),
      .rejected("proposed under lease #1, applied under lease #2"),
      .rejected("lease for store s9, which holds no replica of the range"),
      .applied(ops: 1)])
    // The duplicate carries the current sequence but names the replaced lease's proposal time.
    var dup = Self.log([11: (1, request(2, proposed: 300, prev: 50))], commit: 11)
    dup.lease = RaftLease(sequence: 1, proposedTS: MVCCTimestamp(wallTime: 100, logical: 0))
    #expect(RaftReplayer.replay(rangeID: 7, replicas: [Self.replica(0, dup)]).entries.map(\.outcome) == [
      .rejected("lease request proposed against the lease of \(MVCCTimestamp(wallTime: 50, logical: 0)), current lease proposed at \(MVCCTimestamp(wallTime: 100, logical: 0))")])
  }

  @Test func emptyEntriesAndConfChanges() {
    let cc = RaftEnc.command(mli: 6, batch: RaftEnc.batch([RaftEnc.put(Self.k2, Enc.intValue(1))]))
    var l = Self.log([11: (2, []), 13: (2, Self.write(Self.k1, mli: 7))], commit: 13)
    l.entries[12] = RaftEnc.stored(RaftEnc.entry(term: 2, index: 12, type: 1, data: RaftEnc.confChangeData(cc)))
    let r = RaftReplayer.replay(rangeID: 7, replicas: [Self.replica(0, l)])
    #expect(r.entries.map(\.outcome) == [.empty, .applied(ops: 1), .applied(ops: 1)])
    #expect(r.entries.map(\.isConfChange) == [false, true, false])
  }

  @Test func commitKnownFromAnotherReplicaTakesItsLog() {
    // The chosen replica (applied 10) only knew commit 10; s1 knew 12 and holds the entries.
    let chosen = Self.log([11: (1, Self.write(Self.k1, mli: 6))], commit: 10)
    let other = Self.log([11: (1, Self.write(Self.k1, mli: 6)), 12: (1, Self.write(Self.k2, mli: 7))], commit: 12)
    let r = RaftReplayer.replay(rangeID: 7, replicas: [Self.replica(0, chosen), Self.replica(1, applied: 9, other)])
    #expect(r.commit == 12 && r.commitStore == 1)
    #expect(r.entries.map(\.store) == [1, 1])
    #expect(r.applied == 2)
  }

  @Test func divergedTailOfADeposedLeaderIsNeverApplied() {
    // s0 led term 1 and appended 11–12 that never committed; s1 (term 2) committed other entries there.
    let deposed = Self.log([11: (1, Self.write(Self.k3, mli: 6)), 12: (1, Self.write(Self.k3, mli: 7))], commit: 10)
    let leader = Self.log([11: (2, []), 12: (2, Self.write(Self.k1, mli: 6))], commit: 12)
    let r = RaftReplayer.replay(rangeID: 7, replicas: [Self.replica(0, deposed), Self.replica(1, leader)])
    #expect(r.entries.map(\.term) == [2, 2])
    #expect(r.ops.map(\.key) == [Self.k1])
  }

  @Test func damagedEntryStopsTheReplayThere() {
    var l = Self.log([11: (1, Self.write(Self.k1, mli: 6)), 13: (1, Self.write(Self.k3, mli: 8))], commit: 13)
    l.entries[12] = [0x0A, 0xFF]   // not an inline MVCC value
    let r = RaftReplayer.replay(rangeID: 7, replicas: [Self.replica(0, l)])
    #expect(r.entries.map(\.index) == [11])
    #expect(r.ops.map(\.key) == [Self.k1])
    #expect(r.stopped?.hasPrefix("entry 12 on store 0 cannot be decoded") == true)
  }

  @Test func missingCommittedEntryAndTermConflictStop() {
    let gap = RaftReplayer.replay(rangeID: 7, replicas: [Self.replica(0, Self.log([12: (1, Self.write(Self.k1, mli: 6))], commit: 12))])
    #expect(gap.entries.isEmpty && gap.stopped?.hasPrefix("entry 11 is committed") == true)
    let a = Self.log([11: (1, Self.write(Self.k1, mli: 6))], commit: 11)
    let b = Self.log([11: (2, Self.write(Self.k1, mli: 6))], commit: 11)
    let conflict = RaftReplayer.replay(rangeID: 7, replicas: [Self.replica(0, a), Self.replica(1, b)])
    #expect(conflict.entries.isEmpty && conflict.stopped == "entry 11 has term 1 on store 0 but 2 on store 1")
  }

  @Test func splitsAreAppliedAndReported() {
    let split = RaftEnc.normalData(RaftEnc.command(mli: 6, batch: RaftEnc.batch([RaftEnc.put(Self.k1, Enc.intValue(1))]), split: true))
    let r = RaftReplayer.replay(rangeID: 7, replicas: [Self.replica(0, Self.log([11: (1, split)], commit: 11))])
    #expect(r.applied == 1)
    #expect(r.boundsChanges == ["entry 11: split replayed; the range plan still uses the descriptors from before replay"])
  }

  @Test func sideloadedAddSSTableWithoutItsFileStops() {
    let l = Self.log([11: (1, Self.write(Self.k1, mli: 6)),
                      12: (1, RaftEnc.normalData(RaftEnc.command(mli: 7, addSSTable: 1), version: 1))], commit: 12)
    let r = RaftReplayer.replay(rangeID: 7, replicas: [Self.replica(0, l)])
    #expect(r.applied == 1 && r.stopped == "entry 12: the sideloaded AddSSTable file is not on the store")
  }
}
