/// Builders and recognisers for CockroachDB's non-SQL keys (spec §4.1–4.4): where the
/// store identity, range descriptors, applied state, Raft log, lock table and meta
/// addressing records live. Byte values from pkg/keys/constants.go.
public enum LocalKeys {
  public static let localPrefix: [UInt8] = [0x01]
  public static let localMax: [UInt8] = [0x02]
  /// `/Local/RangeID` = 01 'i'
  public static let rangeIDPrefix: [UInt8] = [0x01, 0x69]
  /// `/Local/Range` = 01 'k'
  public static let rangePrefix: [UInt8] = [0x01, 0x6B]
  /// `/Local/Store` = 01 's'
  public static let storePrefix: [UInt8] = [0x01, 0x73]
  /// `/Local/Lock` = 01 'z'; single-key lock-table entries add the infix 'k'.
  public static let lockPrefix: [UInt8] = [0x01, 0x7A]
  public static let lockTableSingleKeyPrefix: [UInt8] = [0x01, 0x7A, 0x6B]
  public static let meta1Prefix: [UInt8] = [0x02]
  public static let meta2Prefix: [UInt8] = [0x03]
  public static let systemPrefix: [UInt8] = [0x04]
  public static let systemMax: [UInt8] = [0x05]
  public static let tenantPrefixByte: UInt8 = 0xFE
  public static let keyMax: [UInt8] = [0xFF, 0xFF]

  public static let replicatedInfix = UInt8(ascii: "r")
  public static let unreplicatedInfix = UInt8(ascii: "u")

  // Range-ID-local suffixes.
  public static let rangeAppliedStateSuffix = Array("rask".utf8)
  public static let raftLogSuffix = Array("rftl".utf8)
  public static let raftHardStateSuffix = Array("rfth".utf8)
  public static let raftTruncatedStateSuffix = Array("rftt".utf8)
  public static let rangeLeaseSuffix = Array("rll-".utf8)
  /// `LocalRangeGCThresholdSuffix`: the range's GC threshold (replicated).
  public static let rangeGCThresholdSuffix = Array("lgc-".utf8)
  // Range-local suffixes.
  public static let rangeDescriptorSuffix = Array("rdsc".utf8)
  public static let transactionSuffix = Array("txn-".utf8)
  // Store-local suffixes.
  public static let storeIdentSuffix = Array("iden".utf8)
  public static let clusterVersionSuffix = Array("cver".utf8)

  /// `/Local/Store/storeIdent` — StoreIdent proto, inline MVCCMetadata (§4.2).
  public static var storeIdentKey: [UInt8] { storePrefix + storeIdentSuffix }
  /// `/Local/Store/clusterVersion`.
  public static var clusterVersionKey: [UInt8] { storePrefix + clusterVersionSuffix }

  /// `01 'i' ‖ uvarint-asc(rangeID) ‖ infix ‖ suffix ‖ detail`.
  public static func rangeIDKey(_ rangeID: Int64, replicated: Bool, suffix: [UInt8], detail: [UInt8] = []) -> [UInt8] {
    var k = rangeIDPrefix
    OrderedEncoding.encodeVarintAscending(rangeID, into: &k)
    k.append(replicated ? replicatedInfix : unreplicatedInfix)
    return k + suffix + detail
  }

  /// `/Local/RangeID/<id>/r/RangeAppliedState`.
  public static func rangeAppliedStateKey(rangeID: Int64) -> [UInt8] {
    rangeIDKey(rangeID, replicated: true, suffix: rangeAppliedStateSuffix)
  }

  /// `/Local/RangeID/<id>/u/RaftLog/logIndex:<i>` (index is a fixed 8-byte BE uint64).
  public static func raftLogKey(rangeID: Int64, index: UInt64) -> [UInt8] {
    var d: [UInt8] = []
    OrderedEncoding.encodeUint64Ascending(index, into: &d)
    return rangeIDKey(rangeID, replicated: false, suffix: raftLogSuffix, detail: d)
  }

  /// `/Local/Range/<startKey>/RangeDescriptor` = `01 'k' ‖ bytes-asc(startKey) ‖ "rdsc"`.
  public static func rangeDescriptorKey(startKey: [UInt8]) -> [UInt8] {
    var k = rangePrefix
    OrderedEncoding.encodeBytesAscending(startKey, into: &k)
    return k + rangeDescriptorSuffix
  }

  /// Transaction record key `01 'k' ‖ bytes-asc(anchor) ‖ "txn-" ‖ uuid` (§2.4).
  public static func transactionKey(anchor: [UInt8], txnID: UUID16) -> [UInt8] {
    var k = rangePrefix
    OrderedEncoding.encodeBytesAscending(anchor, into: &k)
    return k + transactionSuffix + txnID.bytes
  }

  /// `/Local/Lock/<key>` = `01 'z' 'k' ‖ bytes-asc(lockedKey)`.
  public static func lockTableKey(lockedKey: [UInt8]) -> [UInt8] {
    var k = lockTableSingleKeyPrefix
    OrderedEncoding.encodeBytesAscending(lockedKey, into: &k)
    return k
  }

  /// `RangeMetaKey` (pkg/keys): the meta record indexing the range whose *end* key is `key`.
  /// Ordinary key → `03 ‖ key`; meta2 key → `02 ‖ key[1:]`; meta1 or empty key → `02`.
  public static func rangeMetaKey(_ key: [UInt8]) -> [UInt8] {
    guard let first = key.first else { return meta1Prefix }
    switch first {
    case 0x03: return meta1Prefix + key.dropFirst()
    case 0x02: return meta1Prefix
    default: return meta2Prefix + key
    }
  }

  /// `/Meta2/<endKey>`: where the descriptor of the range ending at `endKey` is addressed.
  public static func meta2Key(rangeEndKey endKey: [UInt8]) -> [UInt8] { rangeMetaKey(endKey) }

  /// What a roach key is, for the keys Salvage reads cluster metadata from.
  public enum Role: Equatable, Sendable {
    case storeIdent
    case clusterVersion
    case rangeAppliedState(rangeID: Int64)
    case raftLog(rangeID: Int64, index: UInt64)
    /// Other range-ID-local keys, with their 4-byte suffix.
    case rangeIDLocal(rangeID: Int64, replicated: Bool, suffix: [UInt8])
    case rangeDescriptor(startKey: [UInt8])
    case transactionRecord(anchor: [UInt8], txnID: UUID16)
    /// A separated lock-table key (§1.4) and the key it locks.
    case lock(lockedKey: [UInt8])
    /// A meta1 (level 1) or meta2 (level 2) record, indexed by a range end key.
    case meta(level: Int, endKey: [UInt8])
    case system
    /// SQL data: `tenant` is nil for the system tenant.
    case table(tenant: UInt64?, tableID: UInt64)
    case other
  }

  /// Classifies a roach key (no engine sentinel or version).
  public static func role(of key: [UInt8]) -> Role {
    let s = key[...]
    if key.starts(with: storePrefix) {
      let rest = key.dropFirst(2)
      if rest.starts(with: storeIdentSuffix) { return .storeIdent }
      if rest.starts(with: clusterVersionSuffix) { return .clusterVersion }
      return .other
    }
    if key.starts(with: rangeIDPrefix) {
      guard let (id, rest) = try? OrderedEncoding.decodeVarintAscending(s.dropFirst(2)),
            let infix = rest.first, rest.count >= 5 else { return .other }
      let suffix = Array(rest.dropFirst().prefix(4))
      let detail = rest.dropFirst(5)
      if infix == replicatedInfix && suffix == rangeAppliedStateSuffix && detail.isEmpty {
        return .rangeAppliedState(rangeID: id)
      }
      if infix == unreplicatedInfix && suffix == raftLogSuffix,
         let (idx, r) = try? OrderedEncoding.decodeUint64Ascending(detail), r.isEmpty {
        return .raftLog(rangeID: id, index: idx)
      }
      return .rangeIDLocal(rangeID: id, replicated: infix == replicatedInfix, suffix: suffix)
    }
    if key.starts(with: lockTableSingleKeyPrefix) {
      if let (locked, rest) = try? OrderedEncoding.decodeBytesAscending(s.dropFirst(3)), rest.isEmpty {
        return .lock(lockedKey: locked)
      }
      return .other
    }
    if key.starts(with: rangePrefix) {
      guard let (addr, rest) = try? OrderedEncoding.decodeBytesAscending(s.dropFirst(2)) else { return .other }
      if Array(rest) == rangeDescriptorSuffix { return .rangeDescriptor(startKey: addr) }
      if rest.count == 20 && rest.starts(with: transactionSuffix), let id = UUID16(rest.dropFirst(4)) {
        return .transactionRecord(anchor: addr, txnID: id)
      }
      return .other
    }
    guard let first = key.first else { return .other }
    switch first {
    case 0x02: return .meta(level: 1, endKey: Array(key.dropFirst()))
    case 0x03: return .meta(level: 2, endKey: Array(key.dropFirst()))
    case 0x04: return .system
    case 0x88...0xFD:
      if let (t, _) = try? OrderedEncoding.decodeUvarintAscending(s) { return .table(tenant: nil, tableID: t) }
    case tenantPrefixByte:
      if let (ten, rest) = try? OrderedEncoding.decodeUvarintAscending(s.dropFirst()),
         let (t, _) = try? OrderedEncoding.decodeUvarintAscending(rest) {
        return .table(tenant: ten, tableID: t)
      }
    default: break
    }
    return .other
  }
}
