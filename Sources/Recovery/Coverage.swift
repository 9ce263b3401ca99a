import CockroachKV

/// A key span no provided store holds a replica of.
public struct LostSpan: Equatable, Sendable {
  public var start: [UInt8]
  public var end: [UInt8]
  /// `[/Table/52, /Table/53)`.
  public var pretty: String
  /// Known ranges overlapping the span (empty where no descriptor at all is known).
  public var rangeIDs: [Int64]
  /// System-tenant tables whose keys overlap the span, ascending (at most `Coverage.tableListLimit`).
  public var tableIDs: [UInt64]
  /// The span runs past the last table listed (to a tenant's keys or /Max).
  public var tablesOpenEnded: Bool
  /// When the span lies inside one table: the indexes it touches (empty otherwise).
  public var indexIDs: [UInt64] = []
  /// Indexes of known tables whose keys overlap the span (filled once the schema is known).
  public var indexes: [LostIndex] = []
  /// Replicas that hold an older view of these keys (a range before a split or merge, or a
  /// superseded descriptor): not used by the plan, a last resort to look at by hand.
  public var staleCopies: [StaleCopy] = []

  public var span: KeySpan { KeySpan(start: start, end: end) }
}

/// Which parts of [/Min, /Max) survive: a span is covered when a non-superseded range
/// descriptor includes it and some provided store holds a replica of that range. Everything
/// else is lost — ranges whose replicas all sat on absent stores, and gaps no descriptor
/// describes (no surviving store held the meta2 records for them).
/// A table index (primary = the rows, or a secondary index) with keys in a lost span.
public struct LostIndex: Equatable, Sendable {
  public var tableID: UInt32
  /// `db.table`.
  public var table: String
  public var indexID: UInt32
  public var index: String
}

/// A replica whose own, outdated descriptor covers part of a lost span.
public struct StaleCopy: Equatable, Sendable {
  public var store: Int
  public var rangeID: Int64
  public var generation: Int64
  public var overlap: KeySpan
}

public enum Coverage {
  public static let tableListLimit = 1000

  static func lostSpans(_ ranges: [RangeView], stale: [StaleCopy]) -> [LostSpan] {
    let live = ranges.filter { !$0.superseded }
    let covered = union(live.filter { !$0.replicas.isEmpty }.map(\.span))
    let unheld = live.filter { $0.replicas.isEmpty }
    var lost: [LostSpan] = []
    for gap in complement(covered, within: .everything) {
      let ids = unheld.filter { $0.span.overlaps(gap) }.map(\.rangeID)
      let (tables, open) = tableIDs(overlapping: gap)
      lost.append(LostSpan(start: gap.start, end: gap.end, pretty: gap.pretty, rangeIDs: Array(Set(ids)).sorted(),
                           tableIDs: tables, tablesOpenEnded: open, indexIDs: indexIDs(within: gap),
                           staleCopies: stale.compactMap { c in c.overlap.intersection(gap).map { StaleCopy(store: c.store, rangeID: c.rangeID, generation: c.generation, overlap: $0) } }))
    }
    return lost
  }

  /// Sorted, merged spans (abutting ones joined).
  static func union(_ spans: [KeySpan]) -> [KeySpan] {
    var out: [KeySpan] = []
    for s in spans.sorted() where !s.isEmpty {
      if let last = out.last, !last.end.lexicographicallyPrecedes(s.start) {
        out[out.count - 1].end = laterKey(last.end, s.end)
      } else {
        out.append(s)
      }
    }
    return out
  }

  /// The parts of `outer` not in the sorted, merged `spans`.
  static func complement(_ spans: [KeySpan], within outer: KeySpan) -> [KeySpan] {
    var out: [KeySpan] = []
    var cursor = outer.start
    for s in spans {
      if cursor.lexicographicallyPrecedes(s.start) {
        out.append(KeySpan(start: cursor, end: earlierKey(s.start, outer.end)))
      }
      cursor = laterKey(cursor, s.end)
    }
    if cursor.lexicographicallyPrecedes(outer.end) { out.append(KeySpan(start: cursor, end: outer.end)) }
    return out.filter { !$0.isEmpty }
  }

  /// System-tenant tables `t` whose keys `[/Table/t, /Table/t+1)` overlap the span (spec
  /// §4.5: a table key starts with uvarint-asc(t), 0x88 for t = 0, tenants start at 0xfe).
  public static func tableIDs(overlapping span: KeySpan) -> (ids: [UInt64], openEnded: Bool) {
    let tableMin: [UInt8] = [0x88], tableMax: [UInt8] = [LocalKeys.tenantPrefixByte]
    guard let s = span.intersection(KeySpan(start: tableMin, end: tableMax)) else { return ([], false) }
    guard let (first, _) = try? OrderedEncoding.decodeUvarintAscending(s.start[...]) else { return ([], false) }
    let openEnded = !span.end.lexicographicallyPrecedes(tableMax)
    var last: UInt64
    if openEnded {
      last = first
    } else {
      if let (t, _) = try? OrderedEncoding.decodeUvarintAscending(s.end[...]) {
        var prefix: [UInt8] = []
        OrderedEncoding.encodeUvarintAscending(t, into: &prefix)
        last = s.end == prefix && t > first ? t - 1 : t
      } else {
        last = .max  // a cut-short table id: list up to the cap
      }
    }
    let capped = Swift.min(last, first &+ UInt64(tableListLimit - 1))
    return (Array(first...Swift.max(first, capped)), openEnded || capped < last)
  }

  /// The indexes of `tables` (id, `db.table`, indexes as (id, name)) whose key spans
  /// `[/Table/t/i, /Table/t/i+1)` overlap `span`.
  public static func indexes(overlapping span: KeySpan,
                             tables: [(id: UInt32, name: String, indexes: [(id: UInt32, name: String)])]) -> [LostIndex] {
    var out: [LostIndex] = []
    for t in tables {
      for ix in t.indexes {
        var start: [UInt8] = [], end: [UInt8] = []
        OrderedEncoding.encodeUvarintAscending(UInt64(t.id), into: &start)
        end = start
        OrderedEncoding.encodeUvarintAscending(UInt64(ix.id), into: &start)
        OrderedEncoding.encodeUvarintAscending(UInt64(ix.id) + 1, into: &end)
        if span.overlaps(KeySpan(start: start, end: end)) {
          out.append(LostIndex(tableID: t.id, table: t.name, indexID: ix.id, index: ix.name))
        }
      }
    }
    return out
  }

  /// Index ids touched by a span inside one table (`/Table/t/i…`), empty when the span
  /// reaches past the table or does not name indexes.
  public static func indexIDs(within span: KeySpan) -> [UInt64] {
    guard let (t, rest) = try? OrderedEncoding.decodeUvarintAscending(span.start[...]), span.start.first.map({ $0 >= 0x88 && $0 < 0xFE }) == true
    else { return [] }
    var tablePrefix: [UInt8] = []
    OrderedEncoding.encodeUvarintAscending(t, into: &tablePrefix)
    let first = rest.isEmpty ? 0 : ((try? OrderedEncoding.decodeUvarintAscending(rest))?.0 ?? 0)
    guard span.end.starts(with: tablePrefix), span.end.count > tablePrefix.count,
          let (last, after) = try? OrderedEncoding.decodeUvarintAscending(span.end[tablePrefix.count...]) else { return [] }
    let end = after.isEmpty ? last : last + 1  // exclusive: /Table/t/i itself is not in the span
    guard first < end, end - first <= UInt64(tableListLimit) else { return [] }
    return Array(first..<end)
  }

  /// Local descriptors that are not the chosen view of their range (an older generation,
  /// or a superseded range), in store then range order: only these can overlap a lost span.
  static func staleRecords(_ catalogs: [StoreCatalog], chosen ranges: [RangeView]) -> [StaleCopy] {
    let current = Dictionary(ranges.filter { !$0.superseded }.map { ($0.rangeID, $0.descriptor.generation) }) { a, _ in a }
    var out: [StaleCopy] = []
    for (i, c) in catalogs.enumerated() {
      for r in c.localDescriptors where current[r.descriptor.rangeID] != r.descriptor.generation {
        out.append(StaleCopy(store: i, rangeID: r.descriptor.rangeID, generation: r.descriptor.generation, overlap: r.span))
      }
    }
    return out
  }
}
