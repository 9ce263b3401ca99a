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
  /// keys in it, and the problem lines of what was found (a block met by two calls is found
  /// twice: the report keeps one line).
  func damage(store s: Int, overlapping span: KeySpan) -> (spans: [KeySpan], problems: [String]) {
    let store = stores[s]
    var spans = known[s].filter { $0.overlaps(span) }
    var problems: [String] = []
    for (i, t) in store.tables.enumerated() where !t.unreadable {
      let bounds = TableBounds(t)
      guard bounds.span.overlaps(span) else { continue }
      let table: Table
      do { table = try Table(path: t.path) } catch {
        let first = firstDamage(s, i) { [bounds.span] }
        if first { problems.append(StoreCatalog.problem(store.path, "\(t.path): \(error)")) }
        spans.append(bounds.span)
        continue
      }
      var other: [Damage] = []
      let first = firstDamage(s, i) {
        other = table.verify(checksumsOnly: true, dataBlocks: false)
        return other.filter(\.losesEntries).map { bounds.span(lower: $0.lowerKey, upper: $0.upperKey) }
      }
      if first { problems += other.map { StoreCatalog.problem(store.path, "\($0)") } }
      spans += lockedTableDamage(s, i).filter { $0.overlaps(span) }
      var index = IndexIterator(table)
      var previous: [UInt8]?
      while let e = index.next() {
        let upper = e.separatorUserKey
        defer { previous = upper }
        let blockSpan = bounds.span(lower: previous, upper: upper)
        guard blockSpan.overlaps(span) else { continue }
        if let d = table.verify(LayoutBlock(dataBlock: e.handle, lowerKey: previous, upperKey: upper), checksumsOnly: true) {
          problems.append(StoreCatalog.problem(store.path, "\(d)"))
          spans.append(blockSpan)
        }
      }
      // Partitions of a two-level index that do not decode hide their data blocks.
      for d in index.damages {
        let lost = bounds.span(lower: d.lowerKey, upper: d.upperKey)
        if lost.overlaps(span) { problems.append(StoreCatalog.problem(store.path, "\(d)")); spans.append(lost) }
      }
      if let f = index.fatal {
        problems.append(StoreCatalog.problem(store.path, "\(Damage(file: t.path, blockKind: "index", handle: table.footer.index, message: f.message))"))
        spans.append(bounds.span)
      }
    }
    return (Coverage.union(spans), problems)
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
  func pieces(of span: KeySpan, range: KeySpan, replicas: [Int]) -> Pieces {
    var out = Pieces()
    guard let chosen = replicas.first else { return out }
    let found = damage(store: chosen, overlapping: span)
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
    var problems: [String] = []
  }
}
