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
    separatorIsUserKey || separator.count < 8 ? separator : separatorUserKeyView { Array($0) }
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
    var cursor = try IndexCursor(block, format: format, encoding: enc)
    var out: [IndexEntry] = []
    while let e = try cursor.next() { out.append(e) }
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

/// Streams data-block index entries, decoding one entry at a time (`IndexCursor`), one
/// index partition at a time; `seek` starts the stream at a key.
public struct IndexIterator {
  let table: Table
  var top: [IndexEntry] = []
  var topPos = 0
  var cursor: IndexCursor?
  /// A fixed list of data blocks (salvage) instead of the index.
  var fixed: [IndexEntry]?
  var pos = 0
  var started = false
  /// Partitions that could not be read (the data blocks they list are unreachable).
  public var damages: [Damage] = []
  /// Set when the top-level (or only) index block is unreadable.
  public var fatal: SSTableError?
  /// Index blocks read so far (for `layout`): (handle, is top level).
  public var indexBlocks: [(handle: BlockHandle, topLevel: Bool)] = []

  /// Once the walk is over: moves the index's damages to `found`, and an unreadable top
  /// level as one "index" damage unless `found` already has one.
  mutating func drainDamages(into found: inout [Damage]) {
    found += damages
    damages.removeAll()
    if let f = fatal, !found.contains(where: { $0.blockKind == "index" }) {
      found.append(Damage(file: table.path, blockKind: "index", handle: table.footer.index, message: f.message))
    }
  }

  public init(_ table: Table) { self.table = table }

  /// Iterates a fixed list of data blocks instead of reading the index (salvage).
  init(_ table: Table, entries: [IndexEntry]) {
    self.table = table
    fixed = entries
    started = true
  }

  /// Reads the footer's index block: the only one, or the top level of a two-level index.
  private mutating func start() {
    started = true
    do throws(SSTableError) {
      let b = try table.blocks.read(table.footer.index)
      let c = try IndexCursor(b.bytes, owner: b, format: table.format, encoding: table.indexEncoding)
      if table.isTwoLevelIndex {
        var c = c
        while let e = try c.next() { top.append(e) }
      } else {
        cursor = c
      }
      indexBlocks.append((table.footer.index, table.isTwoLevelIndex))
    } catch {
      fatal = error.inFile(table.path)
    }
  }

  /// Opens partition `topPos` (recording it as damage when it does not decode).
  private mutating func openPartition() {
    let part = top[topPos]
    topPos += 1   // cursorFailed names top[topPos - 1]
    do throws(SSTableError) {
      let b = try table.blocks.read(part.handle)
      cursor = try IndexCursor(b.bytes, owner: b, format: table.format, encoding: table.indexEncoding)
      indexBlocks.append((part.handle, false))
    } catch {
      cursor = nil
      cursorFailed(error)
    }
  }

  public mutating func next() -> IndexEntry? {
    if let f = fixed {
      guard pos < f.count else { return nil }
      defer { pos += 1 }
      return f[pos]
    }
    if !started { start() }
    if fatal != nil { return nil }
    while true {
      if cursor != nil {
        do throws(SSTableError) {
          if let e = try cursor!.next() { return e }
        } catch {
          cursorFailed(error)
        }
        cursor = nil
      }
      guard table.isTwoLevelIndex, topPos < top.count else { return nil }
      openPartition()
    }
  }

  /// Starts the stream at the first data block whose separator (a user key) is at or after
  /// `key` in `compare`'s order: every block before it holds only keys below `key`. Returns
  /// the separator of the block before the found one, when known (a lower bound of its keys).
  /// Call before `next`; a fixed list of blocks is not searched.
  public mutating func seek(atOrAfter key: UnsafeRawBufferPointer,
                            compare: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) -> Int) -> [UInt8]? {
    guard fixed == nil else { return nil }
    if !started { start() }
    if fatal != nil { return nil }
    if table.isTwoLevelIndex {
      // The first partition whose separator (its last block's) is at or after the key.
      var lo = 0, hi = top.count
      while lo < hi {
        let mid = (lo + hi) / 2
        if top[mid].separatorUserKeyView({ compare($0, key) }) < 0 { lo = mid + 1 } else { hi = mid }
      }
      topPos = lo
      cursor = nil
      // (A partition's separator is its last block's: the block before a found one.)
      guard lo < top.count else { return top.last?.separatorUserKey }
      openPartition()
      guard cursor != nil else { return nil }
      let before = seekCursor(key, compare)
      return before ?? (lo > 0 ? top[lo - 1].separatorUserKey : nil)
    }
    return seekCursor(key, compare)
  }

  private mutating func seekCursor(_ key: UnsafeRawBufferPointer,
                                   _ compare: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) -> Int) -> [UInt8]? {
    do throws(SSTableError) {
      return try cursor!.seek(atOrAfter: key, compare: compare)
    } catch {
      cursorFailed(error)
      cursor = nil
      return nil
    }
  }

  /// A malformed entry in the open index block: the entries past it are unreachable (the
  /// partition's remaining data blocks, or with a single-level index the rest of the table).
  private mutating func cursorFailed(_ error: SSTableError) {
    guard table.isTwoLevelIndex else { fatal = error.inFile(table.path); return }
    let part = top[topPos - 1]
    damages.append(Damage(file: table.path, blockKind: "index partition", handle: part.handle,
                          message: error.message, lowerKey: topPos >= 2 ? top[topPos - 2].separatorUserKey : nil,
                          upperKey: part.separatorUserKey))
  }
}
