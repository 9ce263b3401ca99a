import CockroachKV
import LSMStore
import SSTable

/// What replaying one range's committed-but-unapplied Raft entries did
/// (docs/raft-log-format.md §5–6).
public struct RangeReplay: Equatable, Sendable {
  public enum Outcome: Equatable, Sendable {
    /// The command's write batch was applied.
    case applied(ops: Int)
    /// An empty entry (R-EMPTY): nothing to apply.
    case empty
    /// Rejected as CockroachDB rejects it at apply time (R-APPLY-*); its batch is dropped.
    case rejected(String)
  }

  public struct Entry: Equatable, Sendable {
    public var index: UInt64
    public var term: UInt64
    /// Store index of the log the entry was read from.
    public var store: Int
    public var isConfChange: Bool
    public var outcome: Outcome
  }

  public var rangeID: Int64
  public var chosenStore: Int
  /// The chosen replica's applied index and lease applied index before replay.
  public var appliedIndex: UInt64
  public var leaseAppliedIndex: UInt64
  /// Highest commit index any surviving replica's HardState knows, and where it was read.
  public var commit: UInt64 = 0
  public var commitStore: Int?
  public var entries: [Entry] = []
  /// Entries above the commit index on the surviving logs (never applied; R-COMMIT).
  public var beyondCommit = 0
  /// Why replay stopped before the commit index (R-DAMAGE), if it did.
  public var stopped: String?
  /// The lease sequence checks started from; nil = no lease known, the check was skipped.
  public var leaseSequence: Int64?
  /// The accepted write batches' operations, in log order (`BatchOp.seq` is its position).
  public var ops: [BatchOp] = []
  /// Undecodable Raft records of the range's replicas (HardState, truncated state, lease).
  public var problems: [Problem] = []
  /// Applied commands that change the range's bounds (split, merge): their writes are
  /// applied, but the range plan was made from the descriptors before replay.
  public var boundsChanges: [String] = []

  public init(rangeID: Int64, chosenStore: Int, appliedIndex: UInt64, leaseAppliedIndex: UInt64) {
    self.rangeID = rangeID
    self.chosenStore = chosenStore
    self.appliedIndex = appliedIndex
    self.leaseAppliedIndex = leaseAppliedIndex
  }

  /// Commands whose write batch was applied: acknowledged writes recovered from the log.
  public var applied: Int { entries.filter { if case .applied = $0.outcome { true } else { false } }.count }
  /// Applied commands that wrote something (lease requests and no-op commands excluded).
  public var writes: Int { entries.filter { if case .applied(let n) = $0.outcome { n > 0 } else { false } }.count }
  public var rejected: Int { entries.filter { if case .rejected = $0.outcome { true } else { false } }.count }
  public var leaseCheckSkipped: Bool { leaseSequence == nil && applied + rejected > 0 }

  /// Keys the accepted batches wrote, per SQL table id (system tenant; other keys are not
  /// counted): what the replay changed in each table.
  public var keysByTable: [UInt64: Int] {
    var out: [UInt64: Int] = [:]
    for op in ops {
      guard let k = try? EngineKey(decoding: op.key), case .table(nil, let t) = LocalKeys.role(of: k.roachKey) else { continue }
      out[t, default: 0] += 1
    }
    return out
  }
}

/// Decides and applies, per range, the committed entries the chosen replica had not applied.
public enum RaftReplayer {
  /// One surviving replica of the range: its store index, applied state and Raft state.
  public struct Replica: Sendable {
    public var store: Int
    public var appliedIndex: UInt64
    public var leaseAppliedIndex: UInt64
    public var log: ReplicaRaftLog

    public init(store: Int, appliedIndex: UInt64, leaseAppliedIndex: UInt64, log: ReplicaRaftLog) {
      self.store = store
      self.appliedIndex = appliedIndex
      self.leaseAppliedIndex = leaseAppliedIndex
      self.log = log
    }
  }

  /// Replays onto `replicas[0]` (the chosen, most advanced replica). R-COMMIT: an entry at
  /// index i is committed when a replica whose own HardState commit is ≥ i holds it (Raft
  /// never lets a follower's commit pass entries that differ from the leader's); such
  /// copies must agree in term, or replay stops there.
  /// `sideloaded(store, index, term)`: the path of that store's sideloaded AddSSTable payload.
  /// `replicaStores`: the store IDs of the range's descriptor (nil: unknown).
  public static func replay(rangeID: Int64, replicas: [Replica], replicaStores: Set<Int32>? = nil,
                            sideloaded: (_ store: Int, _ index: UInt64, _ term: UInt64) -> String? = { _, _, _ in nil }) -> RangeReplay {
    guard let chosen = replicas.first else {
      return RangeReplay(rangeID: rangeID, chosenStore: -1, appliedIndex: 0, leaseAppliedIndex: 0)
    }
    var out = RangeReplay(rangeID: rangeID, chosenStore: chosen.store, appliedIndex: chosen.appliedIndex,
                          leaseAppliedIndex: chosen.leaseAppliedIndex)
    for r in replicas where r.log.commit > out.commit {
      out.commit = r.log.commit
      out.commitStore = r.store
    }
    let start = chosen.appliedIndex &+ 1
    // Entries past every known commit index, counted once per index.
    let lastHeld = replicas.compactMap { $0.log.lastIndex }.max() ?? 0
    if lastHeld > max(out.commit, chosen.appliedIndex) {
      out.beyondCommit = Int(lastHeld - max(out.commit, chosen.appliedIndex))
    }
    guard out.commit >= start else { return out }

    var state = ApplyState(leaseAppliedIndex: chosen.leaseAppliedIndex, lease: chosen.log.lease,
                           gcThreshold: chosen.log.gcThreshold ?? .zero, replicaStores: replicaStores)
    out.leaseSequence = chosen.log.lease?.sequence
    var index = start
    while index <= out.commit {
      let holders = replicas.filter { $0.log.commit >= index && $0.log.entries[index] != nil }
      guard let first = holders.first else {
        out.stopped = "entry \(index) is committed (commit \(out.commit)) but no surviving log that knows it committed holds it"
        break
      }
      let entry: RaftEntry
      switch first.log.entry(index)! {
      case .failure(let e):
        out.stopped = "entry \(index) on store \(first.store) cannot be decoded: \(e)"
        return out
      case .success(let e): entry = e
      }
      guard entry.index == index else {
        out.stopped = "entry at key index \(index) on store \(first.store) says index \(entry.index)"
        return out
      }
      if let other = holders.dropFirst().first(where: { $0.log.term(index).map { $0 != entry.term } ?? false }) {
        out.stopped = "entry \(index) has term \(entry.term) on store \(first.store) but \(other.log.term(index)!) on store \(other.store)"
        return out
      }
      let payload: RaftPayload
      do { payload = try RaftPayload(entry) } catch {
        out.stopped = "entry \(index) on store \(first.store) cannot be decoded: \(error)"
        return out
      }
      var e = RangeReplay.Entry(index: index, term: entry.term, store: first.store,
                                isConfChange: payload.encoding.isConfChange, outcome: .empty)
      let sst = { sideloaded(first.store, index, entry.term) }
      switch state.apply(payload, index: index, sideloaded: sst, into: &out.ops) {
      case .success(let outcome):
        e.outcome = outcome
        if case .applied = outcome, let ev = payload.command?.evalResult, ev.hasSplit || ev.hasMerge {
          out.boundsChanges.append("entry \(index): \(ev.hasSplit ? "split" : "merge") replayed; the range plan still uses the descriptors from before replay")
        }
      case .failure(let why):
        out.stopped = why.description
        return out
      }
      out.entries.append(e)
      index += 1
    }
    return out
  }

  /// The replicated state apply-time checks read (R-APPLY-*).
  struct ApplyState {
    var leaseAppliedIndex: UInt64
    /// nil: no lease record survived and no lease change was seen yet; lease checks skipped.
    var lease: RaftLease?
    /// The range's GC threshold (zero when no `lgc-` record was ever written).
    var gcThreshold: MVCCTimestamp = .zero
    /// Store IDs of the range's replicas (its descriptor, followed through replayed
    /// descriptor changes); nil: unknown, a lease request's replica is not checked.
    var replicaStores: Set<Int32>? = nil

    /// `.failure` stops the replay (something Salvage cannot apply faithfully).
    mutating func apply(_ p: RaftPayload, index: UInt64, sideloaded: () -> String? = { nil },
                        into ops: inout [BatchOp]) -> Result<RangeReplay.Outcome, Stop> {
      guard let cmd = p.command, !p.commandID.isEmpty else { return .success(.empty) }
      let eval = cmd.evalResult
      if eval.isProbe { return .success(.rejected("probe request (a no-op by design)")) }
      if let lease {
        if let old = cmd.deprecatedProposerLease {
          if old.sequence != lease.sequence || old.epoch != lease.epoch || old.replica?.storeID != lease.replica?.storeID {
            return .success(.rejected("proposed under another lease (deprecated proposer lease)"))
          }
        } else if cmd.proposerLeaseSequence != lease.sequence {
          return .success(.rejected("proposed under lease #\(cmd.proposerLeaseSequence), applied under lease #\(lease.sequence)"))
        } else if eval.isLeaseRequest, let prev = eval.prevLeaseProposal, prev != lease.proposedTS {
          // R-APPLY-LEASE: proposed against another version of lease #n (an extension, or a
          // duplicate of a request that applied already).
          return .success(.rejected("lease request proposed against the lease of \(prev), current lease proposed at "
            + (lease.proposedTS.map { "\($0)" } ?? "no time")))
        }
      }
      if eval.isLeaseRequest, let stores = replicaStores, let store = eval.lease?.replica?.storeID, !stores.contains(store) {
        return .success(.rejected("lease for store s\(store), which holds no replica of the range"))
      }
      // Lease requests skip the lease index check and leave the counter (R-APPLY-MLI).
      if !eval.isLeaseRequest {
        guard leaseAppliedIndex < cmd.maxLeaseIndex else {
          return .success(.rejected("reproposal: lease applied index \(leaseAppliedIndex), command requires < \(cmd.maxLeaseIndex)"))
        }
        leaseAppliedIndex = cmd.maxLeaseIndex
      }
      // R-APPLY-GC, checked last (a command it rejects has moved the lease index already).
      if eval.writeTimestamp != .zero && eval.writeTimestamp <= gcThreshold {
        return .success(.rejected("writes at \(eval.writeTimestamp), at or below the GC threshold \(gcThreshold)"))
      }
      // R-APPLY-STATE: what an accepted command changes in the state the next ones are checked against.
      if eval.isLeaseRequest, let l = eval.lease { lease = l }
      if let t = eval.gcThreshold, t > gcThreshold { gcThreshold = t }
      if let d = eval.descriptor { replicaStores = Set(d.replicas.map(\.storeID)) }
      var applied: [BatchOp] = []
      if let wb = cmd.writeBatch, !wb.isEmpty {
        let batch = BatchDecoder.decode(wb, recordOffset: 0, file: "raft entry \(index)")
        if let d = batch.damage { return .failure(Stop("entry \(index): write batch: \(d)")) }
        applied = batch.ops.filter { $0.kind != Kind.logData }
      }
      // AddSSTable (R-SIDELOAD): the table is ingested with the command, after its batch.
      if let sst = eval.addSSTable {
        let table: Result<[BatchOp], AddSSTablePayload.Failure>
        if !sst.data.isEmpty {
          table = AddSSTablePayload.ops(bytes: sst.data, crc32: sst.crc32)
        } else if let path = sideloaded() {
          table = AddSSTablePayload.ops(path: path, crc32: sst.crc32)
        } else {
          return .failure(Stop("entry \(index): the sideloaded AddSSTable file is not on the store"))
        }
        switch table {
        case .success(let t): applied += t
        case .failure(let why): return .failure(Stop("entry \(index): AddSSTable: \(why)"))
        }
      }
      for var op in applied {
        op.seq = UInt64(ops.count)
        ops.append(op)
      }
      return .success(.applied(ops: applied.count))
    }
  }

  struct Stop: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
  }
}
