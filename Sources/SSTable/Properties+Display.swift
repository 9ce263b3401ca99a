extension TableProperties {
  /// Properties written by the engines themselves; everything else is a user property
  /// (block-property collectors, CockroachDB's `crdb.ts.min`/`max`, ...).
  public static func isEngineProperty(_ name: String) -> Bool {
    name.hasPrefix("rocksdb.") || name.hasPrefix("pebble.")
  }

  /// A property's value as text: decimal for the integer properties (uvarints, or the few
  /// fixed-width ones), the string for printable values, `0x…` hex otherwise.
  public func displayValue(_ name: String, _ value: [UInt8]) -> String {
    switch name {
    case "rocksdb.block.based.table.index.type", "rocksdb.external_sst_file.version":
      if value.count == 4 { return String(value.withUnsafeBytes { Bytes.uint32LE($0, 0)! }) }
    case "rocksdb.external_sst_file.global_seqno":
      if value.count == 8 { return String(value.withUnsafeBytes { Bytes.uint64LE($0, 0)! }) }
    default:
      let numeric = ["num", "size", "keys", "operands", "time", "number", "partitions", "length",
                     "entries", "column.family.id", "format.version", "is.user.key", "delta.encoded", "blocks"]
      if Self.isEngineProperty(name), numeric.contains(where: { name.contains($0) }) {
        let v: UInt64? = value.withUnsafeBytes { b in
          var p = 0
          guard let v = Bytes.uvarint(b, &p), p == b.count else { return nil }
          return v
        }
        if let v { return String(v) }
      }
    }
    if !value.isEmpty && value.allSatisfy({ $0 >= 0x20 && $0 < 0x7f }) { return "\"" + String(decoding: value, as: UTF8.self) + "\"" }
    return "0x" + value.hex
  }
}
