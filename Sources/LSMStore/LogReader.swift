import SSTable

// Record log (WAL and MANIFEST), spec §7.3. The file is a run of 32 KiB blocks; a chunk
// never crosses a block boundary and a block tail too short for a header is zero-filled.
//
//   legacy (types 1-4)        +----------+--------+------+---------------------+
//                             | crc u32  | len u16| type | payload (len bytes) |
//                             +----------+--------+------+---------------------+
//   recyclable (types 5-8)    | crc | len | type | log_num u32 | payload        |
//   WAL-sync (types 9-12)     | crc | len | type | log_num u32 | sync_off u64 | payload |
//
// All integers little-endian. crc = masked CRC-32C of the bytes from `type` to the end of
// the payload. (type - 1) % 4 gives full / first / middle / last; a record is one full
// chunk or first, middle*, last.

/// One logical record and the file offset of its first chunk.
public struct LogRecord: Sendable {
  public var offset: Int
  public var payload: [UInt8]
}

/// Why a log ended.
public enum LogEnd: Equatable, Sendable {
  /// Ran to the end of the file (possibly through a zero-filled block tail).
  case endOfFile
  /// An all-zero chunk header: preallocated space, nothing written after it.
  case zeroed
  /// Pebble's EOF trailer: an empty recyclable chunk carrying `log number + 1`.
  case eofTrailer
  /// A chunk written for another log number: the stale tail of a recycled file.
  case foreignLogNumber(UInt32)
  /// The file ends inside a chunk (torn write); the bytes from there on are unreadable.
  case truncated
}

/// Reads records out of a WAL or MANIFEST. Never throws on bad bytes: a chunk whose
/// checksum fails is skipped and reported when its header is intact, a torn tail ends the
/// log cleanly, and `issues` says what was lost and where.
public final class LogReader {
  public static let blockSize = 32 * 1024

  /// Header bytes of a chunk of `type`: legacy 1–4, recyclable 5–8, WAL-sync 9–12; nil otherwise.
  public static func headerLength(ofChunkType type: UInt8) -> Int? {
    switch type {
    case 1...4: return 7
    case 5...8: return 11
    case 9...12: return 19
    default: return nil
    }
  }

  public let path: String
  /// Recyclable chunks carrying another number end the log. Nil: not checked (MANIFEST).
  public let logNumber: UInt32?
  let owner: AnyObject
  let bytes: UnsafeRawBufferPointer
  var pos = 0
  /// (start offset, bytes so far) of a record whose later chunks are still to come.
  var partial: (offset: Int, payload: [UInt8])?

  public private(set) var issues: [StoreIssue] = []
  /// Set once the log has ended.
  public private(set) var end: LogEnd?
  /// Offset where reading stopped.
  public private(set) var endOffset = 0
  /// Bytes that could not be read: skipped chunks and a torn or damaged tail.
  public private(set) var unreadableBytes = 0

  public init(path: String, logNumber: UInt32?) throws(StoreError) {
    do {
      let f = try MappedFile(path: path)
      owner = f
      bytes = f.bytes
    } catch { throw StoreError(error) }
    self.path = path
    self.logNumber = logNumber
    if let lfs = GitLFSPointer.describe(bytes) { throw StoreError(.unsupported, lfs, file: path) }
  }

  /// Reads records from bytes in memory (tests, fuzzing).
  public init(bytes: [UInt8], name: String, logNumber: UInt32?) {
    let box = ByteBox(bytes)
    owner = box
    self.bytes = box.buffer
    path = name
    self.logNumber = logNumber
  }

  /// All remaining records.
  public func readAll() -> [LogRecord] {
    var out: [LogRecord] = []
    while let r = next() { out.append(r) }
    return out
  }

  public func next() -> LogRecord? {
    while end == nil {
      if let r = step() { return r }
    }
    return nil
  }

  /// Consumes one chunk (or a block tail); returns a record when one completes.
  func step() -> LogRecord? {
    let count = bytes.count
    if pos >= count { finish(.endOfFile, at: count); return nil }
    let blockEnd = min((pos / Self.blockSize + 1) * Self.blockSize, count)
    let room = blockEnd - pos
    if room < 7 {
      // A zero-filled block trailer. Non-zero bytes where the file ends mid-block are a
      // torn chunk header instead.
      if blockEnd == count && (pos / Self.blockSize + 1) * Self.blockSize > count && bytes[pos..<count].contains(where: { $0 != 0 }) {
        tornTail("file ends inside a chunk header")
        return nil
      }
      pos = blockEnd
      return nil
    }
    let crc = Bytes.uint32LE(bytes, pos)!
    let length = Int(Bytes.uint16LE(bytes, pos + 4)!)
    let type = bytes[pos + 6]
    if crc == 0 && length == 0 && type == 0 {
      // Writers zero-fill a block tail too short for their own header: under 11 bytes for
      // recyclable chunks, under 19 for WAL-sync ones (Pebble's LogWriter; its reader skips
      // such a tail). The log goes on in the next block.
      if room < 19 && blockEnd < count && !bytes[pos..<blockEnd].contains(where: { $0 != 0 }) {
        pos = blockEnd
        return nil
      }
      let rest = bytes[pos..<count].contains { $0 != 0 }
      if rest {
        let n = count - pos
        unreadableBytes += n
        report(.damage, .corrupt, "zeroed chunk header, but \(n) bytes after it hold data that was not read", at: pos)
      }
      finish(.zeroed, at: pos)
      return nil
    }
    guard let header = Self.headerLength(ofChunkType: type) else {
      skipBlock(blockEnd, "unknown chunk type \(type); rest of the 32 KiB block skipped")
      return nil
    }
    if room < header {
      if blockEnd == count && (pos / Self.blockSize + 1) * Self.blockSize > count {
        tornTail("file ends inside a chunk header")
      } else {
        skipBlock(blockEnd, "chunk header of type \(type) does not fit in its block; rest of block skipped")
      }
      return nil
    }
    if type >= 5, let expected = logNumber {
      let num = Bytes.uint32LE(bytes, pos + 7)!
      if num != expected {
        if num == expected &+ 1 && length == 0 {
          finish(.eofTrailer, at: pos)
        } else {
          report(.note, .corrupt, "chunk written for log \(num), not \(expected): stale tail of a recycled log; replay stops here", at: pos)
          finish(.foreignLogNumber(num), at: pos)
        }
        dropPartial("log ended before its last chunk")
        return nil
      }
    }
    let payloadStart = pos + header
    guard length <= blockEnd - payloadStart else {
      if payloadStart + length > count && blockEnd == count {
        tornTail("file ends inside a chunk (\(length) payload bytes announced)")
      } else {
        skipBlock(blockEnd, "chunk length \(length) runs past its 32 KiB block; rest of block skipped")
      }
      return nil
    }
    let chunkStart = pos
    pos = payloadStart + length
    let covered = UnsafeRawBufferPointer(rebasing: bytes[(chunkStart + 6)..<pos])
    let computed = Checksum.masked(Checksum.crc32c(covered))
    if computed != crc {
      unreadableBytes += pos - chunkStart
      report(.damage, .corrupt, "chunk checksum mismatch (stored \(hex32(crc)) computed \(hex32(computed))); \(pos - chunkStart)-byte chunk skipped", at: chunkStart)
      dropPartial("a later chunk of it failed its checksum")
      return nil
    }
    let payload = UnsafeRawBufferPointer(rebasing: bytes[payloadStart..<pos])
    switch (type - 1) % 4 {
    case 0:  // full
      dropPartial("a new record began before its last chunk")
      return LogRecord(offset: chunkStart, payload: Array(payload))
    case 1:  // first
      dropPartial("a new record began before its last chunk")
      partial = (chunkStart, Array(payload))
      return nil
    case 2:  // middle
      if partial == nil {
        unreadableBytes += pos - chunkStart
        report(.damage, .corrupt, "middle chunk without a first chunk skipped", at: chunkStart)
      } else {
        partial!.payload.append(contentsOf: payload)
      }
      return nil
    default:  // last
      guard var p = partial else {
        unreadableBytes += pos - chunkStart
        report(.damage, .corrupt, "last chunk without a first chunk skipped", at: chunkStart)
        return nil
      }
      partial = nil
      p.payload.append(contentsOf: payload)
      return LogRecord(offset: p.offset, payload: p.payload)
    }
  }

  func finish(_ why: LogEnd, at offset: Int) {
    if why == .endOfFile || why == .zeroed { dropPartial("the log ends before its last chunk") }
    end = why
    endOffset = offset
  }

  func tornTail(_ what: String) {
    let start = partial?.offset ?? pos
    let n = bytes.count - start
    unreadableBytes += n
    partial = nil
    report(.damage, .truncated, "torn tail: \(what); \(n) bytes from here to the end are unreadable", at: start)
    end = .truncated
    endOffset = start
  }

  func skipBlock(_ blockEnd: Int, _ message: String) {
    unreadableBytes += blockEnd - pos
    report(.damage, .corrupt, message, at: pos)
    dropPartial("a chunk of it was unreadable")
    pos = blockEnd
  }

  func dropPartial(_ why: String) {
    guard let p = partial else { return }
    partial = nil
    unreadableBytes += p.payload.count
    report(.damage, .corrupt, "record dropped: \(why)", at: p.offset)
  }

  func report(_ s: StoreIssue.Severity, _ k: StoreError.Kind, _ message: String, at offset: Int) {
    issues.append(StoreIssue(s, StoreError(k, message, file: baseName(path), offset: offset)))
  }
}

/// Owns a copy of bytes at a stable address.
final class ByteBox {
  let buffer: UnsafeRawBufferPointer
  init(_ b: [UInt8]) {
    let m = UnsafeMutableRawBufferPointer.allocate(byteCount: max(b.count, 1), alignment: 8)
    b.withUnsafeBytes { m.copyMemory(from: $0) }
    buffer = UnsafeRawBufferPointer(rebasing: m[0..<b.count])
  }
  deinit { buffer.baseAddress.map { UnsafeMutableRawPointer(mutating: $0).deallocate() } }
}

func hex32(_ v: UInt32) -> String {
  let h = String(v, radix: 16)
  return "0x" + String(repeating: "0", count: max(0, 8 - h.count)) + h
}
