import Foundation
import Recovery

extension ReportJSON {
  /// `raft_replay`: whether replay ran, the acknowledged writes it recovered, and per range
  /// what the committed-but-unapplied entries became (docs/raft-log-format.md §6).
  static func raftReplay(_ r: RecoveryReport) -> [String: Any] {
    var o: [String: Any] = ["enabled": !r.raftReplayOff, "acknowledged_writes": r.raftWrites]
    o["ranges"] = r.raftReplay.map { p -> [String: Any] in
      var rejected: [[String: Any]] = []
      for e in p.entries { if case .rejected(let why) = e.outcome { rejected.append(["index": e.index, "reason": why]) } }
      return [
        "range_id": p.rangeID, "applied_index": p.appliedIndex, "commit_index": p.commit,
        "commit_from_store": p.commitStore ?? NSNull(),
        "entries_replayed": p.applied, "writes": p.writes, "rejected": rejected,
        "empty_entries": p.entries.filter { $0.outcome == .empty }.count,
        "conf_changes": p.entries.filter(\.isConfChange).count,
        "beyond_commit": p.beyondCommit, "stopped": p.stopped ?? NSNull(),
        "lease_check_skipped": p.leaseCheckSkipped,
        "keys_written_by_table": Dictionary(uniqueKeysWithValues: p.keysByTable.map { (String($0.key), $0.value) }),
        "problems": p.problems.map(\.description), "bounds_changes": p.boundsChanges,
      ]
    }
    return o
  }
}
