import CockroachKV

/// What one store knows of itself, for reports.
public struct StoreSummary: Equatable, Sendable {
  public var index: Int
  public var path: String
  public var ident: StoreIdent?

  /// `s2 (n2)`, or the path when the store ident was not found.
  public var label: String { ident.map { "s\($0.storeID) (n\($0.nodeID))" } ?? path }
}

/// One surviving replica of a range.
public struct ReplicaCopy: Equatable, Sendable {
  public var store: Int
  public var storeID: Int32?
  public var raftAppliedIndex: UInt64
  public var leaseAppliedIndex: UInt64
  public var hasAppliedState: Bool
  /// Generation of the store's own range-local descriptor, if it has one.
  public var localGeneration: Int64?
  /// The store's id is among the chosen descriptor's replicas.
  public var inDescriptor: Bool
  /// Last Raft log index present: entries past the applied index were committed or
  /// proposed but not applied on this replica.
  public var raftLogLast: UInt64? = nil
}

/// One range across the surviving stores.
public struct RangeView: Equatable, Sendable {
  public var descriptor: RangeDescriptor
  /// Where the chosen descriptor was read.
  public var chosenFrom: DescriptorSighting
  public var sightings: [DescriptorSighting]
  /// Surviving replicas, most advanced first (see `ClusterView.moreAdvanced`).
  public var replicas: [ReplicaCopy]
  /// Replicas the descriptor names whose store was not provided.
  public var missing: [ReplicaDescriptor]
  /// Replicas the descriptor names on a provided store that holds no replica of the range.
  public var notFound: [ReplicaDescriptor]
  /// Another range's descriptor with a higher generation overlaps this one.
  public var superseded: Bool

  public var rangeID: Int64 { descriptor.rangeID }
  public var span: KeySpan { KeySpan(start: descriptor.startKey, end: descriptor.endKey) }
  public var chosen: ReplicaCopy? { replicas.first }
  /// The other replicas and how many Raft entries each is behind the chosen one.
  public var lagging: [(replica: ReplicaCopy, gap: UInt64)] {
    guard let c = chosen else { return [] }
    return replicas.dropFirst().map { ($0, c.raftAppliedIndex &- $0.raftAppliedIndex) }
  }
  /// Stores that saw a generation other than the chosen one.
  public var generationsSeen: [Int64] { Set(sightings.map(\.generation)).sorted() }
}

/// The cluster as the surviving stores describe it.
public struct ClusterView: Sendable {
  public var stores: [StoreSummary]
  /// Every known range, in start-key order (range id breaks ties).
  public var ranges: [RangeView]
  public var conflicts: [DescriptorConflict]
  public var lost: [LostSpan]
  /// Problems reported by the stores' catalogs.
  public var problems: [Problem]

  public init(_ catalogs: [StoreCatalog]) {
    stores = catalogs.enumerated().map { StoreSummary(index: $0.offset, path: $0.element.path, ident: $0.element.ident) }
    problems = catalogs.flatMap(\.problems)
    let chosen = DescriptorUnion.choose(catalogs)
    let (conflicts, superseded) = DescriptorUnion.overlaps(chosen.values.map(\.record.descriptor))
    self.conflicts = conflicts
    // Per store, range id → its newest local descriptor (one pass, not one search per range).
    let localByRange: [[Int64: DescriptorRecord]] = catalogs.map { c in
      Dictionary(c.localDescriptors.map { ($0.descriptor.rangeID, $0) }) { a, b in a.descriptor.generation >= b.descriptor.generation ? a : b }
    }
    var ranges: [RangeView] = []
    for (id, c) in chosen {
      let d = c.record.descriptor
      var copies: [ReplicaCopy] = []
      for (i, cat) in catalogs.enumerated() {
        let state = cat.replicas[id]
        let local = localByRange[i][id]
        guard state?.hasAppliedState == true || local != nil else { continue }
        let sid = cat.ident?.storeID
        copies.append(ReplicaCopy(store: i, storeID: sid, raftAppliedIndex: state?.raftAppliedIndex ?? 0,
                                  leaseAppliedIndex: state?.leaseAppliedIndex ?? 0, hasAppliedState: state?.hasAppliedState ?? false,
                                  localGeneration: local?.descriptor.generation,
                                  inDescriptor: sid.map { s in d.replicas.contains { $0.storeID == s } } ?? false,
                                  raftLogLast: state?.raftLog?.last))
      }
      copies.sort(by: ClusterView.moreAdvanced)
      let present = Set(catalogs.compactMap { $0.ident?.storeID })
      let sightings = c.sightings.sorted { ($0.store, $0.source.rank) < ($1.store, $1.source.rank) }
      let from = sightings.first { $0.generation == d.generation && $0.timestamp == c.record.timestamp && $0.source == c.record.source } ?? sightings[0]
      ranges.append(RangeView(descriptor: d, chosenFrom: from, sightings: sightings, replicas: copies,
                              missing: d.replicas.filter { !present.contains($0.storeID) },
                              notFound: d.replicas.filter { r in present.contains(r.storeID) && !copies.contains { $0.storeID == r.storeID } },
                              superseded: superseded.contains(id)))
    }
    ranges.sort { $0.span != $1.span ? $0.span < $1.span : $0.rangeID < $1.rangeID }
    self.ranges = ranges
    lost = Coverage.lostSpans(ranges, stale: Coverage.staleRecords(catalogs, chosen: ranges))
  }

  /// The most advanced replica first: highest Raft applied index, then highest lease
  /// applied index, then lowest store id (stores without an ident last), then store order.
  static func moreAdvanced(_ a: ReplicaCopy, _ b: ReplicaCopy) -> Bool {
    if a.raftAppliedIndex != b.raftAppliedIndex { return a.raftAppliedIndex > b.raftAppliedIndex }
    if a.leaseAppliedIndex != b.leaseAppliedIndex { return a.leaseAppliedIndex > b.leaseAppliedIndex }
    let sa = a.storeID ?? .max, sb = b.storeID ?? .max
    return sa != sb ? sa < sb : a.store < b.store
  }

  public func range(_ id: Int64) -> RangeView? { ranges.first { $0.rangeID == id } }
}
