import Recovery

/// The summary line of Raft log replay (issue 17): how many acknowledged writes came from
/// logs, and what was not applied. Nil when no range had committed entries to consider.
func raftReplaySummary(_ r: RecoveryReport) -> String? {
  if r.raftReplayOff { return "Raft log replay off (--no-raft-replay): committed entries not yet applied are not read" }
  let rejected = r.raftReplay.reduce(0) { $0 + $1.rejected }
  let stopped = r.raftReplay.filter { $0.stopped != nil }.count
  guard r.raftWrites > 0 || rejected > 0 || stopped > 0 else { return nil }
  let ranges = r.raftReplay.filter { $0.writes > 0 }.count
  var s = "\(r.raftWrites) acknowledged writes from Raft logs (\(ranges) ranges"
  if rejected > 0 { s += ", \(rejected) entries rejected as CockroachDB would" }
  if stopped > 0 { s += ", \(stopped) ranges stopped early: see report.json" }
  let skipped = r.raftReplay.filter(\.leaseCheckSkipped).count
  if skipped > 0 { s += ", lease check skipped on \(skipped) ranges (no lease record)" }
  return s + ")"
}
