/// Bool column (spec §6.1; Pebble `colblk/bitmap.go`):
///
/// ```
/// enc u8: 1 = all zero (nothing follows) | 0 = [zero pad to 8] ⌈rows/64⌉ words u64 LE, ⌈words/64⌉ summary words
/// ```
/// Bit i is bit (i % 64) of word i / 64. Present even for 0 rows (the encoding byte).
public struct Bitmap {
  @usableFromInline let words: UnsafeRawPointer?
  public let count: Int

  public init(_ b: UnsafeRawBufferPointer, _ range: Range<Int>, rows: Int) throws(SSTableError) {
    count = rows
    guard range.lowerBound >= 0, range.upperBound <= b.count, range.lowerBound < range.upperBound else {
      throw SSTableError(.corrupt, "bool column has no encoding byte")
    }
    switch b[range.lowerBound] {
    case 1:
      words = nil
    case 0:
      let off = alignUp(range.lowerBound + 1, 8)
      let n = (rows + 63) >> 6
      let size = (n + (n + 63) >> 6) * 8
      guard off <= range.upperBound, size <= range.upperBound - off else {
        throw SSTableError(.corrupt, "bitmap of \(rows) bits runs past its column")
      }
      words = b.baseAddress! + off
    default:
      throw SSTableError(.corrupt, "bitmap encoding \(b[range.lowerBound]) is unknown")
    }
  }

  /// Bit `i` (`i < count`).
  @inlinable @inline(__always)
  public func at(_ i: Int) -> Bool {
    guard let words else { return false }
    let w = UInt64(littleEndian: words.loadUnaligned(fromByteOffset: (i >> 6) &* 8, as: UInt64.self))
    return w & (1 << UInt64(i & 63)) != 0
  }
}
