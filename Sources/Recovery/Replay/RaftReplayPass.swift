import CockroachKV
import LSMStore

/// The replay step of a recovery: reads every store's Raft state (one short pass each, over
/// the range-ID-local keys), replays each planned range's committed-but-unapplied entries
/// onto its chosen replica and adds the accepted writes to that store as an overlay, so
/// the schema and row passes that follow read them like any stored write.
public enum RaftReplayPass {
  /// Returns one report per range that had anything to consider (a HardState commit past
  /// the chosen replica's applied index, or entries past a known commit), in plan order.
  @discardableResult
  public static func run(stores: [Store], view: ClusterView, plans: [RangePlan], logs: [[Int64: ReplicaRaftLog]]? = nil) -> [RangeReplay] {
    let reps = plan(stores: stores, view: view, plans: plans, logs: logs)
    var overlays: [Int: [BatchOp]] = [:]
    for r in reps { overlays[r.chosenStore, default: []] += r.ops }
    for (store, ops) in overlays { stores[store].addOverlay(ops) }
    return reps
  }

  /// What replay would do, without touching the stores (`kv ranges`). `logs`: each store's
  /// Raft state as its catalog read it; nil reads it here (a short pass per store).
  public static func plan(stores: [Store], view: ClusterView, plans: [RangePlan], logs given: [[Int64: ReplicaRaftLog]]? = nil) -> [RangeReplay] {
    let ranges = Dictionary(view.ranges.map { ($0.rangeID, $0) }) { a, _ in a }
    let logs = given ?? stores.indices.map { s in
      var applied: [Int64: UInt64] = [:]
      for r in view.ranges { for c in r.replicas where c.store == s { applied[r.rangeID] = c.raftAppliedIndex } }
      return RaftLogReader.read(stores[s], appliedIndexes: applied)
    }
    var out: [RangeReplay] = []
    for plan in plans {
      guard let chosen = plan.chosenStore, let r = ranges[plan.rangeID], r.chosen?.store == chosen else { continue }
      let replicas = r.replicas.map { c in
        RaftReplayer.Replica(store: c.store, appliedIndex: c.raftAppliedIndex, leaseAppliedIndex: c.leaseAppliedIndex,
                             log: logs[c.store][r.rangeID] ?? ReplicaRaftLog(rangeID: r.rangeID))
      }
      var rep = RaftReplayer.replay(rangeID: r.rangeID, replicas: replicas,
                                    replicaStores: Set(r.descriptor.replicas.map(\.storeID))) { store, index, term in
        AddSSTablePayload.sideloadedPath(store: stores[store].path, rangeID: r.rangeID, index: index, term: term)
      }
      // Without any HardState nothing is known committed: such logs are only counted by `kv ranges`.
      guard rep.commit > rep.appliedIndex || (rep.commit > 0 && rep.beyondCommit > 0) || rep.stopped != nil else { continue }
      rep.problems = replicas.flatMap(\.log.problems)
      out.append(rep)
    }
    return out
  }
}
