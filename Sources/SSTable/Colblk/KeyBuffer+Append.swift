/// Appending helpers for rebuilding columnar keys into the iterator's reused key buffer.
extension KeyBuffer {
  @inlinable @inline(__always)
  public func append(_ bytes: UnsafeRawBufferPointer) {
    replaceSuffix(from: count, with: bytes)
  }

  @inlinable @inline(__always)
  public func append(byte: UInt8) {
    if count &+ 1 > capacity { grow(count &+ 1) }
    base.storeBytes(of: byte, toByteOffset: count, as: UInt8.self)
    count &+= 1
  }

  @inlinable @inline(__always)
  public func appendBigEndian<T: FixedWidthInteger>(_ v: T) {
    let n = MemoryLayout<T>.size
    if count &+ n > capacity { grow(count &+ n) }
    base.storeBytes(of: v.bigEndian, toByteOffset: count, as: T.self)
    count &+= n
  }

  /// Drops everything after the first `n` bytes.
  @inlinable @inline(__always)
  public func truncate(_ n: Int) { if n < count { count = n } }
}
