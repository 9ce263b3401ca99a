import CockroachKV
import LSMStore
import SSTable

/// What one pass over a store found, per span.
public struct SpanScanStats: Sendable {
  public var engineEntries = 0
  public var keys = 0
  public var values = 0
  public var deleted = 0
  public var intents = 0
  public var newerThanReadTime = 0
  public var problems: [String] = []
}

/// One pass over a store's visible entries (LSM deletes already applied) that resolves MVCC
/// for every roach key inside the given spans and hands each resolution to the caller with
/// the index of its span. Keys outside every span are skipped without decoding.
///
/// Versions of one roach key are gathered and ordered newest first before resolution, so a
/// store written with the bytewise comparer (older versions first) resolves the same as one
/// written with `cockroach_comparator`.
public struct SpanScanner {
  public let store: Store
  /// Sorted by start, disjoint.
  public let spans: [KeySpan]
  public let readTimestamp: MVCCTimestamp
  /// Pass over data blocks that hold only keys before the first span (lock-table keys
  /// excepted: separated intents must be seen) or, with `cockroach_comparator`, only keys
  /// at or after the last span's end, without reading them.
  public var skipsUnwantedBlocks = false

  public init(store: Store, spans: [KeySpan], readTimestamp: MVCCTimestamp = .max) {
    self.store = store
    self.spans = spans.sorted { $0.start.lexicographicallyPrecedes($1.start) }
    self.readTimestamp = readTimestamp
  }

  /// Index of the span containing `key`, if any (binary search over starts).
  func spanIndex(_ key: [UInt8]) -> Int? {
    var lo = 0, hi = spans.count
    while lo < hi {
      let mid = (lo + hi) / 2
      if key.lexicographicallyPrecedes(spans[mid].start) { hi = mid } else { lo = mid + 1 }
    }
    let i = lo - 1
    return i >= 0 && spans[i].contains(key) ? i : nil
  }

  public func run(_ emit: (Int, MVCCResolution) throws -> Void) rethrows -> SpanScanStats {
    var stats = SpanScanStats()
    let rangeKeys = EngineEntries.mvccRangeKeys(store, problems: &stats.problems)
    var resolver = MVCCResolver(readTimestamp: readTimestamp, rangeKeys: rangeKeys)
    var groupKey: [UInt8]? = nil
    var groupSpan = -1
    var group: [(version: EngineKey.Version, value: [UInt8])] = []

    func flush() throws {
      guard let k = groupKey else { return }
      // Unversioned metadata first, then versions newest first (engine order).
      group.sort { a, b in
        switch (a.version, b.version) {
        case (.none, _): return true
        case (_, .none): return false
        default: return (a.version.timestampOrZero) > (b.version.timestampOrZero)
        }
      }
      let r = resolver.resolve(roachKey: k, entries: group)
      stats.keys += 1
      switch r.outcome {
      case .value, .inline: stats.values += 1
      case .deleted, .deletedByRangeTombstone: stats.deleted += 1
      default: break
      }
      stats.intents += r.intents.filter(\.isIntent).count
      stats.newerThanReadTime += r.newerVersions
      try emit(groupSpan, r)
      groupKey = nil
      group.removeAll(keepingCapacity: true)
    }

    let it = store.makeVisibleIterator(skipBlock: skipsUnwantedBlocks && !spans.isEmpty
      ? Self.blockFilter(start: spans[0].start, end: spans[spans.count - 1].end, comparer: store.comparer) : nil)
    let stop = spans.last.map { Self.stopBound(end: $0.end, comparer: store.comparer) }
    while let e = it.next() {
      // Nothing wanted follows the stop bound (bytewise: raw key; otherwise its roach key,
      // taken from the decoded key rather than split again).
      if let stop, !stop.byRoachKey, stop.isPast(e.key) { break }
      let decoded = try? EngineKey(decoding: e.key)
      if let stop, stop.byRoachKey, let k = decoded, !k.roachKey.lexicographicallyPrecedes(stop.bound) { break }
      stats.engineEntries += 1
      guard let key = decoded else {
        stats.problems.append("not an engine key: \(e.key.hex)")
        continue
      }
      // Separated intents (lock table) sort before table data: register them on the way.
      if let lock = try? LockTableKey(key) {
        resolver.register(lock: lock, metadata: e.value)
        continue
      }
      if key.roachKey != groupKey {
        try flush()
        guard let span = spanIndex(key.roachKey) else { continue }
        groupKey = key.roachKey
        groupSpan = span
      }
      if e.unresolvedBlob { stats.problems.append("blob value unreadable at \(Keyspace.prettyPrint(key.roachKey))") }
      group.append((key.version, e.value))
    }
    try flush()
    stats.problems += it.issues.map { "\($0)" }
    return stats
  }
}

extension SpanScanner {
  /// Whether a data block with index bounds [previous, separator] holds only unwanted keys.
  /// Bytewise stores compare raw engine keys: an engine key is never below its roach key, so
  /// `separator < start` means every roach key in the block is below `start`, and
  /// `previous ≥ end of the lock table` means none is a lock-table key (a shorter key than
  /// that bound would be one of its proper prefixes, none of which is a lock-table key).
  /// `cockroach_comparator` stores order by roach key first: the separators' roach keys are
  /// compared (a separator that is not an engine key never skips).
  static func blockFilter(start: [UInt8], end: [UInt8], comparer: Comparer) -> ([UInt8]?, [UInt8]) -> Bool {
    var lockEnd = LocalKeys.lockTableSingleKeyPrefix
    lockEnd[lockEnd.count - 1] += 1
    let ordered = comparer == .cockroach
    return { previous, separator in
      guard let previous else { return false }
      func roach(_ k: [UInt8]) -> [UInt8]? { ordered ? (try? EngineKey(decoding: k))?.roachKey : k }
      guard let lo = roach(previous), let hi = roach(separator) else { return false }
      if hi.lexicographicallyPrecedes(start) && !lo.lexicographicallyPrecedes(lockEnd) { return true }
      return ordered && !lo.lexicographicallyPrecedes(end)
    }
  }
}

extension SpanScanner {
  /// Where a pass can stop: the first engine key at or past the bound holds nothing in the
  /// spans (whose last end is `end`), and neither does anything after it.
  struct StopBound {
    let bound: [UInt8]
    let byRoachKey: Bool

    func isPast(_ raw: [UInt8]) -> Bool {
      guard byRoachKey else { return !raw.lexicographicallyPrecedes(bound) }
      // cockroach_comparator orders by roach key first; a key that is not an engine key
      // never stops the pass (the comparer placed it bytewise).
      return raw.withUnsafeBytes { b in
        guard let (rk, _) = EngineKey.split(b) else { return false }
        return !UnsafeRawBufferPointer(rebasing: b[0..<rk]).lexicographicallyPrecedes(bound)
      }
    }
  }

  /// With `cockroach_comparator`, engine keys come in roach-key order: stop at the first
  /// roach key ≥ `end`. Bytewise, an engine key `r‖00‖version‖len` of a roach key `r < end`
  /// is below `end` unless `r` is a proper prefix of `end` followed by a 0x00 byte, and then
  /// below `r‖01`; the largest such bound is `end[..<j]‖01` for the first zero byte `j` of `end`.
  static func stopBound(end: [UInt8], comparer: Comparer) -> StopBound {
    if comparer == .cockroach { return StopBound(bound: end, byRoachKey: true) }
    guard let j = end.firstIndex(of: 0) else { return StopBound(bound: end, byRoachKey: false) }
    return StopBound(bound: Array(end[..<j]) + [0x01], byRoachKey: false)
  }
}

extension EngineKey.Version {
  /// The MVCC timestamp, or zero for unversioned and lock-table versions (ordering only).
  var timestampOrZero: MVCCTimestamp {
    if case .mvcc(let t) = self { return t }
    return MVCCTimestamp(wallTime: 0, logical: 0)
  }
}
