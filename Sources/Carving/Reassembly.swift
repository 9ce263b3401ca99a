import LSMStore
import SSTable

/// A piece of a reassembled table: `length` bytes at `imageOffset` that belong at
/// `tableOffset` of the file (a block with its trailer, or the part of one on one side of an
/// extent boundary).
public struct TablePiece: Sendable, Codable, Equatable {
  public var tableOffset: Int
  public var imageOffset: Int
  public var length: Int
}

/// Tables split across extents (docs/carving.md §1.1). The footer, index and meta blocks sit
/// at the table's end, in the extent with the footer, so the table opens from the derived
/// start; the blocks of its other extents fail their checksums there. Each such block is
/// looked for elsewhere in the image: the same length, a valid trailer checksum, and (as a
/// filesystem places extents on 4 KiB blocks) the same offset modulo 4 KiB as in the file.
/// A block found gives its extent's shift, which places the blocks after it without a search.
enum Reassembly {
  static let page = 4096
  /// At most this many blocks are looked for in one pass over the image.
  static let perPass = 64
  /// Larger blocks are not looked for (the overlap kept between reads).
  static let maxBlock = 4 << 20

  struct Result {
    var bytes: [UInt8]
    var pieces: [TablePiece]
    var missing: [BlockHandle]
  }

  /// The table's bytes with every damaged block that was found elsewhere put in place;
  /// nil when no block was found. `start` is where the table would begin in the image.
  ///
  /// An extent maps file offsets to image offsets by a constant shift (`delta`). The shifts
  /// known are the derived start's (the footer's extent) and those of blocks found by a search;
  /// a damaged block is tried whole under each shift, then cut at each 4 KiB file offset
  /// inside it with its head under one shift and its tail under another (a block across an
  /// extent boundary). Only blocks no shift explains are searched for.
  static func reassemble(_ bytes: [UInt8], start: Int, damaged: [BlockHandle], checksum: ChecksumType,
                         image: DiskImage) throws(CarveError) -> Result? {
    var out = bytes
    var pieces: [TablePiece] = []
    var want = damaged.filter { $0.length + 5 <= maxBlock }.sorted { $0.offset < $1.offset }
    var missing = damaged.filter { $0.length + 5 > maxBlock }
    var deltas: [Int] = []          // shifts of other extents, most recent first
    var searched = Set<Int>()       // blocks a full pass already looked for
    while let h = want.first {
      if let found = try fit(h, deltas: deltas, start: start, checksum: checksum, image: image) {
        for piece in found {
          let b = try image.bytes(at: piece.imageOffset, count: piece.length)
          out.replaceSubrange(piece.tableOffset..<(piece.tableOffset + piece.length), with: b)
          pieces.append(piece)
          let d = piece.imageOffset - piece.tableOffset
          if d != start { deltas.removeAll { $0 == d }; deltas.insert(d, at: 0) }
        }
        want.removeFirst()
        continue
      }
      if searched.contains(h.offset) { missing.append(h); want.removeFirst(); continue }
      let batch = Array(want.filter { !searched.contains($0.offset) }.prefix(perPass))
      batch.forEach { searched.insert($0.offset) }
      for (off, p) in try search(batch, start: start, checksum: checksum, image: image).sorted(by: { $0.key > $1.key }) {
        let d = p - off
        deltas.removeAll { $0 == d }
        deltas.insert(d, at: 0)
      }
    }
    guard !pieces.isEmpty else { return nil }
    return Result(bytes: out, pieces: pieces.sorted { $0.tableOffset < $1.tableOffset }, missing: missing.sorted { $0.offset < $1.offset })
  }

  /// Pieces that make block `h` hold under the known shifts, or nil.
  static func fit(_ h: BlockHandle, deltas: [Int], start: Int, checksum: ChecksumType, image: DiskImage) throws(CarveError) -> [TablePiece]? {
    let n = h.length + 5
    for d in deltas {
      let b = try image.bytes(at: h.offset + d, count: n)
      if b.count == n, holds(b, 0, h.length, checksum) { return [TablePiece(tableOffset: h.offset, imageOffset: h.offset + d, length: n)] }
    }
    let all = deltas + [start]
    var cut = (h.offset / page + 1) * page
    while cut < h.offset + n {
      for d1 in all {
        let head = try image.bytes(at: h.offset + d1, count: cut - h.offset)
        guard head.count == cut - h.offset else { continue }
        for d2 in all where d2 != d1 {
          let tail = try image.bytes(at: cut + d2, count: h.offset + n - cut)
          if head.count + tail.count == n, holds(head + tail, 0, h.length, checksum) {
            return [TablePiece(tableOffset: h.offset, imageOffset: h.offset + d1, length: cut - h.offset),
                    TablePiece(tableOffset: cut, imageOffset: cut + d2, length: h.offset + n - cut)]
          }
        }
      }
      cut += page
    }
    return nil
  }

  /// Whether `b[p ..< p+length+5]` is a block with a known compression type and a matching checksum.
  static func holds(_ b: [UInt8], _ p: Int, _ length: Int, _ checksum: ChecksumType) -> Bool {
    b.withUnsafeBytes { holds($0, p, length, checksum) }
  }

  static func holds(_ b: UnsafeRawBufferPointer, _ p: Int, _ length: Int, _ checksum: ChecksumType) -> Bool {
    // Zeroed space (type 0, checksum 0) is skipped before the costly checksum.
    guard p >= 0, length >= 0, b.count - p >= length + 5, CompressionType(rawValue: b[p + length]) != nil,
          let stored = Bytes.uint32LE(b, p + length + 1), stored != 0 || b[p + length] != 0 else { return false }
    return checksum.compute(UnsafeRawBufferPointer(rebasing: b[p..<(p + length + 1)])) == stored
  }

  /// One pass over the image: for each wanted block, the first position (other than where
  /// the derived start puts it) with its offset modulo 4 KiB where such a block holds.
  static func search(_ want: [BlockHandle], start: Int, checksum: ChecksumType, image: DiskImage) throws(CarveError) -> [Int: Int] {
    var found: [Int: Int] = [:]
    let keep = (want.map(\.length).max() ?? 0) + 5
    let step = 8 << 20
    let buf = UnsafeMutableRawBufferPointer.allocate(byteCount: step + keep, alignment: page)
    defer { buf.deallocate() }
    var at = 0   // image offset of buf[0]
    while at < image.size && found.count < want.count {
      let n = try image.read(at: at, count: step + keep, into: buf.baseAddress!)
      let b = UnsafeRawBufferPointer(rebasing: buf[0..<n])
      for h in want where found[h.offset] == nil {
        let r = ((start + h.offset) % page + page) % page
        var p = r
        while p < min(step, n) {
          if at + p != start + h.offset, holds(b, p, h.length, checksum) { found[h.offset] = at + p; break }
          p += page
        }
      }
      if n < step + keep { break }
      at += step
    }
    return found
  }
}

extension Reassembly {
  /// A reassembled table's sanity check: its point keys in order (the table's comparer; equal
  /// user keys newest first) and, when nothing is missing, as many as its properties count. A
  /// block of another table with the same length and a valid checksum fails it.
  static func keysFit(_ t: Table, complete: Bool) -> Bool {
    let cmp = t.properties.comparator.flatMap { Comparer(name: $0) } ?? .bytewise
    let it = t.makeIterator()
    var prev: [UInt8]? = nil
    var prevSeq: UInt64 = 0
    var count: UInt64 = 0
    while let e = it.next() {
      let key = Array(e.userKey)
      if let p = prev {
        let c = cmp.compare(p, key)
        guard c < 0 || (c == 0 && prevSeq >= e.seq) else { return false }
      }
      prev = key
      prevSeq = e.seq
      count += 1
    }
    guard complete, let n = t.properties.numEntries else { return true }
    return count == n - min(n, t.properties.numRangeDeletions ?? 0)
  }
}
