extension Table {
  /// The user key of the first entry of one data block (nil if the block cannot be read or
  /// is empty). Separators in the index may be shortened keys that no entry has; a reader
  /// that needs a real key near a block boundary (cutting work at block boundaries) reads it here.
  public func firstUserKey(ofBlock entry: IndexEntry) -> [UInt8]? {
    let it = TableIterator(self, dataBlocks: [entry])
    return it.next().map { Array($0.userKey) }
  }
}
