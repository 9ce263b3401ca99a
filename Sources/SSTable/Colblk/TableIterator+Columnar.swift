/// A columnar data block and the next row to return. Kept as one value so the iterator
/// touches it through a single in-place access per entry (no copy of the decoded columns).
struct ColumnarDataCursor {
  let block: ColumnarDataBlock
  var row = 0

  init(_ block: ColumnarDataBlock) { self.block = block }

  /// Per-row fields besides the key, which goes to the key buffer.
  struct Row {
    var index: Int
    var trailer: UInt64
    var value: UnsafeRawBufferPointer
    var external: Bool
    var obsolete: Bool
    var tieringSpanID: UInt64?
    var tieringAttribute: UInt64?
  }

  @inline(__always)
  mutating func next(into key: KeyBuffer) -> Row? {
    let r = row
    guard r < block.rowCount else { return nil }
    row = r &+ 1
    block.materializeKey(r, into: key)
    return Row(index: r, trailer: block.trailer(r), value: block.value(r), external: block.isValueExternal(r),
               obsolete: block.isObsolete(r), tieringSpanID: block.tieringSpanIDs?.at(r),
               tieringAttribute: block.tieringAttributes?.at(r))
  }
}

extension TableIterator {
  /// Next row of the current columnar data block (spec §6.5); nil at its end. The value is
  /// raw unless the row is marked external, in which case it is `prefix ‖ handle`.
  func nextInColumnarBlock() -> PointEntry? {
    guard let row = columnar?.next(into: keyBuffer) else { return nil }
    let kind = UInt8(truncatingIfNeeded: row.trailer) & ~Kind.obsoleteBit
    var value = row.value
    var storage = ValueStorage.inline
    var blobStatus = BlobValueStatus.notBlob
    if row.external {
      guard let prefix = value.first else {
        recordDamage("row \(row.index): external value without its value prefix (rows before it were kept)")
        columnar = nil
        return nil
      }
      (value, storage, blobStatus) = resolveExternal(prefix: prefix, handle: UnsafeRawBufferPointer(rebasing: value[1...]))
    }
    entriesRead &+= 1
    return PointEntry(userKey: keyBuffer.bytes, seq: table.syntheticSeqNum ?? (row.trailer >> 8), kind: kind,
                      obsolete: row.obsolete, value: value, storage: storage,
                      tieringSpanID: row.tieringSpanID, tieringAttribute: row.tieringAttribute,
                      blobStatus: blobStatus)
  }
}
