/// Columnar keyspan block (spec §6.9): range deletions and range keys.
///
/// ```
/// custom header: boundary count U (u32 LE); header rows R = number of keys
/// col 0 bytes (U rows) boundary user keys    col 1 uint (U) index of the first key of the span starting there
/// col 2 uint (R) trailer seq<<8|kind        col 3 bytes (R) suffix     col 4 bytes (R) value
/// ```
/// Span i is `[boundary[i], boundary[i+1])` with keys `[idx[i], idx[i+1])`.
public struct ColumnarKeyspanBlock {
  public struct Key {
    public var start: UnsafeRawBufferPointer
    public var end: UnsafeRawBufferPointer
    public var trailer: UInt64
    public var suffix: UnsafeRawBufferPointer
    public var value: UnsafeRawBufferPointer
  }

  /// Calls `body` for every key of every span, in stored order.
  public static func forEach(_ b: UnsafeRawBufferPointer, _ body: (Key) throws(SSTableError) -> Void) throws(SSTableError) {
    guard let u32 = Bytes.uint32LE(b, 0) else { throw SSTableError(.corrupt, "keyspan block too short") }
    let blk = try ColumnarBlock(b, customHeaderSize: 4)
    let u = Int(u32), r = blk.rowCount
    guard blk.columnCount == 5 else { throw SSTableError(.corrupt, "keyspan block has \(blk.columnCount) columns, 5 expected") }
    // Each boundary needs at least one offset byte-ish; refuse counts the block cannot hold.
    guard u <= b.count, r <= b.count else { throw SSTableError(.corrupt, "keyspan counts \(u)/\(r) exceed the block") }
    let bounds = try blk.rawBytes(0, rows: u)
    let idx = try blk.uints(1, rows: u)
    let trailers = try blk.uints(2, rows: r)
    let suffixes = try blk.rawBytes(3, rows: r)
    let values = try blk.rawBytes(4, rows: r)
    guard u >= 1 else { return }
    for i in 0..<(u - 1) {
      let lo = idx.at(i), hi = idx.at(i + 1)
      guard lo <= hi, hi <= UInt64(r) else {
        throw SSTableError(.corrupt, "keyspan span \(i) names keys \(lo)..<\(hi) of \(r)")
      }
      for k in Int(lo)..<Int(hi) {
        try body(Key(start: bounds.at(i), end: bounds.at(i + 1), trailer: trailers.at(k),
                     suffix: suffixes.at(k), value: values.at(k)))
      }
    }
  }
}
