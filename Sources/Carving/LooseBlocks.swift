import SSTable

/// A run of the image outside every carved file that holds checksum-valid, decodable data
/// blocks (docs/carving.md §1.2): what is left of a table whose footer is gone.
public struct LooseRegion: Sendable, Codable, Equatable {
  public var offset: Int
  public var length: Int
  public var dataBlocks: Int
  public var entries: Int
  public var firstKeyHex: String?
  public var lastKeyHex: String?
  /// Name under the output directory (`obsolete/loose-at-N.sst`), nil when not written.
  public var name: String?
}

extension CarvedStore {
  /// Largest run handed to the block search at once (its join needs 16 bytes per byte).
  static let looseWindow = 64 << 20

  /// Last resort (`salvage carve --loose-blocks`): a second pass over the image finds the
  /// 4 KiB pages that are not zero and lie outside every carved file, and looks in each run of
  /// them for blocks with valid CRC32C trailers that decode as data blocks (the same search
  /// as `salvage sst` uses for a table without a footer, `Table.salvage`). Best effort: the
  /// blocks' table, and so whether they are live, is unknown.
  public mutating func findLooseBlocks(image: DiskImage) throws(CarveError) {
    var covered: [Range<Int>] = []
    for p in files {
      covered.append(p.file.offset..<(p.file.offset + p.file.length))
      for piece in p.file.pieces ?? [] { covered.append(piece.imageOffset..<(piece.imageOffset + piece.length)) }
    }
    covered.sort { $0.lowerBound < $1.lowerBound }
    let page = 4096
    var runs: [Range<Int>] = []
    var runStart: Int? = nil
    var c = 0
    let step = 8 << 20
    let buf = UnsafeMutableRawBufferPointer.allocate(byteCount: step, alignment: page)
    defer { buf.deallocate() }
    var at = 0
    while at < image.size {
      let n = try image.read(at: at, count: step, into: buf.baseAddress!)
      guard n > 0 else { break }
      var p = 0
      while p < n {
        let abs = at + p
        while c < covered.count && covered[c].upperBound <= abs { c += 1 }
        let inFile = c < covered.count && covered[c].lowerBound < abs + page
        let k = min(page, n - p)
        let used = !inFile && !UnsafeRawBufferPointer(rebasing: buf[p..<(p + k)]).allSatisfy { $0 == 0 }
        if used, runStart == nil { runStart = abs }
        if let s = runStart, !used || abs - s + k >= Self.looseWindow {
          runs.append(s..<(used ? abs + k : abs))
          runStart = nil
        }
        p += k
      }
      at += n
    }
    if let s = runStart { runs.append(s..<image.size) }
    for r in runs where r.count > 5 {
      let bytes = try image.bytes(at: r.lowerBound, count: r.count)
      let file = bytes.withUnsafeBytes { MappedFile(copying: $0, name: "\(image.path)@\(r.lowerBound)") }
      guard let s = try? Table.salvage(file: file), s.mode == .scannedBlocks, let blocks = s.dataBlocks, !blocks.isEmpty else { continue }
      var region = LooseRegion(offset: r.lowerBound, length: r.count, dataBlocks: blocks.count, entries: 0)
      let it = s.makeIterator()
      while let e = it.next() {
        if region.firstKeyHex == nil { region.firstKeyHex = Array(e.userKey).hex }
        region.lastKeyHex = Array(e.userKey).hex
        region.entries += 1
      }
      guard region.entries > 0 else { continue }
      region.name = "obsolete/loose-at-\(r.lowerBound).sst"
      looseRegions.append(region)
    }
  }
}
