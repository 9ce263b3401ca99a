/// The on-disk identity of a table: (magic, version) (spec §1.6). Features are asked by
/// name (`hasValuePrefix`, `isColumnar`…) rather than by comparing version numbers.
public enum TableFormat: Equatable, Sendable, CustomStringConvertible {
  /// LevelDB's 48-byte footer (also RocksDB `format_version=0`).
  case levelDB
  /// RocksDB block-based table, `format_version` 2…5.
  case rocksDB(UInt32)
  /// Pebble table format v1…v8.
  case pebble(UInt32)

  public var description: String {
    switch self {
    case .levelDB: "LevelDB"
    case .rocksDB(let v): "RocksDBv\(v)"
    case .pebble(let v): "Pebblev\(v)"
    }
  }

  var pebbleVersion: UInt32 { if case .pebble(let v) = self { v } else { 0 } }

  /// SET values in row data blocks carry a 1-byte value prefix (Pebblev3+, §3.2).
  public var hasValuePrefix: Bool { pebbleVersion >= 3 }
  /// The 0x40 "obsolete" bit may be set on kinds in row data blocks (Pebblev4+, §4.3).
  public var hasObsoleteBit: Bool { pebbleVersion >= 4 }
  /// Data, index and keyspan blocks are columnar (Pebblev5+, §6).
  public var isColumnar: Bool { pebbleVersion >= 5 }
  /// The metaindex is a columnar key/value block (Pebblev6+).
  public var hasColumnarMetaindex: Bool { pebbleVersion >= 6 }
  /// The properties block is a columnar key/value block and may be compressed (Pebblev7+).
  public var hasColumnarProperties: Bool { pebbleVersion >= 7 }
  /// RocksDB format_version >= 3: index keys may be user keys (property says).
  public var rocksDBVersion: UInt32 { if case .rocksDB(let v) = self { v } else { 0 } }
  /// RocksDB format_version >= 4: index entries omit the value length; handles may be
  /// delta-encoded (property `rocksdb.index.value.is.delta.encoded`).
  public var indexValuesMayBeDeltaEncoded: Bool { rocksDBVersion >= 4 }
  /// Footer length in bytes (§1.3).
  public var footerLength: Int {
    switch self {
    case .levelDB: 48
    case .rocksDB: 53
    case .pebble(let v): v >= 7 ? 61 : v == 6 ? 57 : 53
    }
  }
}
