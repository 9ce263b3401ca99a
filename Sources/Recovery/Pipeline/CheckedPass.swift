import CockroachKV
import LSMStore

/// One unit's pass over a store with its blocks checked as it goes (`BlockChecks`). When the
/// pass reaches a chunk, the chunk's blocks are checked; a damaged block's span (as the
/// planner cuts it) is then dropped from this store's keys and read from the next intact
/// replica instead, in key order, as part of the same chunk, before any later key is handed
/// on; a span no replica holds intact is noted as lost. Nothing is handed on before the check
/// of its chunk, so the output is what a plan made after checking every block gives.
final class CheckedPass {
  let checks: BlockChecks
  let store: Int
  let stores: [Store]
  let chunks: [RecoveryChunk]
  let readTimestamp: MVCCTimestamp
  /// A chunk's range span and the stores to try, the one read first.
  let replicas: (RecoveryChunk) -> (span: KeySpan, stores: [Int])
  /// Per chunk: damaged spans, lost parts and problems found (read by `RecoveryRun.read`).
  private(set) var notes: [ChunkResult]
  private var checkedThrough = -1
  /// Per chunk: parts of its span whose keys are not taken from this store.
  private var excluded: [[KeySpan]]
  /// Parts read from other stores, in key order, and the next one to read.
  private var elsewhere: [(chunk: Int, span: KeySpan, store: Int)] = []
  private var nextElsewhere = 0
  private var elsewhereStats = SpanScanStats()
  /// This store's tables walked once for the whole pass (the chunks come in key order).
  private let walks = BlockChecks.Walks()

  init(checks: BlockChecks, store: Int, stores: [Store], chunks: [RecoveryChunk], readTimestamp: MVCCTimestamp,
       replicas: @escaping (RecoveryChunk) -> (span: KeySpan, stores: [Int])) {
    self.checks = checks
    self.store = store
    self.stores = stores
    self.chunks = chunks
    self.readTimestamp = readTimestamp
    self.replicas = replicas
    notes = Array(repeating: ChunkResult(), count: chunks.count)
    excluded = Array(repeating: [], count: chunks.count)
  }

  /// `scanner`'s pass (over the chunks' spans, in order) with the checks and the parts read
  /// elsewhere, handing each resolved key on with its chunk's index.
  func run(_ scanner: SpanScanner, _ visit: (Int, ResolvedView) throws -> Void) throws -> SpanScanStats {
    var stats = try scanner.runBorrowed { i, r in
      if i > checkedThrough { check(through: i) }
      try readElsewhere(before: r.roachKey, visit)
      if !excluded[i].isEmpty, excluded[i].contains(where: { Self.contains($0, r.roachKey) }) { return }
      try visit(i, r)
    }
    check(through: chunks.count - 1)
    try readElsewhere(before: nil, visit)
    stats.add(elsewhereStats)
    // The pass may have met (and skipped) a block the checks found: one line for it is enough.
    let found = notes.flatMap(\.problems)
    stats.problems.removeAll { p in found.contains { p.description.hasSuffix($0.description) } }
    return stats
  }

  private func check(through last: Int) {
    while checkedThrough < last {
      checkedThrough += 1
      let k = checkedThrough, c = chunks[k]
      let (range, order) = replicas(c)
      let found = checks.pieces(of: c.span, range: range, replicas: order, walks: order.first == store ? walks : nil)
      notes[k].problems += found.problems
      for d in found.damaged {
        notes[k].damaged.append(.init(rangeID: c.rangeID ?? 0, span: .init(d.span), store: store, readFrom: d.store))
        guard let part = d.span.intersection(c.span) else { continue }
        excluded[k].append(part)
        if let from = d.store { elsewhere.append((k, part, from)) } else { notes[k].lost.append(.init(part)) }
      }
    }
  }

  /// Reads the parts to take from other stores that start at or before `key` (a key of this
  /// store outside them, or nil: all that are left).
  private func readElsewhere(before key: UnsafeRawBufferPointer?, _ visit: (Int, ResolvedView) throws -> Void) throws {
    while nextElsewhere < elsewhere.count {
      let part = elsewhere[nextElsewhere]
      if let key, part.span.start.withUnsafeBytes({ Comparer.bytes($0, key) }) > 0 { return }
      nextElsewhere += 1
      let other = SpanScanner(store: stores[part.store], spans: [part.span], readTimestamp: readTimestamp)
      let s = try other.runBorrowed { _, r in try visit(part.chunk, r) }
      elsewhereStats.add(s)
      notes[part.chunk].problems += s.problems.map { $0.inStore(stores[part.store].path) }
    }
  }

  static func contains(_ span: KeySpan, _ key: UnsafeRawBufferPointer) -> Bool {
    span.start.withUnsafeBytes { Comparer.bytes(key, $0) } >= 0 && span.end.withUnsafeBytes { Comparer.bytes(key, $0) } < 0
  }
}

extension RecoveryRun {
  /// The range span of `c` and the stores to read it from: `s` first, then the replicas the
  /// planner ranks after it. A chunk outside every range (a store read whole) has only `s`.
  func replicas(of c: RecoveryChunk, readFrom s: Int) -> (span: KeySpan, stores: [Int]) {
    guard let id = c.rangeID, let r = replicaOrder[id], r.stores.contains(s) else { return (.everything, [s]) }
    return (r.span, Array(r.stores.drop { $0 != s }))
  }

  /// Adds what checks made while reading found for a chunk (caller holds `lock` or runs alone).
  func addDamage(_ r: ChunkResult, of c: RecoveryChunk) {
    damagedWhileReading += r.damaged
    lostWhileReading += r.lost.map { LostPart(table: c.table, rangeID: c.rangeID ?? 0, span: $0.keySpan) }
  }

  /// A part of a chunk that no replica holds intact (found while reading).
  struct LostPart {
    var table: Int
    var rangeID: Int64
    var span: KeySpan
  }

  /// The damaged spans and lost parts found while reading, in the report as a plan made after
  /// checking every block gives them: per range and store, the damaged spans the chunks met
  /// (two chunks may meet one block), in key order; each table's lost spans in key order.
  func settleDamage(_ chunks: [RecoveryChunk]) {
    let label = { (i: Int) in self.storeLabels.indices.contains(i) ? self.storeLabels[i] : "store \(i)" }
    let groups = Dictionary(grouping: damagedWhileReading) { "\($0.rangeID) \($0.store) \($0.readFrom ?? -1)" }
    for g in groups.values {
      for span in Coverage.union(g.map(\.span.keySpan)) {
        report.damagedSpans.append(.init(rangeID: g[0].rangeID, span: span.pretty, start: span.start, end: span.end,
                                         store: label(g[0].store), readFrom: g[0].readFrom.map(label)))
      }
    }
    report.damagedSpans.sort { $0.start.lexicographicallyPrecedes($1.start) }
    for (t, parts) in Dictionary(grouping: lostWhileReading, by: \.table) {
      var spans = chunks.filter { $0.table == t && $0.store == nil }.map(\.span)
      for (_, inRange) in Dictionary(grouping: parts, by: \.rangeID) { spans += Coverage.union(inRange.map(\.span)) }
      report.tables[t].lostSpans = spans.sorted().map(\.pretty)
    }
  }
}
