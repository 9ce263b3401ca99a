/// A transaction record (spec §2.4) at `/Local/Range/<anchor>/Transaction/<id>`: tells whether
/// an intent's transaction committed. Value: roachpb.Value BYTES holding a
/// `TransactionRecord` (newer) or `Transaction` (19.1) proto; both put the fields below at
/// the same numbers.
///
/// | # | field |
/// |---|---|
/// | 1 | meta TxnMeta |
/// | 4 | status enum: PENDING 0, COMMITTED 1, ABORTED 2, STAGING 3, PREPARED 4 |
/// | 17 | in_flight_writes repeated SequencedWrite {1 key, 2 sequence} (STAGING) |
public struct TransactionRecord: Equatable, Sendable {
  public enum Status: Int32, Sendable {
    case pending = 0, committed = 1, aborted = 2, staging = 3, prepared = 4
  }

  public var meta = TxnMeta()
  /// Raw enum value; see `status`.
  public var statusValue: Int32 = 0
  public var inFlightWrites: [(key: [UInt8], sequence: Int32)] = []

  public var status: Status? { Status(rawValue: statusValue) }

  public init() {}

  public static func == (a: TransactionRecord, b: TransactionRecord) -> Bool {
    a.meta == b.meta && a.statusValue == b.statusValue && a.inFlightWrites.map(\.key) == b.inFlightWrites.map(\.key)
      && a.inFlightWrites.map(\.sequence) == b.inFlightWrites.map(\.sequence)
  }

  public init<C: Collection>(decoding raw: C) throws(KVError) where C.Element == UInt8 {
    var r = ProtoReader(Array(raw), what: "TransactionRecord")
    while let f = try r.next() {
      switch f.number {
      case 1:
        do { meta = try TxnMeta(decoding: try f.bytes(r.what)) } catch { throw error.within(r.what) }
      case 4: statusValue = try f.int32(r.what)
      case 17:
        var w = try f.message("TransactionRecord.in_flight_writes")
        var key: [UInt8] = []
        var seq: Int32 = 0
        while let g = try w.next() {
          switch g.number {
          case 1: key = Array(try g.bytes(w.what))
          case 2: seq = try g.int32(w.what)
          default: break
          }
        }
        inFlightWrites.append((key, seq))
      default: break
      }
    }
  }

  /// Decodes the record from its stored value: an MVCC value, or (older versions) an
  /// inline MVCCMetadata at the unversioned key.
  public init(storedValue raw: [UInt8], unversioned: Bool) throws(KVError) {
    if unversioned {
      try self.init(decoding: try InlineProto.body(raw, what: "TransactionRecord"))
    } else {
      let v = try MVCCValue(decoding: raw)
      guard !v.isTombstone else { throw KVError(.corrupt, "TransactionRecord", "value is a tombstone") }
      try self.init(decoding: v.value.data)
    }
  }
}
