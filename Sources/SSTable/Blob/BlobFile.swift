/// A Pebble blob file (`NNNNNN.blob`, spec §5.3), opened read-only:
///
/// ```
/// [value block 0] … [value block N-1]   columnar, 1 bytes column (value j = row j); may be compressed
/// [index block]                         columnar, uncompressed
/// [properties block]                    v2 only; key/value block
/// [footer]                              38 bytes (v1) or 70 bytes (v2)
/// ```
/// Footer, offsets from its start (LE):
///
/// | v1 | v2 | len | field |
/// |----|----|-----|-------|
/// | 0  | 0  | 4   | masked CRC32C of footer bytes [4, end) |
/// | 4  | 4  | 8   | index block offset |
/// | 12 | 12 | 8   | index block length (without trailer) |
/// | 20 | 20 | 1   | block checksum type |
/// | 21 | 21 | 1   | format: 1 or 2 |
/// | 22 | 22 | 8   | original file number |
/// | –  | 30 | 16  | properties block offset, length |
/// | –  | 46 | 16  | metaindex (reserved, 0) |
/// | 30 | 62 | 8   | magic |
///
/// A footer checksum mismatch is reported (`footerChecksumOK`), not fatal: the handles are
/// still checked against the file and every block against its own checksum. Not
/// thread-safe: it caches the last decoded value block.
public final class BlobFile {
  public let file: MappedFile
  public var path: String { file.path }
  public let formatVersion: Int
  public let checksumType: ChecksumType
  public let originalFileNumber: UInt64
  public let indexHandle: BlockHandle
  public let propertiesHandle: BlockHandle?
  /// Stored and computed masked CRC32C of the footer.
  public let footerChecksum: (stored: UInt32, computed: UInt32)
  public var footerChecksumOK: Bool { footerChecksum.stored == footerChecksum.computed }
  public let blocks: BlockReader
  /// Physical value blocks, in file order.
  public let valueBlocks: [BlockHandle]
  /// Virtual block id → (physical block, value-id offset); empty when ids are physical.
  public let virtualBlocks: [(physical: UInt32, valueIDOffset: UInt32)?]
  /// The last value block read, decoded (its column borrows `block`'s bytes).
  var cached: (index: Int, block: Block, values: RawBytesColumn)?

  public convenience init(path: String) throws(SSTableError) {
    try self.init(file: MappedFile(path: path))
  }

  public init(file: MappedFile) throws(SSTableError) {
    self.file = file
    let b = file.bytes
    do throws(SSTableError) {
      guard let magic = Bytes.uint64LE(b, b.count - 8) else {
        throw SSTableError(.truncated, "file of \(b.count) bytes is too short to be a blob file", offset: 0)
      }
      let len: Int
      switch magic {
      case Footer.blobMagicV1: len = 38
      case Footer.blobMagicV2: len = 70
      default: throw SSTableError(.corrupt, "bad magic \(hex64(magic)): not a Pebble blob file", offset: b.count - 8)
      }
      guard b.count >= len else { throw SSTableError(.truncated, "file shorter than its \(len)-byte footer", offset: 0) }
      let f = b.count - len
      let stored = Bytes.uint32LE(b, f)!
      footerChecksum = (stored, Checksum.masked(Checksum.crc32c(UnsafeRawBufferPointer(rebasing: b[(f + 4)..<b.count]))))
      let version = Int(b[f + 21])
      guard version == (len == 38 ? 1 : 2) else {
        throw SSTableError(.corrupt, "footer says format \(version) but its magic says v\(len == 38 ? 1 : 2)", offset: f + 21)
      }
      formatVersion = version
      guard let ct = ChecksumType(rawValue: b[f + 20]) else {
        throw SSTableError(.unsupported, "unknown checksum type \(b[f + 20])", offset: f + 20)
      }
      checksumType = ct
      originalFileNumber = Bytes.uint64LE(b, f + 22)!
      let ih = try BlobFile.handle(b, f + 4, limit: f, what: "index")
      indexHandle = ih
      propertiesHandle = version == 2 ? try BlobFile.handle(b, f + 30, limit: f, what: "properties") : nil
      let reader = BlockReader(file: file, checksumType: ct)
      blocks = reader
      (valueBlocks, virtualBlocks) = try reader.read(ih).withBytes { ib throws(SSTableError) in
        try BlobFile.decodeIndex(ib, limit: ih.offset)
      }
    } catch {
      throw error.inFile(file.path)
    }
  }

  static func handle(_ b: UnsafeRawBufferPointer, _ at: Int, limit: Int, what: String) throws(SSTableError) -> BlockHandle {
    let off = Bytes.uint64LE(b, at)!, len = Bytes.uint64LE(b, at + 8)!
    guard off <= UInt64(limit), len <= UInt64(limit) - off else {
      throw SSTableError(.corrupt, "\(what) block \(off)/\(len) lies outside the file", offset: at)
    }
    return BlockHandle(offset: Int(off), length: Int(len))
  }

  /// Index block: 4-byte custom header = virtual block count M; header rows = N physical
  /// blocks; col 0 uint (M rows) `valueIDOffset << 32 | physical` (`0xFFFFFFFF` low half =
  /// elided), col 1 uint (N+1 rows) block start offsets, trailers included.
  static func decodeIndex(_ b: UnsafeRawBufferPointer, limit: Int) throws(SSTableError)
    -> ([BlockHandle], [(physical: UInt32, valueIDOffset: UInt32)?]) {
    do throws(SSTableError) {
      guard let m32 = Bytes.uint32LE(b, 0) else { throw SSTableError(.corrupt, "too short") }
      let blk = try ColumnarBlock(b, customHeaderSize: 4)
      let m = Int(m32), n = blk.rowCount
      guard blk.columnCount == 2, m <= b.count, n < b.count else {
        throw SSTableError(.corrupt, "\(blk.columnCount) columns, \(m) virtual and \(n) physical blocks do not fit")
      }
      let virt = try blk.uints(0, rows: m)
      let offs = try blk.uints(1, rows: n + 1)
      var handles: [BlockHandle] = []
      for i in 0..<n {
        let s = offs.at(i), e = offs.at(i + 1)
        guard s <= e, e <= UInt64(limit), e - s >= UInt64(BlockReader.trailerLength) else {
          throw SSTableError(.corrupt, "block \(i) spans \(s)..<\(e), not a block inside the data area")
        }
        handles.append(BlockHandle(offset: Int(s), length: Int(e - s) - BlockReader.trailerLength))
      }
      var virtual: [(physical: UInt32, valueIDOffset: UInt32)?] = []
      for i in 0..<m {
        let v = virt.at(i)
        let phys = UInt32(truncatingIfNeeded: v)
        virtual.append(phys == .max ? nil : (phys, UInt32(truncatingIfNeeded: v >> 32)))
      }
      return (handles, virtual)
    } catch {
      throw SSTableError(.corrupt, "blob index block: \(error.message)", offset: nil)
    }
  }

  /// Physical block and row of `(blockID, valueID)` (spec §5.3 lookup).
  public func locate(blockID: UInt32, valueID: UInt32) throws(SSTableError) -> (block: Int, row: Int) {
    if virtualBlocks.isEmpty { return (Int(blockID), Int(valueID)) }
    guard Int(blockID) < virtualBlocks.count else {
      throw SSTableError(.corrupt, "virtual block \(blockID) is not in the index (\(virtualBlocks.count) entries)", file: path)
    }
    guard let v = virtualBlocks[Int(blockID)] else {
      throw SSTableError(.corrupt, "virtual block \(blockID) was elided by a rewrite", file: path)
    }
    return (Int(v.physical), Int(valueID) + Int(v.valueIDOffset))
  }

  /// Runs `body` with value `valueID` of block `blockID`, borrowed from the decompressed
  /// block (cached until a different block is read).
  public func withValue<R>(blockID: UInt32, valueID: UInt32, _ body: (UnsafeRawBufferPointer) -> R) throws(SSTableError) -> R {
    let (k, row) = try locate(blockID: blockID, valueID: valueID)
    guard k < valueBlocks.count else {
      throw SSTableError(.corrupt, "block \(k) is not in the index (\(valueBlocks.count) blocks)", file: path)
    }
    let c = try valueBlock(k)
    guard row >= 0, row < c.values.count else {
      throw SSTableError(.corrupt, "value \(row) is not in block \(k) (\(c.values.count) values)", file: path,
                         offset: valueBlocks[k].offset)
    }
    return withExtendedLifetime(c.block) { body(c.values.at(row)) }
  }

  /// A copy of value `valueID` of block `blockID`.
  public func value(blockID: UInt32, valueID: UInt32) throws(SSTableError) -> [UInt8] {
    try withValue(blockID: blockID, valueID: valueID) { Array($0) }
  }

  /// Number of values in physical block `k`.
  public func valueCount(block k: Int) throws(SSTableError) -> Int {
    guard k >= 0, k < valueBlocks.count else { throw SSTableError(.corrupt, "no block \(k)", file: path) }
    return try valueBlock(k).values.count
  }

  /// Value block `k`, read, checked and decoded (cached: blob handles of a table come in
  /// block order, so one block serves a run of entries).
  func valueBlock(_ k: Int) throws(SSTableError) -> (index: Int, block: Block, values: RawBytesColumn) {
    if let c = cached, c.index == k { return c }
    do throws(SSTableError) {
      let b = try blocks.read(valueBlocks[k])
      let values = try BlobFile.values(b.bytes)
      let c = (index: k, block: b, values: values)
      cached = c
      return c
    } catch {
      throw SSTableError(error.kind, "blob value block \(k): \(error.message)", file: path, offset: valueBlocks[k].offset)
    }
  }

  /// A value block: columnar, no custom header, one bytes column (row j = value j).
  static func values(_ b: UnsafeRawBufferPointer) throws(SSTableError) -> RawBytesColumn {
    let blk = try ColumnarBlock(b, customHeaderSize: 0)
    guard blk.columnCount == 1 else { throw SSTableError(.corrupt, "\(blk.columnCount) columns, 1 expected") }
    return try blk.rawBytes(0, rows: blk.rowCount)
  }

  /// Properties (v2 files): columnar key/value block.
  public func properties() throws(SSTableError) -> [(name: String, value: [UInt8])] {
    guard let h = propertiesHandle else { return [] }
    return try blocks.read(h).withBytes { b throws(SSTableError) in try KeyValueBlock.pairs(b, what: "blob properties") }
  }
}
