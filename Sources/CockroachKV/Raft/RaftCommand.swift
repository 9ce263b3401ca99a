/// `kvserverpb.RaftCommand` (docs/raft-log-format.md §4): what a committed normal entry asks
/// every replica to apply. Only the fields replay needs are kept.
///
/// | # | field |
/// |---|---|
/// | 4 | max_lease_index uint64 |
/// | 5 | deprecated_proposer_lease roachpb.Lease (19.x) |
/// | 6 | proposer_lease_sequence (int64 / uint64: same varint) |
/// | 13 | replicated_eval_result ReplicatedEvalResult |
/// | 14 | write_batch WriteBatch { 1 data } |
/// | 15 | logical_op_log LogicalOpLog { 1 repeated ops } |
/// | 17 | closed_timestamp hlc.Timestamp |
/// | 18–20 | admission control (encodings 2 and 3); skipped |
public struct RaftCommand: Equatable, Sendable {
  public var maxLeaseIndex: UInt64 = 0
  public var proposerLeaseSequence: Int64 = 0
  /// Set on commands proposed before lease sequences (R-APPLY-LEASE).
  public var deprecatedProposerLease: RaftLease?
  public var evalResult = ReplicatedEvalResult()
  /// The engine batch (`LSMStore` batch representation); nil when the field is absent.
  public var writeBatch: [UInt8]?
  public var logicalOps = 0
  public var closedTimestamp: MVCCTimestamp?

  public init() {}

  public init(decoding b: ArraySlice<UInt8>) throws(KVError) {
    var r = ProtoReader(b, what: "RaftCommand")
    while let f = try r.next() {
      switch f.number {
      case 4: maxLeaseIndex = try f.varint(r.what)
      case 5:
        do { deprecatedProposerLease = try RaftLease(decoding: try f.bytes(r.what)) } catch { throw error.within(r.what) }
      case 6: proposerLeaseSequence = try f.int64(r.what)
      case 13:
        // Repeated embedded messages merge (proto rule); CockroachDB writes it once.
        do { try evalResult.merge(decoding: try f.bytes(r.what)) } catch { throw error.within(r.what) }
      case 14:
        var w = try f.message("WriteBatch")
        var data: [UInt8] = []
        while let g = try w.next() { if g.number == 1 { data = Array(try g.bytes(w.what)) } }
        writeBatch = data
      case 15:
        var l = try f.message("LogicalOpLog")
        while let g = try l.next() { if g.number == 1 { logicalOps += 1 } }
      case 17: closedTimestamp = try MVCCTimestamp(proto: try f.bytes(r.what))
      default: break
      }
    }
  }
}

/// `kvserverpb.ReplicatedEvalResult` (R-RER): the replicated side effects replay follows.
public struct ReplicatedEvalResult: Equatable, Sendable {
  /// 2 state.lease: a lease request's new lease (R-APPLY-STATE).
  public var lease: RaftLease?
  /// 2 state.desc: a new range descriptor.
  public var descriptor: RangeDescriptor?
  /// 2 state.truncated_state (a log truncation).
  public var truncatedState: RaftTruncatedState?
  /// 2 state.gc_threshold: a GC request's new threshold (R-APPLY-GC).
  public var gcThreshold: MVCCTimestamp?
  public var hasSplit = false
  public var hasMerge = false
  public var hasChangeReplicas = false
  public var isLeaseRequest = false
  public var isProbe = false
  public var writeTimestamp: MVCCTimestamp = .zero
  /// 20 prev_lease_proposal: a lease request's view of the current lease's `proposed_ts`.
  public var prevLeaseProposal: MVCCTimestamp?
  /// 17 add_sstable: 1 data (empty when sideloaded), 2 crc32.
  public var addSSTable: AddSSTable?

  public struct AddSSTable: Equatable, Sendable {
    public var data: [UInt8] = []
    public var crc32: UInt32 = 0
  }

  public init() {}

  mutating func merge(decoding b: ArraySlice<UInt8>) throws(KVError) {
    var r = ProtoReader(b, what: "ReplicatedEvalResult")
    while let f = try r.next() {
      switch f.number {
      case 2:
        var s = try f.message("ReplicaState")
        while let g = try s.next() {
          switch g.number {
          case 3:
            do { descriptor = try RangeDescriptor(decoding: try g.bytes(s.what)) } catch { throw error.within(s.what) }
          case 4:
            do { lease = try RaftLease(decoding: try g.bytes(s.what)) } catch { throw error.within(s.what) }
          case 5:
            do { truncatedState = try RaftTruncatedState(decoding: try g.bytes(s.what)) } catch { throw error.within(s.what) }
          case 6: gcThreshold = try MVCCTimestamp(proto: try g.bytes(s.what))
          default: break
          }
        }
      case 3: hasSplit = true
      case 4: hasMerge = true
      case 6: isLeaseRequest = try f.bool(r.what)
      case 8: writeTimestamp = try MVCCTimestamp(proto: try f.bytes(r.what))
      case 12: hasChangeReplicas = true
      case 20: prevLeaseProposal = try MVCCTimestamp(proto: try f.bytes(r.what))
      case 17:
        var a = try f.message("AddSSTable")
        var sst = AddSSTable()
        while let g = try a.next() {
          switch g.number {
          case 1: sst.data = Array(try g.bytes(a.what))
          case 2: sst.crc32 = try g.uint32(a.what)
          default: break
          }
        }
        addSSTable = sst
      case 23: isProbe = try f.bool(r.what)
      default: break
      }
    }
  }
}

/// The stored GC threshold `…/r/lgc-` (R-KEYS-GC): an `hlc.Timestamp` proto stored inline.
public enum RaftGCThreshold {
  public static func decode(storedValue raw: [UInt8]) throws(KVError) -> MVCCTimestamp {
    try MVCCTimestamp(proto: try InlineProto.body(raw, what: "GC threshold"))
  }
}

/// `roachpb.Lease` (R-LEASE): the fields replay compares. 3 replica, 5 proposed_ts, 6 epoch,
/// 7 sequence.
public struct RaftLease: Equatable, Sendable {
  public var sequence: Int64 = 0
  public var epoch: Int64 = 0
  public var replica: ReplicaDescriptor?
  public var proposedTS: MVCCTimestamp?

  public init(sequence: Int64 = 0, epoch: Int64 = 0, replica: ReplicaDescriptor? = nil, proposedTS: MVCCTimestamp? = nil) {
    self.sequence = sequence
    self.epoch = epoch
    self.replica = replica
    self.proposedTS = proposedTS
  }

  public init(decoding b: ArraySlice<UInt8>) throws(KVError) {
    var r = ProtoReader(b, what: "Lease")
    while let f = try r.next() {
      switch f.number {
      case 3:
        do { replica = try ReplicaDescriptor(decoding: try f.bytes(r.what)) } catch { throw error.within(r.what) }
      case 5: proposedTS = try MVCCTimestamp(proto: try f.bytes(r.what))
      case 6: epoch = try f.int64(r.what)
      case 7: sequence = try f.int64(r.what)
      default: break
      }
    }
  }

  /// The stored lease record `…/r/rll-` (a plain MVCC value at the zero timestamp, i.e. inline).
  public init(storedValue raw: [UInt8]) throws(KVError) {
    try self.init(decoding: try InlineProto.body(raw, what: "Lease"))
  }
}
