import CockroachKV

extension RecoveryRun.Prepared {
  /// Rows of a table estimated from the MVCC stats in the applied state of the chosen
  /// replica of each range: live KVs / column families, counted for the ranges that lie
  /// inside the table's primary index. `partial` is set when a range straddles the table's
  /// bounds or has no stats (the estimate then undercounts).
  public func estimatedRows(_ table: Int) -> (rows: Int64, partial: Bool) {
    let families = Int64(max(1, tables[table].descriptor.families.count))
    var live: Int64 = 0
    var partial = false
    for c in chunks where c.table == table {
      guard let s = c.store, let id = c.rangeID,
            let stats = catalogs[s].replicas[id]?.appliedState?.stats else { partial = true; continue }
      // Only a range wholly inside the table: its stats count nothing else.
      guard let r = catalogs[s].localDescriptors.first(where: { $0.descriptor.rangeID == id })?.descriptor,
            !r.startKey.lexicographicallyPrecedes(tables[table].primarySpan.start),
            !tables[table].primarySpan.end.lexicographicallyPrecedes(r.endKey) else { partial = true; continue }
      live += stats.liveCount
    }
    return (live / families, partial)
  }
}
