import SSTable

/// What a footer magic found in an image says about the file it ends (docs/carving.md §1):
/// where the file would start if its bytes are contiguous, derived from the footer's own
/// block handles. Nothing is confirmed yet; `Carver` reads the candidate and checks its
/// block checksums.
///
/// ```
/// table:  [data…][index][meta blocks…][metaindex]  [footer … magic]
///         ^start = footer − (max(metaindex end, index end) + 5-byte trailer)
///         (LevelDB writes the index last, RocksDB and Pebble the metaindex)
/// blob:   [value blocks…][index][properties (v2)]  [footer … magic]
/// ```
public struct FooterHit: Sendable, Equatable {
  public enum Kind: Sendable, Equatable { case table(TableFormat), blob(version: Int) }
  public var kind: Kind
  /// Absolute offsets in the image: the derived file start and the end of the magic.
  public var start: Int
  public var end: Int
  /// Blob files name their own disk file number in the footer.
  public var blobFileNumber: UInt64?
  public var length: Int { end - start }

  /// Largest file believed: a block handle beyond this is noise that happened to decode.
  static let maxFileLength = 1 << 36

  /// Decodes the footer whose magic starts at `magicAt` in `b` (`b[0]` is at absolute image
  /// offset `base`). Nil when the bytes before the magic are not a plausible footer.
  static func decode(_ b: UnsafeRawBufferPointer, magicAt m: Int, kind: UInt8, base: Int) -> FooterHit? {
    switch kind {
    case 1, 2, 3: return table(b, magicAt: m, kind: kind, base: base)
    case 4, 5: return blob(b, magicAt: m, version: kind == 4 ? 1 : 2, base: base)
    default: return nil
    }
  }

  static func table(_ b: UnsafeRawBufferPointer, magicAt m: Int, kind: UInt8, base: Int) -> FooterHit? {
    let format: TableFormat
    switch kind {
    case 1: format = .levelDB
    case 2:
      guard let v = Bytes.uint32LE(b, m - 4), (2...5).contains(v) else { return nil }
      format = .rocksDB(v)
    default:
      guard let v = Bytes.uint32LE(b, m - 4), (1...8).contains(v) else { return nil }
      format = .pebble(v)
    }
    let end = m + 8
    let fstart = end - format.footerLength
    guard fstart >= 0 else { return nil }
    var pos = fstart
    if format != .levelDB {
      guard let c = ChecksumType(rawValue: b[pos]), c != .none else { return nil }
      pos += 1
    }
    guard let mo = Bytes.uvarint(b, &pos), let ml = Bytes.uvarint(b, &pos),
          let io = Bytes.uvarint(b, &pos), let il = Bytes.uvarint(b, &pos),
          ml > 0, il > 0, mo < UInt64(maxFileLength), io < UInt64(maxFileLength),
          ml < UInt64(maxFileLength), il < UInt64(maxFileLength) else { return nil }
    // Handles and zero padding fill the first 40 (41) bytes.
    let padEnd = fstart + (format == .levelDB ? 40 : 41)
    guard pos <= padEnd, b[pos..<padEnd].allSatisfy({ $0 == 0 }) else { return nil }
    if case .pebble(let v) = format, v >= 6 {
      // The v6+ footer checksum: masked CRC32C over the footer without its 4 checksum bytes.
      let cs = fstart + (v >= 7 ? 45 : 41)
      var crc = Checksum.crc32c(UnsafeRawBufferPointer(rebasing: b[fstart..<cs]))
      crc = Checksum.crc32c(UnsafeRawBufferPointer(rebasing: b[(cs + 4)..<end]), extending: crc)
      guard Bytes.uint32LE(b, cs) == Checksum.masked(crc) else { return nil }
    }
    let body = Int(max(mo + ml, io + il)) + 5
    let start = base + fstart - body
    guard start >= 0 else { return nil }
    return FooterHit(kind: .table(format), start: start, end: base + end)
  }

  static func blob(_ b: UnsafeRawBufferPointer, magicAt m: Int, version: Int, base: Int) -> FooterHit? {
    let len = version == 1 ? 38 : 70
    let end = m + 8
    let f = end - len
    guard f >= 0, let stored = Bytes.uint32LE(b, f),
          stored == Checksum.masked(Checksum.crc32c(UnsafeRawBufferPointer(rebasing: b[(f + 4)..<end]))),
          let io = Bytes.uint64LE(b, f + 4), let il = Bytes.uint64LE(b, f + 12),
          Int(b[f + 21]) == version, let num = Bytes.uint64LE(b, f + 22),
          io < UInt64(maxFileLength), il < UInt64(maxFileLength) else { return nil }
    var body = io + il + 5
    if version == 2, let po = Bytes.uint64LE(b, f + 30), let pl = Bytes.uint64LE(b, f + 38), pl > 0 {
      guard po < UInt64(maxFileLength), pl < UInt64(maxFileLength) else { return nil }
      body = max(body, po + pl + 5)
    }
    let start = base + f - Int(body)
    guard start >= 0 else { return nil }
    return FooterHit(kind: .blob(version: version), start: start, end: base + end, blobFileNumber: num)
  }
}
