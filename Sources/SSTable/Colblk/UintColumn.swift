/// Uint column (spec §6.2):
///
/// ```
/// enc u8 (bits 0-6 width w ∈ {0,1,2,4,8}, bit 7 delta) | [base u64 LE if delta] | [zero pad to w] | rows × w-byte LE
/// ```
/// value[i] = base + stored[i]; w = 0 means every value is `base` (0 without delta).
/// Alignment is relative to the block start. A 0-row column occupies no bytes at all.
public struct UintColumn {
  @usableFromInline let data: UnsafeRawPointer?
  @usableFromInline let width: Int
  @usableFromInline let base: UInt64
  public let count: Int

  public static let deltaBit: UInt8 = 0x80

  /// Decodes the column at `range.lowerBound`, checking its values end by `range.upperBound`.
  /// Returns the column and the offset just past it.
  public static func decode(_ b: UnsafeRawBufferPointer, _ range: Range<Int>, rows: Int) throws(SSTableError) -> (column: UintColumn, end: Int) {
    guard rows > 0 else { return (UintColumn(data: nil, width: 0, base: 0, count: 0), range.lowerBound) }
    guard range.lowerBound >= 0, range.upperBound <= b.count, range.lowerBound < range.upperBound else {
      throw SSTableError(.corrupt, "uint column of \(rows) rows has no encoding byte")
    }
    let enc = b[range.lowerBound]
    let w = Int(enc & 0x7F)
    let delta = enc & deltaBit != 0
    guard w == 0 || w == 1 || w == 2 || w == 4 || w == 8, !(delta && w == 8) else {
      throw SSTableError(.corrupt, "uint column encoding 0x\(String(enc, radix: 16)) is invalid")
    }
    var off = range.lowerBound + 1
    var base: UInt64 = 0
    if delta {
      guard let v = Bytes.uint64LE(b, off), off + 8 <= range.upperBound else {
        throw SSTableError(.corrupt, "uint column base runs past its column")
      }
      base = v
      off += 8
    }
    if w == 0 { return (UintColumn(data: nil, width: 0, base: base, count: rows), off) }
    off = alignUp(off, w)
    // rows < 2^32 and w <= 8: no overflow.
    guard off <= range.upperBound, rows * w <= range.upperBound - off else {
      throw SSTableError(.corrupt, "uint column of \(rows) × \(w) bytes runs past its column")
    }
    return (UintColumn(data: b.baseAddress! + off, width: w, base: base, count: rows), off + rows * w)
  }

  @usableFromInline
  init(data: UnsafeRawPointer?, width: Int, base: UInt64, count: Int) {
    self.data = data; self.width = width; self.base = base; self.count = count
  }

  /// Checks the values are non-decreasing and at most `limit` (offset arrays). Const and
  /// zero columns are checked once, so a hostile row count costs nothing.
  func validateOffsets(limit: UInt64) -> Int? {
    if width == 0 { return base <= limit ? nil : 0 }
    var prev: UInt64 = 0
    for i in 0..<count {
      let v = at(i)
      guard v >= prev, v <= limit else { return i }
      prev = v
    }
    return nil
  }

  /// Value `i`; `i` must be below `count` (checked at decode time by every caller).
  @inlinable @inline(__always)
  public func at(_ i: Int) -> UInt64 {
    switch width {
    case 1: return base &+ UInt64(data!.load(fromByteOffset: i, as: UInt8.self))
    case 2: return base &+ UInt64(UInt16(littleEndian: data!.loadUnaligned(fromByteOffset: i &* 2, as: UInt16.self)))
    case 4: return base &+ UInt64(UInt32(littleEndian: data!.loadUnaligned(fromByteOffset: i &* 4, as: UInt32.self)))
    case 8: return UInt64(littleEndian: data!.loadUnaligned(fromByteOffset: i &* 8, as: UInt64.self))
    default: return base
    }
  }
}
