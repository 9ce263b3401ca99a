import CSalvageCRC

/// Little-endian loads and LEB128 varints over borrowed bytes. Every function checks its
/// bounds and returns nil (never traps) on bad input; callers turn nil into an error that
/// names the structure being decoded.
public enum Bytes {
  /// The first key after every key that starts with `prefix` (its last byte below FF
  /// raised, the FF bytes after it dropped); nil when the prefix is all FF bytes.
  public static func prefixEnd(_ prefix: [UInt8]) -> [UInt8]? {
    var p = prefix
    while let last = p.last {
      if last < 0xFF { p[p.count - 1] = last + 1; return p }
      p.removeLast()
    }
    return nil
  }

  /// `v` as a LEB128 uvarint (the writers' side of `uvarint`: carved tables, re-encoded range keys).
  public static func uvarintBytes(_ v: UInt64) -> [UInt8] {
    var v = v, out: [UInt8] = []
    while v >= 0x80 { out.append(UInt8(v & 0x7f) | 0x80); v >>= 7 }
    return out + [UInt8(v)]
  }

  @inlinable @inline(__always)
  public static func uint32LE(_ b: UnsafeRawBufferPointer, _ at: Int) -> UInt32? {
    guard at >= 0, b.count &- at >= 4 else { return nil }
    return UInt32(littleEndian: b.loadUnaligned(fromByteOffset: at, as: UInt32.self))
  }

  @inlinable @inline(__always)
  public static func uint64LE(_ b: UnsafeRawBufferPointer, _ at: Int) -> UInt64? {
    guard at >= 0, b.count &- at >= 8 else { return nil }
    return UInt64(littleEndian: b.loadUnaligned(fromByteOffset: at, as: UInt64.self))
  }

  @inlinable @inline(__always)
  public static func uint16LE(_ b: UnsafeRawBufferPointer, _ at: Int) -> UInt16? {
    guard at >= 0, b.count &- at >= 2 else { return nil }
    return UInt16(littleEndian: b.loadUnaligned(fromByteOffset: at, as: UInt16.self))
  }

  /// Unsigned LEB128 of at most `maxBytes` bytes (5 for 32-bit fields, 10 for 64-bit),
  /// advancing `pos`. Nil when it runs past the end or is too long.
  @inlinable @inline(__always)
  public static func uvarint(_ b: UnsafeRawBufferPointer, _ pos: inout Int, maxBytes: Int = 10) -> UInt64? {
    guard pos >= 0, pos < b.count else { return nil }
    let first = b[pos]
    if first < 0x80 { pos &+= 1; return UInt64(first) }
    return uvarintSlow(b, &pos, maxBytes: maxBytes)
  }

  @inlinable @inline(never)
  static func uvarintSlow(_ b: UnsafeRawBufferPointer, _ pos: inout Int, maxBytes: Int) -> UInt64? {
    var result: UInt64 = 0
    var shift: UInt64 = 0
    var i = pos
    let limit = min(b.count, pos &+ maxBytes)
    while i < limit {
      let byte = b[i]
      i &+= 1
      if shift == 63 && byte > 1 { return nil }
      result |= UInt64(byte & 0x7F) << shift
      if byte < 0x80 { pos = i; return result }
      shift &+= 7
    }
    return nil
  }

  /// A uvarint that must fit in an `Int` no larger than `limit` (a length or count about to
  /// be used for slicing): hostile lengths are refused before any allocation.
  @inlinable @inline(__always)
  public static func length(_ b: UnsafeRawBufferPointer, _ pos: inout Int, limit: Int, maxBytes: Int = 5) -> Int? {
    guard let v = uvarint(b, &pos, maxBytes: maxBytes), v <= UInt64(limit) else { return nil }
    return Int(truncatingIfNeeded: v)
  }

  /// Signed varint as RocksDB writes it (zigzag over LEB128), used by delta-encoded index values.
  @inlinable
  public static func zigzagVarint(_ b: UnsafeRawBufferPointer, _ pos: inout Int) -> Int64? {
    guard let u = uvarint(b, &pos) else { return nil }
    return Int64(bitPattern: (u >> 1) ^ (0 &- (u & 1)))
  }

  @inlinable
  public static func slice(_ b: UnsafeRawBufferPointer, _ start: Int, _ length: Int) -> UnsafeRawBufferPointer? {
    guard start >= 0, length >= 0, start <= b.count, length <= b.count &- start else { return nil }
    return UnsafeRawBufferPointer(rebasing: b[start..<(start &+ length)])
  }
}

extension UnsafeRawBufferPointer {
  /// Lowercase hex, as the fixtures' `*_hex` fields (the project's one encoder, `salvage_hex_lower`).
  public var hex: String {
    guard let src = baseAddress, count > 0 else { return "" }
    return String(unsafeUninitializedCapacity: count * 2) { out in
      salvage_hex_lower(src.assumingMemoryBound(to: UInt8.self), count, out.baseAddress!)
      return count * 2
    }
  }
}

extension Array where Element == UInt8 {
  public var hex: String { withUnsafeBytes { $0.hex } }
}
