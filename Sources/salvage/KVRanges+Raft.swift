import LSMStore
import Recovery

/// What Raft log replay would do per range (`kv ranges`): the stores are opened again and
/// their Raft keys read; nothing is applied. A store that cannot be opened is left out.
func raftReplayPlan(_ directories: [String], view: ClusterView, plans: [Int64: RangePlan]) -> [Int64: RangeReplay] {
  let stores = directories.compactMap { try? LSMStore.Store(path: $0) }
  guard stores.count == directories.count else { return [:] }
  let ordered = view.ranges.compactMap { plans[$0.rangeID] }
  return Dictionary(RaftReplayPass.plan(stores: stores, view: view, plans: ordered).map { ($0.rangeID, $0) }) { a, _ in a }
}

/// `raft: commit 13 (from s2), 2 to replay, 1 rejected, 1 past commit; stopped: …`.
func raftReplayText(_ r: RangeReplay, label: (Int) -> String) -> String {
  var s = "raft: commit \(r.commit)" + (r.commitStore.map { " (from \(label($0)))" } ?? "")
  s += ", \(r.writes) acknowledged writes to replay"
  if r.rejected > 0 { s += ", \(r.rejected) rejected" }
  if r.beyondCommit > 0 { s += ", \(r.beyondCommit) past commit (never applied)" }
  if r.leaseCheckSkipped { s += ", lease check skipped (no lease record)" }
  if let why = r.stopped { s += "; stopped: \(why)" }
  return s
}

func raftReplayJSON(_ r: RangeReplay) -> String {
  "{\"commit_index\":\(r.commit),\"writes\":\(r.writes),\"entries_replayed\":\(r.applied),\"rejected\":\(r.rejected)"
    + ",\"beyond_commit\":\(r.beyondCommit),\"lease_check_skipped\":\(r.leaseCheckSkipped)"
    + ",\"stopped\":" + (r.stopped.map(kvJSONString) ?? "null") + "}"
}
