import CockroachKV

/// The roachpb.Value of a SQL KV, reduced to what the SQL layer reads: the tag and the data.
///
/// ```
/// roachpb.Value := checksum(4 BE) ‖ tag(1) ‖ data      (spec §3.1; checksum verified by CockroachKV)
/// ```
public struct SQLValue: Sendable, Hashable {
  public var tag: UInt8
  public var data: ArraySlice<UInt8>

  public init(tag: UInt8, data: ArraySlice<UInt8>) { self.tag = tag; self.data = data }

  /// From the raw roachpb.Value bytes (checksum ‖ tag ‖ data, `RoachValue`'s layout); nil for
  /// an empty value (tombstone).
  public init?(roachValue v: [UInt8]) throws(SQLDecodeError) {
    if v.isEmpty { return nil }
    let n = RoachValue.headerLength
    guard v.count >= n else { throw SQLDecodeError(.truncated, "roachpb.Value", "\(v.count) bytes, header needs \(n)") }
    self.tag = v[n - 1]
    self.data = v[n...]
  }

  public static let tupleTag: UInt8 = 10
}

/// The parts of a SQL KV key (spec §4.5):
/// ```
/// key := [fe ‖ uvarint(tenant)] ‖ uvarint(table) ‖ uvarint(index) ‖ columns ‖ familySuffix
/// familySuffix := 88 | uvarint(family) ‖ uvarint(len(uvarint(family)))
/// ```
public struct SQLKeyPrefix: Sendable, Hashable {
  public var tenant: UInt64?
  public var tableID: UInt64
  public var indexID: UInt64
  /// The bytes after the index ID (columns and family suffix).
  public var rest: ArraySlice<UInt8>

  public static func parse(_ key: ArraySlice<UInt8>) throws(SQLDecodeError) -> SQLKeyPrefix {
    var b = key
    var tenant: UInt64?
    if b.first == 0xFE {
      b = b.dropFirst()
      tenant = try SQLOrderedDecoding.uvarintAscending(&b)
    }
    let table = try SQLOrderedDecoding.uvarintAscending(&b)
    let index = try SQLOrderedDecoding.uvarintAscending(&b)
    return SQLKeyPrefix(tenant: tenant, tableID: table, indexID: index, rest: b)
  }

  /// Splits `key` into the row prefix and the column family ID using only its last byte
  /// (`GetRowPrefixLength`), so KVs of one row can be grouped without the schema.
  public static func splitFamily(_ key: ArraySlice<UInt8>) throws(SQLDecodeError) -> (row: ArraySlice<UInt8>, family: UInt32) {
    guard let last = key.last else { throw SQLDecodeError(.truncated, "family suffix", "empty key") }
    guard last >= 0x88, last <= 0x90 else {
      throw SQLDecodeError(.corrupt, "family suffix", "last byte 0x\(kvHex([last])) is not a suffix length")
    }
    let l = Int(last - 0x88)
    guard key.count >= l + 1 else { throw SQLDecodeError(.truncated, "family suffix", "key shorter than its suffix") }
    let row = key.prefix(key.count - l - 1)
    if l == 0 { return (row, 0) }
    var s = key.dropFirst(row.count).dropLast()
    let f = try SQLOrderedDecoding.uvarintAscending(&s)
    guard s.isEmpty, f <= UInt64(UInt32.max) else {
      throw SQLDecodeError(.corrupt, "family suffix", "suffix length \(l) does not match the family ID")
    }
    return (row, UInt32(f))
  }
}
