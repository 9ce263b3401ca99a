/// One physical block of a table as `salvage sst layout` lists it.
public struct LayoutBlock: Sendable {
  public var kind: String
  public var handle: BlockHandle
  /// Compression indicator from the trailer (nil when the trailer is outside the file).
  public var compression: UInt8?
  /// For data blocks: the index separator (user key) bounding the block from above.
  public var upperKey: [UInt8]?
  public var lowerKey: [UInt8]?

  /// A data block as the index lists it (`IndexIterator`): the previous separator and its own.
  public init(dataBlock handle: BlockHandle, lowerKey: [UInt8]?, upperKey: [UInt8]) {
    (kind, self.handle, compression, self.upperKey, self.lowerKey) = ("data", handle, nil, upperKey, lowerKey)
  }

  init(kind: String, handle: BlockHandle, compression: UInt8?, upperKey: [UInt8]?, lowerKey: [UInt8]?) {
    (self.kind, self.handle, self.compression, self.upperKey, self.lowerKey) = (kind, handle, compression, upperKey, lowerKey)
  }
}

extension Table {
  /// Every block reachable from the footer: data and index blocks through the index, meta
  /// blocks through the metaindex, value blocks through the value index; sorted by offset.
  /// Unreachable parts (a partition that does not decode) are returned as damage.
  public func layout() -> (blocks: [LayoutBlock], damages: [Damage]) {
    var out: [LayoutBlock] = []
    var damages: [Damage] = []
    func add(_ kind: String, _ h: BlockHandle, lower: [UInt8]? = nil, upper: [UInt8]? = nil) {
      let type: UInt8? = h.offset + h.length < file.count ? file.bytes[h.offset + h.length] : nil
      out.append(LayoutBlock(kind: kind, handle: h, compression: type, upperKey: upper, lowerKey: lower))
    }
    var index = IndexIterator(self)
    var previous: [UInt8]?
    while let e = index.next() {
      add("data", e.handle, lower: previous, upper: e.separatorUserKey)
      previous = e.separatorUserKey
    }
    for (h, top) in index.indexBlocks { add(top ? "top-index" : "index", h) }
    if index.indexBlocks.isEmpty { add("index", footer.index) }
    damages += index.damages
    if let f = index.fatal { damages.append(Damage(file: path, blockKind: "index", handle: footer.index, message: f.message)) }
    for (name, value) in metaindex {
      let h = value.withUnsafeBytes { b in var p = 0; return BlockHandle.decode(b, &p, fileSize: file.count) }
      guard let h else {
        damages.append(Damage(file: path, blockKind: "metaindex", handle: footer.metaindex, message: "bad handle for \(name)"))
        continue
      }
      add(Table.metaBlockKind(name), h)
    }
    do throws(SSTableError) {
      if let vb = try ValueBlockReader(self) { for h in try vb.allHandles() { add("value-block", h) } }
    } catch {
      damages.append(Damage(file: path, blockKind: "value-index", handle: nil, message: error.message))
    }
    add("metaindex", footer.metaindex)
    out.sort { $0.handle.offset < $1.handle.offset }
    return (out, damages)
  }

  static func metaBlockKind(_ name: String) -> String {
    switch name {
    case "rocksdb.properties": "properties"
    case "rocksdb.range_del", "rocksdb.range_del2": "range-del"
    case "pebble.range_key": "range-key"
    case "pebble.value_index": "value-index"
    case "pebble.blob_ref_index": "blob-ref-index"
    case "pebble.tiering_histogram": "tiering-histogram"
    default: name.hasPrefix("fullfilter.") || name.hasPrefix("filter.") || name.hasPrefix("partitionedfilter.") ? "filter" : "meta:" + name
    }
  }

  /// Verifies the footer and every block (checksum, decompression, and for data, index and
  /// keyspan blocks full decoding). Returns one `Damage` per bad block; empty when clean.
  /// `checksumsOnly`: blocks of a checksummed table are only checked against their trailers
  /// (no decompression): what damage on disk breaks, at a small part of the cost. Index and
  /// keyspan blocks are still decoded (the layout needs them).
  /// `dataBlocks` false: everything but the data blocks (a reader that checks only the data
  /// blocks it is about to read uses `verify(_:checksumsOnly:)` for those).
  public func verify(checksumsOnly: Bool = false, dataBlocks: Bool = true) -> [Damage] {
    var damages: [Damage] = []
    if let c = footer.footerChecksum, c.stored != c.computed {
      damages.append(Damage(file: path, blockKind: "footer", handle: BlockHandle(offset: footer.offset, length: footer.length),
                            message: "footer checksum mismatch (stored \(hex32(c.stored)) computed \(hex32(c.computed)))"))
    }
    let (blocks, layoutDamages) = layout()
    damages += layoutDamages
    var seen = Set<BlockHandle>()
    for b in blocks where (dataBlocks || b.kind != "data") && seen.insert(b.handle).inserted {
      if let d = verify(b, checksumsOnly: checksumsOnly) { damages.append(d) }
    }
    do throws(SSTableError) { _ = try rangeDeletions() } catch {
      if error.kind != .unsupported { damages.append(Damage(file: path, blockKind: "range-del", handle: nil, message: error.message)) }
    }
    do throws(SSTableError) { _ = try rangeKeys() } catch {
      if error.kind != .unsupported { damages.append(Damage(file: path, blockKind: "range-key", handle: nil, message: error.message)) }
    }
    return damages
  }

  /// One block's check (`verify`): its checksum, and unless `checksumsOnly` (or the table has
  /// no checksums) its decompression and, for data blocks, every entry's internal key.
  public func verify(_ b: LayoutBlock, checksumsOnly: Bool) -> Damage? {
    do throws(SSTableError) {
      if checksumsOnly && self.blocks.checksumType != .none {
        try self.blocks.checkTrailer(b.handle)
        return nil
      }
      let block = try self.blocks.read(b.handle)
      if b.kind == "data" && format.isColumnar {
        guard let schema = keySchema else {
          throw SSTableError(.unsupported, "unknown columnar key schema")
        }
        try block.withBytes { bytes throws(SSTableError) in
          let d = try ColumnarDataBlock(bytes, schema: schema)
          for r in 0..<d.rowCount where !Kind.isPoint(UInt8(truncatingIfNeeded: d.trailer(r))) {
            throw SSTableError(.corrupt, "row \(r) has no valid point kind")
          }
        }
      } else if b.kind == "data" {
        try block.withBytes { bytes throws(SSTableError) in
          var it = try RowBlockIterator(bytes, allowHashIndex: format.rocksDBVersion > 0)
          while try it.next() {
            guard let (_, _, kind) = InternalKey.split(it.key), Kind.isPoint(kind & ~Kind.obsoleteBit) else {
              throw SSTableError(.corrupt, "entry at block offset \(it.entryOffset) has no valid internal key")
            }
          }
        }
      }
      return nil
    } catch {
      return Damage(file: path, blockKind: b.kind, handle: b.handle, message: error.message, lowerKey: b.lowerKey, upperKey: b.upperKey)
    }
  }
}

extension Table {
  /// Smallest and largest sequence number over every point entry, range deletion and range
  /// key (neither RocksDB nor Pebble records them in the properties block, so this reads the
  /// table); nil for an empty table.
  public func seqNumBounds() -> (smallest: UInt64, largest: UInt64)? {
    var lo = UInt64.max, hi = UInt64(0), any = false
    func see(_ s: UInt64) { lo = min(lo, s); hi = max(hi, s); any = true }
    let it = makeIterator()
    while let e = it.next() { see(e.seq) }
    (try? rangeDeletions())?.forEach { see($0.seq) }
    (try? rangeKeys())?.forEach { see($0.seq) }
    return any ? (lo, hi) : nil
  }
}
