extension Table {
  /// Pebblev5+ `rocksdb.range_del2` block (columnar keyspan, §6.9): already fragmented.
  func columnarRangeDeletions() throws(SSTableError) -> [RangeDeletion] {
    guard let h = try metaHandle("rocksdb.range_del2") else { return [] }
    var out: [RangeDeletion] = []
    let synthetic = syntheticSeqNum
    do throws(SSTableError) {
      try blocks.read(h).withBytes { b throws(SSTableError) in
        try ColumnarKeyspanBlock.forEach(b) { k throws(SSTableError) in
          guard UInt8(truncatingIfNeeded: k.trailer) == Kind.rangeDel else {
            throw SSTableError(.corrupt, "range-del block holds a \(Kind.name(UInt8(truncatingIfNeeded: k.trailer))) key")
          }
          out.append(RangeDeletion(start: Array(k.start), end: Array(k.end), seq: synthetic ?? (k.trailer >> 8)))
        }
      }
    } catch {
      throw SSTableError(error.kind, "range-del block: \(error.message)", file: path, offset: h.offset)
    }
    return out
  }

  /// Pebblev5+ `pebble.range_key` block: one `RangeKey` per stored key of each span.
  func columnarRangeKeys() throws(SSTableError) -> [RangeKey] {
    guard let h = try metaHandle("pebble.range_key") else { return [] }
    var out: [RangeKey] = []
    let synthetic = syntheticSeqNum
    do throws(SSTableError) {
      try blocks.read(h).withBytes { b throws(SSTableError) in
        try ColumnarKeyspanBlock.forEach(b) { k throws(SSTableError) in
          let kind = UInt8(truncatingIfNeeded: k.trailer)
          let seq = synthetic ?? (k.trailer >> 8)
          switch kind {
          case Kind.rangeKeySet:
            out.append(RangeKey(start: Array(k.start), end: Array(k.end), seq: seq, kind: kind,
                                suffix: Array(k.suffix), value: Array(k.value)))
          case Kind.rangeKeyUnset:
            out.append(RangeKey(start: Array(k.start), end: Array(k.end), seq: seq, kind: kind, suffix: Array(k.suffix)))
          case Kind.rangeKeyDel:
            out.append(RangeKey(start: Array(k.start), end: Array(k.end), seq: seq, kind: kind))
          default:
            throw SSTableError(.corrupt, "range-key block holds a \(Kind.name(kind)) key")
          }
        }
      }
    } catch {
      throw SSTableError(error.kind, "range-key block: \(error.message)", file: path, offset: h.offset)
    }
    return out
  }
}
