import CockroachKV

/// Which store to read each range from.
///
/// **Replica choice rule.** For each range, read *all* of its data from one replica: the
/// most advanced readable one (highest Raft applied index, then highest lease applied
/// index, then lowest store id). Take nothing from the lagging replicas, with one
/// exception: where the chosen replica's files are damaged (a table the store cannot
/// read), read exactly that key span from the next replica in the same order whose files
/// are intact there, and report it. Never take the union of replicas: a lagging replica
/// can still hold versions that the advanced one has since deleted (point or range
/// tombstones) or garbage-collected, and a union would resurrect those deleted rows. A
/// span that no replica can read is reported as lost.
public struct RangePlan: Equatable, Sendable {
  public var rangeID: Int64
  public var span: KeySpan
  /// Store index of the chosen replica; nil when no store holds one.
  public var chosenStore: Int?
  /// Spans of the range read from another store because the chosen one is damaged there.
  public var fallbacks: [Fallback]

  public struct Fallback: Equatable, Sendable {
    public var span: KeySpan
    /// Store index to read the span from; nil when every replica is damaged there.
    public var store: Int?
  }
}

public enum ReplicaPlanner {
  /// One plan per range that is not superseded, in the view's order.
  public static func plan(_ view: ClusterView, catalogs: [StoreCatalog]) -> [RangePlan] {
    view.ranges.filter { !$0.superseded }.map { r in
      guard let chosen = r.chosen else { return RangePlan(rangeID: r.rangeID, span: r.span, chosenStore: nil, fallbacks: []) }
      let damaged = Coverage.union(catalogs[chosen.store].damagedSpans.compactMap { $0.intersection(r.span) })
      let fallbacks = damaged.map { piece in
        let next = r.replicas.dropFirst().first { c in !catalogs[c.store].damagedSpans.contains { $0.overlaps(piece) } }
        return RangePlan.Fallback(span: piece, store: next?.store)
      }
      return RangePlan(rangeID: r.rangeID, span: r.span, chosenStore: chosen.store, fallbacks: fallbacks)
    }
  }
}
