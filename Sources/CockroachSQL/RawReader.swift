/// A read position in borrowed bytes, for the row assembler's fast paths: no reference
/// counting per field. Every read returns nil on anything unusual, consuming nothing; the
/// caller then hands the same bytes to the general decoders, which say exactly what is wrong.
/// So a read here may be stricter than the general decoder, never looser or different.
struct RawReader {
  let p: UnsafeRawBufferPointer
  var i: Int
  var end: Int

  init(_ p: UnsafeRawBufferPointer, from i: Int = 0, to end: Int? = nil) {
    self.p = p
    self.i = i
    self.end = end ?? p.count
  }

  var atEnd: Bool { i >= end }
  var remaining: Int { end - i }

  @inline(__always) func peek() -> UInt8? { i < end ? p[i] : nil }

  /// Order-preserving uvarint (`0x88+v` for v ≤ 109, else `0xf5+n ‖ n BE bytes`).
  @inline(__always) mutating func orderedUvarint() -> UInt64? {
    guard i < end else { return nil }
    let m = p[i]
    guard m >= 0x88, m <= 0xFD else { return nil }
    let l = Int(m) - 0x88
    if l <= 109 { i += 1; return UInt64(l) }
    let n = l - 109
    guard end - i > n else { return nil }
    var v: UInt64 = 0
    for k in 1...n { v = v << 8 | UInt64(p[i + k]) }
    i += 1 + n
    return v
  }

  /// Order-preserving signed varint; negatives as `0x88-n ‖ n low bytes`.
  @inline(__always) mutating func orderedVarint() -> Int64? {
    guard i < end else { return nil }
    let m = p[i]
    guard m >= 0x80, m <= 0xFD else { return nil }
    if m < 0x88 {
      let n = 0x88 - Int(m)
      guard end - i > n else { return nil }
      var v = UInt64.max
      for k in 1...n { v = v << 8 | UInt64(p[i + k]) }
      i += 1 + n
      return Int64(bitPattern: v)
    }
    let start = i
    guard let u = orderedUvarint(), u <= UInt64(Int64.max) else { i = start; return nil }
    return Int64(u)
  }

  @inline(__always) mutating func orderedVarint(descending: Bool) -> Int64? {
    guard let v = orderedVarint() else { return nil }
    return descending ? ~v : v
  }

  /// The non-sorting uvarint of value tags and lengths (7-bit groups, most significant first).
  @inline(__always) mutating func nsUvarint() -> UInt64? {
    var v: UInt64 = 0
    var k = i
    while k < end {
      let x = p[k]
      guard v >> 57 == 0 else { return nil }
      v = v << 7 | UInt64(x & 0x7F)
      k += 1
      if x < 0x80 { i = k; return v }
    }
    return nil
  }

  /// LEB128 (Go `binary.Uvarint`), up to 63 bits (longer ones go to the general decoder).
  @inline(__always) mutating func uvarint() -> UInt64? {
    var v: UInt64 = 0
    var shift: UInt64 = 0
    var k = i
    while k < end && shift < 63 {
      let x = p[k]
      v |= UInt64(x & 0x7F) << shift
      k += 1
      if x < 0x80 { i = k; return v }
      shift += 7
    }
    return nil
  }

  /// Go `binary.Varint` (zigzag LEB128).
  @inline(__always) mutating func zigzag() -> Int64? {
    guard let u = uvarint() else { return nil }
    return Int64(bitPattern: (u >> 1) ^ (0 &- (u & 1)))
  }

  /// A value tag: column-ID delta and encoding type.
  @inline(__always) mutating func tag() -> (delta: UInt64, type: Int)? {
    let start = i
    guard let t = nsUvarint() else { return nil }
    var type = Int(t & 15)
    if type == 15 {
      guard let x = nsUvarint(), x < 256 else { i = start; return nil }
      type = Int(x)
    }
    return (t >> 4, type)
  }

  /// `n` bytes as a big-endian integer.
  @inline(__always) mutating func bigEndian(_ n: Int) -> UInt64? {
    guard n <= 8, end - i >= n else { return nil }
    var v: UInt64 = 0
    for k in 0..<n { v = v << 8 | UInt64(p[i + k]) }
    i += n
    return v
  }
}
