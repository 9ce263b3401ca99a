import CockroachKV

/// One store's sighting of a range's descriptor.
public struct DescriptorSighting: Equatable, Sendable {
  public var store: Int
  public var source: DescriptorSource
  public var generation: Int64
  public var timestamp: MVCCTimestamp
}

/// Two chosen descriptors whose spans overlap. The higher generation wins (a split or
/// merge raises it, so the other is an older view); equal generations cannot be decided.
public struct DescriptorConflict: Equatable, Sendable, CustomStringConvertible {
  public var rangeIDs: (Int64, Int64)
  public var overlap: KeySpan
  /// The range whose descriptor was set aside, nil when neither could be.
  public var supersededRangeID: Int64?

  public static func == (a: DescriptorConflict, b: DescriptorConflict) -> Bool {
    a.rangeIDs == b.rangeIDs && a.overlap == b.overlap && a.supersededRangeID == b.supersededRangeID
  }

  public var description: String {
    let what = supersededRangeID.map { "r\($0) superseded (lower generation)" } ?? "same generation, both kept"
    return "r\(rangeIDs.0) and r\(rangeIDs.1) overlap on \(overlap.pretty): \(what)"
  }
}

/// One descriptor per range id out of every store's local and meta records.
enum DescriptorUnion {
  /// Per range id the winning record and every sighting. Order of preference: higher
  /// generation, then newer MVCC timestamp, then range-local over meta, then lower store index.
  static func choose(_ catalogs: [StoreCatalog]) -> [Int64: (record: DescriptorRecord, sightings: [DescriptorSighting])] {
    var out: [Int64: (record: DescriptorRecord, sightings: [DescriptorSighting])] = [:]
    for (i, c) in catalogs.enumerated() {
      for r in c.localDescriptors + c.metaDescriptors {
        let s = DescriptorSighting(store: i, source: r.source, generation: r.descriptor.generation, timestamp: r.timestamp)
        guard let have = out[r.descriptor.rangeID] else {
          out[r.descriptor.rangeID] = (r, [s])
          continue
        }
        let better = (r.descriptor.generation, r.timestamp) > (have.record.descriptor.generation, have.record.timestamp)
          || ((r.descriptor.generation, r.timestamp) == (have.record.descriptor.generation, have.record.timestamp) && r.source < have.record.source)
        out[r.descriptor.rangeID] = (better ? r : have.record, have.sightings + [s])
      }
    }
    return out
  }

  /// Overlaps between the chosen descriptors, found by sweeping them in start-key order;
  /// returns the conflicts and the range ids set aside.
  static func overlaps(_ descriptors: [RangeDescriptor]) -> (conflicts: [DescriptorConflict], superseded: Set<Int64>) {
    func span(_ d: RangeDescriptor) -> KeySpan { KeySpan(start: d.startKey, end: d.endKey) }
    let sorted = descriptors.sorted { span($0) != span($1) ? span($0) < span($1) : $0.rangeID < $1.rangeID }
    var conflicts: [DescriptorConflict] = []
    var superseded = Set<Int64>()
    for (i, a) in sorted.enumerated() {
      let sa = KeySpan(start: a.startKey, end: a.endKey)
      for b in sorted[(i + 1)...] {
        let sb = KeySpan(start: b.startKey, end: b.endKey)
        guard sb.start.lexicographicallyPrecedes(sa.end) else { break }  // sorted by start: no later one overlaps a
        guard let o = sa.intersection(sb) else { continue }
        var loser: Int64? = nil
        if a.generation != b.generation { loser = a.generation < b.generation ? a.rangeID : b.rangeID }
        if let l = loser { superseded.insert(l) }
        conflicts.append(DescriptorConflict(rangeIDs: (a.rangeID, b.rangeID), overlap: o, supersededRangeID: loser))
      }
    }
    return (conflicts, superseded)
  }
}
