/// Table properties (spec §3.5): every property kept raw in file order, with typed
/// accessors for the ones Salvage uses.
public struct TableProperties: Sendable {
  public var raw: [(name: String, value: [UInt8])] = []

  public init(raw: [(name: String, value: [UInt8])] = []) { self.raw = raw }

  public subscript(_ name: String) -> [UInt8]? { raw.first { $0.name == name }?.value }

  /// Integer properties are uvarints.
  public func uint(_ name: String) -> UInt64? {
    guard let v = self[name] else { return nil }
    return v.withUnsafeBytes { b in var p = 0; return Bytes.uvarint(b, &p) }
  }

  public func string(_ name: String) -> String? { self[name].map { String(decoding: $0, as: UTF8.self) } }

  public var numEntries: UInt64? { uint("rocksdb.num.entries") }
  public var numDataBlocks: UInt64? { uint("rocksdb.num.data.blocks") }
  public var numDeletions: UInt64? { uint("rocksdb.deleted.keys") }
  public var numRangeDeletions: UInt64? { uint("rocksdb.num.range-deletions") }
  public var numMergeOperands: UInt64? { uint("rocksdb.merge.operands") }
  public var rawKeySize: UInt64? { uint("rocksdb.raw.key.size") }
  public var rawValueSize: UInt64? { uint("rocksdb.raw.value.size") }
  public var dataSize: UInt64? { uint("rocksdb.data.size") }
  public var indexSize: UInt64? { uint("rocksdb.index.size") }
  public var filterSize: UInt64? { uint("rocksdb.filter.size") }
  public var comparator: String? { string("rocksdb.comparator") }
  public var mergeOperator: String? { string("rocksdb.merge.operator") }
  public var compression: String? { string("rocksdb.compression") }
  public var filterPolicy: String? { string("rocksdb.filter.policy") }
  public var keySchema: String? { string("pebble.colblk.schema") }
  public var numRangeKeySets: UInt64? { uint("pebble.num.range-key-sets") }
  public var numValuesInValueBlocks: UInt64? { uint("pebble.num.values.in.value-blocks") }
  /// RocksDB `format_version` as recorded by the writer (informational).
  public var formatVersion: UInt64? { uint("rocksdb.format.version") }

  /// 0 = binary search (single level), 2 = two-level (partitioned); fixed32 LE.
  public var indexType: UInt32 {
    guard let v = self["rocksdb.block.based.table.index.type"], v.count >= 4 else { return 0 }
    return UInt32(v[0]) | UInt32(v[1]) << 8 | UInt32(v[2]) << 16 | UInt32(v[3]) << 24
  }

  /// RocksDB format_version >= 3 writes user keys (no trailer) in index blocks.
  public var indexKeyIsUserKey: Bool { uint("rocksdb.index.key.is.user.key") == 1 }
  /// RocksDB format_version >= 4 omits value lengths in index blocks.
  public var indexValueIsDeltaEncoded: Bool { uint("rocksdb.index.value.is.delta.encoded") == 1 }

  /// RocksDB ingested files: the sequence number every key takes (fixed64; 0 or absent = none).
  public var globalSeqNum: UInt64? {
    guard let v = self["rocksdb.external_sst_file.global_seqno"], v.count == 8 else { return nil }
    let n = v.withUnsafeBytes { Bytes.uint64LE($0, 0)! }
    return n == 0 || n == UInt64.max ? nil : n
  }

}
