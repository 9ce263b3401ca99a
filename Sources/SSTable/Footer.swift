/// Offset and length of a block; the length excludes the 5-byte trailer (spec §2.1).
public struct BlockHandle: Equatable, Hashable, Sendable, CustomStringConvertible {
  public var offset: Int
  public var length: Int
  public init(offset: Int, length: Int) { self.offset = offset; self.length = length }
  public var description: String { "\(offset)/\(length)" }

  /// Decodes `uvarint offset ‖ uvarint length` at `pos`, checking the block and its trailer
  /// fit in a file of `fileSize` bytes.
  @inlinable
  public static func decode(_ b: UnsafeRawBufferPointer, _ pos: inout Int, fileSize: Int) -> BlockHandle? {
    guard let off = Bytes.uvarint(b, &pos), let len = Bytes.uvarint(b, &pos),
          off <= UInt64(fileSize), len <= UInt64(fileSize) - off else { return nil }
    return BlockHandle(offset: Int(off), length: Int(len))
  }
}

/// The fixed-size structure at the end of every table (spec §1.3):
///
/// ```
/// LevelDB (48):     metaindex handle | index handle | pad to 40 | magic(8)
/// RocksDB/Pebble v1–v5 (53):
///                   checksum type(1) | metaindex | index | pad to 41 | version(4) | magic(8)
/// Pebble v6 (57):   checksum type(1) | metaindex | index | pad to 41 | footer crc(4) | version(4) | magic(8)
/// Pebble v7+ (61):  checksum type(1) | metaindex | index | pad to 41 | attributes(4) | footer crc(4) | version(4) | magic(8)
/// ```
public struct Footer: Sendable {
  public var format: TableFormat
  public var checksumType: ChecksumType
  public var metaindex: BlockHandle
  public var index: BlockHandle
  /// Pebblev7+ attribute bits (§1.5).
  public var attributes: UInt32?
  /// Pebblev6+: the stored and computed masked CRC32C of the footer.
  public var footerChecksum: (stored: UInt32, computed: UInt32)?
  /// Absolute offset of the footer's first byte.
  public var offset: Int
  public var length: Int { format.footerLength }

  public var footerChecksumOK: Bool { footerChecksum.map { $0.stored == $0.computed } ?? true }

  static let levelDBMagic: UInt64 = 0xdb47_7524_8b80_fb57
  static let rocksDBMagic: UInt64 = 0x88e2_41b7_85f4_cff7
  static let pebbleMagic: UInt64 = 0xb3aa_9ff0_b3aa_9ff0   // "🪳🪳" read as LE uint64
  static let blobMagicV1: UInt64 = 0x80a6_9ff0_b3aa_9ff0
  static let blobMagicV2: UInt64 = 0x82a6_9ff0_b3aa_9ff0

  /// Reads the footer of `file`. Fails with a one-line error for an unknown magic or
  /// version, a file too short to hold a footer, or handles that point outside the file.
  public static func read(_ file: UnsafeRawBufferPointer) throws(SSTableError) -> Footer {
    let size = file.count
    if let lfs = GitLFSPointer.describe(file) { throw SSTableError(.unsupported, lfs, offset: 0) }
    guard size >= 48 else { throw SSTableError(.truncated, "file of \(size) bytes is too short to be a table (no footer)", offset: 0) }
    let magic = Bytes.uint64LE(file, size - 8)!
    let format: TableFormat
    switch magic {
    case levelDBMagic:
      format = .levelDB
    case rocksDBMagic, pebbleMagic:
      let v = Bytes.uint32LE(file, size - 12)!
      if magic == rocksDBMagic {
        guard (2...5).contains(v) else {
          throw SSTableError(.unsupported, "RocksDB table format_version \(v) is not supported (2-5 are)", offset: size - 12)
        }
        format = .rocksDB(v)
      } else {
        guard (1...8).contains(v) else {
          throw SSTableError(.unsupported, "Pebble table format version \(v) is unknown (1-8 are)", offset: size - 12)
        }
        format = .pebble(v)
      }
    case blobMagicV1, blobMagicV2:
      throw SSTableError(.unsupported, "this is a Pebble blob file, not a table", offset: size - 8)
    default:
      throw SSTableError(.corrupt, "bad magic \(hex64(magic)): not a LevelDB, RocksDB or Pebble table (truncated or overwritten end of file?)", offset: size - 8)
    }
    return try decode(file, format: format)
  }

  /// Decodes the footer fields assuming `format`, without looking at the magic (a salvage
  /// reader uses this to tolerate a damaged magic).
  public static func decode(_ file: UnsafeRawBufferPointer, format: TableFormat) throws(SSTableError) -> Footer {
    let size = file.count
    let len = format.footerLength
    guard size >= len else { throw SSTableError(.truncated, "file of \(size) bytes is shorter than a \(format) footer", offset: 0) }
    let start = size - len
    let f = UnsafeRawBufferPointer(rebasing: file[start...])
    var pos = 0
    var checksum = ChecksumType.crc32c
    if format != .levelDB {
      guard let c = ChecksumType(rawValue: f[0]) else {
        throw SSTableError(.unsupported, "unknown checksum type \(f[0]) in footer", offset: start)
      }
      checksum = c
      pos = 1
    }
    guard let meta = BlockHandle.decode(f, &pos, fileSize: start),
          let index = BlockHandle.decode(f, &pos, fileSize: start) else {
      throw SSTableError(.corrupt, "footer block handles are malformed or point past the end of the file", offset: start)
    }
    var footer = Footer(format: format, checksumType: checksum, metaindex: meta, index: index, offset: start)
    if format.pebbleVersion >= 6 {
      let csOff = format.pebbleVersion >= 7 ? 45 : 41
      if format.pebbleVersion >= 7 { footer.attributes = Bytes.uint32LE(f, 41) }
      let stored = Bytes.uint32LE(f, csOff)!
      var crc = Checksum.crc32c(UnsafeRawBufferPointer(rebasing: f[0..<csOff]))
      crc = Checksum.crc32c(UnsafeRawBufferPointer(rebasing: f[(csOff + 4)...]), extending: crc)
      footer.footerChecksum = (stored, Checksum.masked(crc))
    }
    return footer
  }
}

func hex64(_ v: UInt64) -> String {
  let s = String(v, radix: 16)
  return "0x" + String(repeating: "0", count: 16 - s.count) + s
}
