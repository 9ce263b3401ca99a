/// Kinds of internal keys (spec §4.2), with Pebble's names as the fixtures spell them.
public enum Kind {
  public static let del: UInt8 = 0
  public static let set: UInt8 = 1
  public static let merge: UInt8 = 2
  public static let logData: UInt8 = 3
  public static let singleDel: UInt8 = 7
  public static let rangeDel: UInt8 = 15
  public static let separator: UInt8 = 17
  public static let setWithDel: UInt8 = 18
  public static let rangeKeyDel: UInt8 = 19
  public static let rangeKeyUnset: UInt8 = 20
  public static let rangeKeySet: UInt8 = 21
  public static let ingestSST: UInt8 = 22
  public static let delSized: UInt8 = 23
  public static let excise: UInt8 = 24
  public static let ingestSSTWithBlob: UInt8 = 26
  /// Pebblev4+ row data blocks: "a newer key in this table shadows this one" (§4.3).
  public static let obsoleteBit: UInt8 = 0x40

  public static func name(_ code: UInt8) -> String {
    switch code {
    case 0: "DEL"
    case 1: "SET"
    case 2: "MERGE"
    case 3: "LOGDATA"
    case 7: "SINGLEDEL"
    case 15: "RANGEDEL"
    case 17: "SEPARATOR"
    case 18: "SETWITHDEL"
    case 19: "RANGEKEYDEL"
    case 20: "RANGEKEYUNSET"
    case 21: "RANGEKEYSET"
    case 22: "INGESTSST"
    case 23: "DELSIZED"
    case 24: "EXCISE"
    case 26: "INGESTSSTWITHBLOB"
    default: "UNKNOWN(\(code))"
    }
  }

  /// Point kinds a data block may legitimately hold.
  public static func isPoint(_ code: UInt8) -> Bool {
    code == del || code == set || code == merge || code == singleDel || code == setWithDel || code == delSized
  }
}

/// `user key ‖ trailer(8, LE)` with `trailer = seq << 8 | kind` (spec §4.1).
public struct InternalKey {
  public static let trailerLength = 8
  public static let maxSeqNum: UInt64 = (1 << 56) - 1

  /// Splits an encoded internal key; nil when shorter than its trailer.
  @inlinable
  public static func split(_ k: UnsafeRawBufferPointer) -> (userKey: UnsafeRawBufferPointer, seq: UInt64, kind: UInt8)? {
    guard k.count >= 8 else { return nil }
    let t = UInt64(littleEndian: k.loadUnaligned(fromByteOffset: k.count &- 8, as: UInt64.self))
    return (UnsafeRawBufferPointer(rebasing: k[0..<(k.count &- 8)]), t >> 8, UInt8(truncatingIfNeeded: t))
  }
}
