/// RawBytes column (spec §6.3):
///
/// ```
/// offsets: uint column of rows+1 entries (offset[0] = 0) | data
/// ```
/// Slice i = `data[offset[i] ..< offset[i+1]]`. Offsets are checked once at decode time to
/// be non-decreasing and inside the column, so `at(_:)` needs no further checks.
public struct RawBytesColumn {
  @usableFromInline let offsets: UintColumn
  @usableFromInline let data: UnsafeRawPointer?
  public let count: Int

  public init(_ b: UnsafeRawBufferPointer, _ range: Range<Int>, rows: Int) throws(SSTableError) {
    count = rows
    guard rows > 0 else { offsets = UintColumn(data: nil, width: 0, base: 0, count: 0); data = nil; return }
    let (o, dataStart) = try UintColumn.decode(b, range, rows: rows + 1)
    let avail = UInt64(range.upperBound - dataStart)
    if let i = o.validateOffsets(limit: avail) {
      throw SSTableError(.corrupt, "bytes column offset \(i) (\(o.at(i))) is out of order or past the column (\(avail) bytes)")
    }
    offsets = o
    data = b.baseAddress.map { $0 + dataStart }
  }

  /// Slice `i` (`i < count`).
  @inlinable @inline(__always)
  public func at(_ i: Int) -> UnsafeRawBufferPointer {
    let s = Int(truncatingIfNeeded: offsets.at(i)), e = Int(truncatingIfNeeded: offsets.at(i &+ 1))
    return UnsafeRawBufferPointer(start: data.map { $0 + s }, count: e &- s)
  }
}
