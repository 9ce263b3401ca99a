/// One Raft log entry (`raftpb.Entry`, docs/raft-log-format.md R-ENTRY), as stored at
/// `/Local/RangeID/<id>/u/rftl<index>` inside an inline MVCC value (R-VALUE).
///
/// | # | field |
/// |---|---|
/// | 1 | Type EntryType (0 normal, 1 conf change, 2 conf change v2) |
/// | 2 | Term uint64 |
/// | 3 | Index uint64 |
/// | 4 | Data bytes |
public struct RaftEntry: Equatable, Sendable {
  public enum EntryType: Equatable, Sendable {
    case normal, confChange, confChangeV2
    case unknown(UInt64)

    init(_ v: UInt64) {
      switch v {
      case 0: self = .normal
      case 1: self = .confChange
      case 2: self = .confChangeV2
      default: self = .unknown(v)
      }
    }
  }

  public var term: UInt64 = 0
  public var index: UInt64 = 0
  public var type: EntryType = .normal
  public var data: [UInt8] = []

  public init(term: UInt64, index: UInt64, type: EntryType = .normal, data: [UInt8] = []) {
    self.term = term
    self.index = index
    self.type = type
    self.data = data
  }

  /// Decodes the marshaled proto.
  public init(decoding b: ArraySlice<UInt8>) throws(KVError) {
    var r = ProtoReader(b, what: "raftpb.Entry")
    while let f = try r.next() {
      switch f.number {
      case 1: type = EntryType(try f.varint(r.what))
      case 2: term = try f.varint(r.what)
      case 3: index = try f.varint(r.what)
      case 4: data = Array(try f.bytes(r.what))
      default: break
      }
    }
  }

  /// Decodes the stored engine value (inline MVCCMetadata → roachpb.Value → proto).
  public init(storedValue raw: [UInt8]) throws(KVError) {
    try self.init(decoding: try InlineProto.body(raw, what: "raftpb.Entry"))
  }
}

/// `raftpb.HardState` at `/Local/RangeID/<id>/u/rfth` (R-HARD): 1 term, 2 vote, 3 commit.
/// Later fields of CockroachDB's fork (lead, lead epoch) are skipped.
public struct RaftHardState: Equatable, Sendable {
  public var term: UInt64 = 0
  public var vote: UInt64 = 0
  public var commit: UInt64 = 0

  public init(term: UInt64 = 0, vote: UInt64 = 0, commit: UInt64 = 0) {
    self.term = term
    self.vote = vote
    self.commit = commit
  }

  public init(decoding b: ArraySlice<UInt8>) throws(KVError) {
    var r = ProtoReader(b, what: "raftpb.HardState")
    while let f = try r.next() {
      switch f.number {
      case 1: term = try f.varint(r.what)
      case 2: vote = try f.varint(r.what)
      case 3: commit = try f.varint(r.what)
      default: break
      }
    }
  }

  public init(storedValue raw: [UInt8]) throws(KVError) {
    try self.init(decoding: try InlineProto.body(raw, what: "raftpb.HardState"))
  }
}

/// `roachpb.RaftTruncatedState` at `…/u/rftt` (or `…/r/rftt` up to 20.2; R-TRUNC):
/// 1 index (highest index removed from the log), 2 term.
public struct RaftTruncatedState: Equatable, Sendable {
  public var index: UInt64 = 0
  public var term: UInt64 = 0

  public init(index: UInt64 = 0, term: UInt64 = 0) {
    self.index = index
    self.term = term
  }

  public init(decoding b: ArraySlice<UInt8>) throws(KVError) {
    var r = ProtoReader(b, what: "RaftTruncatedState")
    while let f = try r.next() {
      switch f.number {
      case 1: index = try f.varint(r.what)
      case 2: term = try f.varint(r.what)
      default: break
      }
    }
  }

  public init(storedValue raw: [UInt8]) throws(KVError) {
    try self.init(decoding: try InlineProto.body(raw, what: "RaftTruncatedState"))
  }
}
