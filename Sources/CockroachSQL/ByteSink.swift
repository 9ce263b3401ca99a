import CSalvageCRC

/// Output bytes that renderers append text to: a field goes straight from its datum to the
/// output buffer, with no `String` in between (issue 16). Digits come from a two-digit table.
public struct ByteSink: Sendable {
  public var bytes: [UInt8]

  public init(capacity: Int = 0) {
    bytes = []
    bytes.reserveCapacity(capacity)
  }

  @inlinable public var count: Int { bytes.count }
  @inlinable public mutating func removeAll() { bytes.removeAll(keepingCapacity: true) }

  @inlinable public mutating func append(_ b: UInt8) { bytes.append(b) }
  @inlinable public mutating func append(_ s: StaticString) {
    s.withUTF8Buffer { bytes.append(contentsOf: $0) }
  }
  @inlinable public mutating func append(contentsOf s: String) { bytes.append(contentsOf: s.utf8) }
  @inlinable public mutating func append(contentsOf b: [UInt8]) { bytes.append(contentsOf: b) }
  @inlinable public mutating func append(contentsOf b: UnsafeRawBufferPointer) { bytes.append(contentsOf: b) }

  /// "00" "01" … "99": the digits of n at 2n and 2n+1.
  @usableFromInline static let pairs: StaticString = "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899"

  /// `v` in decimal, zero-padded to at least `width` digits (at most 24).
  @inlinable public mutating func unsigned(_ v: UInt64, width: Int = 1) {
    // Clock fields, days and months: two bytes, no copy of a buffer.
    if v < 100 && width <= 2 {
      if v < 10 && width < 2 { bytes.append(UInt8(ascii: "0") &+ UInt8(v)); return }
      let table = Self.pairs.utf8Start
      bytes.append(table[Int(v) &* 2])
      bytes.append(table[Int(v) &* 2 &+ 1])
      return
    }
    // Digits are laid out right to left in 24 bytes of '0's, then appended in one copy.
    var buffer: (UInt64, UInt64, UInt64) = (0x3030_3030_3030_3030, 0x3030_3030_3030_3030, 0x3030_3030_3030_3030)
    withUnsafeMutableBytes(of: &buffer) { p in
      let table = Self.pairs.utf8Start
      var i = 24
      var x = v
      while x >= 100 {
        let r = Int(x % 100) &* 2
        x /= 100
        i -= 2
        p[i] = table[r]
        p[i + 1] = table[r + 1]
      }
      if x >= 10 {
        let r = Int(x) &* 2
        i -= 2
        p[i] = table[r]
        p[i + 1] = table[r + 1]
      } else {
        i -= 1
        p[i] = UInt8(ascii: "0") &+ UInt8(x)
      }
      let first = Swift.max(0, Swift.min(i, 24 - width))
      bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: p[first...]))
    }
  }

  /// `v` in decimal with a leading `-` when negative.
  @inlinable public mutating func decimal(_ v: Int64) { padded(v, 1) }

  /// `-` when negative, then the magnitude zero-padded to `width` digits (`-05`).
  @inlinable public mutating func padded(_ v: Int64, _ width: Int) {
    if v < 0 { bytes.append(UInt8(ascii: "-")) }
    unsigned(v.magnitude, width: width)
  }

  /// Lowercase hex of `b`, two digits a byte.
  @inlinable public mutating func hex(_ b: [UInt8]) {
    b.withUnsafeBytes { hex($0) }
  }

  /// Lowercase hex of `p`: the output grows once, then the C helper writes 16 bytes' digits
  /// per SSSE3 step.
  public mutating func hex(_ p: UnsafeRawBufferPointer) {
    let n = p.count
    guard n > 0 else { return }
    let start = bytes.count
    bytes.append(contentsOf: repeatElement(0, count: 2 * n))
    bytes.withUnsafeMutableBytes { out in
      salvage_hex_lower(p.baseAddress!.assumingMemoryBound(to: UInt8.self), n,
                        (out.baseAddress! + start).assumingMemoryBound(to: UInt8.self))
    }
  }

  @inlinable public mutating func hex(_ x: UInt8) {
    let digits: StaticString = "0123456789abcdef"
    bytes.append(digits.utf8Start[Int(x >> 4)])
    bytes.append(digits.utf8Start[Int(x & 15)])
  }

  /// Drops trailing `c` bytes, stopping at `start`.
  @inlinable public mutating func trim(_ c: UInt8, downTo start: Int) {
    while bytes.count > start, bytes.last == c { bytes.removeLast() }
  }

  /// Rewrites the bytes from `start` on as a quoted string: `q` + the bytes with every `q`
  /// doubled + `q` (CSV fields with `"`, SQL literals with `'`).
  @inlinable public mutating func quote(from start: Int, _ q: UInt8) {
    let end = bytes.count
    var k = 0
    for i in start..<end where bytes[i] == q { k += 1 }
    bytes.append(contentsOf: repeatElement(q, count: k + 2))
    bytes.withUnsafeMutableBufferPointer { p in
      var j = end + k + 1   // last byte: the closing quote, already q
      var i = end
      while i > start {
        i -= 1
        j -= 1
        p[j] = p[i]
        if p[i] == q { j -= 1; p[j] = q }
      }
      p[start] = q          // j == start + 1 here
    }
  }
}
