/// CRC-32 IEEE (the zlib/PNG polynomial, reflected 0xEDB88320), as Go's `hash/crc32.NewIEEE`.
/// roachpb.Value checksums use it (spec §3.1). Hand-written: a 1 KiB table and one loop is
/// less than the glue a C dependency would need, and values are small.
public enum CRC32 {
  @usableFromInline static let table: [UInt32] = (0..<256).map { i -> UInt32 in
    var c = UInt32(i)
    for _ in 0..<8 { c = (c & 1) != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
    return c
  }

  /// Extends `crc` (a finished CRC of earlier bytes, 0 to start) over `bytes`.
  /// `ieee(Array("123456789".utf8)) == 0xCBF43926`.
  @inlinable
  public static func ieee<C: Sequence>(_ bytes: C, extending crc: UInt32 = 0) -> UInt32
  where C.Element == UInt8 {
    var c = ~crc
    table.withUnsafeBufferPointer { t in
      for b in bytes { c = t[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
    }
    return ~c
  }
}
