import CockroachKV
import SSTable
import LSMStore

/// Replay checked against CockroachDB itself: every store keeps part of each replica's log
/// that it has already applied, so the same apply-time rules (`RaftReplayer.ApplyState`)
/// run over that applied tail must arrive where CockroachDB did — the stored lease applied
/// index and lease, and the accepted commands' versioned writes present in the store, the
/// rejected ones' absent. Any difference is a replay rule or decoder that would be wrong on
/// unapplied entries too. (`salvage kv ranges --check-replay`.)
public struct ReplayCheck: Equatable, Sendable {
  public var rangeID: Int64
  public var store: Int
  /// First log index held and the replica's applied index: the entries replayed.
  public var firstIndex: UInt64
  public var appliedIndex: UInt64
  public var accepted = 0, rejected = 0, empty = 0
  /// Lease applied index after replaying the tail, and the one the store records.
  public var replayedLeaseAppliedIndex: UInt64 = 0
  public var storedLeaseAppliedIndex: UInt64
  /// Sequence of the last lease request the tail accepted (nil: none in the tail), and of
  /// the stored lease record.
  public var replayedLeaseSequence: Int64?
  public var storedLeaseSequence: Int64?
  /// Versioned puts of accepted commands found in the store with the same value, missing,
  /// or present with another value.
  public var writesFound = 0, writesMissing = 0, writesDiffering = 0
  /// Versioned puts of rejected commands (written by no accepted one) that are in the store.
  public var rejectedWritesPresent = 0
  /// Why the check stopped before the applied index (a gap, an undecodable entry).
  public var stopped: String?

  /// The replayed lease applied index is the stored one (0 replayed: no command of the tail
  /// moved it, nothing to compare).
  public var leaseAppliedIndexAgrees: Bool { replayedLeaseAppliedIndex == 0 || replayedLeaseAppliedIndex == storedLeaseAppliedIndex }
  public var leaseAgrees: Bool { replayedLeaseSequence == nil || replayedLeaseSequence == storedLeaseSequence }
  public var agrees: Bool {
    stopped == nil && leaseAppliedIndexAgrees && leaseAgrees && writesDiffering == 0 && rejectedWritesPresent == 0
  }
}

public enum RaftReplayChecker {
  /// Versioned puts collected from the replayed tails of one store, by engine key.
  struct Writes {
    var accepted: [[UInt8]: (value: [UInt8], range: Int64)] = [:]
    var rejected: [[UInt8]: Int64] = [:]
  }

  /// Checks every replica of `view` whose store still holds entries up to its applied index.
  public static func check(stores: [Store], view: ClusterView) -> [ReplayCheck] {
    var out: [ReplayCheck] = []
    for s in stores.indices {
      let logs = RaftLogReader.read(stores[s])
      var writes = Writes()
      var checks: [ReplayCheck] = []
      for r in view.ranges {
        guard let c = r.replicas.first(where: { $0.store == s }), let log = logs[r.rangeID],
              let first = log.entries.keys.min(), first <= c.raftAppliedIndex else { continue }
        var check = ReplayCheck(rangeID: r.rangeID, store: s, firstIndex: first, appliedIndex: c.raftAppliedIndex,
                                storedLeaseAppliedIndex: c.leaseAppliedIndex, storedLeaseSequence: log.lease?.sequence)
        replayTail(log, replicaStores: Set(r.descriptor.replicas.map(\.storeID)), into: &check, writes: &writes) { index, term in
          AddSSTablePayload.sideloadedPath(store: stores[s].path, rangeID: r.rangeID, index: index, term: term)
        }
        checks.append(check)
      }
      compare(stores[s], writes, into: &checks)
      out += checks
    }
    return out
  }

  /// Replays `log`'s entries from its first to `check.appliedIndex`, starting with no lease
  /// and lease applied index 0 (what came before the tail is unknown: the first lease
  /// request and the first command set them), collecting the versioned puts.
  static func replayTail(_ log: ReplicaRaftLog, replicaStores: Set<Int32>?, into check: inout ReplayCheck, writes: inout Writes,
                         sideloaded: @escaping (UInt64, UInt64) -> String?) {
    var state = RaftReplayer.ApplyState(leaseAppliedIndex: 0, lease: nil, replicaStores: replicaStores)
    var index = check.firstIndex
    while index <= check.appliedIndex {
      let entry: RaftEntry, payload: RaftPayload
      do {
        guard let decoded = log.entry(index) else {
          check.stopped = "entry \(index) is not in the log (it holds \(check.firstIndex) on)"
          return
        }
        entry = try decoded.get()
        payload = try RaftPayload(entry)
      } catch {
        check.stopped = "entry \(index) cannot be decoded: \(error)"
        return
      }
      var ops: [BatchOp] = []
      let isLeaseRequest = payload.command?.evalResult.isLeaseRequest == true
      switch state.apply(payload, index: index, sideloaded: { sideloaded(index, entry.term) }, into: &ops) {
      case .failure(let why):
        check.stopped = why.description
        return
      case .success(.empty): check.empty += 1
      case .success(.applied):
        check.accepted += 1
        if isLeaseRequest { check.replayedLeaseSequence = state.lease?.sequence }
        for op in ops { if let v = versionedPut(op) { writes.accepted[op.key] = (v, check.rangeID) } }
      case .success(.rejected):
        check.rejected += 1
        if let wb = payload.command?.writeBatch, !wb.isEmpty {
          for op in BatchDecoder.decode(wb, recordOffset: 0, file: "raft entry \(index)").ops where versionedPut(op) != nil {
            writes.rejected[op.key] = check.rangeID
          }
        }
      }
      index += 1
    }
    check.replayedLeaseAppliedIndex = state.leaseAppliedIndex
  }

  /// The value of a SET of an MVCC-versioned key (a write that stays in the store under its
  /// own engine key until GC), nil for anything else.
  static func versionedPut(_ op: BatchOp) -> [UInt8]? {
    guard op.kind == Kind.set, let k = try? EngineKey(decoding: op.key), case .mvcc = k.version else { return nil }
    return op.value
  }

  /// Looks the collected keys up in one pass over the store's blocks that may hold them.
  static func compare(_ store: Store, _ writes: Writes, into checks: inout [ReplayCheck]) {
    let wanted = Set(writes.accepted.keys).union(writes.rejected.keys)
    guard !wanted.isEmpty else { return }
    let sorted = wanted.sorted { store.comparer.compare($0, $1) < 0 }
    // A block holds keys in (previous, separator]: skip it when no wanted key falls there.
    let skip: ([UInt8]?, [UInt8]) -> Bool = { previous, separator in
      var lo = 0, hi = sorted.count
      while lo < hi {
        let mid = (lo + hi) / 2
        if let p = previous, store.comparer.compare(sorted[mid], p) <= 0 { lo = mid + 1 } else { hi = mid }
      }
      return lo == sorted.count || store.comparer.compare(sorted[lo], separator) > 0
    }
    var found: [[UInt8]: [UInt8]] = [:]
    let it = store.makeVisibleIterator(skipBlock: skip)
    while let e = it.next() { if wanted.contains(e.key) { found[e.key] = e.value } }
    let at = Dictionary(checks.indices.map { (checks[$0].rangeID, $0) }) { a, _ in a }
    for (key, w) in writes.accepted {
      guard let i = at[w.range] else { continue }
      switch found[key] {
      case nil: checks[i].writesMissing += 1
      case w.value?: checks[i].writesFound += 1
      default: checks[i].writesDiffering += 1
      }
    }
    for (key, range) in writes.rejected where writes.accepted[key] == nil && found[key] != nil {
      if let i = at[range] { checks[i].rejectedWritesPresent += 1 }
    }
  }
}
