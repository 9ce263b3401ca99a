/// Key/value block (spec §6.7): the columnar metaindex (Pebblev6+), properties (Pebblev7+)
/// and blob-file properties. No custom header; col 0 bytes = keys, col 1 bytes = values.
public enum KeyValueBlock {
  public static func pairs(_ b: UnsafeRawBufferPointer, what: String) throws(SSTableError) -> [(name: String, value: [UInt8])] {
    do throws(SSTableError) {
      let blk = try ColumnarBlock(b, customHeaderSize: 0)
      guard blk.columnCount == 2 else { throw SSTableError(.corrupt, "\(blk.columnCount) columns, 2 expected") }
      // Keys are distinct and non-empty, so a real block has fewer rows than bytes.
      guard blk.rowCount < b.count else { throw SSTableError(.corrupt, "\(blk.rowCount) rows cannot fit \(b.count) bytes") }
      let keys = try blk.rawBytes(0, rows: blk.rowCount)
      let values = try blk.rawBytes(1, rows: blk.rowCount)
      var out: [(name: String, value: [UInt8])] = []
      for r in 0..<blk.rowCount { out.append((String(decoding: keys.at(r), as: UTF8.self), Array(values.at(r)))) }
      return out
    } catch {
      throw SSTableError(.corrupt, "\(what) block (columnar key/value): \(error.message)")
    }
  }
}
