/// How much of a table's own structure a salvaging open could use.
public enum SalvageMode: String, Sendable {
  /// Footer, index and metaindex intact: the normal reader.
  case normal
  /// The footer's magic was damaged; its other fields were trusted after the metaindex
  /// they point to passed its checksum.
  case toleratedMagic = "tolerated-magic"
  /// No usable footer: blocks were found by their checksums and classified; data blocks
  /// are read in file order (which is key order for every writer Salvage knows).
  case scannedBlocks = "scanned-blocks"
}

/// A table opened as completely as its damage allows, with what had to be assumed.
public struct SalvagedTable {
  public var table: Table
  public var mode: SalvageMode
  /// Human-readable notes: what was wrong, what was assumed, which bytes were skipped.
  public var notes: [String]
  /// In `.scannedBlocks` mode, the data blocks found (otherwise nil: the index is used).
  public var dataBlocks: [BlockHandle]?

  public init(table: Table, mode: SalvageMode = .normal, notes: [String] = [], dataBlocks: [BlockHandle]? = nil) {
    self.table = table
    self.mode = mode
    self.notes = notes
    self.dataBlocks = dataBlocks
  }

  /// Iterator over the point entries this open can reach.
  public func makeIterator() -> TableIterator {
    guard let dataBlocks else { return table.makeIterator() }
    return TableIterator(table, dataBlocks: dataBlocks.map {
      IndexEntry(separator: [], separatorIsUserKey: true, handle: $0)
    })
  }
}

extension Table {
  /// Opens `path` like `Table(path:)`, but when the footer is unusable falls back to a
  /// tolerant footer, then to finding blocks by checksum. Throws only when the file
  /// cannot be read at all or no block of it can be found.
  public static func salvage(path: String) throws(SSTableError) -> SalvagedTable {
    try salvage(file: MappedFile(path: path))
  }

  /// `salvage(path:)` for a file already open (or bytes in memory).
  public static func salvage(file: MappedFile) throws(SSTableError) -> SalvagedTable {
    let footerError: SSTableError
    do throws(SSTableError) {
      return SalvagedTable(table: try Table(file: file), mode: .normal, notes: [], dataBlocks: nil)
    } catch {
      footerError = error
      if error.kind == .io || GitLFSPointer.describe(file.bytes) != nil { throw error }
    }
    if let f = toleratedFooter(file.bytes), let t = try? Table(file: file, footer: f) {
      return SalvagedTable(table: t, mode: .toleratedMagic,
                           notes: ["\(footerError.message); trusted the \(f.format) footer fields instead (its metaindex checksum is valid)"],
                           dataBlocks: nil)
    }
    return try scanned(file, footerError: footerError)
  }

  /// Tries the footer layout whose magic is nearest (in bits) to the damaged one, and
  /// accepts it only if the metaindex it names passes its checksum.
  static func toleratedFooter(_ file: UnsafeRawBufferPointer) -> Footer? {
    guard file.count >= 48, let magic = Bytes.uint64LE(file, file.count - 8) else { return nil }
    let version = Bytes.uint32LE(file, file.count - 12) ?? 0
    var candidates: [(distance: Int, format: TableFormat)] = [
      ((magic ^ Footer.levelDBMagic).nonzeroBitCount, .levelDB),
      ((magic ^ Footer.rocksDBMagic).nonzeroBitCount, .rocksDB((2...5).contains(version) ? version : 2)),
      ((magic ^ Footer.pebbleMagic).nonzeroBitCount, .pebble((1...8).contains(version) ? version : 1)),
    ]
    candidates.sort { $0.distance < $1.distance }
    for c in candidates where c.distance <= 16 {
      guard let f = try? Footer.decode(file, format: c.format) else { continue }
      if metaindexChecksumOK(file, f) { return f }
    }
    return nil
  }

  static func metaindexChecksumOK(_ file: UnsafeRawBufferPointer, _ f: Footer) -> Bool {
    let h = f.metaindex
    guard h.length <= file.count - h.offset - BlockReader.trailerLength else { return false }
    let data = UnsafeRawBufferPointer(rebasing: file[h.offset..<(h.offset + h.length + 1)])
    return f.checksumType.compute(data) == Bytes.uint32LE(file, h.offset + h.length + 1)
  }
}
