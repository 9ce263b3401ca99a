import LSMStore
import Recovery

/// What Raft log replay would do per range (`kv ranges`), from the Raft state the store
/// catalogs read (`logs`); nothing is applied.
func raftReplayPlan(_ stores: [LSMStore.Store], logs: [[Int64: ReplicaRaftLog]], view: ClusterView,
                    plans: [Int64: RangePlan]) -> [Int64: RangeReplay] {
  let ordered = view.ranges.compactMap { plans[$0.rangeID] }
  return Dictionary(RaftReplayPass.plan(stores: stores, view: view, plans: ordered, logs: logs).map { ($0.rangeID, $0) }) { a, _ in a }
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

/// `kv ranges --check-replay`: per store, how many applied entries were replayed and whether
/// the outcome matched the store; a line per range that did not.
func writeReplayChecks(_ stores: [LSMStore.Store], view: ClusterView, format: OutputFormat, out: Output) {
  let checks = RaftReplayChecker.check(stores: stores, view: view)
  if format == .jsonl {
    for c in checks {
      out.write("{\"replay_check\":{\"range_id\":\(c.rangeID),\"store\":" + kvJSONString(view.stores[c.store].label)
        + ",\"first_index\":\(c.firstIndex),\"applied_index\":\(c.appliedIndex),\"accepted\":\(c.accepted),\"rejected\":\(c.rejected)"
        + ",\"empty\":\(c.empty),\"lease_applied_index\":[\(c.replayedLeaseAppliedIndex),\(c.storedLeaseAppliedIndex)]"
        + ",\"lease_sequence\":[" + (c.replayedLeaseSequence.map(String.init) ?? "null") + "," + (c.storedLeaseSequence.map(String.init) ?? "null") + "]"
        + ",\"writes_found\":\(c.writesFound),\"writes_missing\":\(c.writesMissing),\"writes_differing\":\(c.writesDiffering)"
        + ",\"rejected_writes_present\":\(c.rejectedWritesPresent),\"stopped\":" + (c.stopped.map(kvJSONString) ?? "null")
        + ",\"agrees\":\(c.agrees)}}")
      out.endLine()
    }
    return
  }
  out.write("replay checked against applied entries:")
  out.endLine()
  for s in stores.indices {
    let mine = checks.filter { $0.store == s }
    let sum = { (f: (ReplayCheck) -> Int) in mine.reduce(0) { $0 + f($1) } }
    out.write("  \(view.stores[s].label): \(mine.count) range(s), \(sum { Int($0.appliedIndex - $0.firstIndex + 1) }) applied entries: "
      + "\(sum(\.accepted)) accepted, \(sum(\.rejected)) rejected, \(sum(\.empty)) empty; "
      + "\(sum(\.writesFound)) versioned writes found, \(sum(\.writesMissing)) not in the store; "
      + "\(mine.filter(\.agrees).count) of \(mine.count) agree")
    out.endLine()
    for c in mine where !c.agrees { out.write("    " + replayCheckText(c)); out.endLine() }
  }
}

func replayCheckText(_ c: ReplayCheck) -> String {
  var parts: [String] = []
  if let why = c.stopped { parts.append("stopped: \(why)") }
  if !c.leaseAppliedIndexAgrees { parts.append("lease applied index \(c.replayedLeaseAppliedIndex) replayed, \(c.storedLeaseAppliedIndex) stored") }
  if !c.leaseAgrees { parts.append("lease #\(c.replayedLeaseSequence!) replayed, #" + (c.storedLeaseSequence.map(String.init) ?? "none") + " stored") }
  if c.writesDiffering > 0 { parts.append("\(c.writesDiffering) write(s) with another value in the store") }
  if c.rejectedWritesPresent > 0 { parts.append("\(c.rejectedWritesPresent) write(s) of rejected commands in the store") }
  return "r\(c.rangeID) entries \(c.firstIndex)–\(c.appliedIndex): " + parts.joined(separator: "; ")
}
