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

  var groupKey: [UInt8]? = nil
  var group: [(version: EngineKey.Version, value: [UInt8])] = []
  var previousRaw: [UInt8]? = nil

  public init(readTimestamp: MVCCTimestamp = .max, rangeKeys: [MVCCRangeKey] = []) {
    self.readTimestamp = readTimestamp
    self.rangeTombstones = rangeKeys.filter(\.isTombstone).sorted { $0.start.lexicographicallyPrecedes($1.start) }
  }

  /// Registers a lock-table entry (key and its MVCCMetadata value) ahead of the stream.
  public mutating func register(lock: LockTableKey, metadata: [UInt8]) {
    locks[lock.lockedKey, default: []].append(MVCCIntent(lock: lock, metadata: metadata))
  }

  /// Consumes the next entry (raw engine key and value) in engine-key order. Returns the
  /// resolution of the previous roach key when this entry starts a new one. Lock-table
  /// entries are absorbed (they produce intents on the key they lock).
  public mutating func push(engineKey raw: [UInt8], value: [UInt8]) throws(KVError) -> MVCCResolution? {
    if let p = previousRaw, EngineKey.compare(p, raw) > 0 {
      throw KVError(.corrupt, "MVCCResolver", "entries out of engine-key order: \(kvHex(p.prefix(48))) before \(kvHex(raw.prefix(48)))")
    }
    previousRaw = raw
    let key = try EngineKey(decoding: raw)
    if let lock = try LockTableKey(key) {
      register(lock: lock, metadata: value)
      return nil
    }
    var done: MVCCResolution? = nil
    if groupKey != key.roachKey {
      done = finish()
      groupKey = key.roachKey
    }
    if let last = group.last, last.version == key.version { return done }  // duplicate: first wins
    group.append((key.version, value))
    return done
  }

  /// `push` over borrowed buffers (the LSM iterator's views); the bytes are copied.
  public mutating func push(engineKey: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) throws(KVError) -> MVCCResolution? {
    try push(engineKey: Array(engineKey), value: Array(value))
  }

  /// Resolves the pending roach key, if any. Call once after the last `push`.
  public mutating func finish() -> MVCCResolution? {
    guard let k = groupKey else { return nil }
    defer { groupKey = nil; group = [] }
    return resolve(roachKey: k, entries: group)
  }

  /// The newest range tombstone covering `key` with ts ≤ T.
  func rangeTombstone(covering key: [UInt8]) -> MVCCTimestamp? {
    var best: MVCCTimestamp? = nil
    for rt in rangeTombstones {
      if key.lexicographicallyPrecedes(rt.start) { break }  // sorted by start
      if rt.covers(key), rt.timestamp <= readTimestamp, best.map({ rt.timestamp > $0 }) ?? true { best = rt.timestamp }
    }
    return best
  }

  /// Resolves one roach key from its entries in engine order (unversioned first, then
  /// versions newest first). A pure function of the entries, T, the range tombstones and
  /// the registered locks.
  public func resolve(roachKey: [UInt8], entries: [(version: EngineKey.Version, value: [UInt8])]) -> MVCCResolution {
    var r = MVCCResolution(roachKey: roachKey)
    var intents = locks[roachKey] ?? []
    for (version, value) in entries {
      guard case .none = version else { continue }
      do {
        let md = try MVCCMetadata(decoding: value)
        switch md.meaning {
        case .intent: intents.append(MVCCIntent(key: roachKey, metadata: md))
        case .inline(let v): r.outcome = .inline(v)
        case .unexpected: r.problems.append(KVError(.corrupt, "MVCCMetadata", "neither intent nor inline value at \(Keyspace.prettyPrint(roachKey))"))
        }
      } catch {
        r.problems.append(error)
      }
    }
    let provisional = Set(intents.filter(\.isIntent).map(\.timestamp))
    let rt = rangeTombstone(covering: roachKey)
    var decided = r.outcome != .absent
    for (version, value) in entries {
      guard case .mvcc(let t) = version else { continue }
      if provisional.contains(t) {
        for i in intents.indices where intents[i].isIntent && intents[i].timestamp == t {
          intents[i].provisionalValue = try? MVCCValue(decoding: value)
        }
        continue
      }
      if t > readTimestamp { r.newerVersions += 1; continue }
      if decided { r.olderVersions += 1; continue }
      decided = true
      if let rt, t < rt {
        r.outcome = .deletedByRangeTombstone(rt)
        r.olderVersions += 1
        continue
      }
      do {
        let v = try MVCCValue(decoding: value)
        r.outcome = v.isTombstone ? .deleted(t) : .value(t, v)
      } catch {
        r.outcome = .undecodable(t, error)
      }
    }
    if !decided, let rt { r.outcome = .deletedByRangeTombstone(rt) }
    r.intents = intents
    return r
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
