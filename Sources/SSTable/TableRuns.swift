/// A table's data blocks cut into runs of consecutive blocks, one iterator per run, for a
/// scan on several threads: the index is walked once, here, and each run's iterator reads
/// only its blocks (no index walk of its own). A run's iterator reports damage exactly as one
/// iterator over the whole table would (its first block's lower bound is the separator of the
/// block before the run). Index damage met by the walk is in `damages` once the runs are out.
public struct TableRuns: IteratorProtocol {
  public let table: Table
  public let blocksPerRun: Int
  var index: IndexIterator
  var previousSeparator: [UInt8]?
  public private(set) var damages: [Damage] = []

  public init(_ table: Table, blocksPerRun: Int) {
    self.table = table
    self.blocksPerRun = max(1, blocksPerRun)
    index = IndexIterator(table)
  }

  /// The next run's iterator; nil after the last block (then `damages` holds the index's).
  public mutating func next() -> TableIterator? {
    var run: [IndexEntry] = []
    let before = previousSeparator
    while run.count < blocksPerRun, let e = index.next() {
      run.append(e)
      previousSeparator = e.separatorUserKey
    }
    guard !run.isEmpty else {
      index.drainDamages(into: &damages)
      return nil
    }
    let it = TableIterator(table, dataBlocks: run)
    it.previousSeparator = before
    return it
  }
}
