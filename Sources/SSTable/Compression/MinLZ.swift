/// MinLZ block decoder (compression type 8, Pebblev6+ and blob files; spec §2.4), written
/// from the MinLZ v1.0 block-format specification.
///
/// ```
/// 0x00 | uvarint decoded length n (≤ 8 MiB) | elements…
/// ```
/// A lone `0x00` is an empty block; n = 0 means the rest of the block is stored raw. A first
/// byte other than 0 is a Snappy block (MinLZ's documented fallback). Elements are tagged by
/// the low 2 bits of their first byte:
///
/// ```
/// 00  bit 2 = repeat, bits 3-7 length code L: 0-28 → L+1; 29/30/31 → 30 + next 1/2/3 bytes LE.
///     Literal: that many raw bytes follow. Repeat: copy `length` bytes at the last offset (initially 1).
/// 01  copy1: bits 2-5 length code (0-14 → +4; 15 → 18 + next byte, after the offset byte),
///     bits 6-7 low offset bits, next byte high offset bits; offset = value + 1 (1…1024).
/// 10  copy2: bits 2-7 length code (0-60 → +4; 61/62/63 → 64 + next 1/2/3 bytes, after the
///     offset); 2-byte LE offset + 64.
/// 11  bit 2 = 0: fused copy2: bits 3-4 literal count - 1, bits 5-7 length - 4, 2-byte offset
///     + 64, then the 1-4 literals (emitted before the copy).
///     bit 2 = 1: copy3: 32-bit LE word; bits 3-4 literal count (0-3), bits 5-10 length code as
///     copy2, bits 11-31 offset + 65536; then extended length bytes, then the literals.
/// ```
/// Every offset must point inside the output produced so far; every length must fit the
/// announced size; the output must end exactly at it. Malformed input returns nil.
enum MinLZ {
  static let maxBlockSize = 8 << 20

  static func decompress(_ src: UnsafeRawBufferPointer) -> OwnedBytes? {
    guard let first = src.first else { return nil }
    if first != 0 {
      guard let n = Snappy.uncompressedLength(src), n <= maxDecompressedBlockSize else { return nil }
      let out = OwnedBytes(count: n)
      return Snappy.decompress(src, into: out.mutableBytes) ? out : nil
    }
    if src.count == 1 { return OwnedBytes(count: 0) }
    var pos = 1
    guard let n = Bytes.length(src, &pos, limit: maxBlockSize, maxBytes: 10) else { return nil }
    let body = src.count - pos
    if n == 0 {
      guard body <= maxBlockSize else { return nil }
      let out = OwnedBytes(count: body)
      out.mutableBytes.copyMemory(from: UnsafeRawBufferPointer(rebasing: src[pos...]))
      return out
    }
    // A MinLZ body is never longer than what it decodes to.
    guard body <= n else { return nil }
    let out = OwnedBytes(count: n)
    return decode(src, from: pos, into: out.mutableBytes) ? out : nil
  }

  /// Little-endian integer of `n` (1…3) bytes at `i`; the caller checked the bounds.
  @inline(__always)
  static func le(_ s: UnsafeRawPointer, _ i: Int, _ n: Int) -> Int {
    var v = 0
    for k in 0..<n { v |= Int(s.load(fromByteOffset: i &+ k, as: UInt8.self)) << (8 &* k) }
    return v
  }

  static func decode(_ src: UnsafeRawBufferPointer, from start: Int, into dst: UnsafeMutableRawBufferPointer) -> Bool {
    guard let s = src.baseAddress, let d = dst.baseAddress else { return false }
    let sEnd = src.count, dEnd = dst.count
    var ip = start, op = 0
    var offset = 1
    while ip < sEnd {
      let tag = Int(s.load(fromByteOffset: ip, as: UInt8.self))
      ip &+= 1
      var length: Int
      switch tag & 3 {
      case 0:
        let code = tag >> 3
        if code < 29 {
          length = code &+ 1
        } else {
          let n = code &- 28
          guard sEnd &- ip >= n else { return false }
          length = le(s, ip, n) &+ 30
          ip &+= n
        }
        if tag & 4 == 0 {
          guard length <= sEnd &- ip, length <= dEnd &- op else { return false }
          (d + op).copyMemory(from: s + ip, byteCount: length)
          ip &+= length
          op &+= length
          continue
        }
      case 1:
        guard ip < sEnd else { return false }
        let code = (tag >> 2) & 15
        offset = (Int(s.load(fromByteOffset: ip, as: UInt8.self)) << 2 | tag >> 6) &+ 1
        ip &+= 1
        if code == 15 {
          guard ip < sEnd else { return false }
          length = Int(s.load(fromByteOffset: ip, as: UInt8.self)) &+ 18
          ip &+= 1
        } else {
          length = code &+ 4
        }
      case 2:
        guard sEnd &- ip >= 2 else { return false }
        offset = le(s, ip, 2) &+ 64
        ip &+= 2
        let code = tag >> 2
        if code <= 60 {
          length = code &+ 4
        } else {
          let n = code &- 60
          guard sEnd &- ip >= n else { return false }
          length = le(s, ip, n) &+ 64
          ip &+= n
        }
      default:
        var literals = (tag >> 3) & 3
        if tag & 4 == 0 {
          guard sEnd &- ip >= 2 else { return false }
          offset = le(s, ip, 2) &+ 64
          ip &+= 2
          length = (tag >> 5) &+ 4
          literals &+= 1
        } else {
          guard sEnd &- ip >= 3 else { return false }
          let word = tag | le(s, ip, 3) << 8
          ip &+= 3
          offset = (word >> 11) &+ 65536
          let code = (word >> 5) & 63
          if code <= 60 {
            length = code &+ 4
          } else {
            let n = code &- 60
            guard sEnd &- ip >= n else { return false }
            length = le(s, ip, n) &+ 64
            ip &+= n
          }
        }
        if literals > 0 {
          guard literals <= sEnd &- ip, literals <= dEnd &- op else { return false }
          (d + op).copyMemory(from: s + ip, byteCount: literals)
          ip &+= literals
          op &+= literals
        }
      }
      guard Snappy.copy(d, op: &op, offset: offset, length: length, end: dEnd) else { return false }
    }
    return op == dEnd
  }
}
