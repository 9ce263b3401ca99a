import SSTable

extension Store {
  /// Seqnums of overlay writes start here: above any a real store reaches (seqnums are 56
  /// bits; a store would need 2^55 writes), so an overlay shadows everything stored.
  public static let overlayBaseSeq: UInt64 = 1 << 55

  /// Adds writes on top of the store, as a newer memtable would: replayed Raft log entries
  /// (docs/raft-log-format.md R-OVERLAY). `ops` are applied in order: each gets the next
  /// seqnum above every stored and earlier overlay write. Every reader made afterwards
  /// (`makeVisibleIterator`, range deletions, range keys) sees them.
  public func addOverlay(_ ops: [BatchOp]) {
    guard !ops.isEmpty else { return }
    var next = memtable.points.reduce(Self.overlayBaseSeq) { max($0, $1.seq &+ 1) }
    next = memtable.rangeDeletions.reduce(next) { max($0, $1.seq &+ 1) }
    var batch = Batch(offset: 0, seq: next, count: UInt32(truncatingIfNeeded: ops.count), ops: [])
    for var op in ops {
      op.seq = next
      next &+= 1
      batch.ops.append(op)
    }
    let before = (memtable.rangeDeletions.count, memtable.rangeKeys.count)
    memtable.apply(batch, file: "raft log overlay")
    memtable.seal(comparer)
    rangeDeletions += memtable.rangeDeletions[before.0...]
    rangeKeys += memtable.rangeKeys[before.1...]
  }
}

extension BatchOp {
  /// An operation for `Store.addOverlay` (which assigns its seqnum).
  public static func overlay(kind: UInt8, key: [UInt8], value: [UInt8] = []) -> BatchOp {
    BatchOp(kind: kind, seq: 0, key: key, value: value)
  }
}
