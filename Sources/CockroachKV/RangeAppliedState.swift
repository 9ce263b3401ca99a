/// `enginepb.RangeAppliedState` at `/Local/RangeID/<id>/r/RangeAppliedState` (pkg/storage/
/// enginepb/mvcc3.proto): how far a replica applied its Raft log — what tells which of
/// several surviving replicas is the most advanced.
///
/// | # | field |
/// |---|---|
/// | 1 | raft_applied_index uint64 |
/// | 2 | lease_applied_index uint64 |
/// | 3 | range_stats MVCCPersistentStats |
/// | 4 | raft_closed_timestamp hlc.Timestamp |
/// | 5 | raft_applied_index_term uint64 (newer versions) |
public struct RangeAppliedState: Equatable, Sendable {
  public var raftAppliedIndex: UInt64 = 0
  public var leaseAppliedIndex: UInt64 = 0
  public var stats = MVCCStats()
  public var raftClosedTimestamp: MVCCTimestamp = .zero
  public var raftAppliedIndexTerm: UInt64 = 0

  public init() {}

  public init<C: Collection>(decoding raw: C) throws(KVError) where C.Element == UInt8 {
    var r = ProtoReader(Array(raw), what: "RangeAppliedState")
    while let f = try r.next() {
      switch f.number {
      case 1: raftAppliedIndex = try f.varint(r.what)
      case 2: leaseAppliedIndex = try f.varint(r.what)
      case 3:
        do { stats = try MVCCStats(decoding: try f.bytes(r.what)) } catch { throw error.within(r.what) }
      case 4: raftClosedTimestamp = try MVCCTimestamp(proto: try f.bytes(r.what))
      case 5: raftAppliedIndexTerm = try f.varint(r.what)
      default: break
      }
    }
  }

  public init(inlineValue raw: [UInt8]) throws(KVError) {
    try self.init(decoding: try InlineProto.body(raw, what: "RangeAppliedState"))
  }
}

/// `enginepb.MVCCPersistentStats`: 1–3 sfixed64 (last update, intent age, GC bytes age),
/// 4–13 and 15–16 int64 counters, 14 contains_estimates. Newer fields are skipped.
public struct MVCCStats: Equatable, Sendable {
  public var lastUpdateNanos: Int64 = 0
  public var intentAge: Int64 = 0
  public var gcBytesAge: Int64 = 0
  public var intentBytes: Int64 = 0
  public var abortSpanBytes: Int64 = 0
  public var separatedIntentCount: Int64 = 0
  public var liveBytes: Int64 = 0
  public var liveCount: Int64 = 0
  public var keyBytes: Int64 = 0
  public var keyCount: Int64 = 0
  public var valBytes: Int64 = 0
  public var valCount: Int64 = 0
  public var intentCount: Int64 = 0
  public var sysBytes: Int64 = 0
  public var sysCount: Int64 = 0
  public var containsEstimates: Int64 = 0

  public init() {}

  public init(decoding b: ArraySlice<UInt8>) throws(KVError) {
    var r = ProtoReader(b, what: "MVCCStats")
    while let f = try r.next() {
      switch f.number {
      case 1: lastUpdateNanos = Int64(bitPattern: try f.fixed64(r.what))
      case 2: intentAge = Int64(bitPattern: try f.fixed64(r.what))
      case 3: gcBytesAge = Int64(bitPattern: try f.fixed64(r.what))
      case 10: intentBytes = try f.int64(r.what)
      case 15: abortSpanBytes = try f.int64(r.what)
      case 16: separatedIntentCount = try f.int64(r.what)
      case 4: liveBytes = try f.int64(r.what)
      case 5: liveCount = try f.int64(r.what)
      case 6: keyBytes = try f.int64(r.what)
      case 7: keyCount = try f.int64(r.what)
      case 8: valBytes = try f.int64(r.what)
      case 9: valCount = try f.int64(r.what)
      case 11: intentCount = try f.int64(r.what)
      case 12: sysBytes = try f.int64(r.what)
      case 13: sysCount = try f.int64(r.what)
      case 14: containsEstimates = try f.int64(r.what)
      default: break
      }
    }
  }
}
