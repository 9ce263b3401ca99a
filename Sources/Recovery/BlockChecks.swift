import CockroachKV
import Foundation
import LSMStore
import SSTable

/// Block checks made as the recovery reads (issue 15, item 3), instead of a pass over every
/// block of every store before planning: just before a store's span is read, the data blocks
/// of its tables that may hold keys of the span are checked against their checksums. Only
/// what is read is checked (not the lagging replicas, not the system ranges); the pages the
/// check reads are the ones the read that follows needs, so the store is read from disk once.
///
/// A damaged block's span is the same as the whole-store check gives (`TableBounds`), so the
/// replica chosen for it (`pieces`) is the one `ReplicaPlanner` chooses after that check.
final class BlockChecks: @unchecked Sendable {
  let stores: [Store]
  /// Per store: spans known damaged before reading (tables the LSM could not open).
  let known: [[KeySpan]]
  private let lock = NSLock()
  /// Per store and table index: the damage of the table's other blocks (index, meta, range
  /// deletions, footer), found once; its problems are handed out with the first finding.
  private var tableDamage: [Int: [Int: [KeySpan]]] = [:]

  init(stores: [Store], known: [[KeySpan]]) {
    self.stores = stores
    self.known = known
  }

  /// Damaged spans of store `s` that overlap `span`, after checking every block that may hold
  /// keys in it, and the problem lines of what was found (a block met by two calls may be
  /// found twice: the report keeps one line). `walks`: the store's index walks of one pass,
  /// for spans handed in key order (each table's index is walked once, not once per span).
  func damage(store s: Int, overlapping span: KeySpan, walks: Walks? = nil) -> (spans: [KeySpan], problems: [Problem]) {
    let store = stores[s]
    var spans = known[s].filter { $0.overlaps(span) }
    var problems: [Problem] = []
    for (i, t) in store.tables.enumerated() where !t.unreadable {
      let bounds = TableBounds(t)
      if let walks, let w = walks.byTable[i], !span.start.lexicographicallyPrecedes(bounds.high) {
        // The pass has left the table behind: its file is let go (its damage is kept).
        walks.finished[i] = w.found
        walks.byTable[i] = nil
      }
      guard bounds.span.overlaps(span) else { continue }
      if let found = walks?.finished[i] {
        spans += found.filter { $0.overlaps(span) } + lockedTableDamage(s, i).filter { $0.overlaps(span) }
        continue
      }
      let walk: TableWalk
      if let w = walks?.byTable[i] { walk = w } else {
        let table: Table
        do { table = try Table(path: t.path) } catch {
          let first = firstDamage(s, i) { [bounds.span] }
          if first { problems.append(Problem(.damage, store: store.path, file: t.path, "\(error)")) }
          spans.append(bounds.span)
          continue
        }
        walk = TableWalk(table, bounds: bounds, comparer: store.comparer, seeks: t.meta?.syntheticPrefix == nil)
        walks?.byTable[i] = walk
      }
      var other: [Damage] = []
      let first = firstDamage(s, i) {
        other = walk.table.verify(checksumsOnly: true, dataBlocks: false)
        return other.filter(\.losesEntries).map { bounds.span(lower: $0.lowerKey, upper: $0.upperKey) }
      }
      if first { problems += other.map { Problem($0, store: store.path) } }
      spans += lockedTableDamage(s, i).filter { $0.overlaps(span) }
      problems += walk.check(span).map { Problem($0, store: store.path) }
      spans += walk.found.filter { $0.overlaps(span) }
    }
    return (Coverage.union(spans), problems)
  }

  /// One pass's index walks over a store's tables (`damage(store:overlapping:walks:)`).
  final class Walks {
    var byTable: [Int: TableWalk] = [:]
    /// Tables the pass has left: the damage their walks found.
    var finished: [Int: [KeySpan]] = [:]
  }

  /// A walk over one table's data blocks in key order, checking those a span may need.
  final class TableWalk {
    struct Block {
      var entry: SSTable.IndexEntry
      /// The previous block's separator: every key of this block is above it.
      var lower: [UInt8]?
      var span: KeySpan
    }
    let table: Table
    let bounds: TableBounds
    let comparer: Comparer
    var index: IndexIterator
    var previous: [UInt8]?
    /// The next block, past the last span checked.
    var pending: Block?
    var ended = false
    /// Spans of the damaged blocks (and unreadable index parts) found so far.
    var found: [KeySpan] = []
    var indexDamagesSeen = 0
    var fatalSeen = false
    /// The index was sought to the first span checked (blocks before it hold no key of it
    /// or of the later ones: spans come in key order).
    var sought = false

    /// `seeks`: false for a table whose file keys lack a synthetic prefix (read from its start).
    init(_ table: Table, bounds: TableBounds, comparer: Comparer, seeks: Bool = true) {
      sought = !seeks
      self.table = table
      self.bounds = bounds
      self.comparer = comparer
      index = IndexIterator(table)
    }

    /// Checks the blocks not passed yet that may hold keys of `span` (blocks before it are
    /// passed over: spans come in key order); returns the damage found now.
    func check(_ span: KeySpan) -> [Damage] {
      var problems: [Damage] = []
      let stop = SpanScanner.stopBound(end: span.end, comparer: comparer)
      if !sought {
        sought = true
        let c = comparer
        previous = SpanScanner.seekKey(span.start).withUnsafeBytes { k in index.seek(atOrAfter: k, compare: { c.compare($0, $1) }) }
      }
      while true {
        if pending == nil {
          guard !ended, let e = index.next() else { ended = true; break }
          let lower = previous
          previous = e.separatorUserKey
          pending = Block(entry: e, lower: lower, span: bounds.span(lower: lower, upper: e.separatorUserKey))
        }
        let b = pending!
        // Every key of the block is past the span: it waits for a later one.
        if let lo = b.lower, stop.isPast(lo) { break }
        pending = nil
        guard b.span.overlaps(span) else { continue }
        let block = LayoutBlock(dataBlock: b.entry.handle, lowerKey: b.lower, upperKey: b.entry.separatorUserKey)
        if let d = table.verify(block, checksumsOnly: true) {
          problems.append(d)
          found.append(b.span)
        }
      }
      // Partitions of a two-level index that do not decode hide their data blocks.
      for d in index.damages.dropFirst(indexDamagesSeen) {
        problems.append(d)
        found.append(bounds.span(lower: d.lowerKey, upper: d.upperKey))
      }
      indexDamagesSeen = index.damages.count
      if let f = index.fatal, !fatalSeen {
        fatalSeen = true
        problems.append(Damage(file: table.path, blockKind: "index", handle: table.footer.index, message: f.message))
        found.append(bounds.span)
      }
      return problems
    }
  }

  /// Records table `i` of store `s` as having its other blocks checked (by `find`, run only
  /// the first time); true for that first time.
  private func firstDamage(_ s: Int, _ i: Int, _ find: () -> [KeySpan]) -> Bool {
    lock.lock()
    if tableDamage[s]?[i] != nil { lock.unlock(); return false }
    lock.unlock()
    let found = find()
    lock.lock(); defer { lock.unlock() }
    guard tableDamage[s]?[i] == nil else { return false }
    tableDamage[s, default: [:]][i] = found
    return true
  }

  private func lockedTableDamage(_ s: Int, _ i: Int) -> [KeySpan] {
    lock.lock(); defer { lock.unlock() }
    return tableDamage[s]?[i] ?? []
  }

  /// Where to read `span` of a range (replicas in the planner's order, the chosen one first):
  /// the chosen store except where its blocks are damaged; a damaged piece (the damaged
  /// blocks' spans inside the range, as `ReplicaPlanner` cuts them) from the next replica
  /// intact over the whole piece, or from none.
  /// `walks`: the chosen store's walks of one pass (spans in key order).
  func pieces(of span: KeySpan, range: KeySpan, replicas: [Int], walks: Walks? = nil) -> Pieces {
    var out = Pieces()
    guard let chosen = replicas.first else { return out }
    let found = damage(store: chosen, overlapping: span, walks: walks)
    out.problems = found.problems
    for piece in Coverage.union(found.spans.compactMap { $0.intersection(range) }) where piece.overlaps(span) {
      var from: Int?
      for c in replicas.dropFirst() {
        let other = damage(store: c, overlapping: piece)
        out.problems += other.problems
        if other.spans.isEmpty { from = c; break }
      }
      out.damaged.append(.init(span: piece, store: from))
    }
    return out
  }

  struct Pieces {
    /// Damaged spans of the chosen store (cut to the range), each with the store it is read
    /// from instead (nil: none is intact there).
    var damaged: [RangePlan.Fallback] = []
    var problems: [Problem] = []
  }
}
