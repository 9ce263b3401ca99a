import SSTable
import LSMStore

/// A record-log chunk header found at a 4 KiB boundary of the image (docs/carving.md §2,
/// spec §7.3). Filesystems start files on block boundaries, and a log file's chunks begin
/// at every 32 KiB of it, so WAL and MANIFEST files are found by checking one header per
/// 4 KiB rather than a checksum at every byte.
///
/// ```
/// legacy 1-4:      crc u32 | len u16 | type u8 | payload
/// recyclable 5-8:  crc | len | type | log_num u32 | payload
/// WAL-sync 9-12:   crc | len | type | log_num u32 | sync_offset u64 | payload
/// ```
struct LogChunk: Equatable {
  var type: UInt8
  var length: Int
  var logNumber: UInt32?

  var headerLength: Int { Self.headerLength(type) }
  /// Full or first chunk: a record starts here.
  var startsRecord: Bool { (type - 1) % 4 <= 1 }
  /// 0 legacy, 1 recyclable, 2 WAL-sync: chunks of one file share it.
  var family: UInt8 { (type - 1) / 4 }

  /// Callers pass only types 1–12 (`at` checks); 19 for anything else keeps it total.
  static func headerLength(_ type: UInt8) -> Int { LogReader.headerLength(ofChunkType: type) ?? 19 }

  /// The chunk at `b[p]` if its header is plausible and its checksum matches; the chunk
  /// must lie inside one 32 KiB block (`room` bytes from `p` to the block's end) and `b`.
  static func at(_ b: UnsafeRawBufferPointer, _ p: Int, room: Int = 32 << 10) -> LogChunk? {
    guard p >= 0, b.count - p >= 7 else { return nil }
    let type = b[p + 6]
    guard (1...12).contains(type), let crc = Bytes.uint32LE(b, p), let len16 = Bytes.uint16LE(b, p + 4) else { return nil }
    let h = headerLength(type), len = Int(len16)
    let total = h + len
    guard total <= room, total <= b.count - p, crc != 0 || len != 0 else { return nil }
    guard Checksum.masked(Checksum.crc32c(UnsafeRawBufferPointer(rebasing: b[(p + 6)..<(p + total)]))) == crc else { return nil }
    return LogChunk(type: type, length: len, logNumber: type >= 5 ? Bytes.uint32LE(b, p + 7) : nil)
  }

  /// Bytes of one 32 KiB block (given as `b`) taken by chunks of log `logNumber` from its
  /// start: where a file ends inside its last block. Pebble's EOF trailer is kept, so a
  /// reader sees a clean end.
  static func usedBytes(_ b: UnsafeRawBufferPointer, family: UInt8, logNumber: UInt32?) -> Int {
    var p = 0
    while let c = at(b, p, room: min(b.count, 32 << 10) - p), c.family == family, c.logNumber == logNumber {
      p += c.headerLength + c.length
    }
    // Pebble's EOF trailer: a recyclable header (type 5, even in a WAL-sync log) with a zero
    // checksum and length and the next log number.
    if let n = logNumber, b.count - p >= 11, Bytes.uint32LE(b, p) == 0, Bytes.uint16LE(b, p + 4) == 0,
       b[p + 6] == 5, Bytes.uint32LE(b, p + 7) == n &+ 1 {
      p += 11
    }
    return p
  }

  /// Whether a block with `used` bytes of chunks is full: a writer moves to the next block
  /// only when fewer bytes than a header are left, so any other block is a file's last.
  static func blockIsFull(_ used: Int, type: UInt8) -> Bool { used > (32 << 10) - headerLength(type) }
}
