/// How a columnar data block stores user keys (property `pebble.colblk.schema`, spec §6.5).
public enum KeySchema: Equatable, Sendable {
  /// `DefaultKeySchema(<comparer>,16)`: col 0 prefix-bytes Split prefix, col 1 bytes suffix.
  case `default`
  /// CockroachDB `crdb1`: col 0 prefix-bytes roach key, col 1 uint wall time, col 2 uint
  /// logical, col 3 bytes untyped version; 1-byte schema header.
  case crdb1

  public init?(propertyValue name: String) {
    if name == "crdb1" { self = .crdb1 } else if name.hasPrefix("DefaultKeySchema(") { self = .default } else { return nil }
  }

  var headerSize: Int { self == .crdb1 ? 1 : 0 }
  var columnCount: Int { self == .crdb1 ? 4 : 2 }
}

/// A decoded columnar data block (spec §6.5):
///
/// ```
/// [schema header (0 or 1 byte)] [max key length u32] | columnar block:
///   key-schema columns (k) | k+0 uint trailer | k+1 bool prefix changed | k+2 bytes value
///   | k+3 bool value is external | k+4 bool obsolete | [v8: k+5 uint tiering span, k+6 uint tiering attribute,
///   (k+7 bytes secondary blob handle)]
/// ```
/// Pebble `crl-release-26.1` writes v8 blocks with k+7 columns (no secondary blob handle
/// column; the spec lists k+8); both are accepted. Columns are decoded and bounds-checked
/// once; per-row accessors then only load.
public struct ColumnarDataBlock {
  public let schema: KeySchema
  public let rowCount: Int
  @usableFromInline let prefixes: PrefixBytesColumn
  @usableFromInline let suffixes: RawBytesColumn      // default schema
  @usableFromInline let wall: UintColumn              // crdb1
  @usableFromInline let logical: UintColumn           // crdb1
  @usableFromInline let untyped: RawBytesColumn       // crdb1
  @usableFromInline let trailers: UintColumn
  @usableFromInline let values: RawBytesColumn
  @usableFromInline let external: Bitmap
  @usableFromInline let obsolete: Bitmap
  public let tieringSpanIDs: UintColumn?
  public let tieringAttributes: UintColumn?

  public init(_ b: UnsafeRawBufferPointer, schema: KeySchema) throws(SSTableError) {
    let blk = try ColumnarBlock(b, customHeaderSize: schema.headerSize + 4)
    let k = schema.columnCount
    guard [k + 5, k + 7, k + 8].contains(blk.columnCount) else {
      throw SSTableError(.corrupt, "data block has \(blk.columnCount) columns; \(k + 5), \(k + 7) or \(k + 8) expected")
    }
    let n = blk.rowCount
    // Internal keys in a block are distinct, so some key or trailer column spends at least
    // a byte per row: a larger count is corrupt (and would make per-row loops huge).
    guard n <= b.count else { throw SSTableError(.corrupt, "data block claims \(n) rows in \(b.count) bytes") }
    self.schema = schema
    rowCount = n
    prefixes = try blk.prefixBytes(0, rows: n)
    let empty = UintColumn(data: nil, width: 0, base: 0, count: 0)
    if schema == .crdb1 {
      wall = try blk.uints(1, rows: n)
      logical = try blk.uints(2, rows: n)
      untyped = try blk.rawBytes(3, rows: n)
      suffixes = try RawBytesColumn(b, 0..<0, rows: 0)
    } else {
      suffixes = try blk.rawBytes(1, rows: n)
      wall = empty; logical = empty
      untyped = try RawBytesColumn(b, 0..<0, rows: 0)
    }
    trailers = try blk.uints(k, rows: n)
    try blk.expect(k + 1, .bool, "prefix-changed")
    values = try blk.rawBytes(k + 2, rows: n)
    external = try blk.bitmap(k + 3, rows: n)
    obsolete = try blk.bitmap(k + 4, rows: n)
    if blk.columnCount >= k + 7 {
      tieringSpanIDs = try blk.uints(k + 5, rows: n)
      tieringAttributes = try blk.uints(k + 6, rows: n)
    } else {
      tieringSpanIDs = nil; tieringAttributes = nil
    }
  }

  /// Rebuilds row `r`'s user key into `key` (crdb1: the CockroachDB engine key, with
  /// versions normalised to the 8- or 12-byte form as Pebble's reader returns them).
  @inlinable
  public func materializeKey(_ r: Int, into key: KeyBuffer) {
    let (a, b, c) = prefixes.parts(r)
    let head = a.count &+ b.count &+ c.count
    if schema == .default {
      let s = suffixes.at(r)
      let p = key.writableBase(minimumCapacity: head &+ s.count)
      var n = KeyBuffer.put(a, p, 0)
      n = KeyBuffer.put(b, p, n); n = KeyBuffer.put(c, p, n); n = KeyBuffer.put(s, p, n)
      key.count = n
      return
    }
    let w = wall.at(r), l = logical.at(r)
    let u = w == 0 && l == 0 ? untyped.at(r) : UnsafeRawBufferPointer(start: nil, count: 0)
    // Sentinel, then at most a 12-byte version and its length byte (or the untyped version).
    let p = key.writableBase(minimumCapacity: head &+ 1 &+ max(13, u.count &+ 1))
    var n = KeyBuffer.put(a, p, 0)
    n = KeyBuffer.put(b, p, n); n = KeyBuffer.put(c, p, n)
    p.storeBytes(of: 0, toByteOffset: n, as: UInt8.self)
    n &+= 1
    if w == 0 && l == 0 {
      if u.count > 0 {
        n = KeyBuffer.put(u, p, n)
        p.storeBytes(of: UInt8(truncatingIfNeeded: u.count &+ 1), toByteOffset: n, as: UInt8.self)
        n &+= 1
      }
    } else {
      p.storeBytes(of: w.bigEndian, toByteOffset: n, as: UInt64.self)
      n &+= 8
      if l != 0 {
        p.storeBytes(of: UInt32(truncatingIfNeeded: l).bigEndian, toByteOffset: n, as: UInt32.self)
        n &+= 4
      }
      p.storeBytes(of: UInt8(l == 0 ? 9 : 13), toByteOffset: n, as: UInt8.self)
      n &+= 1
    }
    key.count = n
  }

  @inlinable public func trailer(_ r: Int) -> UInt64 { trailers.at(r) }
  @inlinable public func value(_ r: Int) -> UnsafeRawBufferPointer { values.at(r) }
  @inlinable public func isValueExternal(_ r: Int) -> Bool { external.at(r) }
  @inlinable public func isObsolete(_ r: Int) -> Bool { obsolete.at(r) }
}
