import CSalvageCRC
import LSMStore
import SSTable

/// One file found in an image, where it lies, and what its checksums said.
public struct CarvedFile: Sendable, Codable, Equatable {
  public enum Kind: String, Sendable, Codable { case table, blob, wal, manifest, options }
  public var kind: Kind
  public var offset: Int
  public var length: Int
  /// Table format (`Pebblev4`…), `blob v1`, or the log chunk family (`legacy`, `recyclable`, `wal-sync`).
  public var format: String
  /// Every block checksum checked and valid (tables, blobs); the log's first record decodes (logs).
  public var confirmed: Bool
  /// WAL: the log number its recyclable chunks carry; blob: the file number in its footer.
  public var embeddedNumber: UInt64?
  /// WAL: first and last batch seqnums (legacy WALs carry no number; these place them).
  public var firstSeq: UInt64?
  public var lastSeq: UInt64?
  /// Table: smallest point key (hex) and its seqnum, for matching MANIFEST records.
  public var smallestKeyHex: String?
  public var smallestSeq: UInt64?
  public var note: String?
  /// Table split across extents: blocks found elsewhere in the image, put over the bytes
  /// `[offset, offset + length)` at their table offsets (Reassembly.swift).
  public var pieces: [TablePiece]? = nil
}

/// What one pass over an image found.
public struct CarveScan: Sendable {
  public var image: String
  public var imageBytes: Int
  public var files: [CarvedFile] = []
  /// Footers whose file could not be confirmed (start overwritten, or the file is split
  /// across extents): offset of the footer's end and why.
  public var unconfirmedFooters: [(end: Int, why: String)] = []
  public var seconds: Double = 0
}

/// Finds tables, blob files, WALs, MANIFESTs and OPTIONS files in a raw image by their
/// signatures (docs/carving.md), reading it once, sequentially.
public enum Carver {
  /// Bytes read per step; `keep` trailing bytes carry over so that a footer or a log chunk
  /// straddling two reads is seen whole.
  static let step = 8 << 20
  static let keep = 64 << 10
  static let fsBlock = 4096
  static let logBlock = LogReader.blockSize

  public static func scan(_ image: DiskImage, progress: ((_ done: Int, _ total: Int) -> Void)? = nil) throws(CarveError) -> CarveScan {
    let clock = ContinuousClock.now
    var out = CarveScan(image: image.path, imageBytes: image.size)
    var hits: [FooterHit] = []
    var chunks: [Int: LogChunk] = [:]
    var options: [Int] = []
    let buf = UnsafeMutableRawBufferPointer.allocate(byteCount: keep + step, alignment: fsBlock)
    defer { buf.deallocate() }
    let base = buf.baseAddress!
    var bufStart = 0, filled = 0, next = 0, magicFrom = 0, alignedFrom = 0
    var cap = 1024
    var offs = [Int64](repeating: 0, count: cap), kinds = [UInt8](repeating: 0, count: cap)
    while true {
      let n = try image.read(at: next, count: step, into: base + filled)
      filled += n
      next += n
      let atEnd = n < step || next >= image.size
      let b = UnsafeRawBufferPointer(rebasing: buf[0..<filled])
      let from = magicFrom - bufStart
      var found = salvage_find_magics(base.assumingMemoryBound(to: UInt8.self) + from, filled - from, &offs, &kinds, cap)
      if found > cap {
        cap = found
        offs = [Int64](repeating: 0, count: cap)
        kinds = [UInt8](repeating: 0, count: cap)
        found = salvage_find_magics(base.assumingMemoryBound(to: UInt8.self) + from, filled - from, &offs, &kinds, cap)
      }
      for i in 0..<found {
        if let h = FooterHit.decode(b, magicAt: from + Int(offs[i]), kind: kinds[i], base: bufStart) { hits.append(h) }
      }
      magicFrom = bufStart + max(from, filled - 7)
      // One chunk header (and OPTIONS text) check per 4 KiB; each needs up to `keep` bytes after it.
      let limit = atEnd ? bufStart + filled : bufStart + filled - keep
      var p = (alignedFrom + fsBlock - 1) / fsBlock * fsBlock
      while p < limit {
        let r = p - bufStart
        if let c = LogChunk.at(b, r) { chunks[p] = c } else if isOptionsStart(b, r) { options.append(p) }
        p += fsBlock
      }
      alignedFrom = p
      progress?(next, image.size)
      if atEnd { break }
      let drop = filled - keep
      (base).copyMemory(from: base + drop, byteCount: keep)
      bufStart += drop
      filled = keep
    }
    try confirm(hits, image, &out)
    try logRuns(chunks, image, &out)
    for p in options {
      let text = try image.bytes(at: p, count: keep)
      let len = text.firstIndex(of: 0) ?? text.count
      out.files.append(CarvedFile(kind: .options, offset: p, length: len,
                                  format: text.starts(with: Array("[Version]\n  pebble".utf8)) ? "pebble" : "rocksdb",
                                  confirmed: true))
    }
    out.files.sort { $0.offset < $1.offset }
    let d = ContinuousClock.now - clock
    out.seconds = Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    return out
  }

  /// OPTIONS files begin with their `[Version]` section (Pebble) or RocksDB's banner comment.
  static func isOptionsStart(_ b: UnsafeRawBufferPointer, _ p: Int) -> Bool {
    let pebble = "[Version]\n  pebble_version=".utf8, rocks = "# This is a RocksDB option file.".utf8
    guard b.count - p >= 40 else { return false }
    let head = UnsafeRawBufferPointer(rebasing: b[p..<(p + 40)])
    return head.starts(with: pebble) || head.starts(with: rocks)
  }

  /// Reads each footer's candidate file and keeps it when it opens and every block
  /// checksum matches. A file inside one already kept (a magic in a value) is skipped.
  static func confirm(_ hits: [FooterHit], _ image: DiskImage, _ out: inout CarveScan) throws(CarveError) {
    for h in hits.sorted(by: { $0.end < $1.end }) {
      let bytes = try image.bytes(at: h.start, count: h.length)
      let file = bytes.withUnsafeBytes { MappedFile(copying: $0, name: "\(image.path)@\(h.start)") }
      switch h.kind {
      case .table(let format):
        do throws(SSTableError) {
          var t = try Table(file: file)
          var damages = t.verify(checksumsOnly: true)
          var pieces: [TablePiece]? = nil
          var missing: [BlockHandle] = []
          // Blocks failing where the footer puts them: perhaps in another extent.
          let damaged = damages.filter { $0.blockKind != "footer" }.compactMap(\.handle)
          if !damaged.isEmpty, damaged.count == damages.count,
             // (An unreadable image region here only means no piece is found there.)
             let r = (try? Reassembly.reassemble(bytes, start: h.start, damaged: damaged, checksum: t.footer.checksumType, image: image)) ?? nil {
            let joined = r.bytes.withUnsafeBytes { MappedFile(copying: $0, name: "\(image.path)@\(h.start)+pieces") }
            if let t2 = try? Table(file: joined), Reassembly.keysFit(t2, complete: r.missing.isEmpty) {
              (t, damages, pieces, missing) = (t2, t2.verify(checksumsOnly: true), r.pieces, r.missing)
            }
          }
          var f = CarvedFile(kind: .table, offset: h.start, length: h.length, format: "\(format)",
                             confirmed: damages.isEmpty)
          f.pieces = pieces
          if let d = damages.first { f.note = "\(damages.count) damaged block(s), first: \(d.message)" }
          if let pieces {
            f.note = "split across extents: \(pieces.count) piece(s) found elsewhere in the image"
              + (missing.isEmpty ? "" : "; \(missing.count) block(s) not found (" + missing.prefix(4).map { "\($0)" }.joined(separator: ", ")
                 + (missing.count > 4 ? ", …" : "") + "): a partial table")
          }
          let it = t.makeIterator()
          if let e = it.next() {
            f.smallestKeyHex = Array(e.userKey).hex
            f.smallestSeq = t.syntheticSeqNum ?? e.seq
          }
          out.files.append(f)
        } catch {
          out.unconfirmedFooters.append((h.end, "\(format) footer: the table it ends does not open at offset \(h.start) (\(error.message)); overwritten or split across extents"))
        }
      case .blob(let v):
        do throws(SSTableError) {
          let blob = try BlobFile(file: file)
          var ok = true
          for vb in blob.valueBlocks where (try? blob.blocks.checkTrailer(vb)) == nil { ok = false }
          out.files.append(CarvedFile(kind: .blob, offset: h.start, length: h.length, format: "blob v\(v)",
                                      confirmed: ok, embeddedNumber: h.blobFileNumber))
        } catch {
          out.unconfirmedFooters.append((h.end, "blob v\(v) footer: the file it ends does not open at offset \(h.start) (\(error.message))"))
        }
      }
    }
  }

  /// Log files from the chunk headers found at 4 KiB boundaries: a file is a run of 32 KiB
  /// blocks each starting with a valid chunk of one family (and one log number), beginning
  /// with a record's first chunk; it ends inside the first block not filled to its end.
  static func logRuns(_ chunks: [Int: LogChunk], _ image: DiskImage, _ out: inout CarveScan) throws(CarveError) {
    var consumed = 0
    for s in chunks.keys.sorted() where s >= consumed {
      let c = chunks[s]!
      guard c.startsRecord else { continue }
      // Follow the file block by block while each block is full and the next one starts
      // with a chunk of the same family and log number (files 32 KiB apart stay apart).
      var last = s, end = s
      while true {
        let block = try image.bytes(at: last, count: logBlock)
        let used = block.withUnsafeBytes { LogChunk.usedBytes($0, family: c.family, logNumber: c.logNumber) }
        end = last + used
        guard LogChunk.blockIsFull(used, type: c.type), let n = chunks[last + logBlock], n.family == c.family,
              n.logNumber == c.logNumber else { break }
        last += logBlock
      }
      consumed = end
      let bytes = try image.bytes(at: s, count: end - s)
      if let f = classifyLog(bytes, offset: s, first: c) { out.files.append(f) }
    }
  }

  /// A MANIFEST when its first record is a version edit (legacy chunks only), a WAL when its
  /// records are batches.
  static func classifyLog(_ bytes: [UInt8], offset: Int, first: LogChunk) -> CarvedFile? {
    let family = ["legacy", "recyclable", "wal-sync"][Int(first.family)]
    let reader = LogReader(bytes: bytes, name: "log@\(offset)", logNumber: first.logNumber)
    guard let r = reader.next() else { return nil }
    if first.family == 0, case .success(let e) = VersionEdit.decode(r.payload, dialect: nil),
       e.comparer != nil || e.nextFileNum != nil || !e.newTables.isEmpty {
      return CarvedFile(kind: .manifest, offset: offset, length: bytes.count, format: family, confirmed: true)
    }
    var batch = BatchDecoder.decode(r.payload, recordOffset: r.offset, file: "log@\(offset)")
    guard batch.damage == nil, batch.count > 0 else { return nil }
    var f = CarvedFile(kind: .wal, offset: offset, length: bytes.count, format: family, confirmed: true,
                       embeddedNumber: first.logNumber.map(UInt64.init), firstSeq: batch.seq,
                       lastSeq: batch.seq + UInt64(max(batch.count, 1)) - 1)
    while let r = reader.next() {
      batch = BatchDecoder.decode(r.payload, recordOffset: r.offset, file: "log@\(offset)")
      if batch.damage == nil { f.lastSeq = batch.seq + UInt64(max(batch.count, 1)) - 1 }
    }
    return f
  }
}
