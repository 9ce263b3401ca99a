extension TableIterator {
  /// Next row of the current columnar data block (spec §6.5); nil at its end. The value is
  /// raw unless the row is marked external, in which case it is `prefix ‖ handle`.
  func nextInColumnarBlock() -> PointEntry? {
    guard let blk = columnar, columnarRow < blk.rowCount else { return nil }
    let r = columnarRow
    columnarRow += 1
    blk.materializeKey(r, into: keyBuffer)
    let trailer = blk.trailer(r)
    let kind = UInt8(truncatingIfNeeded: trailer) & ~Kind.obsoleteBit
    var value = blk.value(r)
    var storage = ValueStorage.inline
    blobStatus = .notBlob
    if blk.isValueExternal(r) {
      guard let prefix = value.first else {
        recordDamage("row \(r): external value without its value prefix (rows before it were kept)")
        columnar = nil
        return nil
      }
      (value, storage) = resolveExternal(prefix: prefix, handle: UnsafeRawBufferPointer(rebasing: value[1...]))
    }
    entriesRead += 1
    return PointEntry(userKey: keyBuffer.bytes, seq: table.syntheticSeqNum ?? (trailer >> 8), kind: kind,
                      obsolete: blk.isObsolete(r), value: value, storage: storage,
                      tieringSpanID: blk.tieringSpanIDs?.at(r), tieringAttribute: blk.tieringAttributes?.at(r),
                      blobStatus: blobStatus)
  }
}
