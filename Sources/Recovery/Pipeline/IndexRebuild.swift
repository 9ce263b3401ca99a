import CockroachKV
import CockroachSQL
import Foundation
import LSMStore

/// Rows from the indexes (issue 18). Every secondary-index entry holds its key columns, the
/// row's primary key and its STORING (and composite key) columns (spec §5.6), so a lost span
/// of a table's primary index can be rebuilt from the table's surviving secondary indexes:
///
/// ```
/// index spans on their chosen replicas ──SpanScanner──▶ entries (assembleSecondary)
///   ──primary key re-encoded (KeyEncoding)──▶ held per lost chunk, merged per key
///   ──▶ full rows (every output column known)  → the table's CSV (and database copies)
///   ──▶ partial rows                            → <table>.partial.csv (known_columns)
/// ```
/// By default (`indexRebuild`) rebuilt rows go to `<table>.partial.csv` (full ones with every
/// column in `known_columns`): only `--rebuild-from-indexes` puts full rows into the table's
/// CSV. The scan reads only the index spans of tables that lost primary spans.
/// Memory: entries are held for a window of chunks only; when more than `heldRowCap` rows
/// are held the window gives up its last chunks (read again by the next pass).
extension RecoveryRun {
  /// Rows held at once before the window shrinks (SALVAGE_INDEX_HOLD_ROWS: tests use 1).
  static var heldRowCap: Int { ProcessInfo.processInfo.environment["SALVAGE_INDEX_HOLD_ROWS"].flatMap { Int($0) } ?? 1_000_000 }

  /// Pseudo store index of chunks rebuilt from indexes (after the backup's `stores.count`).

  /// The secondary indexes of `t` that hold row data, and why the others do not.
  static func indexSources(_ t: TableDescriptor) -> (usable: [IndexSource], unusable: [UnusableIndex]) {
    var usable: [IndexSource] = [], unusable: [UnusableIndex] = []
    let pk = t.primaryIndex.keyColumnIDs
    for ix in t.indexes {
      func no(_ why: String) { unusable.append(UnusableIndex(table: t.name, index: ix.name, reason: why)) }
      if ix.kind != .forward { no("inverted or vector index: its keys are not column values"); continue }
      if let p = ix.predicate, !p.isEmpty { no("partial index (WHERE \(p)): holds only some rows"); continue }
      if ix.encodingType != 0 { no("primary-encoded index (a primary key change in flight)"); continue }
      let cols = ix.keyColumnIDs + ix.keySuffixColumnIDs + ix.storeColumnIDs
      if cols.contains(where: { id in t.column(id: id).map { $0.virtual || $0.computeExpr != nil } ?? true }) {
        no("expression or virtual column in the index: not a stored column"); continue
      }
      var known = Set(cols).union(pk)
      // A collated string's key is a collation key: its text is only in the value (composite).
      for id in ix.keyColumnIDs where t.column(id: id)?.type.family == .collatedString && !ix.compositeColumnIDs.contains(id) {
        known.remove(id)
      }
      var start: [UInt8] = [], end: [UInt8] = []
      OrderedEncoding.encodeUvarintAscending(UInt64(t.id), into: &start)
      end = start
      OrderedEncoding.encodeUvarintAscending(UInt64(ix.id), into: &start)
      OrderedEncoding.encodeUvarintAscending(UInt64(ix.id) + 1, into: &end)
      usable.append(IndexSource(index: ix, known: known, span: KeySpan(start: start, end: end)))
    }
    return (usable, unusable)
  }

  /// Lost chunks of tables with usable indexes become chunks of their own (source `.indexes`),
  /// read in key order like any other (with `--rebuild-from-indexes` their full rows go into
  /// the table's CSV and database copies). Called once the lost spans are listed.
  func planRebuild(_ chunks: inout [RecoveryChunk], stores: [Store], tables: [RecoveredTable]) {
    guard options.indexRebuild || options.rebuildFromIndexes else { return }
    let losing = Set(chunks.filter { $0.store == nil }.map(\.table))
    for (i, t) in tables.enumerated() where losing.contains(i) {
      for u in Self.indexSources(t.descriptor).unusable {
        report.notices.append("\(t.qualifiedName.joined(separator: ".")): index \(u.index) is not used to rebuild rows: \(u.reason)")
      }
    }
    for i in chunks.indices where chunks[i].store == nil && !Self.indexSources(tables[chunks[i].table].descriptor).usable.isEmpty {
      chunks[i].read(from: .indexes, storeCount: stores.count)
      chunks[i].estimatedBytes = nil
    }
  }

  /// A work unit of `.indexes` chunks (`--rebuild-from-indexes`): rows rebuilt, handed
  /// over and finished like a store's chunks.
  func readRebuilt(_ chunks: [RecoveryChunk], tables: [RecoveredTable], stores: [Store], sink: RecoveredRowSink) throws {
    for (table, cs) in Dictionary(grouping: chunks, by: \.table).sorted(by: { $0.key < $1.key }) {
      try rebuild(cs.sorted { $0.span < $1.span }, table: tables[table], stores: stores, sink: sink)
    }
  }

  /// Rebuilds the rows of `chunks` (one table's, in key order) from its usable indexes.
  func rebuild(_ chunks: [RecoveryChunk], table t: RecoveredTable, stores: [Store], sink: RecoveredRowSink) throws {
    let sources = Self.indexSources(t.descriptor).usable
    let name = t.qualifiedName.joined(separator: ".")
    let decoder = TableRowDecoder(table: t.descriptor, catalog: t.types)
    let outputIDs = t.columns.map(\.id)
    var first = 0
    while first < chunks.count {
      var problems: [Problem] = []
      let (held, end) = try gatherEntries(t, sources: sources, stores: stores, targets: chunks.map(\.span), from: first, problems: &problems)
      for k in 0..<(end - first) {
        let c = chunks[first + k]
        var full = RowBatch(layout: decoder.layout), partial = RowBatch(layout: decoder.layout)
        var known: [[String]] = []
        var used = Set<String>()
        var result = ChunkResult()
        let allColumns = t.columns.map(\.name)
        for (pk, entries) in (held[k] ?? [:]).sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
          let merged = Self.merge(entries, sources: sources)
          for conflict in merged.conflicts {
            result.problems.append(Problem(.inconsistent, subject: name, key: pk, "row \(Keyspace.prettyPrint(pk)) rebuilt from indexes: \(conflict)"))
          }
          used.formUnion(entries.compactMap { e in sources.first { $0.index.id == e.indexID }?.index.name })
          var row = [Datum?](repeating: nil, count: decoder.layout.width)   // nil: unknown (or a missing NULL)
          for (id, v) in merged.values { if let o = decoder.layout.ordinal(of: id) { row[o] = v } }
          if outputIDs.allSatisfy(merged.known.contains) {
            if options.rebuildFromIndexes {
              full.appendRow(row)
            } else {
              // Never into the table unasked: beside the partial rows, every column known.
              partial.appendRow(row)
              known.append(allColumns)
              result.fullRowsAside += 1
            }
          } else {
            partial.appendRow(row)
            known.append(t.columns.filter { merged.known.contains($0.id) }.map(\.name))
          }
        }
        result.rows = full.count
        result.partialRows = partial.count - result.fullRowsAside
        result.indexes = used.sorted()
        result.problems += problems
        problems = []
        if partial.count > 0 { try sink.chunkPartialRows(c, rows: partial, known: known) }
        if full.count > 0 { try sink.chunk(c, rows: full) }
        lock.lock(); defer { lock.unlock() }
        try chunkDone(c, result: result, sink: sink)
      }
      first = end
    }
  }

  /// One row's columns from its entries: the first index to know a column gives it; an
  /// index that disagrees is named (the row is still written, with the first value).
  static func merge(_ entries: [IndexEntry], sources: [IndexSource]) -> (values: [UInt32: Datum], known: Set<UInt32>, conflicts: [String]) {
    var values: [UInt32: Datum] = [:], conflicts: [String] = []
    for e in entries {
      for (id, v) in e.values.sorted(by: { $0.key < $1.key }) {
        if let had = values[id] {
          if had != v {
            let ix = sources.first { $0.index.id == e.indexID }?.index.name ?? "\(e.indexID)"
            conflicts.append("index \(ix) says column \(id) is \(v), another index \(had)")
          }
        } else {
          values[id] = v
        }
      }
    }
    return (values, Set(values.keys), conflicts)
  }

  /// Entries of `sources` whose primary keys fall in `targets` (sorted, disjoint), per
  /// target, for the longest prefix of targets whose rows fit `heldRowCap` (at least one):
  /// (entries by target position, end = first target not gathered, as an index into the
  /// caller's collection). Entries are read on the chosen replica of each range.
  func gatherEntries(_ t: RecoveredTable, sources: [IndexSource], stores: [Store], targets: [KeySpan], from base: Int,
                     problems: inout [Problem]) throws -> (held: [Int: [[UInt8]: [IndexEntry]]], end: Int) {
    let spans = Array(targets[base...])
    var limit = spans.count
    var held: [Int: [[UInt8]: [IndexEntry]]] = [:]
    var rows = 0
    let cap = Self.heldRowCap
    let decoder = TableRowDecoder(table: t.descriptor, catalog: t.types)
    let name = t.qualifiedName.joined(separator: ".")
    func target(of pk: [UInt8]) -> Int? {
      var lo = 0, hi = limit
      while lo < hi {
        let mid = (lo + hi) / 2
        if pk.lexicographicallyPrecedes(spans[mid].start) { hi = mid } else { lo = mid + 1 }
      }
      guard lo > 0, pk.lexicographicallyPrecedes(spans[lo - 1].end) else { return nil }
      return lo - 1
    }
    var found: [Problem] = []   // the entries' problems (`problems` is the pass's meanwhile)
    defer { problems += found }
    try forEachGroup(sources.map(\.span), stores: stores, what: "\(name) index", problems: &problems) { kvs in
      let row: TableRowDecoder.Row
      do { row = try decoder.assembleSecondary(kvs) } catch {
        found.append(Problem(.undecodable, subject: name, key: kvs[0].key, "index entry at \(Keyspace.prettyPrint(kvs[0].key)): \(error)"))
        return
      }
      guard let key = row.key, let source = sources.first(where: { $0.index.id == key.indexID }) else { return }
      if let e = row.problems.first {
        found.append(Problem(.undecodable, subject: name, key: kvs[0].key, "index entry at \(Keyspace.prettyPrint(kvs[0].key)): \(e)"))
      }
      guard let pk = Self.primaryKey(of: row, t.descriptor) else {
        found.append(Problem(.undecodable, subject: name, key: kvs[0].key,
                             "index \(source.index.name) entry at \(Keyspace.prettyPrint(kvs[0].key)): its primary key cannot be re-encoded"))
        return
      }
      guard let k = target(of: pk) else { return }
      var values: [UInt32: Datum] = [:]
      for id in source.known {
        let v = row.values[id] ?? .null
        if case .raw(let type, _) = v, type == "collation key" { continue }
        values[id] = v
      }
      if held[k, default: [:]][pk] == nil { rows += 1 }
      held[k, default: [:]][pk, default: []].append(IndexEntry(indexID: source.index.id, values: values))
      // Over the cap: the window gives up its last chunks (never the first).
      while rows > cap, limit > 1 {
        limit -= 1
        rows -= held.removeValue(forKey: limit)?.count ?? 0
      }
    }
    return (held, base + limit)
  }

  /// Where `spans` are read: per store, the parts of each range on its chosen replica, and the
  /// spans of that replica's damaged blocks on the range's fallback replica (as the data pass
  /// reads them, `makeChunks`); and the parts no intact replica holds. `damaged`: the
  /// fallbacks found by checking the blocks of a part as it is about to be read (`BlockChecks`).
  static func readPlan(_ spans: [KeySpan], plans: [RangePlan], stores: Int,
                       damaged: (RangePlan, KeySpan) -> [RangePlan.Fallback] = { _, _ in [] }) -> (perStore: [Int: [KeySpan]], lost: [KeySpan]) {
    var perStore: [Int: [KeySpan]] = [:], lost: [KeySpan] = []
    for s in spans {
      for p in plans {
        guard let part = p.span.intersection(s) else { continue }
        guard let store = p.chosenStore, store >= 0, store < stores else { lost.append(part); continue }
        var rest = [part]
        for f in p.fallbacks + damaged(p, part) {
          guard let bad = f.span.intersection(part) else { continue }
          rest = rest.flatMap { subtract($0, bad) }
          if let other = f.store, other >= 0, other < stores { perStore[other, default: []].append(bad) } else { lost.append(bad) }
        }
        perStore[store, default: []] += rest
      }
    }
    return (perStore, lost)
  }

  /// The primary-index row key (no family suffix) of an index entry's row, re-encoded from
  /// its primary-key datums; nil when one is missing or not re-encodable (a collated string
  /// whose entry gives its text, not the collation key the primary index sorts by).
  static func primaryKey(of row: TableRowDecoder.Row, _ t: TableDescriptor) -> [UInt8]? {
    var datums: [Datum] = []
    for id in t.primaryIndex.keyColumnIDs {
      guard let v = row.values[id] else { return nil }
      if case .string = v, t.column(id: id)?.type.family == .collatedString { return nil }
      datums.append(v)
    }
    return KeyEncoding.rowPrefix(table: t.id, index: t.primaryIndex, datums: datums)
  }

  /// Hands each KV group (one index entry, or one row's families) of `spans` to `body`, read
  /// on each range's chosen replica with the data pass's cursor (`SpanScanner`: same MVCC
  /// resolution as of the read timestamp). Spans no store holds are named in `problems`.
  func forEachGroup(_ spans: [KeySpan], stores: [Store], what: String, problems: inout [Problem],
                    _ body: ([(key: [UInt8], value: SQLValue)]) throws -> Void) throws {
    let (perStore, lost) = indexReadPlan(spans, stores: stores.count, problems: &problems)
    problems += lost.map { Problem(.missing, subject: what, key: $0.start, "\($0.pretty) is lost too: rows whose entries were there are missing") }
    for (store, parts) in perStore.sorted(by: { $0.key < $1.key }) {
      try scanGroups(stores[store], parts, body)
    }
  }

  /// `readPlan` over the run's range plan, a damaged block's span read from the next replica
  /// (the blocks of each part are checked first, as the data pass's are: `BlockChecks`).
  func indexReadPlan(_ spans: [KeySpan], stores: Int, problems: inout [Problem]) -> (perStore: [Int: [KeySpan]], lost: [KeySpan]) {
    var checkProblems: [Problem] = []
    let plan = Self.readPlan(spans, plans: rangePlans, stores: stores) { plan, part in
      guard let checks = self.blockChecks, let store = plan.chosenStore else { return [] }
      let c = RecoveryChunk(table: 0, index: 0, span: part, rangeID: plan.rangeID, store: store)
      let (range, order) = self.replicas(of: c, readFrom: store)
      let found = checks.pieces(of: part, range: range, replicas: order)
      checkProblems += found.problems
      return found.damaged
    }
    problems += checkProblems
    return plan
  }

  /// The KV groups of `parts` on one store (see `forEachGroup`).
  func scanGroups(_ store: Store, _ parts: [KeySpan], _ body: ([(key: [UInt8], value: SQLValue)]) throws -> Void) throws {
    let scanner = SpanScanner(store: store, spans: Coverage.union(parts), readTimestamp: options.readTimestamp)
    var group: [(key: [UInt8], value: SQLValue)] = []
    var prefix: ArraySlice<UInt8> = []
    // Store-wide problems (WAL, damaged blocks) are the data pass's to report.
    _ = try scanner.runBorrowed { _, r in
      guard r.kind == .value, r.roachValue.count >= RoachValue.headerLength else { return }
      let key = Array(r.roachKey)
      let value = Array(r.roachValue)
      let p = (try? SQLKeyPrefix.splitFamily(key[...]))?.row ?? key[...]
      if !group.isEmpty && !p.elementsEqual(prefix) {
        try body(group)
        group.removeAll(keepingCapacity: true)
      }
      if group.isEmpty { prefix = p }
      if let v = try? SQLValue(roachValue: value) { group.append((key: key, value: v)) }
    }
    if !group.isEmpty { try body(group) }
  }
}

/// A secondary index that can give row data, and the columns its entries determine.
struct IndexSource {
  var index: IndexDescriptor
  /// Key, key-suffix (primary key), STORING and composite key columns.
  var known: Set<UInt32>
  /// `[/Table/t/i, /Table/t/i+1)`.
  var span: KeySpan
}

/// One index entry's known columns (a NULL is known: `.null`).
struct IndexEntry {
  var indexID: UInt32
  var values: [UInt32: Datum]
}

/// An index that cannot give row data (report.json notices).
public struct UnusableIndex: Sendable, Equatable {
  public var table: String
  public var index: String
  public var reason: String
}
