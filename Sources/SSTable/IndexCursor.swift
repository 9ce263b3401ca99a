/// One index block's entries, decoded one at a time, and a binary search for the first entry
/// at or after a key (`seek`). The index of a 64 MB table lists tens of thousands of data
/// blocks; decoding all of them into arrays to read a few was most of a short pass.
///
/// Row blocks are searched by their restart points (an entry at a restart shares no key
/// prefix, and RocksDB starts a new delta run of handles there too); columnar index blocks by
/// their separator column.
struct IndexCursor {
  /// Keeps the bytes alive (nil when the caller owns them).
  let owner: Block?
  let bytes: UnsafeRawBufferPointer
  let encoding: IndexEncoding
  var rows: RowBlockIterator?
  var previousHandle: BlockHandle?
  var columns: (separators: RawBytesColumn, offsets: UintColumn, lengths: UintColumn)?
  var row = 0
  var rowCount = 0
  /// An entry `seek` decoded and `next` has not handed out yet.
  var pending: IndexEntry?

  init(_ bytes: UnsafeRawBufferPointer, owner: Block? = nil, format: TableFormat, encoding: IndexEncoding) throws(SSTableError) {
    self.owner = owner
    self.bytes = bytes
    self.encoding = encoding
    if format.isColumnar {
      let blk = try ColumnarBlock(bytes, customHeaderSize: 0)
      guard blk.columnCount >= 3 else { throw SSTableError(.corrupt, "index block has \(blk.columnCount) columns, 4 expected") }
      let n = blk.rowCount
      // Every entry names a distinct block, so its offset takes at least a byte.
      guard n <= bytes.count else { throw SSTableError(.corrupt, "index block claims \(n) entries in \(bytes.count) bytes") }
      columns = (try blk.rawBytes(0, rows: n), try blk.uints(1, rows: n), try blk.uints(2, rows: n))
      rowCount = n
    } else {
      rows = try RowBlockIterator(bytes, layout: encoding.noValueLength ? .noValueLength : .standard)
    }
  }

  /// The next entry; nil at the end of the block.
  mutating func next() throws(SSTableError) -> IndexEntry? {
    if let p = pending { pending = nil; return p }
    if let c = columns {
      guard row < rowCount else { return nil }
      defer { row += 1 }
      let off = c.offsets.at(row), len = c.lengths.at(row)
      guard off <= UInt64(encoding.fileSize), len <= UInt64(encoding.fileSize) - off else {
        throw SSTableError(.corrupt, "index entry \(row): block \(off)/\(len) is outside the file")
      }
      return IndexEntry(separator: Array(c.separators.at(row)), separatorIsUserKey: true,
                        handle: BlockHandle(offset: Int(off), length: Int(len)))
    }
    guard try rows!.next() else { return nil }
    let v = rows!.value
    var p = 0
    let h: BlockHandle
    if encoding.noValueLength && rows!.shared != 0, let prev = previousHandle {
      // RocksDB: a shared key prefix means the value is the size delta from the previous
      // handle, and the block starts right after the previous one and its trailer.
      guard let delta = Bytes.zigzagVarint(v, &p) else { throw SSTableError(.corrupt, "index entry: bad delta-encoded handle") }
      let offset = prev.offset + prev.length + BlockReader.trailerLength
      let length = Int64(prev.length) + delta
      guard length >= 0, offset <= encoding.fileSize, Int(length) <= encoding.fileSize - offset else {
        throw SSTableError(.corrupt, "index entry: delta-encoded handle points outside the file")
      }
      h = BlockHandle(offset: offset, length: Int(length))
    } else {
      guard let d = BlockHandle.decode(v, &p, fileSize: encoding.fileSize) else {
        throw SSTableError(.corrupt, "index entry: block handle is malformed or outside the file")
      }
      h = d
    }
    // Pebblev1+ appends block properties after the handle (§3.3.1): not corruption.
    if encoding.noValueLength { rows!.consumeValue(p) }
    previousHandle = h
    return IndexEntry(separator: Array(rows!.key), separatorIsUserKey: encoding.keyIsUserKey, handle: h)
  }

  /// Positions the cursor at the first entry whose separator's user key is at or after `key`
  /// (`compare` orders user keys); returns the separator of the entry before it when this
  /// block holds one (every key of the found block is above it).
  mutating func seek(atOrAfter key: UnsafeRawBufferPointer,
                     compare: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) -> Int) throws(SSTableError) -> [UInt8]? {
    pending = nil
    if let c = columns {
      var lo = 0, hi = rowCount
      while lo < hi {
        let mid = (lo + hi) / 2
        if compare(c.separators.at(mid), key) < 0 { lo = mid + 1 } else { hi = mid }
      }
      row = lo
      return lo > 0 ? Array(c.separators.at(lo - 1)) : nil
    }
    // The last restart whose key is below `key`: the wanted entry is at or after it.
    var lo = 0, hi = rows!.restartCount
    while lo < hi {
      let mid = (lo + hi) / 2
      guard let k = restartKeyBelow(mid, key, compare) else { lo = 0; hi = 0; break }   // malformed: linear
      if k { lo = mid + 1 } else { hi = mid }
    }
    try restart(at: max(0, lo - 1))
    var before: [UInt8]?
    while let e = try next() {
      let below = e.separatorUserKeyView { compare($0, key) < 0 }
      if !below { pending = e; break }
      before = e.separatorUserKey
    }
    return before
  }

  /// Whether the key at restart `i` is below `key`; nil when that entry does not decode as
  /// a restart (the search then falls back to reading from the start).
  private mutating func restartKeyBelow(_ i: Int, _ key: UnsafeRawBufferPointer,
                                        _ compare: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) -> Int) -> Bool? {
    guard (try? restart(at: i)) != nil, (try? rows!.next()) == true, rows!.shared == 0 else { return nil }
    var k = rows!.key
    if !encoding.keyIsUserKey && k.count >= 8 { k = UnsafeRawBufferPointer(rebasing: k[..<(k.count - 8)]) }
    return compare(k, key) < 0
  }

  private mutating func restart(at i: Int) throws(SSTableError) {
    guard let off = rows!.restartOffset(i) else { throw SSTableError(.corrupt, "index block: restart \(i) is outside the block") }
    rows!.position(at: off)
    previousHandle = nil
  }
}

extension IndexEntry {
  /// `body` with a view of the separator's user key (no copy).
  func separatorUserKeyView<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
    separator.withUnsafeBytes { b in
      body(separatorIsUserKey || b.count < 8 ? b : UnsafeRawBufferPointer(rebasing: b[..<(b.count - 8)]))
    }
  }
}
