import LSMStore

/// One-store MVCC resolution (spec §1.5, §1.6, §2.3, §2.4, §9.7–9.8): from the entries of a
/// store in engine-key order, the newest *committed* version of each roach key at or below
/// a read timestamp T.
///
/// ```
/// per roach key k, engine order:  k‖00 (metadata)   k@t9   k@t5   k@t1
///   skip   versions with t > T                           (counted in `newerVersions`)
///   skip   provisional versions of intents            (reported in `intents`, never returned)
///   rt   = newest MVCC range tombstone covering k with ts ≤ T
///   first remaining version v@t:
///     t < rt           → deletedByRangeTombstone(rt)
///     v empty          → deleted(t)                   (point tombstone)
///     otherwise        → value(t, v)
///   none left          → rt ? deletedByRangeTombstone(rt) : absent
/// ```
/// Intents come from two places: an unversioned key whose MVCCMetadata has a `txn`
/// (interleaved, ≤21.x; it sorts right before its versions) and separated lock-table keys
/// `/Local/Lock/<k>` (≥21.1), which sort under 01 7a — before table data, so one pass
/// sees them first. Locked keys that sort *before* 01 7a (some /Local keys) must be
/// registered up front with `register(lock:metadata:)` by a caller that read the lock span.
///
/// Physical deletions (Pebble DEL/SINGLEDEL/RANGEDEL) are the LSM layer's: feed only the
/// entries that survive the merge.
public struct MVCCResolver {
  public let readTimestamp: MVCCTimestamp
  /// MVCC range tombstones only (non-tombstone range keys are ignored), sorted by start.
  let rangeTombstones: [MVCCRangeKey]
  /// Separated intents and locks seen so far, by locked key.
  var locks: [[UInt8]: [MVCCIntent]] = [:]
  /// The keys of `locks`, sorted: a borrowed key is looked up without an allocation.
  var lockedKeys: [[UInt8]] = []

  /// `rangeTombstones`' bounds in one byte arena, so the per-key lookup retains nothing.
  let tombstoneBytes: [UInt8]
  let tombstones: [TombstoneBounds]

  struct TombstoneBounds {
    var start: Int, startCount: Int, end: Int, endCount: Int
    var timestamp: MVCCTimestamp
  }

  public init(readTimestamp: MVCCTimestamp = .max, rangeKeys: [MVCCRangeKey] = []) {
    self.readTimestamp = readTimestamp
    self.rangeTombstones = rangeKeys.filter(\.isTombstone).sorted { $0.start.lexicographicallyPrecedes($1.start) }
    var bytes: [UInt8] = []
    var bounds: [TombstoneBounds] = []
    for rt in rangeTombstones {
      bounds.append(TombstoneBounds(start: bytes.count, startCount: rt.start.count, end: bytes.count + rt.start.count,
                                    endCount: rt.end.count, timestamp: rt.timestamp))
      bytes += rt.start + rt.end
    }
    tombstoneBytes = bytes
    tombstones = bounds
  }

  /// Registers a lock-table entry (key and its MVCCMetadata value) ahead of the stream.
  public mutating func register(lock: LockTableKey, metadata: [UInt8]) {
    if locks[lock.lockedKey] == nil {
      var lo = 0, hi = lockedKeys.count
      while lo < hi {
        let mid = (lo + hi) / 2
        if lockedKeys[mid].lexicographicallyPrecedes(lock.lockedKey) { lo = mid + 1 } else { hi = mid }
      }
      lockedKeys.insert(lock.lockedKey, at: lo)
    }
    locks[lock.lockedKey, default: []].append(MVCCIntent(lock: lock, metadata: metadata))
  }

  /// Resolves entries held in memory (engine key, value), in any order, with the same
  /// grouping (`MVCCGroup`) and resolution (`resolve(_:)`) a span scan uses: lock-table
  /// entries are registered first, then each roach key's versions are grouped, ordered newest
  /// first and resolved. A key that is not an engine key goes to `bad` and is left out.
  public mutating func resolve(entries: [(key: [UInt8], value: [UInt8])],
                               bad: (_ key: [UInt8], _ error: KVError) -> Void = { _, _ in }) -> [MVCCResolution] {
    var decoded: [(key: EngineKey, raw: [UInt8], value: [UInt8])] = []
    for e in entries {
      do {
        let key = try EngineKey(decoding: e.key)
        if let lock = try LockTableKey(key) { register(lock: lock, metadata: e.value) } else { decoded.append((key, e.key, e.value)) }
      } catch {
        bad(e.key, error)
      }
    }
    decoded.sort { EngineKey.compare($0.raw, $1.raw) < 0 }
    var out: [MVCCResolution] = []
    let group = MVCCGroup()
    var start = 0
    while start < decoded.count {
      let roachKey = decoded[start].key.roachKey
      var end = start
      roachKey.withUnsafeBytes { group.begin(roachKey: $0) }
      while end < decoded.count && decoded[end].key.roachKey == roachKey {
        let e = decoded[end], rk = roachKey.count
        e.raw.withUnsafeBytes { r in
          e.value.withUnsafeBytes { v in
            // Duplicate version (the same entry twice): the first wins.
            _ = group.add(rawVersion: UnsafeRawBufferPointer(rebasing: r[(rk + 1)..<(rk + 1 + e.key.storedVersionLength)]),
                          value: v, droppingDuplicate: true)
          }
        }
        end += 1
      }
      group.sortNewestFirst()
      out.append(MVCCResolution(resolve(group)))
      start = end
    }
    return out
  }

  /// The newest range tombstone covering `key` with ts ≤ T.
  func rangeTombstone(covering key: UnsafeRawBufferPointer) -> MVCCTimestamp? {
    guard !tombstones.isEmpty else { return nil }
    return tombstoneBytes.withUnsafeBytes { arena -> MVCCTimestamp? in
      var best: MVCCTimestamp? = nil
      for t in tombstones {
        let start = UnsafeRawBufferPointer(rebasing: arena[t.start..<(t.start + t.startCount)])
        if Comparer.bytes(key, start) < 0 { break }  // sorted by start
        let end = UnsafeRawBufferPointer(rebasing: arena[t.end..<(t.end + t.endCount)])
        if Comparer.bytes(key, end) < 0, t.timestamp <= readTimestamp, best.map({ t.timestamp > $0 }) ?? true {
          best = t.timestamp
        }
      }
      return best
    }
  }

  /// Every registered intent and lock, by locked key.
  public var registeredLocks: [MVCCIntent] { lockedKeys.flatMap { locks[$0] ?? [] } }

  /// The intents and locks registered on `key` (no allocation when there are none).
  public func registeredLocks(on key: UnsafeRawBufferPointer) -> [MVCCIntent] {
    guard !lockedKeys.isEmpty else { return [] }
    var lo = 0, hi = lockedKeys.count
    while lo < hi {
      let mid = (lo + hi) / 2
      if lockedKeys[mid].withUnsafeBytes({ Comparer.bytes($0, key) }) < 0 { lo = mid + 1 } else { hi = mid }
    }
    guard lo < lockedKeys.count, lockedKeys[lo].withUnsafeBytes({ Comparer.bytes($0, key) }) == 0 else { return [] }
    return locks[lockedKeys[lo]] ?? []
  }

  /// Resolves the grouped versions of one roach key, in the group's order (call
  /// `sortNewestFirst` first for a bytewise store). The one resolution loop: every scan
  /// comes here. The view borrows from `group` and stays valid until the group changes.
  public func resolve(_ group: MVCCGroup) -> ResolvedView {
    var r = ResolvedView()
    var intents = registeredLocks(on: group.roachKey)
    var inlineAt: ArenaSlice? = nil
    for e in group.entries where e.kind == .unversioned {
      do {
        let md = try MVCCMetadata(decoding: group.value(e))
        switch md.meaning {
        case .intent: intents.append(MVCCIntent(key: Array(group.roachKey), metadata: md))
        case .inline(let v):
          r.kind = .inline
          inlineAt = ArenaSlice(start: group.appendScratch(v.rawBytes), count: v.rawBytes.count)
        case .unexpected: r.problems.append(KVError(.corrupt, "MVCCMetadata", "neither intent nor inline value at \(Keyspace.prettyPrint(Array(group.roachKey)))"))
        }
      } catch {
        r.problems.append(error)
      }
    }
    let provisional = intents.isEmpty ? [] : Set(intents.filter(\.isIntent).map(\.timestamp))
    let rt = rangeTombstone(covering: group.roachKey)
    var decided = r.kind != .absent
    var chosen: MVCCGroup.Entry? = nil
    for e in group.entries where e.kind == .mvcc {
      let t = e.timestamp
      if !provisional.isEmpty && provisional.contains(t) {
        for i in intents.indices where intents[i].isIntent && intents[i].timestamp == t {
          intents[i].provisionalValue = try? MVCCValue(decoding: group.value(e))
        }
        continue
      }
      if t > readTimestamp { r.newerVersions += 1; continue }
      if decided { r.olderVersions += 1; continue }
      decided = true
      r.timestamp = t
      if let rt, t < rt {
        r.kind = .deletedByRangeTombstone
        r.timestamp = rt
        r.olderVersions += 1
        continue
      }
      chosen = e
    }
    if !decided, let rt {
      r.kind = .deletedByRangeTombstone
      r.timestamp = rt
    }
    // Views last: appending scratch bytes may move the arena.
    r.roachKey = group.roachKey
    if let e = chosen {
      let raw = group.value(e)
      r.mvccValue = raw
      if let at = MVCCValue.locate(raw) {
        r.header = at.header
        r.roachValue = UnsafeRawBufferPointer(rebasing: raw[at.roachValueStart...])
        r.kind = r.roachValue.isEmpty ? .deleted : .value
      } else {
        r.kind = .undecodable
        do { _ = try MVCCValue(decoding: raw) } catch { r.error = error }
      }
    } else if let at = inlineAt {
      r.roachValue = group.bytes(at.start, at.count)
    }
    r.intents = intents
    return r
  }
}

/// Where scratch bytes sit in a group's arena.
struct ArenaSlice { var start: Int; var count: Int }

/// What one roach key resolves to, borrowed: `roachKey`, `roachValue` and `mvccValue` point
/// into the `MVCCGroup` resolved and are valid only until it changes (in a scan callback:
/// during the callback). `MVCCResolution(view)` makes the owned copy.
public struct ResolvedView {
  public enum Kind: Equatable, Sendable {
    case absent, value, deleted, deletedByRangeTombstone, inline, undecodable
  }

  public var roachKey = UnsafeRawBufferPointer(start: nil, count: 0)
  public var kind = Kind.absent
  /// The version's timestamp (.value, .deleted, .undecodable) or the range tombstone's
  /// (.deletedByRangeTombstone); zero otherwise.
  public var timestamp = MVCCTimestamp.zero
  /// The RoachValue bytes (checksum ‖ tag ‖ data) of .value and .inline; empty otherwise.
  public var roachValue = UnsafeRawBufferPointer(start: nil, count: 0)
  /// The whole stored MVCCValue of .value, .deleted and .undecodable (header included).
  public var mvccValue = UnsafeRawBufferPointer(start: nil, count: 0)
  /// The extended header of .value/.deleted, when the value has one.
  public var header: MVCCValueHeader? = nil
  /// Why the chosen version is .undecodable.
  public var error: KVError? = nil
  /// Intents and locks on this key (empty, and unallocated, in the common case).
  public var intents: [MVCCIntent] = []
  /// Committed versions above T.
  public var newerVersions = 0
  /// Committed versions shadowed by the outcome.
  public var olderVersions = 0
  /// Undecodable metadata on this key.
  public var problems: [KVError] = []

  public init() {}
}

extension MVCCResolution {
  /// The owned copy of a borrowed resolution.
  public init(_ v: ResolvedView) {
    self.init(roachKey: Array(v.roachKey))
    switch v.kind {
    case .absent: outcome = .absent
    case .value: outcome = .value(v.timestamp, MVCCValue(header: v.header, value: RoachValue(validated: Array(v.roachValue))))
    case .deleted: outcome = .deleted(v.timestamp)
    case .deletedByRangeTombstone: outcome = .deletedByRangeTombstone(v.timestamp)
    case .inline: outcome = .inline(RoachValue(validated: Array(v.roachValue)))
    case .undecodable: outcome = .undecodable(v.timestamp, v.error ?? KVError(.corrupt, "MVCCValue", "undecodable"))
    }
    intents = v.intents
    newerVersions = v.newerVersions
    olderVersions = v.olderVersions
    problems = v.problems
  }
}

/// What one roach key resolves to.
public struct MVCCResolution: Equatable, Sendable {
  public enum Outcome: Equatable, Sendable {
    /// Nothing visible at or below T.
    case absent
    /// The newest committed version at or below T.
    case value(MVCCTimestamp, MVCCValue)
    /// Hidden by a point tombstone written at this timestamp.
    case deleted(MVCCTimestamp)
    /// Hidden by an MVCC range tombstone written at this timestamp.
    case deletedByRangeTombstone(MVCCTimestamp)
    /// An unversioned inline value (no history).
    case inline(RoachValue)
    /// The newest committed version's bytes are not an MVCCValue.
    case undecodable(MVCCTimestamp, KVError)
  }

  public var roachKey: [UInt8]
  public var outcome: Outcome = .absent
  /// Intents and locks on this key: never part of `outcome`.
  public var intents: [MVCCIntent] = []
  /// Committed versions above T (invisible at this read timestamp).
  public var newerVersions = 0
  /// Committed versions shadowed by the outcome.
  public var olderVersions = 0
  /// Undecodable metadata on this key.
  public var problems: [KVError] = []

  public init(roachKey: [UInt8]) { self.roachKey = roachKey }
}

/// An intent (provisional write of an unresolved transaction) or a replicated lock.
public struct MVCCIntent: Equatable, Sendable {
  public var key: [UInt8]
  public var txnID: UUID16?
  public var txn: TxnMeta?
  /// Timestamp of the provisional version (MVCCMetadata.timestamp, else txn.write_timestamp).
  public var timestamp: MVCCTimestamp
  /// Lock strength byte; interleaved intents are reported with 3.
  public var strength: UInt8
  /// From a lock-table key (≥21.1) rather than interleaved metadata (≤21.x).
  public var separated: Bool
  /// The provisional version's value, when the stream contained it.
  public var provisionalValue: MVCCValue? = nil
  /// Why the metadata could not be read, if it could not.
  public var problem: KVError? = nil

  public var isIntent: Bool { strength == LockTableKey.intentStrength }

  init(key: [UInt8], metadata md: MVCCMetadata) {
    self.key = key
    txn = md.txn
    txnID = md.txn?.id
    timestamp = md.timestamp.isZero ? (md.txn?.writeTimestamp ?? .zero) : md.timestamp
    strength = LockTableKey.intentStrength
    separated = false
  }

  init(lock: LockTableKey, metadata raw: [UInt8]) {
    key = lock.lockedKey
    txnID = lock.txnID
    strength = lock.strength
    separated = true
    do {
      let md = try MVCCMetadata(decoding: raw)
      txn = md.txn
      timestamp = md.timestamp.isZero ? (md.txn?.writeTimestamp ?? .zero) : md.timestamp
    } catch {
      txn = nil
      timestamp = .zero
      problem = error
    }
  }
}
