import CSalvageIO
import Foundation
import Recovery
import SSTable
#if canImport(Glibc)
import Glibc
#endif

/// One table's CSV while a run writes it. Its chunks are ordered by key; the first one not
/// finished (the head) writes straight into `.salvage-work/<table id>/table.csv`. A later
/// chunk, read meanwhile by another worker, writes a part file of its own, appended in the
/// kernel as soon as it becomes the head (its worker does it at its next batch, or the head's
/// worker when it finishes). With runs scheduled in key order almost every byte is written
/// once, and the table file only has to be renamed at the end (issue 15).
///
/// Nothing is fsynced per chunk: each chunk's record carries the CRC-32C of its bytes, so a
/// resumed run keeps exactly the chunks whose bytes are intact (RecoveryFiles+Resume.swift).
/// `inPlace` false (gzip, --keep-latest, shard workers): every chunk goes to its part, and
/// `RecoveryFiles.finish` assembles the parts as before.
final class TableStream {
  enum Place: Equatable {
    case nowhere
    case part
    case table(offset: Int64)

    var offset: Int64? { if case .table(let o) = self { o } else { nil } }
  }

  struct Slot {
    var chunk: RecoveryChunk
    var place = Place.nowhere
    var bytes: Int64 = 0
    var crc: UInt32 = 0
    var done = false
    /// Out of turn: the first `partBytes` are in the part file, then `held` in memory: the
    /// batches as they came (kept, not concatenated: growing one array copied and faulted
    /// in its pages again and again).
    var partBytes: Int64 = 0
    var held: [[UInt8]] = []
    var heldBytes: Int { held.reduce(0) { $0 + $1.count } }
  }

  /// Memory all tables' out-of-turn chunks may hold before they spill to part files.
  final class HoldBudget: @unchecked Sendable {
    let lock = NSLock()
    var left: Int
    init(bytes: Int) { left = bytes }
    func take(_ n: Int) -> Bool {
      lock.lock(); defer { lock.unlock() }
      guard n <= left else { return false }
      left -= n
      return true
    }
    func give(_ n: Int) { lock.lock(); left += n; lock.unlock() }
  }

  let path: String
  let inPlace: Bool
  let partPath: (RecoveryChunk) -> String
  let budget: HoldBudget
  let lock = NSLock()
  var slots: [Slot]
  var slotOfChunk: [Int: Int] = [:]
  /// The first slot not done (only meaningful `inPlace`).
  var head = 0
  /// Bytes of the table file that belong to chunks (the file is cut to this when opened).
  var length: Int64 = 0
  var fd: Int32 = -1

  init(path: String, chunks: [RecoveryChunk], inPlace: Bool, budget: HoldBudget, partPath: @escaping (RecoveryChunk) -> String) {
    self.path = path
    self.budget = budget
    self.inPlace = inPlace
    self.partPath = partPath
    // Lost spans have no rows: done from the start.
    slots = chunks.sorted { $0.index < $1.index }.map { Slot(chunk: $0, done: $0.store == nil) }
    for (i, s) in slots.enumerated() { slotOfChunk[s.chunk.index] = i }
    head = slots.firstIndex { !$0.done } ?? slots.count
  }

  deinit {
    if fd >= 0 { close(fd) }
    budget.give(slots.reduce(0) { $0 + $1.heldBytes })
  }

  /// Appends one batch of chunk `c`'s rendered rows.
  func write(_ bytes: [UInt8], of c: RecoveryChunk) throws(ExportError) {
    guard !bytes.isEmpty else { return }
    let n = Int64(bytes.count)
    let batchCRC = bytes.withUnsafeBytes { Checksum.crc32c($0) }   // outside the table's lock
    lock.lock()
    let s = slotOfChunk[c.index]!
    func count() { slots[s].crc = Checksum.crc32cCombine(slots[s].crc, batchCRC, length: n); slots[s].bytes += n }
    guard inPlace, s == head else {
      count()
      slots[s].place = .part
      // Held in memory while the budget allows (its turn usually comes soon: the units
      // before it are being read), so that its bytes too are written only once.
      if inPlace, slots[s].partBytes == 0, budget.take(bytes.count) {
        slots[s].held.append(bytes)
        lock.unlock()
        return
      }
      let held = slots[s].held, heldBytes = slots[s].heldBytes
      slots[s].held = []
      budget.give(heldBytes)
      slots[s].partBytes += Int64(heldBytes) + n
      lock.unlock()
      return try Self.append(held + [bytes], toFileAt: partPath(c) + ".tmp")
    }
    let at: Int64
    do throws(ExportError) {
      try openIfNeeded()
      // Became the head while being read: what it wrote so far joins the table first.
      if slots[s].place == .part { try adoptPart(s, from: partPath(c) + ".tmp") }
      if slots[s].place == .nowhere { slots[s].place = .table(offset: length) }
      count()
      at = length
      length += n
    } catch {
      lock.unlock()
      throw error
    }
    lock.unlock()
    // Outside the lock: only the head's worker writes to the table file.
    let e = bytes.withUnsafeBytes { FileCopy.writeAll(fd, $0, at: at) }
    guard e == 0 else { throw ExportError(.io(operation: "write", errno: e), file: path) }
    // The disk writes while the next rows are read; the fsync at the end then has little
    // left to wait for (best effort: an error here shows again at that fsync).
    _ = salvage_start_writeback(fd, at, n)
  }

  /// Marks chunk `c` finished; returns the slots whose bytes are now in the table file
  /// (their records must say where), `c`'s own first when it is among them.
  func done(_ c: RecoveryChunk) throws(ExportError) -> [Slot] {
    lock.lock(); defer { lock.unlock() }
    let s = slotOfChunk[c.index]!
    slots[s].done = true
    if slots[s].partBytes > 0 {
      let tmp = partPath(c) + ".tmp"
      guard rename(tmp, partPath(c)) == 0 else { throw ExportError(.io(operation: "rename", errno: errno), file: tmp) }
    }
    guard inPlace, s == head else { return [slots[s]] }
    return try advance()
  }

  /// Moves the head past finished chunks, appending their parts (lock held).
  func advance() throws(ExportError) -> [Slot] {
    var moved: [Slot] = []
    while head < slots.count, slots[head].done {
      if slots[head].place == .part {
        try openIfNeeded()
        try adoptPart(head, from: partPath(slots[head].chunk))
      } else if slots[head].place == .nowhere, slots[head].chunk.store != nil {
        slots[head].place = .table(offset: length)   // no rows: an empty stretch
      }
      if slots[head].chunk.store != nil { moved.append(slots[head]) }
      head += 1
    }
    return moved
  }

  func slot(of c: RecoveryChunk) -> Slot {
    lock.lock(); defer { lock.unlock() }
    return slots[slotOfChunk[c.index]!]
  }

  /// Takes the chunks an interrupted run finished, by their records: those in turn whose
  /// bytes are intact in the table file (which is then cut after them), and those out of
  /// turn whose part is intact. Everything else of theirs is deleted (they are read again).
  func resume(records: (RecoveryChunk) -> RecoveryFiles.Record?) -> [(RecoveryChunk, RecoveryFiles.Record)] {
    lock.lock(); defer { lock.unlock() }
    var kept: [(RecoveryChunk, RecoveryFiles.Record)] = []
    var inTurn = inPlace
    var end: Int64 = 0
    for s in slots.indices where slots[s].chunk.store != nil {
      let c = slots[s].chunk, part = partPath(c)
      if let r = records(c) {
        var place: Place?
        if let offset = r.offset {
          if inTurn, offset == end, r.bytes == 0 || Self.crc(ofFileAt: path, offset: offset, count: r.bytes) == r.crc {
            place = .table(offset: offset)
            end += r.bytes
          }
        } else if (RecoveryFiles.size(part) ?? 0) == r.bytes, r.bytes == 0 || Self.crc(ofFileAt: part, count: r.bytes) == r.crc {
          place = r.bytes == 0 ? .nowhere : .part
        }
        if let place {
          if place.offset == nil { inTurn = false }
          if place == .part { slots[s].partBytes = r.bytes }
          slots[s].place = place
          slots[s].bytes = r.bytes
          slots[s].crc = r.crc
          slots[s].done = true
          kept.append((c, r))
          continue
        }
      }
      inTurn = false
      for p in [part, part + ".tmp", part + ".reuse", RecoveryFiles.recordPath(part), String(part.dropLast(4)) + ".keys"] { unlink(p) }
    }
    length = end
    head = slots.firstIndex { !$0.done || $0.place.offset == nil && $0.chunk.store != nil } ?? slots.count
    return kept
  }

  /// After `resume`: the table file cut to the chunks kept in turn, and the parts kept out of
  /// turn that now follow them appended.
  func takeTurns() throws(ExportError) -> [Slot] {
    guard inPlace else { return [] }
    lock.lock(); defer { lock.unlock() }
    try openIfNeeded()
    return try advance()
  }

  /// Appends slot `s`'s part file and held bytes to the table file (lock held).
  func adoptPart(_ s: Int, from part: String) throws(ExportError) {
    let start = length
    if slots[s].partBytes > 0 { try appendPart(s, from: part) }
    for h in slots[s].held {
      let e = h.withUnsafeBytes { FileCopy.writeAll(fd, $0, at: length) }
      guard e == 0 else { throw ExportError(.io(operation: "write", errno: e), file: path) }
      length += Int64(h.count)
    }
    budget.give(slots[s].heldBytes)
    slots[s].held = []
    slots[s].place = .table(offset: start)
  }

  /// Appends slot `s`'s part file to the table file and deletes it (lock held).
  func appendPart(_ s: Int, from part: String) throws(ExportError) {
    let src = open(part, O_RDONLY | O_CLOEXEC)
    guard src >= 0 else { throw ExportError(.io(operation: "open", errno: errno), file: part) }
    defer { close(src) }
    var inOffset: Int64 = 0
    var outOffset = length
    let want = slots[s].partBytes
    do throws(FileCopy.Failure) {
      try FileCopy.copy(from: src, at: &inOffset, to: fd, at: &outOffset, count: want)
    } catch {
      throw ExportError(.io(operation: error.operation, errno: error.errno), file: error.operation == "write" ? path : part)
    }
    length += want
    slots[s].partBytes = 0
    unlink(part)
  }

  /// The finished table file at `final` (fsynced, renamed). Parts not yet appended (a
  /// `finish` over shards' parts) are appended in key order first.
  func install(at final: String) throws(ExportError) {
    lock.lock(); defer { lock.unlock() }
    try openIfNeeded()
    for s in head..<slots.count {
      let part = partPath(slots[s].chunk)
      if let size = RecoveryFiles.size(part) {   // a shard's part
        slots[s].bytes = size
        slots[s].partBytes = size
      }
      if slots[s].partBytes > 0 || !slots[s].held.isEmpty { try adoptPart(s, from: part) }
    }
    head = slots.count
    guard fsync(fd) == 0 else { throw ExportError(.io(operation: "fsync", errno: errno), file: path) }
    close(fd)
    fd = -1
    guard rename(path, final) == 0 else { throw ExportError(.io(operation: "rename", errno: errno), file: final) }
    AtomicOutputFile.fsyncDirectory(of: final)
  }

  /// Opens the table file, cut to the bytes of the chunks it holds (lock held).
  func openIfNeeded() throws(ExportError) {
    guard fd < 0 else { return }
    fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw ExportError(.io(operation: "open", errno: errno), file: path) }
    guard ftruncate(fd, off_t(length)) == 0 else { throw ExportError(.io(operation: "ftruncate", errno: errno), file: path) }
  }

  /// Appends `parts` in order to the file at `path` (opened once).
  static func append(_ parts: [[UInt8]], toFileAt path: String) throws(ExportError) {
    let fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw ExportError(.io(operation: "open", errno: errno), file: path) }
    defer { close(fd) }
    var at = Int64(lseek(fd, 0, SEEK_END))
    guard at >= 0 else { throw ExportError(.io(operation: "lseek", errno: errno), file: path) }
    for bytes in parts {
      let e = bytes.withUnsafeBytes { FileCopy.writeAll(fd, $0, at: at) }
      guard e == 0 else { throw ExportError(.io(operation: "write", errno: e), file: path) }
      at += Int64(bytes.count)
    }
  }

  /// CRC-32C of `count` bytes of the file at `path` from `offset`; nil if they are not there.
  static func crc(ofFileAt path: String, offset: Int64 = 0, count: Int64) -> UInt32? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var buffer = [UInt8](repeating: 0, count: 1 << 20)
    var crc: UInt32 = 0
    var at = offset
    let end = offset + count
    while at < end {
      let want = Int(min(Int64(buffer.count), end - at))
      let r = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, want, off_t(at)) }
      guard r > 0 else { return nil }
      crc = buffer.withUnsafeBytes { Checksum.crc32c(UnsafeRawBufferPointer(rebasing: $0[..<r]), extending: crc) }
      at += Int64(r)
    }
    return crc
  }
}
