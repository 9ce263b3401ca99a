/// `roachpb.RangeDescriptor` (proto2, spec §4.3): stored at `/Meta2/<endKey>` (MVCC,
/// roachpb.Value BYTES) and at `/Local/Range/<startKey>/RangeDescriptor` on each replica.
///
/// | # | field | notes |
/// |---|---|---|
/// | 1 | range_id int64 | |
/// | 2 | start_key bytes | inclusive |
/// | 3 | end_key bytes | exclusive |
/// | 4 | internal_replicas repeated ReplicaDescriptor | `replicas` ≤19.1 |
/// | 5 | next_replica_id int32 | |
/// | 6 | generation int64 | higher = newer |
/// | 7 | sticky_bit hlc.Timestamp | |
public struct RangeDescriptor: Equatable, Sendable {
  public var rangeID: Int64 = 0
  public var startKey: [UInt8] = []
  public var endKey: [UInt8] = []
  public var replicas: [ReplicaDescriptor] = []
  public var nextReplicaID: Int32 = 0
  public var generation: Int64 = 0
  public var stickyBit: MVCCTimestamp? = nil

  public init() {}

  public init<C: Collection>(decoding raw: C) throws(KVError) where C.Element == UInt8 {
    var r = ProtoReader(Array(raw), what: "RangeDescriptor")
    while let f = try r.next() {
      switch f.number {
      case 1: rangeID = try f.int64(r.what)
      case 2: startKey = Array(try f.bytes(r.what))
      case 3: endKey = Array(try f.bytes(r.what))
      case 4:
        do { replicas.append(try ReplicaDescriptor(decoding: try f.bytes(r.what))) } catch { throw error.within(r.what) }
      case 5: nextReplicaID = try f.int32(r.what)
      case 6: generation = try f.int64(r.what)
      case 7: stickyBit = try MVCCTimestamp(proto: try f.bytes(r.what))
      default: break  // 8 generation_comparable (19.x) and newer fields
      }
    }
  }

  /// Decodes the descriptor from an MVCC value (a roachpb.Value BYTES wrapping the proto).
  public init(mvccValue raw: [UInt8]) throws(KVError) {
    let v = try MVCCValue(decoding: raw)
    guard !v.isTombstone else { throw KVError(.corrupt, "RangeDescriptor", "value is a tombstone") }
    try self.init(decoding: v.value.data)
  }

  /// `r12:/Table/53{-/1}`-style summary is CockroachDB's; Salvage prints the plain span.
  public var span: String { "r\(rangeID):[\(Keyspace.prettyPrint(startKey)), \(Keyspace.prettyPrint(endKey)))" }
}

/// `roachpb.ReplicaDescriptor`: 1 node_id, 2 store_id, 3 replica_id, 4 type.
public struct ReplicaDescriptor: Equatable, Sendable {
  /// Absent (19.1) means VOTER_FULL.
  public enum ReplicaType: Int32, Sendable {
    case voterFull = 0, learner = 1, voterIncoming = 2, voterOutgoing = 3
    case voterDemotingLearner = 4, nonVoter = 5, voterDemotingNonVoter = 6
  }

  public var nodeID: Int32 = 0
  public var storeID: Int32 = 0
  public var replicaID: Int32 = 0
  /// Raw enum value; see `type`.
  public var typeValue: Int32 = 0

  public init(nodeID: Int32, storeID: Int32, replicaID: Int32, typeValue: Int32 = 0) {
    self.nodeID = nodeID
    self.storeID = storeID
    self.replicaID = replicaID
    self.typeValue = typeValue
  }

  /// nil for an enum value newer than this decoder.
  public var type: ReplicaType? { ReplicaType(rawValue: typeValue) }

  public init(decoding b: ArraySlice<UInt8>) throws(KVError) {
    var r = ProtoReader(b, what: "ReplicaDescriptor")
    while let f = try r.next() {
      switch f.number {
      case 1: nodeID = try f.int32(r.what)
      case 2: storeID = try f.int32(r.what)
      case 3: replicaID = try f.int32(r.what)
      case 4: typeValue = try f.int32(r.what)
      default: break
      }
    }
  }
}
