/// Snappy block-format decoder (the framing-free format LevelDB, RocksDB and Pebble store
/// in blocks of compression type 1). Written here rather than wrapping libsnappy because it
/// is small, sits on the hottest path of every scan, and decodes straight into our buffer.
///
/// Format: uvarint uncompressed length, then elements tagged by the low 2 bits of a byte:
/// 00 literal, 01 copy with 1-byte offset (length 4..11), 10 copy with 2-byte offset,
/// 11 copy with 4-byte offset.
///
/// Speed: away from the ends of both buffers, short literals and all copies move 8 bytes at
/// a time with unaligned loads and stores, writing up to 15 bytes past the element (later
/// elements overwrite them, and the final `op == dEnd` check stands). Near the ends the
/// exact path copies byte-precisely. Both paths validate identically, so hostile input
/// fails the same way on either.
public enum Snappy {
  /// The uncompressed length announced by the block's header.
  @inlinable
  public static func uncompressedLength(_ src: UnsafeRawBufferPointer) -> Int? {
    var pos = 0
    guard let n = Bytes.uvarint(src, &pos, maxBytes: 5), n <= UInt64(UInt32.max) else { return nil }
    return Int(n)
  }

  /// Decodes `src` into `dst`, which must be exactly the announced length. Returns false on
  /// malformed input (never reads or writes out of bounds).
  public static func decompress(_ src: UnsafeRawBufferPointer, into dst: UnsafeMutableRawBufferPointer) -> Bool {
    decode(src, into: dst, fast: true)
  }

  /// The exact path alone: the reference of the differential test and of `salvage-bench snappy`.
  @_spi(Bench)
  public static func decompressExact(_ src: UnsafeRawBufferPointer, into dst: UnsafeMutableRawBufferPointer) -> Bool {
    decode(src, into: dst, fast: false)
  }

  /// `fast: false` is the exact path alone.
  @inline(__always)
  static func decode(_ src: UnsafeRawBufferPointer, into dst: UnsafeMutableRawBufferPointer, fast: Bool) -> Bool {
    var ip = 0
    guard let n = Bytes.uvarint(src, &ip, maxBytes: 5), n == UInt64(dst.count) else { return false }
    guard let sBase = src.baseAddress else { return dst.count == 0 }
    guard let dBase = dst.baseAddress else { return ip == src.count }
    let sEnd = src.count
    let dEnd = dst.count
    // An element is "roomy" when the input has ≥ 20 bytes after its tag (4 offset bytes and a
    // 16-byte literal) and the output ≥ 80 (a 64-byte copy and 16 bytes of overrun).
    let sRoomy = fast ? sEnd &- 20 : -1
    let dRoomy = fast ? dEnd &- 80 : -1
    var op = 0
    while ip < sEnd {
      let tag = sBase.load(fromByteOffset: ip, as: UInt8.self)
      ip &+= 1
      let roomy = ip <= sRoomy && op <= dRoomy
      switch tag & 3 {
      case 0:
        var len = Int(tag >> 2)
        if roomy && len < 16 {  // two 8-byte moves cover it (len + 1 ≤ 16)
          let s = sBase + ip, d = dBase + op
          d.storeBytes(of: s.loadUnaligned(as: UInt64.self), as: UInt64.self)
          (d + 8).storeBytes(of: (s + 8).loadUnaligned(as: UInt64.self), as: UInt64.self)
          ip &+= len &+ 1
          op &+= len &+ 1
          continue
        }
        if len >= 60 {
          let extra = len - 59
          guard sEnd - ip >= extra else { return false }
          var v = 0
          for k in 0..<extra { v |= Int(sBase.load(fromByteOffset: ip + k, as: UInt8.self)) << (8 * k) }
          ip &+= extra
          len = v
        }
        len &+= 1
        guard len <= sEnd &- ip, len <= dEnd &- op else { return false }
        (dBase + op).copyMemory(from: sBase + ip, byteCount: len)
        ip &+= len
        op &+= len
        continue
      case 1:
        guard ip < sEnd else { return false }
        let len = Int((tag >> 2) & 7) &+ 4
        let off = (Int(tag >> 5) << 8) | Int(sBase.load(fromByteOffset: ip, as: UInt8.self))
        ip &+= 1
        if roomy && off &- 1 < op && off > 0 { moveCopy(dBase + op, offset: off, length: len); op &+= len; continue }
        guard copy(dBase, op: &op, offset: off, length: len, end: dEnd) else { return false }
      case 2:
        guard sEnd &- ip >= 2 else { return false }
        let len = Int(tag >> 2) &+ 1
        let off = Int(UInt16(littleEndian: sBase.loadUnaligned(fromByteOffset: ip, as: UInt16.self)))
        ip &+= 2
        if roomy && off &- 1 < op && off > 0 { moveCopy(dBase + op, offset: off, length: len); op &+= len; continue }
        guard copy(dBase, op: &op, offset: off, length: len, end: dEnd) else { return false }
      default:
        guard sEnd &- ip >= 4 else { return false }
        let len = Int(tag >> 2) &+ 1
        let off = Int(UInt32(littleEndian: sBase.loadUnaligned(fromByteOffset: ip, as: UInt32.self)))
        ip &+= 4
        if roomy && off &- 1 < op && off > 0 { moveCopy(dBase + op, offset: off, length: len); op &+= len; continue }
        guard copy(dBase, op: &op, offset: off, length: len, end: dEnd) else { return false }
      }
    }
    return op == dEnd
  }

  /// Back-reference copy of `length` ≤ 64 bytes at `to` from `offset` bytes back (checked by
  /// the caller: 0 < offset ≤ output so far), in 8-byte moves; writes stay below
  /// to + length + 16.
  ///
  /// offset ≥ 8: each move reads bytes already final, so sequential moves repeat the
  /// pattern; two cover the usual ≤ 16 bytes without a loop. offset < 8: a move from the
  /// pattern's start appends `d` correct bytes at distance `d`, which doubles `d` (at most 3
  /// rounds); then the distance is a multiple of the offset and ≥ 8, and plain moves finish.
  @inline(__always)
  static func moveCopy(_ to: UnsafeMutableRawPointer, offset: Int, length: Int) {
    var to = to
    var from = to - offset
    let stop = to + length
    if offset >= 8 {
      to.storeBytes(of: from.loadUnaligned(as: UInt64.self), as: UInt64.self)
      (to + 8).storeBytes(of: (from + 8).loadUnaligned(as: UInt64.self), as: UInt64.self)
      guard length > 16 else { return }
      to += 16
      from += 16
    } else {
      while to - from < 8 {
        to.storeBytes(of: from.loadUnaligned(as: UInt64.self), as: UInt64.self)
        to += to - from
      }
    }
    while to < stop {
      to.storeBytes(of: from.loadUnaligned(as: UInt64.self), as: UInt64.self)
      from += 8
      to += 8
    }
  }

  /// Back-reference copy; overlapping copies (offset < length) repeat the pattern.
  @inline(__always)
  static func copy(_ d: UnsafeMutableRawPointer, op: inout Int, offset: Int, length: Int, end: Int) -> Bool {
    guard offset > 0, offset <= op, length <= end &- op else { return false }
    let from = d + (op &- offset)
    let to = d + op
    if offset >= length {
      to.copyMemory(from: from, byteCount: length)
    } else if offset >= 8 {
      var i = 0
      while i < length {
        let n = min(offset, length &- i)
        (to + i).copyMemory(from: from + i, byteCount: n)
        i &+= n
      }
    } else {
      let f = from.assumingMemoryBound(to: UInt8.self)
      let t = to.assumingMemoryBound(to: UInt8.self)
      for i in 0..<length { t[i] = f[i] }
    }
    op &+= length
    return true
  }
}
