import CockroachKV
import LSMStore

/// Where a descriptor was read (spec §4.3): a replica's own copy at
/// `/Local/Range/<start>/RangeDescriptor`, or the cluster's addressing records in meta1/meta2.
public enum DescriptorSource: String, Sendable, Comparable {
  case rangeLocal = "range-local", meta2, meta1

  var rank: Int { self == .rangeLocal ? 0 : self == .meta2 ? 1 : 2 }
  public static func < (a: DescriptorSource, b: DescriptorSource) -> Bool { a.rank < b.rank }
}

/// The newest committed version of one descriptor record.
public struct DescriptorRecord: Equatable, Sendable {
  public var descriptor: RangeDescriptor
  /// MVCC timestamp of the version read.
  public var timestamp: MVCCTimestamp
  public var source: DescriptorSource
  /// The roach key it was read from.
  public var key: [UInt8]

  public var span: KeySpan { KeySpan(start: descriptor.startKey, end: descriptor.endKey) }
}

/// How far one replica applied its Raft log (spec §4.2, range-ID-local keys).
public struct ReplicaState: Equatable, Sendable {
  public var rangeID: Int64
  /// `rask` (20.1+).
  public var appliedState: RangeAppliedState?
  /// `rfta` / `rlla`: 19.1 kept the two indexes under separate keys, as inline INTs.
  public var legacyRaftAppliedIndex: UInt64?
  public var legacyLeaseAppliedIndex: UInt64?
  /// Raft log entries present (`rftl`): first and last index, count.
  public var raftLog: (first: UInt64, last: UInt64, count: Int)?

  public init(rangeID: Int64) { self.rangeID = rangeID }

  public var raftAppliedIndex: UInt64 { appliedState?.raftAppliedIndex ?? legacyRaftAppliedIndex ?? 0 }
  public var leaseAppliedIndex: UInt64 { appliedState?.leaseAppliedIndex ?? legacyLeaseAppliedIndex ?? 0 }
  public var hasAppliedState: Bool { appliedState != nil || legacyRaftAppliedIndex != nil }

  public static func == (a: ReplicaState, b: ReplicaState) -> Bool {
    a.rangeID == b.rangeID && a.appliedState == b.appliedState && a.legacyRaftAppliedIndex == b.legacyRaftAppliedIndex
      && a.legacyLeaseAppliedIndex == b.legacyLeaseAppliedIndex
      && a.raftLog?.first == b.raftLog?.first && a.raftLog?.last == b.raftLog?.last && a.raftLog?.count == b.raftLog?.count
  }
}

/// The cluster metadata one store holds: who it is, which ranges it knows and how far each
/// of its replicas got. Read from the keys below /System (they sort first in either
/// comparer), resolved with `MVCCResolver` to the newest committed version.
public struct StoreCatalog: Sendable {
  public var path: String
  public var ident: StoreIdent?
  /// The store's replicas' own descriptors, by range id then start key.
  public var localDescriptors: [DescriptorRecord] = []
  /// meta1/meta2 records this store holds (it holds a meta range), by key.
  public var metaDescriptors: [DescriptorRecord] = []
  /// Per range id: applied state and Raft log of this store's replica.
  public var replicas: [Int64: ReplicaState] = [:]
  /// Each replica's Raft state for replay (log entries past its applied index only).
  public var raftLogs: [Int64: ReplicaRaftLog] = [:]
  /// Intents on descriptor or meta keys: uncommitted changes (a split or replica change in
  /// flight), never taken as the descriptor.
  public var intents: [MVCCIntent] = []
  /// Spans of roach keys this store cannot read (tables the LSM reported unreadable).
  public var damagedSpans: [KeySpan] = []
  /// Undecodable records; each names the store and the key.
  public var problems: [Problem] = []

  public init(path: String) { self.path = path }

  /// Opens the store at `path` and reads its catalog.
  public static func read(path: String) throws(StoreError) -> StoreCatalog {
    StoreCatalog(store: try Store(path: path))
  }

  /// Range ids this store holds a replica of: it has the range's applied state or its
  /// range-local descriptor.
  public var heldRangeIDs: [Int64] {
    Set(replicas.values.filter(\.hasAppliedState).map(\.rangeID)).union(localDescriptors.map(\.descriptor.rangeID)).sorted()
  }

  public func localDescriptor(rangeID: Int64) -> DescriptorRecord? {
    localDescriptors.filter { $0.descriptor.rangeID == rangeID }.max { $0.descriptor.generation < $1.descriptor.generation }
  }
}
