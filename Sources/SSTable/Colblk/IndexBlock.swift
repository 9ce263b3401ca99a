/// Columnar index block (spec §6.8), used for single-level, lower-level and top-level indexes:
///
/// ```
/// col 0 bytes  separator user key (no trailer)   col 1 uint  block offset
/// col 2 uint   block length                      col 3 bytes encoded block properties (ignored)
/// ```
public enum ColumnarIndexBlock {
  public static func entries(_ b: UnsafeRawBufferPointer, fileSize: Int) throws(SSTableError) -> [IndexEntry] {
    let blk = try ColumnarBlock(b, customHeaderSize: 0)
    guard blk.columnCount >= 3 else { throw SSTableError(.corrupt, "index block has \(blk.columnCount) columns, 4 expected") }
    let n = blk.rowCount
    // Every entry names a distinct block, so its offset takes at least a byte.
    guard n <= b.count else { throw SSTableError(.corrupt, "index block claims \(n) entries in \(b.count) bytes") }
    let seps = try blk.rawBytes(0, rows: n)
    let offs = try blk.uints(1, rows: n)
    let lens = try blk.uints(2, rows: n)
    var out: [IndexEntry] = []
    out.reserveCapacity(n)
    for r in 0..<n {
      let off = offs.at(r), len = lens.at(r)
      guard off <= UInt64(fileSize), len <= UInt64(fileSize) - off else {
        throw SSTableError(.corrupt, "index entry \(r): block \(off)/\(len) is outside the file")
      }
      out.append(IndexEntry(separator: Array(seps.at(r)), separatorIsUserKey: true,
                            handle: BlockHandle(offset: Int(off), length: Int(len))))
    }
    return out
  }
}
