/// PrefixBytes column (spec §6.4): sorted byte strings sharing a block-wide prefix and, per
/// bundle of B = 1 << shift rows, a bundle prefix.
///
/// ```
/// shift u8 | offsets: uint column of T+1 end offsets, T = rows + bundles | data
///
/// data[0 ..< o[0]]            block-wide shared prefix
/// data[o[k] ..< o[k+1]]       prefix of bundle b, k = b·(B+1)
/// data[o[j] ..< o[j+1]]       suffix of row r, j = 1 + (r >> shift) + r
/// ```
/// An empty row suffix repeats the previous row's suffix within the bundle (duplicate keys).
public struct PrefixBytesColumn {
  @usableFromInline let offsets: UintColumn
  @usableFromInline let data: UnsafeRawPointer?
  @usableFromInline let shift: Int
  public let count: Int

  public init(_ b: UnsafeRawBufferPointer, _ range: Range<Int>, rows: Int) throws(SSTableError) {
    count = rows
    guard rows > 0 else {
      offsets = UintColumn(data: nil, width: 0, base: 0, count: 0); data = nil; shift = 0; return
    }
    guard range.lowerBound >= 0, range.upperBound <= b.count, range.lowerBound < range.upperBound else {
      throw SSTableError(.corrupt, "prefix-bytes column has no header")
    }
    let s = Int(b[range.lowerBound])
    guard s <= 16 else { throw SSTableError(.corrupt, "prefix-bytes bundle shift \(s) is implausible") }
    let bundles = 1 + (rows - 1) >> s
    let (o, dataStart) = try UintColumn.decode(b, (range.lowerBound + 1)..<range.upperBound, rows: rows + bundles + 1)
    let avail = UInt64(range.upperBound - dataStart)
    if let i = o.validateOffsets(limit: avail) {
      throw SSTableError(.corrupt, "prefix-bytes offset \(i) (\(o.at(i))) is out of order or past the column")
    }
    offsets = o
    data = b.baseAddress.map { $0 + dataStart }
    shift = s
  }

  @inlinable @inline(__always)
  func slice(_ from: Int, _ to: Int) -> UnsafeRawBufferPointer {
    let s = Int(truncatingIfNeeded: offsets.at(from)), e = Int(truncatingIfNeeded: offsets.at(to))
    return UnsafeRawBufferPointer(start: data.map { $0 + s }, count: e &- s)
  }

  /// The block-wide shared prefix.
  @inlinable public var sharedPrefix: UnsafeRawBufferPointer {
    let e = Int(truncatingIfNeeded: offsets.at(0))
    return UnsafeRawBufferPointer(start: data, count: e)
  }

  /// The three pieces of row `r`'s key (`r < count`): shared prefix, bundle prefix, suffix.
  @inlinable
  public func parts(_ r: Int) -> (UnsafeRawBufferPointer, UnsafeRawBufferPointer, UnsafeRawBufferPointer) {
    let bundle = r >> shift
    let k = bundle &* ((1 << shift) &+ 1)
    let first = k &+ 1
    var j = 1 &+ bundle &+ r
    // An empty suffix repeats the closest non-empty one before it in the bundle.
    while j > first && offsets.at(j) == offsets.at(j &+ 1) { j &-= 1 }
    return (sharedPrefix, slice(k, k &+ 1), slice(j, j &+ 1))
  }

  /// Row `r`'s full key (`r < count`) into `key`.
  @inlinable
  public func materialize(_ r: Int, into key: KeyBuffer) {
    let (a, b, c) = parts(r)
    let p = key.writableBase(minimumCapacity: a.count &+ b.count &+ c.count)
    var n = 0
    n = KeyBuffer.put(a, p, n); n = KeyBuffer.put(b, p, n); n = KeyBuffer.put(c, p, n)
    key.count = n
  }
}
