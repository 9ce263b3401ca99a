/// Finds blocks without a footer or index, for tables whose end is lost (truncated,
/// overwritten footer). Every block is `payload ‖ type(1) ‖ masked crc32c(4)` and blocks
/// are written back to back, so from a known block start the next one is the shortest
/// length whose trailer checksum matches. Only CRC32C is tried: it is what CockroachDB,
/// LevelDB and every Pebble default write (RocksDB 7's XXH3 default is not searched).
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
    while limit - pos >= BlockReader.trailerLength {
      if let len = blockLength(file, at: pos, limit: limit) {
        blocks.append(BlockHandle(offset: pos, length: len))
        pos += len + BlockReader.trailerLength
        continue
      }
      // Resynchronise: the next offset at which some block starts. Bounded so a large
      // unreadable region costs at most `resyncWindow` candidate lengths per offset.
      var next = pos + 1
      while limit - next >= BlockReader.trailerLength, blockLength(file, at: next, limit: min(limit, next + resyncWindow)) == nil {
        next += 1
        if next - pos > maxResyncDistance { next = limit; break }
      }
      skipped.append((pos, min(next, limit) - pos))
      pos = next
    }
    if pos < limit {
      // The tail too short for a trailer joins a region skipped just before it.
      if let last = skipped.last, last.0 + last.1 == pos { skipped[skipped.count - 1].1 += limit - pos } else {
        skipped.append((pos, limit - pos))
      }
    }
    return (blocks, skipped)
  }

  // Resynchronising is quadratic; these bound it to about 2^29 checksum steps per damaged
  // region (a few seconds), after which the rest of the region is reported as skipped.
  static let resyncWindow = 8 << 10
  static let maxResyncDistance = 64 << 10

  /// Length of the block starting at `pos`, if some trailer checksum matches.
  static func blockLength(_ file: UnsafeRawBufferPointer, at pos: Int, limit: Int) -> Int? {
    let maxLen = min(maxBlockLength, limit - pos - BlockReader.trailerLength)
    guard maxLen >= 0, let base = file.baseAddress else { return nil }
    var crc: UInt32 = 0
    var len = 0
    while len <= maxLen {
      let type = file[pos + len]
      if type <= CompressionType.minlz.rawValue {
        var withType = crc
        withUnsafeBytes(of: type) { withType = Checksum.crc32c($0, extending: crc) }
        let stored = Bytes.uint32LE(file, pos + len + 1)!
        if len > 0 && Checksum.masked(withType) == stored { return len }
      }
      crc = Checksum.crc32c(UnsafeRawBufferPointer(start: base + pos + len, count: 1), extending: crc)
      len += 1
    }
    return nil
  }
}
