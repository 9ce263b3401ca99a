import LSMStore
import SSTable

/// Loose data blocks made into a table a store can open (docs/carving.md §1.2), so that
/// `recover --use-obsolete --loose-blocks` reads them like any obsolete table. The blocks are
/// copied as they are (their trailers, compression and checksums unchanged); a new index
/// block (each block's last internal key → its handle), an empty metaindex and a footer of
/// the format the blocks decode as are appended. Row formats only (LevelDB, RocksDB, Pebble
/// v1–v4): a columnar index block is not written.
///
/// ```
/// [data block ‖ trailer]…  [index ‖ trailer] [metaindex ‖ trailer] [footer]
/// footer (LevelDB, 48):      metaindex handle ‖ index handle ‖ 0-pad to 40 ‖ magic
/// footer (RocksDB/Pebble, 53): crc32c(1) ‖ handles ‖ 0-pad to 41 ‖ version u32 ‖ magic
/// ```
enum LooseTable {
  static let levelDBMagic: [UInt8] = [0x57, 0xfb, 0x80, 0x8b, 0x24, 0x75, 0x47, 0xdb]
  static let rocksDBMagic: [UInt8] = [0xf7, 0xcf, 0xf4, 0x85, 0xb7, 0x41, 0xe2, 0x88]
  static let pebbleMagic: [UInt8] = [0xf0, 0x9f, 0xaa, 0xb3, 0xf0, 0x9f, 0xaa, 0xb3]

  /// Tables of the data blocks `salvaged` found in `region`: one per run of blocks whose
  /// keys ascend under `comparer` (a region may hold the blocks of several tables, which a
  /// table's index must not interleave). Empty for columnar blocks; a run whose table does not
  /// read back every entry is left out.
  static func build(_ region: [UInt8], _ salvaged: SalvagedTable, comparer: Comparer) -> [[UInt8]] {
    let format = salvaged.table.format
    guard !format.isColumnar, let blocks = salvaged.dataBlocks else { return [] }
    struct Scanned { var handle: BlockHandle; var first: PointKey; var last: PointKey; var entries: Int }
    var runs: [[Scanned]] = []
    for h in blocks where h.offset + h.length + 5 <= region.count {
      let one = SalvagedTable(table: salvaged.table, mode: .scannedBlocks, notes: [], dataBlocks: [h])
      let it = one.makeIterator()
      var first: PointKey? = nil, last: PointKey? = nil, n = 0
      while let e = it.next() {
        let k = PointKey(user: Array(e.userKey), seq: e.seq, kind: e.kind)
        if first == nil { first = k }
        last = k
        n += 1
      }
      guard let first, let last else { continue }
      let b = Scanned(handle: h, first: first, last: last, entries: n)
      if let prev = runs.last?.last, prev.last.precedes(first, comparer) {
        runs[runs.count - 1].append(b)
      } else {
        runs.append([b])
      }
    }
    return runs.compactMap { run in
      table(region, run.map { ($0.handle, $0.last.internalKey) }, entries: run.reduce(0) { $0 + $1.entries }, format: format)
    }
  }

  /// An internal key of a scanned entry.
  struct PointKey {
    var user: [UInt8]
    var seq: UInt64
    var kind: UInt8
    var internalKey: [UInt8] { user + le64(seq << 8 | UInt64(kind)) }
    /// Strictly before `o` in a table: a smaller user key, or the same with a higher seqnum.
    func precedes(_ o: PointKey, _ cmp: Comparer) -> Bool {
      let c = cmp.compare(user, o.user)
      return c < 0 || (c == 0 && seq > o.seq)
    }
  }

  /// One table of `blocks` (handle in `region`, last internal key), or nil when it does not
  /// read back `entries` entries.
  static func table(_ region: [UInt8], _ blocks: [(BlockHandle, [UInt8])], entries: Int, format: TableFormat) -> [UInt8]? {
    var out: [UInt8] = []
    var index: [(key: [UInt8], handle: BlockHandle)] = []
    for (h, last) in blocks {
      index.append((last, BlockHandle(offset: out.count, length: h.length)))
      out += region[h.offset..<(h.offset + h.length + 5)]
    }
    let indexHandle = append(rowBlock(index.map { ($0.key, handleBytes($0.handle)) }), to: &out)
    let metaHandle = append(rowBlock([]), to: &out)
    var footer: [UInt8] = []
    if format != .levelDB { footer.append(1) }   // checksum type: CRC32C
    footer += handleBytes(metaHandle) + handleBytes(indexHandle)
    footer += [UInt8](repeating: 0, count: (format == .levelDB ? 40 : 41) - footer.count)
    switch format {
    case .levelDB: footer += levelDBMagic
    case .rocksDB(let v): footer += le32(v) + rocksDBMagic
    case .pebble(let v): footer += le32(v) + pebbleMagic
    }
    out += footer
    let file = out.withUnsafeBytes { MappedFile(copying: $0, name: "loose") }
    guard let t = try? Table(file: file) else { return nil }
    var n = 0
    let it = t.makeIterator()
    while it.next() != nil { n += 1 }
    return n == entries ? out : nil
  }

  /// Appends `block` with an uncompressed trailer; returns its handle.
  static func append(_ block: [UInt8], to out: inout [UInt8]) -> BlockHandle {
    let h = BlockHandle(offset: out.count, length: block.count)
    let typed = block + [0]
    out += typed
    out += le32(typed.withUnsafeBytes { Checksum.masked(Checksum.crc32c($0)) })
    return h
  }

  /// A row block with a restart at every entry (no key sharing).
  static func rowBlock(_ entries: [([UInt8], [UInt8])]) -> [UInt8] {
    var b: [UInt8] = []
    var restarts: [UInt32] = []
    for (k, v) in entries {
      restarts.append(UInt32(b.count))
      b += Bytes.uvarintBytes(0) + Bytes.uvarintBytes(UInt64(k.count)) + Bytes.uvarintBytes(UInt64(v.count)) + k + v
    }
    if restarts.isEmpty { restarts = [0] }
    for r in restarts { b += le32(r) }
    return b + le32(UInt32(restarts.count))
  }

  static func handleBytes(_ h: BlockHandle) -> [UInt8] { Bytes.uvarintBytes(UInt64(h.offset)) + Bytes.uvarintBytes(UInt64(h.length)) }


  static func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
  static func le64(_ v: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
}
