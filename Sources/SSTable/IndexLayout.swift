/// What a reader must know about a table beyond its footer (spec §3.3, §3.5): the index
/// shape, how index entries are encoded, and (columnar) the key schema. The properties block
/// records them; when it is damaged they are inferred from the index and data blocks, so
/// a damaged properties block costs no entry (issue 14: "properties are an aid, never a gate").
struct IndexLayout: Equatable {
  /// Two-level (partitioned) index: the footer's index lists index partitions.
  var twoLevel = false
  /// RocksDB format_version >= 3: separators are user keys (no 8-byte trailer).
  var keyIsUserKey = false
  /// RocksDB format_version >= 4: no value-length varint; handles may be delta-encoded.
  var noValueLength = false
  /// Columnar tables: the key schema of the data blocks (nil when unknown).
  var keySchema: KeySchema?

  /// The layout the properties record (absent properties mean each format's default).
  init(properties p: TableProperties, format: TableFormat) {
    twoLevel = p.indexType == 2
    keyIsUserKey = p.indexKeyIsUserKey
    noValueLength = p.indexValueIsDeltaEncoded
      || format.indexValuesMayBeDeltaEncoded && p["rocksdb.index.value.is.delta.encoded"] == nil
    keySchema = format.isColumnar ? p.keySchema.flatMap(KeySchema.init(propertyValue:)) : nil
  }

  init(twoLevel: Bool, keyIsUserKey: Bool, noValueLength: Bool, keySchema: KeySchema?) {
    self.twoLevel = twoLevel
    self.keyIsUserKey = keyIsUserKey
    self.noValueLength = noValueLength
    self.keySchema = keySchema
  }

  func encoding(fileSize: Int) -> IndexEncoding {
    IndexEncoding(keyIsUserKey: keyIsUserKey, noValueLength: noValueLength, fileSize: fileSize)
  }

  /// Infers the layout from the blocks themselves (properties damaged). Each guess is
  /// checked against the bytes: the index must decode to handles inside the file, data
  /// start at offset 0 (so a first handle elsewhere names an index partition), and index
  /// separators are internal keys only if each equals its block's last key or has the
  /// shortened-separator trailer (kMaxSequenceNumber, kValueTypeForSeek). Returns the
  /// layout and a note per inferred field.
  static func infer(format: TableFormat, index: BlockHandle, blocks: BlockReader) -> (IndexLayout, [String]) {
    let fileSize = blocks.file.count
    var layout = IndexLayout(twoLevel: false, keyIsUserKey: format.rocksDBVersion >= 3,
                             noValueLength: format.indexValuesMayBeDeltaEncoded, keySchema: nil)
    var notes: [String] = []
    guard let top = try? blocks.read(index) else { return (layout, ["index unreadable: layout not inferred"]) }
    // Value encoding: RocksDB fv4+ writes no value lengths (its default); try both.
    var topEntries: [IndexEntry]? = nil
    for noLength in format.indexValuesMayBeDeltaEncoded ? [true, false] : [false] {
      layout.noValueLength = noLength
      if let e = try? top.withBytes({ b throws(SSTableError) in
        try Table.indexEntries(b, format: format, encoding: layout.encoding(fileSize: fileSize)) }) {
        topEntries = e
        break
      }
    }
    guard let topEntries else { return (layout, ["index does not decode: layout not inferred"]) }
    if format.indexValuesMayBeDeltaEncoded { notes.append("index values \(layout.noValueLength ? "without" : "with") lengths") }
    // Shape: data blocks start the file; a first handle elsewhere is a partition if it decodes
    // as an index whose own first handle is offset 0.
    var dataLevel = topEntries
    if let first = topEntries.first, first.handle.offset != 0,
       let part = try? blocks.read(first.handle).withBytes({ b throws(SSTableError) in
         try Table.indexEntries(b, format: format, encoding: layout.encoding(fileSize: fileSize)) }),
       part.first?.handle.offset == 0 {
      layout.twoLevel = true
      dataLevel = part
    }
    notes.append(layout.twoLevel ? "two-level index" : "single-level index")
    if format.isColumnar {
      layout.keySchema = dataLevel.first.flatMap { e in
        try? blocks.read(e.handle).withBytes { b in
          [KeySchema.crdb1, .default].first { s in
            guard let d = try? ColumnarDataBlock(b, schema: s), d.rowCount > 0 else { return false }
            return (0..<d.rowCount).allSatisfy { Kind.isPoint(UInt8(truncatingIfNeeded: d.trailer($0)) & ~Kind.obsoleteBit) }
          }
        }
      }
      notes.append("key schema \(layout.keySchema.map { $0 == .crdb1 ? "crdb1" : "default" } ?? "unknown")")
    } else if format.rocksDBVersion >= 3 {
      layout.keyIsUserKey = !dataLevel.prefix(4).allSatisfy { e in
        separatorIsInternalKey(e.separator, block: e.handle, blocks: blocks, allowHashIndex: true)
      }
      notes.append("index keys are \(layout.keyIsUserKey ? "user" : "internal") keys")
    }
    return (layout, notes)
  }

  /// Trailer of a shortened internal-key separator: seqnum 2^56−1, kind 1 (RocksDB
  /// `kValueTypeForSeek`), little-endian.
  static let seekTrailer: [UInt8] = [0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]

  static func separatorIsInternalKey(_ sep: [UInt8], block: BlockHandle, blocks: BlockReader, allowHashIndex: Bool) -> Bool {
    guard sep.count >= 8 else { return false }
    if Array(sep.suffix(8)) == seekTrailer { return true }
    // Otherwise an internal-key separator is the block's last key itself.
    guard let last = try? blocks.read(block).withBytes({ b throws(SSTableError) -> [UInt8] in
      var it = try RowBlockIterator(b, allowHashIndex: allowHashIndex)
      var last: [UInt8] = []
      while try it.next() { last = Array(it.key) }
      return last
    }) else { return false }
    return last == sep
  }
}
