/// The generic columnar block (spec §6.1), decompressed:
///
/// ```
/// +--------------------+---------+-------------+-----------+----------------------------+--------+---------+
/// | custom header (H)  | ver u8  | columns u16 | rows u32  | C × (type u8, page u32 LE) | pages  | pad u8  |
/// +--------------------+---------+-------------+-----------+----------------------------+--------+---------+
/// ```
/// `page` is an offset from the start of the block (custom header included); column i spans
/// `[page[i], page[i+1])`, the last one ends before the trailing padding byte. Every offset
/// and alignment inside a column is relative to the block start too.
public struct ColumnarBlock {
  public enum DataType: UInt8, Sendable { case bool = 1, uint = 2, bytes = 3, prefixBytes = 4 }

  public let bytes: UnsafeRawBufferPointer
  public let columnCount: Int
  public let rowCount: Int
  @usableFromInline let columnTable: Int

  public static let version: UInt8 = 1

  /// Validates the header and the column directory (in bounds and in order).
  public init(_ b: UnsafeRawBufferPointer, customHeaderSize h: Int) throws(SSTableError) {
    guard h >= 0, b.count >= h &+ 7 &+ 1 else {
      throw SSTableError(.corrupt, "columnar block of \(b.count) bytes is too short for its header")
    }
    guard b[h] == ColumnarBlock.version else {
      throw SSTableError(.corrupt, "columnar block version \(b[h]) is unknown (1 is)")
    }
    let c = Int(Bytes.uint16LE(b, h + 1)!)
    let r = Int(Bytes.uint32LE(b, h + 3)!)
    let dataStart = h + 7 + 5 * c
    // The trailing padding byte sits after every column.
    guard dataStart <= b.count - 1 else {
      throw SSTableError(.corrupt, "columnar block directory of \(c) columns does not fit \(b.count) bytes")
    }
    bytes = b
    columnCount = c
    rowCount = r
    columnTable = h + 7
    var prev = dataStart
    for i in 0..<c {
      let p = Int(Bytes.uint32LE(b, columnTable + 5 * i + 1)!)
      guard p >= prev, p <= b.count - 1 else {
        throw SSTableError(.corrupt, "column \(i) starts at \(p), outside [\(prev), \(b.count - 1)]")
      }
      guard DataType(rawValue: b[columnTable + 5 * i]) != nil else {
        throw SSTableError(.corrupt, "column \(i) has unknown data type \(b[columnTable + 5 * i])")
      }
      prev = p
    }
  }

  public func type(_ i: Int) -> DataType { DataType(rawValue: bytes[columnTable + 5 * i])! }

  /// Byte range of column `i` (validated by `init`).
  public func range(_ i: Int) -> Range<Int> {
    let start = Int(Bytes.uint32LE(bytes, columnTable + 5 * i + 1)!)
    let end = i + 1 < columnCount ? Int(Bytes.uint32LE(bytes, columnTable + 5 * (i + 1) + 1)!) : bytes.count - 1
    return start..<end
  }

  /// Checks column `i` has type `t` before a decoder reads it.
  public func expect(_ i: Int, _ t: DataType, _ what: String) throws(SSTableError) {
    guard i < columnCount, type(i) == t else {
      throw SSTableError(.corrupt, "\(what): column \(i) is not a \(t) column")
    }
  }

  public func uints(_ i: Int, rows: Int) throws(SSTableError) -> UintColumn {
    try expect(i, .uint, "uint column")
    return try UintColumn.decode(bytes, range(i), rows: rows).column
  }

  public func rawBytes(_ i: Int, rows: Int) throws(SSTableError) -> RawBytesColumn {
    try expect(i, .bytes, "bytes column")
    return try RawBytesColumn(bytes, range(i), rows: rows)
  }

  public func prefixBytes(_ i: Int, rows: Int) throws(SSTableError) -> PrefixBytesColumn {
    try expect(i, .prefixBytes, "prefix-bytes column")
    return try PrefixBytesColumn(bytes, range(i), rows: rows)
  }

  public func bitmap(_ i: Int, rows: Int) throws(SSTableError) -> Bitmap {
    try expect(i, .bool, "bool column")
    return try Bitmap(bytes, range(i), rows: rows)
  }
}

/// Rounds `off` up to a multiple of `a` (a power of two).
@inlinable @inline(__always)
func alignUp(_ off: Int, _ a: Int) -> Int { (off &+ a &- 1) & ~(a &- 1) }
