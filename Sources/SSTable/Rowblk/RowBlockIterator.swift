/// Row-oriented block (spec §3.1), decompressed:
///
/// ```
/// entry* | restart[0..P-1] (u32 LE) | P (u32 LE)
/// entry := uvarint shared | uvarint unshared | uvarint value_len | key_delta | value
/// ```
/// RocksDB index blocks of format_version >= 4 omit `value_len` (the value is one block
/// handle, maybe delta-encoded); RocksDB data blocks with a hash index set bit 31 of P and
/// put buckets between the restarts and P. Pebblev3+ sets bit 31 of restart offsets, which
/// sequential decoding never needs.
public struct RowBlockIterator {
  public enum Layout: Sendable { case standard, noValueLength }

  @usableFromInline let b: UnsafeRawBufferPointer
  @usableFromInline let entriesEnd: Int
  @usableFromInline let layout: Layout
  @usableFromInline var pos = 0
  @usableFromInline let keyBuffer: KeyBuffer
  /// Offset of the current entry within the block.
  public var entryOffset = 0
  /// Length of the key prefix the current entry shares with the previous one.
  public var shared = 0
  /// Full key of the current entry: valid until the next call to `next()`.
  public var key: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: keyBuffer.base, count: keyBuffer.count) }
  /// Value of the current entry (for `.noValueLength`, everything up to the restarts; the
  /// caller decodes what it needs and calls `consumeValue`).
  public var value = UnsafeRawBufferPointer(start: nil, count: 0)
  public let restartCount: Int

  public init(_ block: UnsafeRawBufferPointer, layout: Layout = .standard, allowHashIndex: Bool = false,
              keyBuffer: KeyBuffer = KeyBuffer()) throws(SSTableError) {
    guard let raw = Bytes.uint32LE(block, block.count - 4) else {
      throw SSTableError(.corrupt, "block of \(block.count) bytes is too short for a restart count")
    }
    var count = Int(raw)
    var tail = 4
    if allowHashIndex && raw & 0x8000_0000 != 0 {
      count = Int(raw & 0x7FFF_FFFF)
      guard let buckets = Bytes.uint16LE(block, block.count - 6) else { throw SSTableError(.corrupt, "bad data-block hash index") }
      tail += 2 + Int(buckets)
    }
    guard count >= 1, count <= (block.count - tail) / 4 else {
      throw SSTableError(.corrupt, "restart count \(raw) does not fit a block of \(block.count) bytes")
    }
    b = block
    entriesEnd = block.count - tail - 4 * count
    restartCount = count
    self.layout = layout
    self.keyBuffer = keyBuffer
    keyBuffer.count = 0
  }

  /// Advances to the next entry; false at the end of the block.
  @inlinable
  public mutating func next() throws(SSTableError) -> Bool {
    if pos >= entriesEnd { return false }
    entryOffset = pos
    guard let sh = Bytes.length(b, &pos, limit: keyBuffer.count),
          let unshared = Bytes.length(b, &pos, limit: entriesEnd) else { throw bad("entry header") }
    var vlen = 0
    if layout == .standard {
      guard let v = Bytes.length(b, &pos, limit: entriesEnd) else { throw bad("value length") }
      vlen = v
    }
    guard unshared <= entriesEnd &- pos else { throw bad("key runs past the block") }
    keyBuffer.replaceSuffix(from: sh, with: UnsafeRawBufferPointer(rebasing: b[pos..<(pos &+ unshared)]))
    pos &+= unshared
    shared = sh
    if layout == .standard {
      guard vlen <= entriesEnd &- pos else { throw bad("value runs past the block") }
      value = UnsafeRawBufferPointer(rebasing: b[pos..<(pos &+ vlen)])
      pos &+= vlen
    } else {
      value = UnsafeRawBufferPointer(rebasing: b[pos..<entriesEnd])
    }
    return true
  }

  /// For `.noValueLength` blocks: the caller consumed `n` bytes of `value`.
  public mutating func consumeValue(_ n: Int) { pos &+= n }

  /// Offset of restart point `i` (bit 31, Pebble's marker, cleared); nil when it lies
  /// outside the entries.
  public func restartOffset(_ i: Int) -> Int? {
    guard i >= 0, i < restartCount, let raw = Bytes.uint32LE(b, entriesEnd + 4 * i) else { return nil }
    let off = Int(raw & 0x7FFF_FFFF)
    return off < entriesEnd ? off : nil
  }

  /// Continues decoding at `offset`, an entry that shares no key prefix (a restart point).
  public mutating func position(at offset: Int) {
    pos = offset
    keyBuffer.count = 0
  }

  @usableFromInline @inline(never)
  func bad(_ what: String) -> SSTableError {
    SSTableError(.corrupt, "malformed block entry at block offset \(entryOffset): \(what)")
  }
}

/// A growable byte buffer holding the current key of an iterator; reused across entries so
/// decoding allocates nothing per key.
public final class KeyBuffer {
  @usableFromInline var base: UnsafeMutableRawPointer
  @usableFromInline var capacity: Int
  @usableFromInline var count = 0

  public init(capacity: Int = 256) {
    self.capacity = capacity
    base = .allocate(byteCount: capacity, alignment: 8)
  }

  deinit { base.deallocate() }

  public var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

  /// Keeps the first `prefix` bytes and appends `suffix`.
  @inlinable
  public func replaceSuffix(from prefix: Int, with suffix: UnsafeRawBufferPointer) {
    let n = prefix &+ suffix.count
    if n > capacity { grow(n) }
    if let s = suffix.baseAddress { (base + prefix).copyMemory(from: s, byteCount: suffix.count) }
    count = n
  }

  public func set(_ bytes: UnsafeRawBufferPointer) { replaceSuffix(from: 0, with: bytes) }

  @inlinable
  public func append(_ bytes: UnsafeRawBufferPointer) { replaceSuffix(from: count, with: bytes) }

  public func removeAll() { count = 0 }

  @usableFromInline @inline(never)
  func grow(_ n: Int) {
    let newCapacity = max(n, capacity * 2)
    let p = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 8)
    p.copyMemory(from: base, byteCount: count)
    base.deallocate()
    base = p
    capacity = newCapacity
  }
}
