/// Direct writes for rebuilding columnar keys into the iterator's reused key buffer.
extension KeyBuffer {
  /// The buffer's storage, grown (keeping the current bytes) to hold at least `n` bytes.
  /// Callers store the key directly and set `count` once: each access to the class's
  /// stored properties costs a dynamic exclusivity check, which dominated per-key appends.
  @inlinable @inline(__always)
  public func writableBase(minimumCapacity n: Int) -> UnsafeMutableRawPointer {
    if n > capacity { grow(n) }
    return base
  }

  /// Copies `bytes` to `p + at`; returns the offset after them.
  @inlinable @inline(__always)
  static func put(_ bytes: UnsafeRawBufferPointer, _ p: UnsafeMutableRawPointer, _ at: Int) -> Int {
    if let s = bytes.baseAddress { (p + at).copyMemory(from: s, byteCount: bytes.count) }
    return at &+ bytes.count
  }
}
