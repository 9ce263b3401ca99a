/// What a block found by scanning turned out to be.
enum ScannedBlockKind: Equatable {
  case data, index, metaindex, properties, rangeDel, rangeKey, other
  /// A columnar (Pebblev5+) data block, with the key schema it decoded under.
  case columnarData(KeySchema)
  /// A columnar key/value block (Pebblev6+ metaindex, Pebblev7+ properties).
  case columnarMetaindex, columnarProperties
}

extension Table {
  /// Footerless open: finds blocks by checksum, classifies them, and builds a table from
  /// the metaindex and properties if they survived, else from the data blocks alone.
  static func scanned(_ file: MappedFile, footerError: SSTableError) throws(SSTableError) -> SalvagedTable {
    let (handles, skipped) = BlockScanner.scan(file.bytes)
    guard !handles.isEmpty else {
      throw SSTableError(.corrupt, "\(footerError.message); and no block with a valid CRC32C trailer was found by scanning", file: file.path)
    }
    let reader = BlockReader(file: file, checksumType: .crc32c)
    let known = Set(handles)
    var kinds: [ScannedBlockKind] = handles.map { h in
      (try? reader.read(h).withBytes { b in classify(b, knownBlocks: known) }) ?? .other
    }
    // No row data block: try the columnar layouts (a file is one or the other).
    if !kinds.contains(.data) {
      let columnar = handles.map { h in (try? reader.read(h).withBytes { b in classifyColumnar(b) }) ?? .other }
      if columnar.contains(where: { if case .columnarData = $0 { true } else { false } }) { kinds = columnar }
    }
    let metaindexHandle = zip(handles, kinds).first { $0.1 == .metaindex || $0.1 == .columnarMetaindex }?.0
    let columnarMeta = kinds.contains(.columnarMetaindex)
    let columnarProps = kinds.contains(.columnarProperties)
    var notes = ["\(footerError.message); found \(handles.count) blocks by scanning for CRC32C trailers"]
    for s in skipped { notes.append("no block found in bytes [\(s.offset), \(s.offset + s.length)) (damaged or cut off)") }
    var metaindex: [(name: String, value: [UInt8])] = []
    var properties = TableProperties()
    if let mh = metaindexHandle, let b = try? reader.read(mh) {
      metaindex = (try? b.withBytes { bytes throws(SSTableError) in
        columnarMeta ? try KeyValueBlock.pairs(bytes, what: "metaindex") : try readRawPairs(bytes, what: "metaindex")
      }) ?? []
      if let pv = metaindex.first(where: { $0.name == "rocksdb.properties" })?.value,
         let ph = try? handle(pv, fileSize: file.count, what: "properties"),
         let pb = try? reader.read(ph) {
        properties.raw = (try? pb.withBytes { bytes throws(SSTableError) in
          columnarProps ? try KeyValueBlock.pairs(bytes, what: "properties") : try readRawPairs(bytes, what: "properties")
        }) ?? []
      }
    }
    notes.append(metaindex.isEmpty ? "metaindex lost: range deletions, range keys and value blocks are unreachable"
                                   : "metaindex and properties recovered")
    let data = zip(handles, kinds).filter { if case .columnarData = $0.1 { true } else { $0.1 == .data } }.map(\.0)
    var format = guessFormat(properties: properties, metaindex: metaindex, dataBlocks: data, reader: reader)
    if let schema = kinds.lazy.compactMap({ if case .columnarData(let s) = $0 { s } else { nil } }).first {
      // Columnar: v7 when the properties are columnar, v6 when only the metaindex is (the
      // data blocks decode the same way in v5–v8; the version only names the layout).
      format = .pebble(columnarProps ? 7 : columnarMeta ? 6 : 5)
      if properties["pebble.colblk.schema"] == nil {
        properties.raw.append(("pebble.colblk.schema", Array((schema == .crdb1 ? "crdb1" : "DefaultKeySchema(assumed,16)").utf8)))
        notes.append("key schema assumed from the data blocks: \(schema == .crdb1 ? "crdb1" : "default")")
      }
    }
    notes.append("assumed table format \(format) (\(format.hasValuePrefix ? "values carry Pebblev3 prefixes" : "plain values"))")
    let footer = Footer(format: format, checksumType: .crc32c, metaindex: metaindexHandle ?? BlockHandle(offset: 0, length: 0),
                        index: BlockHandle(offset: 0, length: 0), offset: file.count)
    let table = Table(file: file, footer: footer, metaindex: metaindex, properties: properties)
    return SalvagedTable(table: table, mode: .scannedBlocks, notes: notes, dataBlocks: data)
  }

  /// Decides what a decoded block is from its contents alone.
  static func classify(_ b: UnsafeRawBufferPointer, knownBlocks: Set<BlockHandle>) -> ScannedBlockKind {
    guard var it = try? RowBlockIterator(b, allowHashIndex: true) else { return .other }
    var n = 0, raw = 0, points = 0, handles = 0, rangeDels = 0, rangeKeys = 0, propertyNames = 0
    while true {
      guard let more = try? it.next() else { return .other }
      if !more { break }
      n += 1
      let key = it.key
      if let first = key.first, first >= 0x20, first < 0x7f, key.allSatisfy({ $0 >= 0x20 && $0 < 0x7f }) {
        raw += 1
        if key.starts(with: "rocksdb.".utf8) || key.starts(with: "pebble.".utf8) { propertyNames += 1 }
      }
      var p = 0
      // A value naming exactly (offset and length) a block found by the scan is a handle.
      if let h = BlockHandle.decode(it.value, &p, fileSize: Int.max), knownBlocks.contains(h) { handles += 1 }
      if let (_, _, kind) = InternalKey.split(key) {
        let k = kind & ~Kind.obsoleteBit
        if Kind.isPoint(k) { points += 1 }
        if kind == Kind.rangeDel { rangeDels += 1 }
        if kind >= Kind.rangeKeyDel && kind <= Kind.rangeKeySet { rangeKeys += 1 }
      }
    }
    if n == 0 { return .other }
    if raw == n && handles == n { return .metaindex }
    if raw == n && propertyNames > 0 { return .properties }
    if handles == n { return .index }
    if rangeDels == n { return .rangeDel }
    if rangeKeys == n { return .rangeKey }
    if points == n { return .data }
    return .other
  }

  /// Columnar blocks: key/value blocks name meta blocks or properties; data blocks decode
  /// under a key schema with every trailer a point kind.
  static func classifyColumnar(_ b: UnsafeRawBufferPointer) -> ScannedBlockKind {
    if let pairs = try? KeyValueBlock.pairs(b, what: "block"), !pairs.isEmpty,
       pairs.allSatisfy({ $0.name.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7f } }) {
      if pairs.contains(where: { $0.name == "rocksdb.properties" }) { return .columnarMetaindex }
      if pairs.contains(where: { isEngineName($0.name) }) { return .columnarProperties }
    }
    for schema in [KeySchema.crdb1, .default] {
      guard let block = try? ColumnarDataBlock(b, schema: schema), block.rowCount > 0 else { continue }
      if (0..<block.rowCount).allSatisfy({ Kind.isPoint(UInt8(truncatingIfNeeded: block.trailer($0)) & ~Kind.obsoleteBit) }) {
        return .columnarData(schema)
      }
    }
    return .other
  }

  static func isEngineName(_ n: String) -> Bool { n.hasPrefix("rocksdb.") || n.hasPrefix("pebble.") }

  /// Format assumed for a footerless table: from properties when they survived, else from
  /// the data blocks — Pebblev3+ SET values start with a prefix byte whose bits 3–4 are zero
  /// and whose kind bits are not 11, which random leading bytes (roachpb checksums, text)
  /// fail often enough that a block's worth of SETs decides.
  static func guessFormat(properties: TableProperties, metaindex: [(name: String, value: [UInt8])],
                          dataBlocks: [BlockHandle], reader: BlockReader) -> TableFormat {
    if metaindex.contains(where: { $0.name == "pebble.value_index" }) || properties["pebble.num.value-blocks"] != nil
        || properties["pebble.obsolete.is_strict"] != nil {
      return .pebble(4)
    }
    if properties.indexValueIsDeltaEncoded { return .rocksDB(4) }
    if properties.indexKeyIsUserKey { return .rocksDB(3) }
    if !properties.raw.isEmpty { return .rocksDB(2) }
    var sets = 0, prefixed = 0
    for h in dataBlocks.prefix(8) {
      guard let b = try? reader.read(h) else { continue }
      b.withBytes { bytes in
        guard var it = try? RowBlockIterator(bytes, allowHashIndex: true) else { return }
        while (try? it.next()) == true {
          guard let (_, _, kind) = InternalKey.split(it.key), kind & ~Kind.obsoleteBit == Kind.set else { continue }
          sets += 1
          if let p = it.value.first, p & 0x18 == 0, p & ValuePrefix.kindMask != 0xC0 { prefixed += 1 }
        }
      }
    }
    return sets >= 8 && prefixed == sets ? .pebble(4) : .rocksDB(2)
  }
}
