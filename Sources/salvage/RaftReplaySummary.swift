import Recovery

/// The summary line of Raft log replay (issue 17): how many acknowledged writes came from
/// logs, and what was not applied. Nil when no range had committed entries to consider.
func raftReplaySummary(_ r: RecoveryReport) -> String? {
  if r.raftReplayOff { return "Raft log replay off (--no-raft-replay): committed entries not yet applied are not read" }
  guard !r.raftReplay.isEmpty else { return nil }
  var s = "\(r.raftWrites) acknowledged writes from Raft logs (\(r.raftReplay.count) ranges"
  let rejected = r.raftReplay.reduce(0) { $0 + $1.rejected }
  if rejected > 0 { s += ", \(rejected) entries rejected as CockroachDB would" }
  let stopped = r.raftReplay.filter { $0.stopped != nil }.count
  if stopped > 0 { s += ", \(stopped) ranges stopped early: see report.json" }
  let skipped = r.raftReplay.filter(\.leaseCheckSkipped).count
  if skipped > 0 { s += ", lease check skipped on \(skipped) ranges (no lease record)" }
  return s + ")"
}
