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
  public var problems: [Problem] = []
  /// What the store's iterators met (damaged blocks, unreadable tables). `runBorrowed` lists
  /// them in `problems` too; `runGroups` leaves that to its caller.
  public var issues: [StoreIssue] = []

  /// Adds another pass's counts (not its problems).
  mutating func add(_ o: SpanScanStats) {
    engineEntries += o.engineEntries; keys += o.keys; values += o.values
    deleted += o.deleted; intents += o.intents; newerThanReadTime += o.newerThanReadTime
  }
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
  /// at or after the last span's end, without reading them (`blockFilter`). On unless a
  /// test or benchmark wants every block read.
  public var skipsUnwantedBlocks = true
  /// Unversioned records (by roach key) that are no MVCC data and are passed over unread:
  /// `kv scan` skips Raft log entries and other non-MVCC local records this way. Table
  /// spans hold none, so recovery passes leave it nil.
  public var skipsUnversioned: ((UnsafeRawBufferPointer) -> Bool)? = nil

  public init(store: Store, spans: [KeySpan], readTimestamp: MVCCTimestamp = .max) {
    self.store = store
    self.spans = spans.sorted { $0.start.lexicographicallyPrecedes($1.start) }
    self.readTimestamp = readTimestamp
  }

  /// Index of the span containing `key`, if any (binary search over starts).
  func spanIndex(_ key: [UInt8]) -> Int? { key.withUnsafeBytes { spanIndex($0) } }

  func spanIndex(_ key: UnsafeRawBufferPointer) -> Int? {
    var lo = 0, hi = spans.count
    while lo < hi {
      let mid = (lo + hi) / 2
      if spans[mid].start.withUnsafeBytes({ Comparer.bytes(key, $0) }) < 0 { hi = mid } else { lo = mid + 1 }
    }
    let i = lo - 1
    guard i >= 0 else { return nil }
    let inside = spans[i].start.withUnsafeBytes { Comparer.bytes(key, $0) } >= 0
      && spans[i].end.withUnsafeBytes { Comparer.bytes(key, $0) } < 0
    return inside ? i : nil
  }

  /// `runBorrowed` with owned resolutions (copies of the key and value).
  public func run(_ emit: (Int, MVCCResolution) throws -> Void) rethrows -> SpanScanStats {
    try runBorrowed { span, view in try emit(span, MVCCResolution(view)) }
  }

  /// The pass: groups the versions of each roach key in a reusable arena (`MVCCGroup`),
  /// resolves it (`MVCCResolver.resolve(_:)`) and hands the borrowed result, valid during
  /// the call only, to `emit` with the index of its span. Nothing is allocated per entry
  /// once warm unless a key has intents, problems or an extended value header.
  public func runBorrowed(_ emit: (Int, ResolvedView) throws -> Void) rethrows -> SpanScanStats {
    var counts = SpanScanStats()
    var stats = try runGroups { span, group, resolver in
      let r = resolver.resolve(group)
      counts.keys += 1
      switch r.kind {
      case .value, .inline: counts.values += 1
      case .deleted, .deletedByRangeTombstone: counts.deleted += 1
      default: break
      }
      if !r.intents.isEmpty { counts.intents += r.intents.filter(\.isIntent).count }
      counts.newerThanReadTime += r.newerVersions
      try emit(span, r)
    }
    stats.add(counts)
    stats.problems += stats.issues.map { Problem($0) }
    return stats
  }

  /// The one cursor under every MVCC reader of a store: each roach key of the spans with
  /// all its versions, grouped in a reusable arena and ordered newest first (`MVCCGroup`),
  /// with the resolver that knows the store's separated locks and MVCC range tombstones.
  /// `runBorrowed` resolves each group; a reader wanting every version (`kv scan
  /// --all-versions`) or raw unversioned records (store catalogs: Raft state) reads the
  /// group itself. The group is valid during the call only. Lock-table keys are registered
  /// with the resolver, never handed on (`locksRead` sees them all, before the first group).
  /// The iterator's issues go to `issues`, not `problems`.
  public func runGroups(locksRead: (MVCCResolver) -> Void = { _ in },
                        _ body: (Int, MVCCGroup, MVCCResolver) throws -> Void) rethrows -> SpanScanStats {
    var stats = SpanScanStats()
    let rangeKeys = EngineEntries.mvccRangeKeys(store, problems: &stats.problems)
    var resolver = MVCCResolver(readTimestamp: readTimestamp, rangeKeys: rangeKeys)
    let group = MVCCGroup()
    var grouping = false
    var groupSpan = -1

    func flush() throws {
      guard grouping else { return }
      grouping = false
      group.sortNewestFirst()
      try body(groupSpan, group, resolver)
    }

    // The lock table (separated intents) is read first, sought, so every key of the spans
    // meets its locks, also keys that sort before the lock table (range-local keys).
    let lockIssues = spans.isEmpty ? [] : registerLocks(into: &resolver)
    locksRead(resolver)
    let seek = skipsUnwantedBlocks && !spans.isEmpty
    let filter = skipsUnwantedBlocks && !spans.isEmpty && !(seek && store.comparer != .cockroach)
      ? Self.blockFilter(start: spans[0].start, end: spans[spans.count - 1].end, comparer: store.comparer) : nil
    let it = store.makeVisibleIterator(skipBlock: filter, lowerBound: seek ? Self.seekKey(spans[0].start) : nil)
    let stop = spans.last.map { Self.stopBound(end: $0.end, comparer: store.comparer) }
    while it.nextBorrowed() {
      let raw = it.key
      // Nothing wanted follows the stop bound (bytewise: raw key; otherwise its roach key).
      if let stop, !stop.byRoachKey, stop.isPast(raw) { break }
      let parts = Self.engineKeyParts(raw)
      if let stop, stop.byRoachKey, let p = parts,
         stop.bound.withUnsafeBytes({ Comparer.bytes(UnsafeRawBufferPointer(rebasing: raw[..<p.roachKeyCount]), $0) }) >= 0 { break }
      stats.engineEntries += 1
      guard let p = parts else {
        stats.problems.append(Problem(.undecodable, key: Array(raw), "key \(Array(raw).hex) is not a CockroachDB engine key"))
        continue
      }
      let roachKey = UnsafeRawBufferPointer(rebasing: raw[..<p.roachKeyCount])
      if p.versionCount == 0, let skip = skipsUnversioned, skip(roachKey) { continue }
      // Registered already (above).
      if roachKey.starts(with: LocalKeys.lockTableSingleKeyPrefix) { continue }
      if !grouping || Comparer.bytes(roachKey, group.roachKey) != 0 {
        try flush()
        guard let span = spanIndex(roachKey) else { continue }
        group.begin(roachKey: roachKey)
        grouping = true
        groupSpan = span
      }
      if it.unresolvedBlob { stats.problems.append(Problem(.damage, key: Array(roachKey), "blob value unreadable at \(Keyspace.prettyPrint(Array(roachKey)))")) }
      group.add(rawVersion: UnsafeRawBufferPointer(rebasing: raw[(p.roachKeyCount + 1)..<(p.roachKeyCount + 1 + p.versionCount)]),
                value: it.value)
    }
    try flush()
    // A table both passes opened reports its warnings once.
    stats.issues = lockIssues + it.issues.filter { !lockIssues.contains($0) }
    return stats
  }

  /// The lock table's keys (one pass over them, sought), registered with the resolver;
  /// returns the issues met.
  func registerLocks(into resolver: inout MVCCResolver) -> [StoreIssue] {
    let it = store.makeVisibleIterator(lowerBound: Self.seekKey(LocalKeys.lockTableSingleKeyPrefix))
    let stop = Self.stopBound(end: Self.lockTableEnd, comparer: store.comparer)
    while it.nextBorrowed() {
      let raw = it.key
      if stop.isPast(raw) { break }
      guard let p = Self.engineKeyParts(raw),
            UnsafeRawBufferPointer(rebasing: raw[..<p.roachKeyCount]).starts(with: LocalKeys.lockTableSingleKeyPrefix),
            let key = try? EngineKey(decoding: raw), let lock = try? LockTableKey(key) else { continue }
      resolver.register(lock: lock, metadata: Array(it.value))
    }
    return it.issues
  }

  /// The end of the lock table's key space.
  static let lockTableEnd = RecoveryRun.prefixEnd(LocalKeys.lockTableSingleKeyPrefix)

  /// The engine key a pass over roach keys ≥ `start` seeks to: `start` as a bare engine key
  /// (no version), which sorts at or before every version of `start` and of any later roach
  /// key in both orders — bytewise and `cockroach_comparator`.
  static func seekKey(_ start: [UInt8]) -> [UInt8] { start + [0] }

  /// `EngineKey.split`, restricted to the version lengths `EngineKey(decoding:)` accepts.
  @inline(__always)
  static func engineKeyParts(_ raw: UnsafeRawBufferPointer) -> (roachKeyCount: Int, versionCount: Int)? {
    guard let p = EngineKey.split(raw) else { return nil }
    switch p.versionCount {
    case 0, 8, 12, 13, 17: return p
    default: return nil
    }
  }
}

extension SpanScanner {
  /// Whether a data block with index bounds [previous, separator] holds only unwanted keys.
  /// Bytewise stores compare raw engine keys: an engine key is never below its roach key, so
  /// `separator < start` means every roach key in the block is below `start`;
  /// `previous ≥ end of the lock table` means none is a lock-table key (a shorter key than
  /// that bound would be one of its proper prefixes, none of which is a lock-table key), and
  /// so does `separator < start of the lock table` (a lock-table engine key starts with it):
  /// the range-ID-local keys before it (Raft logs, often most of a store's local keys) are
  /// passed over too. `cockroach_comparator` stores order by roach key first: the
  /// separators' roach keys are compared (a separator that is not an engine key never skips).
  static func blockFilter(start: [UInt8], end: [UInt8], comparer: Comparer) -> ([UInt8]?, [UInt8]) -> Bool {
    let lockStart = LocalKeys.lockTableSingleKeyPrefix, lockEnd = lockTableEnd
    let ordered = comparer == .cockroach
    return { previous, separator in
      guard let previous else { return false }
      func roach(_ k: [UInt8]) -> [UInt8]? { ordered ? (try? EngineKey(decoding: k))?.roachKey : k }
      guard let lo = roach(previous), let hi = roach(separator) else { return false }
      if hi.lexicographicallyPrecedes(start)
          && (!lo.lexicographicallyPrecedes(lockEnd) || hi.lexicographicallyPrecedes(lockStart)) { return true }
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

    func isPast(_ raw: [UInt8]) -> Bool { raw.withUnsafeBytes { isPast($0) } }

    func isPast(_ b: UnsafeRawBufferPointer) -> Bool {
      guard byRoachKey else { return bound.withUnsafeBytes { Comparer.bytes(b, $0) } >= 0 }
      // cockroach_comparator orders by roach key first; a key that is not an engine key
      // never stops the pass (the comparer placed it bytewise).
      guard let (rk, _) = EngineKey.split(b) else { return false }
      return bound.withUnsafeBytes { Comparer.bytes(UnsafeRawBufferPointer(rebasing: b[0..<rk]), $0) } >= 0
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
