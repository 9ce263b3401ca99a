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
  static func build(storedLAI: UInt64 = 7, storedLease: Int64 = 2, reproposalApplied: Bool = false,
                    dropWriteOf14: Bool = false) throws -> (Store, ClusterView) {
    let dir = try RaftEnc.appliedTailStore(storedLAI: storedLAI, storedLease: storedLease,
                                           reproposalApplied: reproposalApplied, dropWriteOf14: dropWriteOf14)
    return (try Store(path: dir), ClusterView([try StoreCatalog.read(path: dir)]))
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
