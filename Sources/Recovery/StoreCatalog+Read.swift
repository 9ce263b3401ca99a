import CockroachKV
import LSMStore

extension StoreCatalog {
  /// Legacy (19.1) range-ID-local suffixes: RaftAppliedIndex and LeaseAppliedIndex.
  static let legacyRaftAppliedIndexSuffix = Array("rfta".utf8)
  static let legacyLeaseAppliedIndexSuffix = Array("rlla".utf8)

  public init(store: Store) {
    self.init(path: store.path)
    var records: [(key: [UInt8], value: [UInt8])] = []
    var locks: [(LockTableKey, [UInt8])] = []
    // Applied indexes as they pass (a range's come before its log entries: /r/ < /u/), so
    // only the entries past them are kept for replay.
    var applied: [Int64: UInt64] = [:]
    let it = store.makeVisibleIterator()
    while let e = it.next() {
      if let first = e.key.first, first >= LocalKeys.systemPrefix[0] { break }  // past /Meta2
      guard let key = try? EngineKey(decoding: e.key) else {
        problems.append(Problem(.undecodable, store: path, key: e.key, "key \(hex(e.key)) is not a CockroachDB engine key"))
        continue
      }
      switch LocalKeys.role(of: key.roachKey) {
      case .raftLog(let id, let index):
        var r = replicas[id] ?? ReplicaState(rangeID: id)
        let log = r.raftLog
        r.raftLog = (Swift.min(log?.first ?? index, index), Swift.max(log?.last ?? index, index), (log?.count ?? 0) + 1)
        replicas[id] = r
        if key.version == .none {
          RaftLogReader.absorb(.raftLog(rangeID: id, index: index), key: key, value: e.value, appliedIndexes: applied, into: &raftLogs)
        }
      case .lock(let locked):
        if Self.isMetadataKey(locked), let lock = try? LockTableKey(key) { locks.append((lock, e.value)) }
      case let role where Self.isMetadataRole(role):
        records.append((e.key, e.value))
        if let (id, index) = Self.appliedIndex(role, engineKey: e.key, value: e.value) { applied[id] = index }
      case let role:
        if key.version == .none { RaftLogReader.absorb(role, key: key, value: e.value, appliedIndexes: applied, into: &raftLogs) }
      }
    }
    for i in store.issues + it.issues where i.severity == .damage { problems.append(Problem(.damage, store: path, "\(i.error)")) }
    damagedSpans = Self.damagedSpans(store)
    resolve(records, locks: locks)
    localDescriptors.sort {
      $0.descriptor.rangeID != $1.descriptor.rangeID ? $0.descriptor.rangeID < $1.descriptor.rangeID : $0.key.lexicographicallyPrecedes($1.key)
    }
    metaDescriptors.sort { $0.key.lexicographicallyPrecedes($1.key) }
  }

  /// The Raft applied index a `rask` (or 19.1 `rfta`) record holds, decoded as it passes.
  static func appliedIndex(_ role: LocalKeys.Role, engineKey: [UInt8], value: [UInt8]) -> (Int64, UInt64)? {
    let id: Int64
    switch role {
    case .rangeAppliedState(let i): id = i
    case .rangeIDLocal(let i, true, let suffix) where suffix == legacyRaftAppliedIndexSuffix: id = i
    default: return nil
    }
    var resolver = MVCCResolver()
    guard let done = resolver.resolve(entries: [(engineKey, value)]).first, case .inline(let v) = done.outcome else { return nil }
    if case .rangeAppliedState = role { return (try? RangeAppliedState(decoding: v.data)).map { (id, $0.raftAppliedIndex) } }
    guard case .int(let n)? = try? v.decoded(), n >= 0 else { return nil }
    return (id, UInt64(n))
  }

  static func isMetadataRole(_ role: LocalKeys.Role) -> Bool {
    switch role {
    case .storeIdent, .rangeAppliedState, .rangeDescriptor, .meta: return true
    case .rangeIDLocal(_, let replicated, let suffix):
      return replicated && (suffix == legacyRaftAppliedIndexSuffix || suffix == legacyLeaseAppliedIndexSuffix)
    default: return false
    }
  }

  static func isMetadataKey(_ roachKey: [UInt8]) -> Bool { isMetadataRole(LocalKeys.role(of: roachKey)) }

  /// Resolves the records (in engine-key order whatever the store's comparer: a bytewise
  /// store, such as one built by `ldb`, orders versions oldest first) and decodes each outcome.
  mutating func resolve(_ records: [(key: [UInt8], value: [UInt8])], locks: [(LockTableKey, [UInt8])]) {
    var resolver = MVCCResolver()
    for (lock, md) in locks { resolver.register(lock: lock, metadata: md) }
    var bad: [Problem] = []
    let resolved = resolver.resolve(entries: records) { key, error in
      bad.append(Problem(.undecodable, store: path, subject: "key \(hex(key))", key: key, "\(error)"))
    }
    problems += bad
    for r in resolved { absorb(r) }
  }

  mutating func absorb(_ r: MVCCResolution) {
    let where_ = Keyspace.prettyPrint(r.roachKey)
    func problem(_ kind: Problem.Kind, _ detail: String) { problems.append(Problem(kind, store: path, subject: where_, key: r.roachKey, detail)) }
    intents += r.intents.filter(\.isIntent)
    for p in r.problems { problem(.undecodable, "\(p)") }
    do {
      switch (LocalKeys.role(of: r.roachKey), r.outcome) {
      case (.storeIdent, .inline(let v)):
        ident = try StoreIdent(decoding: v.data)
      case (.rangeAppliedState(let id), .inline(let v)):
        replicas[id, default: ReplicaState(rangeID: id)].appliedState = try RangeAppliedState(decoding: v.data)
      case (.rangeIDLocal(let id, _, let suffix), .inline(let v)):
        guard case .int(let n) = try v.decoded(), n >= 0 else {
          problem(.undecodable, "legacy applied index is not a non-negative INT")
          return
        }
        if suffix == Self.legacyRaftAppliedIndexSuffix {
          replicas[id, default: ReplicaState(rangeID: id)].legacyRaftAppliedIndex = UInt64(n)
        } else {
          replicas[id, default: ReplicaState(rangeID: id)].legacyLeaseAppliedIndex = UInt64(n)
        }
      case (.rangeDescriptor, .value(let t, let v)):
        localDescriptors.append(DescriptorRecord(descriptor: try RangeDescriptor(decoding: v.value.data), timestamp: t, source: .rangeLocal, key: r.roachKey))
      case (.meta(let level, _), .value(let t, let v)):
        metaDescriptors.append(DescriptorRecord(descriptor: try RangeDescriptor(decoding: v.value.data), timestamp: t,
                                                source: level == 1 ? .meta1 : .meta2, key: r.roachKey))
      case (_, .deleted), (_, .deletedByRangeTombstone), (_, .absent):
        return  // a descriptor removed by a merge, or only an intent: nothing committed to take
      case (_, .undecodable(_, let e)):
        problem(.undecodable, "\(e)")
      default:
        problem(.undecodable, "unexpected kind of value for this key")
      }
    } catch {
      problem(.undecodable, "\(error)")
    }
  }

  /// Tables the LSM could not read, as roach-key spans (bounds from the MANIFEST; the
  /// largest key is inclusive, so the span ends just after its roach key).
  static func damagedSpans(_ store: Store) -> [KeySpan] {
    var spans: [KeySpan] = []
    for t in store.tables where t.unreadable {
      guard let m = t.meta else { spans.append(.everything); continue }
      let lo = (try? EngineKey(decoding: m.smallest.userKey).roachKey) ?? []
      let hi = (try? EngineKey(decoding: m.largest.userKey).roachKey).map { $0 + [0] } ?? LocalKeys.keyMax
      spans.append(KeySpan(start: lo, end: hi))
    }
    return spans.sorted()
  }
}
