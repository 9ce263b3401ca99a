/// The value of an MVCC version `key@ts` (spec §2.1–2.3; pkg/storage/mvcc_value.go).
///
/// ```
/// simple    roachpb.Value                                  (checksum ‖ tag ‖ data, or empty)
/// extended  headerLen(4, BE) ‖ 0x65 ‖ MVCCValueHeader(headerLen bytes) ‖ roachpb.Value
/// ```
/// Byte 4 decides: 0x65 (ValueType 101, never a real tag) marks the extended form. An empty
/// roachpb.Value — empty input, or nothing after the header — is a point tombstone.
public struct MVCCValue: Equatable, Sendable {
  public var header: MVCCValueHeader?
  public var value: RoachValue

  public init(header: MVCCValueHeader? = nil, value: RoachValue) {
    self.header = header
    self.value = value
  }

  /// A point tombstone: deletes older versions for reads at or above its timestamp.
  public var isTombstone: Bool { value.isEmpty }

  public init<C: Collection>(decoding raw: C) throws(KVError) where C.Element == UInt8 {
    let b = Array(raw)
    if b.isEmpty { self.init(value: try RoachValue(rawBytes: b)); return }
    guard b.count > 4 else { throw KVError(.corrupt, "MVCCValue", "\(b.count) bytes: missing tag") }
    guard b[4] == RoachValue.Tag.mvccExtendedEncodingSentinel.rawValue else {
      self.init(value: try RoachValue(rawBytes: b))
      return
    }
    let h = Int(b[0]) << 24 | Int(b[1]) << 16 | Int(b[2]) << 8 | Int(b[3])
    guard h <= b.count - 5 else {
      throw KVError(.truncated, "MVCCValue", "header of \(h) bytes, \(b.count - 5) remain", offset: 5)
    }
    let header: MVCCValueHeader
    do { header = try MVCCValueHeader(decoding: b[5..<(5 + h)]) } catch { throw error.within("MVCCValue") }
    self.init(header: header, value: try RoachValue(rawBytes: b[(5 + h)...]))
  }
}

/// `enginepb.MVCCValueHeader` (proto3, spec §2.2). None of it changes row content; it is
/// decoded for diagnostics (who wrote the value, IMPORT epoch, LDR origin).
public struct MVCCValueHeader: Equatable, Sendable {
  /// Field 1: local clock at write; absent/empty means "equal to the key timestamp".
  public var localTimestamp: MVCCTimestamp = .zero
  /// Field 2: test builds only (kvnemesis); kept as raw bytes.
  public var kvnemesisSeq: [UInt8]? = nil
  /// Field 3.
  public var omitInRangefeeds = false
  /// Field 4: written by IMPORT.
  public var importEpoch: UInt32 = 0
  /// Field 5: logical data replication source.
  public var originID: UInt32 = 0
  /// Field 6: LDR origin time.
  public var originTimestamp: MVCCTimestamp = .zero

  public init() {}

  public init(decoding b: ArraySlice<UInt8>) throws(KVError) {
    var r = ProtoReader(b, what: "MVCCValueHeader")
    while let f = try r.next() {
      switch f.number {
      case 1: localTimestamp = try MVCCTimestamp(proto: try f.bytes(r.what))
      case 2: kvnemesisSeq = Array(try f.bytes(r.what))
      case 3: omitInRangefeeds = try f.bool(r.what)
      case 4: importEpoch = try f.uint32(r.what)
      case 5: originID = try f.uint32(r.what)
      case 6: originTimestamp = try MVCCTimestamp(proto: try f.bytes(r.what))
      default: break  // unknown fields are tolerated (§2.2)
      }
    }
  }
}

extension MVCCTimestamp {
  /// Decodes an `hlc.Timestamp` / `LegacyTimestamp` message: 1 wall_time, 2 logical,
  /// 3 synthetic (legacy, ignored).
  public init(proto b: ArraySlice<UInt8>) throws(KVError) {
    var r = ProtoReader(b, what: "hlc.Timestamp")
    self = .zero
    while let f = try r.next() {
      switch f.number {
      case 1: wallTime = try f.int64(r.what)
      case 2: logical = try f.int32(r.what)
      default: break
      }
    }
  }
}
