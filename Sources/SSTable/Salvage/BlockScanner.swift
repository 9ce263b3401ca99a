import CSalvageCRC

/// Finds blocks without a footer or index, for tables whose end is lost (truncated,
/// overwritten footer). Every block is `payload ‖ type(1) ‖ masked crc32c(4)` and blocks
/// are written back to back, so from a known block start the next one is the shortest
/// length whose trailer checksum matches. After damage the next start is unknown: every
/// matching (start, end) pair of a window is found at once by a linear hash join of
/// checksum terms (`salvage_crc32c_find_blocks`), and the search goes on to the end of the
/// file, past holes of any size. Only CRC32C is searched: it is what CockroachDB, LevelDB
/// and every Pebble default write (RocksDB 7's XXH3 default is not).
public enum BlockScanner {
  /// Largest block searched for; real blocks are far smaller.
  public static let maxBlockLength = 16 << 20

  /// Block handles found from `start`, in file order. `skipped` lists byte ranges where no
  /// block could be found (damage inside the region, or the truncated tail).
  public static func scan(_ file: UnsafeRawBufferPointer, from start: Int = 0,
                          end: Int? = nil) -> (blocks: [BlockHandle], skipped: [(offset: Int, length: Int)]) {
    let limit = end ?? file.count
    var blocks: [BlockHandle] = []
    var skipped: [(Int, Int)] = []
    var pos = start
    var longest = 0
    while limit - pos > BlockReader.trailerLength {
      if let len = blockLength(file, at: pos, limit: limit) {
        blocks.append(BlockHandle(offset: pos, length: len))
        longest = max(longest, len)
        pos += len + BlockReader.trailerLength
        continue
      }
      guard let next = resync(file, from: pos, limit: limit, longest: longest) else { break }
      skipped.append((pos, next.offset - pos))
      blocks.append(next)
      longest = max(longest, next.length)
      pos = next.offset + next.length + BlockReader.trailerLength
    }
    if pos < limit {
      // The tail where no block was found (or too short for a trailer).
      skipped.append((pos, limit - pos))
    }
    return (blocks, skipped)
  }

  /// Starts searched per join window; with the block lengths it bounds a window's memory
  /// (16 bytes per byte searched).
  static let window = 1 << 20

  /// The first block starting after `pos` that the checksum join finds and that looks real
  /// (its payload decompresses and it chains to another block, ends the file, or decodes
  /// as a row block), or nil when none is left before `limit`.
  static func resync(_ file: UnsafeRawBufferPointer, from pos: Int, limit: Int, longest: Int) -> BlockHandle? {
    guard let base = file.baseAddress else { return nil }
    // Blocks of one table have similar sizes; the window's end reach allows 4x the longest
    // seen (at least 256 KiB). A longer first block after a hole is reported as skipped.
    let reach = min(maxBlockLength, max(256 << 10, 4 * longest))
    var w = pos + 1
    while limit - w > BlockReader.trailerLength {
      let starts = min(window, limit - w)
      let n = min(limit - w, starts + reach + BlockReader.trailerLength)
      let cap = 1 << 16
      var s = [Int64](repeating: 0, count: cap), l = [Int64](repeating: 0, count: cap)
      let found = min(cap, salvage_crc32c_find_blocks(base.assumingMemoryBound(to: UInt8.self) + w, n, starts, reach,
                                                      CompressionType.minlz.rawValue, &s, &l, cap))
      let candidates = (0..<found).map { BlockHandle(offset: w + Int(s[$0]), length: Int(l[$0])) }
        .sorted { ($0.offset, $0.length) < ($1.offset, $1.length) }
      if let h = candidates.first(where: { plausible(file, $0, limit: limit) }) { return h }
      w += starts
    }
    return nil
  }

  /// Whether a checksum match is a real block rather than a 2^-32 coincidence in garbage.
  static func plausible(_ file: UnsafeRawBufferPointer, _ h: BlockHandle, limit: Int) -> Bool {
    let stored = UnsafeRawBufferPointer(rebasing: file[h.offset..<(h.offset + h.length)])
    guard let type = CompressionType(rawValue: file[h.offset + h.length]),
          let block = try? Decompressor.decompress(type, stored) else { return false }
    let next = h.offset + h.length + BlockReader.trailerLength
    if next == limit || blockLength(file, at: next, limit: limit) != nil { return true }
    return (try? RowBlockIterator(block.bytes, allowHashIndex: true)) != nil
  }

  /// Length of the block starting at `pos`, if some trailer checksum matches.
  static func blockLength(_ file: UnsafeRawBufferPointer, at pos: Int, limit: Int) -> Int? {
    guard let base = file.baseAddress, pos < limit else { return nil }
    let len = salvage_crc32c_first_block(base.assumingMemoryBound(to: UInt8.self) + pos, limit - pos, maxBlockLength,
                                         CompressionType.minlz.rawValue)
    return len < 0 ? nil : len
  }
}
