import CSalvageCRC
import CXXHash

/// The block checksum named by the footer's checksum-type byte (spec §1.4, §2.2). Every
/// block's checksum covers its stored (compressed) bytes followed by the 1-byte
/// compression indicator.
public enum ChecksumType: UInt8, Sendable, CustomStringConvertible {
  case none = 0
  case crc32c = 1
  case xxhash32 = 2
  case xxhash64 = 3
  /// RocksDB >= 6.27 (its 7.x default): XXH3 of the data without the last byte, then the
  /// last byte folded in by a multiply-xor (RocksDB `ModifyChecksumForLastByte`).
  case xxh3 = 4

  public var description: String {
    switch self {
    case .none: "none"
    case .crc32c: "crc32c"
    case .xxhash32: "xxhash32"
    case .xxhash64: "xxhash64"
    case .xxh3: "xxh3"
    }
  }

  /// Checksum of `data` (payload and trailing type byte) as stored in a block trailer.
  public func compute(_ data: UnsafeRawBufferPointer) -> UInt32 {
    switch self {
    case .none: return 0
    case .crc32c: return Checksum.masked(Checksum.crc32c(data))
    case .xxhash32: return XXH32(data.baseAddress, data.count, 0)
    case .xxhash64: return UInt32(truncatingIfNeeded: XXH64(data.baseAddress, data.count, 0))
    case .xxh3:
      guard let last = data.last else { return 0 }
      let h = UInt32(truncatingIfNeeded: XXH3_64bits(data.baseAddress, data.count - 1))
      return h ^ (UInt32(last) &* 0x6b9083d9)
    }
  }
}

public enum Checksum {
  /// Plain CRC-32C (Castagnoli); `crc32c("123456789") == 0xE3069283`.
  @inlinable
  public static func crc32c(_ data: UnsafeRawBufferPointer, extending crc: UInt32 = 0) -> UInt32 {
    salvage_crc32c_extend(crc, data.baseAddress, data.count)
  }

  /// LevelDB's masking, so a CRC stored inside CRC'd data does not weaken it (spec §0).
  @inlinable
  public static func masked(_ crc: UInt32) -> UInt32 {
    ((crc >> 15) | (crc << 17)) &+ 0xA282_EAD8
  }

  @inlinable
  public static func unmasked(_ m: UInt32) -> UInt32 {
    let rot = m &- 0xA282_EAD8
    return (rot >> 17) | (rot << 15)
  }
}
