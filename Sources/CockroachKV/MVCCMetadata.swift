/// `enginepb.MVCCMetadata` (proto2, spec §2.4): the value of an unversioned engine key
/// (`roachKey ‖ 00`) and of a lock-table key. Raw protobuf, never wrapped in a roachpb.Value.
///
/// | # | field | use here |
/// |---|---|---|
/// | 1 | txn TxnMeta | present ⇒ an intent |
/// | 2 | timestamp LegacyTimestamp | timestamp of the provisional version |
/// | 3 | deleted bool | the provisional value is a deletion |
/// | 4/5 | key_bytes / val_bytes | stats |
/// | 6 | raw_bytes | inline value (a roachpb.Value) |
/// | 7 | merge_timestamp | time-series merges |
/// | 8 | intent_history | repeated {1 sequence, 2 value} |
/// | 9 | txn_did_not_update_meta | |
public struct MVCCMetadata: Equatable, Sendable {
  public var txn: TxnMeta? = nil
  public var timestamp: MVCCTimestamp = .zero
  public var deleted = false
  public var keyBytes: Int64 = 0
  public var valBytes: Int64 = 0
  public var rawBytes: [UInt8]? = nil
  public var mergeTimestamp: MVCCTimestamp? = nil
  public var intentHistory: [(sequence: Int32, value: [UInt8])] = []
  public var txnDidNotUpdateMeta: Bool? = nil

  public init() {}

  public static func == (a: MVCCMetadata, b: MVCCMetadata) -> Bool {
    a.txn == b.txn && a.timestamp == b.timestamp && a.deleted == b.deleted && a.keyBytes == b.keyBytes
      && a.valBytes == b.valBytes && a.rawBytes == b.rawBytes && a.mergeTimestamp == b.mergeTimestamp
      && a.intentHistory.map(\.sequence) == b.intentHistory.map(\.sequence)
      && a.intentHistory.map(\.value) == b.intentHistory.map(\.value)
      && a.txnDidNotUpdateMeta == b.txnDidNotUpdateMeta
  }

  public init<C: Collection>(decoding raw: C) throws(KVError) where C.Element == UInt8 {
    var r = ProtoReader(Array(raw), what: "MVCCMetadata")
    while let f = try r.next() {
      switch f.number {
      case 1:
        do { txn = try TxnMeta(decoding: try f.bytes(r.what)) } catch { throw error.within(r.what) }
      case 2: timestamp = try MVCCTimestamp(proto: try f.bytes(r.what))
      case 3: deleted = try f.bool(r.what)
      case 4: keyBytes = try f.int64(r.what)
      case 5: valBytes = try f.int64(r.what)
      case 6: rawBytes = Array(try f.bytes(r.what))
      case 7: mergeTimestamp = try MVCCTimestamp(proto: try f.bytes(r.what))
      case 8:
        var h = try f.message("MVCCMetadata.intent_history")
        var seq: Int32 = 0
        var value: [UInt8] = []
        while let g = try h.next() {
          switch g.number {
          case 1: seq = try g.int32(h.what)
          case 2: value = Array(try g.bytes(h.what))
          default: break
          }
        }
        intentHistory.append((seq, value))
      case 9: txnDidNotUpdateMeta = try f.bool(r.what)
      default: break
      }
    }
  }

  /// What an unversioned key's metadata means (§1.6).
  public enum Meaning: Equatable, Sendable {
    /// An interleaved intent (≤21.x): the provisional value lives at `roachKey@timestamp`.
    case intent
    /// An inline value with no history; `rawBytes` is a roachpb.Value.
    case inline(RoachValue)
    /// Neither: report it.
    case unexpected
  }

  public var meaning: Meaning {
    if txn != nil { return .intent }
    if let rawBytes, timestamp.isZero, let v = try? RoachValue(rawBytes: rawBytes) { return .inline(v) }
    return .unexpected
  }
}

/// `enginepb.TxnMeta` (proto3): the part of a transaction an intent carries.
public struct TxnMeta: Equatable, Sendable {
  /// Field 1: 16-byte UUID.
  public var id: UUID16? = nil
  /// Field 2 (23.2+): isolation level enum.
  public var isoLevel: Int32 = 0
  /// Field 3: anchor key — where the transaction record lives.
  public var key: [UInt8] = []
  /// Field 4.
  public var epoch: Int32 = 0
  /// Field 5.
  public var writeTimestamp: MVCCTimestamp = .zero
  /// Field 6.
  public var priority: Int32 = 0
  /// Field 7.
  public var sequence: Int32 = 0
  /// Field 9.
  public var minTimestamp: MVCCTimestamp = .zero
  /// Field 10 (newest versions).
  public var coordinatorNodeID: Int32 = 0

  public init() {}

  public init(decoding b: ArraySlice<UInt8>) throws(KVError) {
    var r = ProtoReader(b, what: "TxnMeta")
    while let f = try r.next() {
      switch f.number {
      case 1:
        let raw = try f.bytes(r.what)
        guard let u = UUID16(raw) else {
          throw KVError(.corrupt, r.what, "id of \(raw.count) bytes, expected 16", offset: f.offset)
        }
        id = u
      case 2: isoLevel = try f.int32(r.what)
      case 3: key = Array(try f.bytes(r.what))
      case 4: epoch = try f.int32(r.what)
      case 5: writeTimestamp = try MVCCTimestamp(proto: try f.bytes(r.what))
      case 6: priority = try f.int32(r.what)
      case 7: sequence = try f.int32(r.what)
      case 9: minTimestamp = try MVCCTimestamp(proto: try f.bytes(r.what))
      case 10: coordinatorNodeID = try f.int32(r.what)
      default: break
      }
    }
  }
}
