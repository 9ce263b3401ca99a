import SSTable

/// Range deletions of the whole store, fragmented so that lookups are one binary search
/// (spec §4.6): a point `k#s` is deleted when some tombstone `[start, end)#t` with
/// `start <= k < end` has `t > s`.
public struct RangeDelIndex: Sendable {
  /// Non-overlapping fragments in key order, each with the highest seqnum covering it.
  public private(set) var fragments: [(start: [UInt8], end: [UInt8], seq: UInt64)] = []
  @usableFromInline let comparer: Comparer

  public init(_ tombstones: [RangeDeletion], comparer: Comparer) {
    self.comparer = comparer
    let live = tombstones.filter { comparer.compare($0.start, $0.end) < 0 }
    guard !live.isEmpty else { return }
    var bounds = live.flatMap { [$0.start, $0.end] }
    bounds.sort { comparer.compare($0, $1) < 0 }
    var unique: [[UInt8]] = []
    for b in bounds where unique.last.map({ comparer.compare($0, b) != 0 }) ?? true { unique.append(b) }
    let byStart = live.sorted { comparer.compare($0.start, $1.start) < 0 }
    var next = 0
    var active: [RangeDeletion] = []
    for i in 0..<(unique.count - 1) {
      let lo = unique[i], hi = unique[i + 1]
      while next < byStart.count, comparer.compare(byStart[next].start, lo) <= 0 { active.append(byStart[next]); next += 1 }
      active.removeAll { comparer.compare($0.end, lo) <= 0 }
      if let s = active.map(\.seq).max() {
        if let last = fragments.last, last.seq == s, comparer.compare(last.end, lo) == 0 {
          fragments[fragments.count - 1].end = hi
        } else {
          fragments.append((lo, hi, s))
        }
      }
    }
  }

  /// Highest seqnum of a tombstone covering `key`, or nil.
  @inlinable
  public func coveringSeq(_ key: UnsafeRawBufferPointer) -> UInt64? {
    var lo = 0, hi = fragments.count
    while lo < hi {  // first fragment whose start is > key
      let mid = (lo + hi) / 2
      let c = fragments[mid].start.withUnsafeBytes { comparer.compare($0, key) }
      if c <= 0 { lo = mid + 1 } else { hi = mid }
    }
    guard lo > 0 else { return nil }
    let f = fragments[lo - 1]
    return f.end.withUnsafeBytes { comparer.compare(key, $0) < 0 } ? f.seq : nil
  }
}

public enum RangeKeyView {
  /// The range keys a reader sees (spec §4.5): fragmented at every boundary; per fragment a
  /// RANGEKEYDEL hides older keys, a RANGEKEYUNSET hides older sets of its suffix, and the
  /// newest RANGEKEYSET per suffix remains. Abutting fragments with identical keys are
  /// joined again. Suffixes are in the comparer's range-suffix order.
  public static func visible(_ keys: [RangeKey], comparer: Comparer) -> [RangeKey] {
    let live = keys.filter { comparer.compare($0.start, $0.end) < 0 }
    guard !live.isEmpty else { return [] }
    var bounds = live.flatMap { [$0.start, $0.end] }
    bounds.sort { comparer.compare($0, $1) < 0 }
    var unique: [[UInt8]] = []
    for b in bounds where unique.last.map({ comparer.compare($0, b) != 0 }) ?? true { unique.append(b) }
    var out: [RangeKey] = []
    var previous: (end: [UInt8], keys: [RangeKey])?
    for i in 0..<(unique.count - 1) {
      let lo = unique[i], hi = unique[i + 1]
      let covering = live.filter { comparer.compare($0.start, lo) <= 0 && comparer.compare($0.end, hi) >= 0 }
        .sorted { $0.seq != $1.seq ? $0.seq > $1.seq : $0.kind > $1.kind }
      var deletedBelow: UInt64 = 0
      var seen: [[UInt8]] = []
      var sets: [RangeKey] = []
      for k in covering where k.seq >= deletedBelow {
        switch k.kind {
        case Kind.rangeKeyDel: deletedBelow = max(deletedBelow, k.seq)
        case Kind.rangeKeyUnset, Kind.rangeKeySet:
          let s = k.suffix ?? []
          if seen.contains(s) { continue }
          seen.append(s)
          if k.kind == Kind.rangeKeySet { sets.append(RangeKey(start: lo, end: hi, seq: k.seq, kind: k.kind, suffix: s, value: k.value)) }
        default: continue
        }
      }
      sets.sort { comparer.compareSuffixes($0.suffix ?? [], $1.suffix ?? []) < 0 }
      if sets.isEmpty { previous = nil; continue }
      if let p = previous, p.end == lo, p.keys.count == sets.count,
         zip(p.keys, sets).allSatisfy({ $0.suffix == $1.suffix && $0.value == $1.value }) {
        // Same keys as the abutting fragment: extend it.
        for j in (out.count - sets.count)..<out.count { out[j].end = hi }
        previous = (hi, sets)
        continue
      }
      out += sets
      previous = (hi, sets)
    }
    return out
  }
}
