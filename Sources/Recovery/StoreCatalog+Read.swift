import CockroachKV
import LSMStore

extension StoreCatalog {
  /// Legacy (19.1) range-ID-local suffixes: RaftAppliedIndex and LeaseAppliedIndex.
  static let legacyRaftAppliedIndexSuffix = Array("rfta".utf8)
  static let legacyLeaseAppliedIndexSuffix = Array("rlla".utf8)

  public init(store: Store) {
    self.init(path: store.path)
    // Applied indexes as they pass (a range's come before its log entries: /r/ < /u/), so
    // only the entries past them are kept for replay.
    var applied: [Int64: UInt64] = [:]
    // The recovery's cursor over the local keys (everything before /System): metadata
    // records resolved as MVCC, Raft state taken raw.
    let stats = SpanScanner(store: store, spans: [KeySpan(start: [], end: LocalKeys.systemPrefix)]).runGroups { _, group, resolver in
      let roachKey = Array(group.roachKey)
      let role = LocalKeys.role(of: roachKey)
      if case .raftLog(let id, let index) = role {
        var r = replicas[id] ?? ReplicaState(rangeID: id)
        let log = r.raftLog
        r.raftLog = (Swift.min(log?.first ?? index, index), Swift.max(log?.last ?? index, index), (log?.count ?? 0) + group.count)
        replicas[id] = r
      }
      if Self.isMetadataRole(role) {
        let resolved = MVCCResolution(resolver.resolve(group))
        absorb(resolved)
        if case .inline = resolved.outcome, let id = Self.appliedIndexRange(role), let index = Self.appliedIndex(of: replicas[id]) {
          applied[id] = index
        }
        return
      }
      RaftLogReader.absorb(group, roachKey: roachKey, role: role, appliedIndexes: applied, into: &raftLogs)
    }
    problems += stats.problems.map { $0.inStore(path) }
    for i in store.issues + stats.issues where i.severity == .damage { problems.append(Problem(.damage, store: path, "\(i.error)")) }
    damagedSpans = Self.damagedSpans(store)
    localDescriptors.sort {
      $0.descriptor.rangeID != $1.descriptor.rangeID ? $0.descriptor.rangeID < $1.descriptor.rangeID : $0.key.lexicographicallyPrecedes($1.key)
    }
    metaDescriptors.sort { $0.key.lexicographicallyPrecedes($1.key) }
  }

  /// The range whose Raft applied index a record of this role holds (`rask`, or 19.1 `rfta`).
  static func appliedIndexRange(_ role: LocalKeys.Role) -> Int64? {
    switch role {
    case .rangeAppliedState(let id): return id
    case .rangeIDLocal(let id, true, let suffix) where suffix == legacyRaftAppliedIndexSuffix: return id
    default: return nil
    }
  }

  /// The Raft applied index absorbed so far for a replica.
  static func appliedIndex(of r: ReplicaState?) -> UInt64? {
    r?.appliedState?.raftAppliedIndex ?? r?.legacyRaftAppliedIndex
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
