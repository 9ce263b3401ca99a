/// How index entries are encoded (spec §3.3): separators are internal keys, or user keys
/// in RocksDB format_version >= 3; values are block handles, without a value-length varint
/// and possibly delta-encoded in RocksDB format_version >= 4.
struct IndexEncoding {
  var keyIsUserKey: Bool
  var noValueLength: Bool
  var fileSize: Int
}

/// One index entry: the separator as stored (internal key unless `separatorIsUserKey`)
/// and the handle of the block it covers.
public struct IndexEntry: Sendable {
  public var separator: [UInt8]
  public var separatorIsUserKey: Bool
  public var handle: BlockHandle

  /// The separator's user key (trailer stripped when present).
  public var separatorUserKey: [UInt8] {
    separatorIsUserKey || separator.count < 8 ? separator : Array(separator.dropLast(8))
  }
}

extension Table {
  /// Decodes every entry of one index block (a single-level index, a top-level index, or
  /// one partition of a two-level index).
  func indexEntries(_ block: UnsafeRawBufferPointer) throws(SSTableError) -> [IndexEntry] {
    try Table.indexEntries(block, format: format, encoding: indexEncoding)
  }

  static func indexEntries(_ block: UnsafeRawBufferPointer, format: TableFormat, encoding enc: IndexEncoding)
    throws(SSTableError) -> [IndexEntry] {
    if format.isColumnar { return try ColumnarIndexBlock.entries(block, fileSize: enc.fileSize) }
    var it = try RowBlockIterator(block, layout: enc.noValueLength ? .noValueLength : .standard)
    var out: [IndexEntry] = []
    var prev: BlockHandle?
    while try it.next() {
      let v = it.value
      var p = 0
      let h: BlockHandle
      if enc.noValueLength && it.shared != 0, let prev {
        // RocksDB: a shared key prefix means the value is the size delta from the previous
        // handle, and the block starts right after the previous one and its trailer.
        guard let delta = Bytes.zigzagVarint(v, &p) else { throw SSTableError(.corrupt, "index entry: bad delta-encoded handle") }
        let offset = prev.offset + prev.length + BlockReader.trailerLength
        let length = Int64(prev.length) + delta
        guard length >= 0, offset <= enc.fileSize, Int(length) <= enc.fileSize - offset else {
          throw SSTableError(.corrupt, "index entry: delta-encoded handle points outside the file")
        }
        h = BlockHandle(offset: offset, length: Int(length))
      } else {
        guard let d = BlockHandle.decode(v, &p, fileSize: enc.fileSize) else {
          throw SSTableError(.corrupt, "index entry: block handle is malformed or outside the file")
        }
        h = d
      }
      // Pebblev1+ appends block properties after the handle (§3.3.1): not corruption.
      if enc.noValueLength { it.consumeValue(p) }
      prev = h
      out.append(IndexEntry(separator: Array(it.key), separatorIsUserKey: enc.keyIsUserKey, handle: h))
    }
    return out
  }

  /// The data-block entries of the whole index, in order (both index shapes). For a
  /// two-level index, partitions that cannot be read are reported through `onDamage`.
  public func dataBlockEntries(onDamage: (Damage) -> Void = { _ in }) throws(SSTableError) -> [IndexEntry] {
    var it = IndexIterator(self)
    var out: [IndexEntry] = []
    while let e = it.next() { out.append(e) }
    it.damages.forEach(onDamage)
    if let fatal = it.fatal { throw fatal }
    return out
  }
}

/// Streams data-block index entries, one index partition in memory at a time.
public struct IndexIterator {
  let table: Table
  var top: [IndexEntry] = []
  var topPos = 0
  var entries: [IndexEntry] = []
  var pos = 0
  var started = false
  /// Partitions that could not be read (the data blocks they list are unreachable).
  public var damages: [Damage] = []
  /// Set when the top-level (or only) index block is unreadable.
  public var fatal: SSTableError?
  /// Index blocks read so far (for `layout`): (handle, is top level).
  public var indexBlocks: [(handle: BlockHandle, topLevel: Bool)] = []

  public init(_ table: Table) { self.table = table }

  /// Iterates a fixed list of data blocks instead of reading the index (salvage).
  init(_ table: Table, entries: [IndexEntry]) {
    self.table = table
    self.entries = entries
    started = true
  }

  public mutating func next() -> IndexEntry? {
    if !started {
      started = true
      do throws(SSTableError) {
        let b = try table.blocks.read(table.footer.index)
        let decoded = try b.withBytes { bytes throws(SSTableError) in try table.indexEntries(bytes) }
        if table.isTwoLevelIndex { top = decoded } else { entries = decoded }
        indexBlocks.append((table.footer.index, table.isTwoLevelIndex))
      } catch {
        fatal = error.inFile(table.path)
        return nil
      }
    }
    while pos >= entries.count {
      guard table.isTwoLevelIndex, topPos < top.count else { return nil }
      let part = top[topPos]
      topPos += 1
      pos = 0
      do throws(SSTableError) {
        entries = try table.blocks.read(part.handle).withBytes { b throws(SSTableError) in try table.indexEntries(b) }
        indexBlocks.append((part.handle, false))
      } catch {
        entries = []
        let lower = topPos >= 2 ? top[topPos - 2].separatorUserKey : nil
        damages.append(Damage(file: table.path, blockKind: "index partition", handle: part.handle,
                              message: error.message, lowerKey: lower, upperKey: part.separatorUserKey))
      }
    }
    defer { pos += 1 }
    return entries[pos]
  }
}
