/// One point entry. `userKey` and `value` borrow the iterator's buffers and stay valid
/// until the next call to `next()`; copy them to keep them.
public struct PointEntry {
  public var userKey: UnsafeRawBufferPointer
  public var seq: UInt64
  /// Kind code with the obsolete bit cleared.
  public var kind: UInt8
  /// Pebblev4+: a newer entry in the same table shadows this one (§4.3).
  public var obsolete: Bool
  public var value: UnsafeRawBufferPointer
  public var storage: ValueStorage
  /// Pebblev8 tiering columns (§6.5); nil when the block has none.
  public var tieringSpanID: UInt64? = nil
  public var tieringAttribute: UInt64? = nil
  /// For `.blob` storage: whether `value` holds the resolved bytes, and if not why.
  public var blobStatus: BlobValueStatus = .notBlob
}

/// Streams every point entry of a table, block by block, in file order. A block that fails
/// its checksum or does not decode becomes a `Damage` (with the key span the index gives
/// it) and the scan continues with the next block.
public final class TableIterator {
  public let table: Table
  var index: IndexIterator
  var rows: RowBlockIterator?
  /// Pebblev5+: the current columnar data block and its next row.
  var columnar: ColumnarDataCursor?
  /// Key schema of a columnar table; nil (with `schemaError`) when it is unknown.
  let keySchema: KeySchema?
  var schemaError: String?
  var block: Block?
  var current: IndexEntry?
  var previousSeparator: [UInt8]?
  let keyBuffer = KeyBuffer()
  var valueBlocks: ValueBlockReader?
  var valueBlockError: SSTableError?
  let valuePrefix: Bool
  let obsoleteBit: Bool
  let rocksHashIndex: Bool
  public private(set) var damages: [Damage] = []
  /// Resolves blob handles (Pebblev6+ value separation). Without one, blob-resident
  /// entries come back with `.blob` storage, an empty value and `blobStatus == .unresolved`.
  public var blobResolver: BlobResolver?
  /// Blob reference ids whose file failure was already recorded as damage.
  var blobFailuresReported: Set<UInt32> = []
  /// Lets a reader that wants only part of the key space pass over whole data blocks
  /// without reading them: called with a block's key bounds from the index (entries are
  /// ≥ `previous`, nil for the first block, and ≤ `separator`, both user keys); true skips it.
  public var skipBlock: ((_ previous: [UInt8]?, _ separator: [UInt8]) -> Bool)?
  public private(set) var dataBlocksSkipped = 0
  public private(set) var dataBlocksRead = 0
  public internal(set) var entriesRead = 0
  /// Entries whose value lived in a value block that could not be read.
  public private(set) var missingValues = 0
  var reportedValueErrors = Set<String>()
  /// Set when the table has no readable index at all.
  public var fatal: SSTableError? { index.fatal }

  convenience init(_ table: Table) { self.init(table, index: IndexIterator(table)) }

  convenience init(_ table: Table, dataBlocks: [IndexEntry]) {
    self.init(table, index: IndexIterator(table, entries: dataBlocks))
  }

  init(_ table: Table, index: IndexIterator) {
    self.table = table
    self.index = index
    valuePrefix = table.format.hasValuePrefix
    obsoleteBit = table.format.hasObsoleteBit
    rocksHashIndex = table.format.rocksDBVersion > 0
    if table.format.isColumnar {
      keySchema = table.keySchema
      if keySchema == nil { schemaError = "unknown columnar key schema \"\(table.properties.keySchema ?? "")\"" }
    } else {
      keySchema = nil
    }
    do throws(SSTableError) { valueBlocks = try ValueBlockReader(table) } catch { valueBlockError = error }
  }

  public func next() -> PointEntry? {
    while true {
      if let e = nextInColumnarBlock() { return e }   // nil at once for row tables (no copy of the cursor)
      if rows != nil, let e = nextInBlock() { return e }
      guard advanceBlock() else {
        index.drainDamages(into: &damages)
        return nil
      }
    }
  }

  /// Starts at the first data block that may hold keys at or after `key` (`compare` orders
  /// user keys; see `IndexIterator.seek`). Entries of that block below `key` are still
  /// returned: a reader filters them. Call before `next`.
  public func seek(atOrAfter key: UnsafeRawBufferPointer,
                   compare: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) -> Int) {
    previousSeparator = index.seek(atOrAfter: key, compare: compare)
    rows = nil
    columnar = nil
    block = nil
  }

  /// Moves to the next readable data block; false at the end of the index.
  func advanceBlock() -> Bool {
    rows = nil
    columnar = nil
    block = nil
    while let e = index.next() {
      defer { previousSeparator = e.separatorUserKey }
      current = e
      if let skip = skipBlock, !e.separator.isEmpty,
         skip(previousSeparator.flatMap { $0.isEmpty ? nil : $0 }, e.separatorUserKey) {
        dataBlocksSkipped += 1
        continue
      }
      do throws(SSTableError) {
        let b = try table.blocks.read(e.handle)
        if table.format.isColumnar {
          guard let schema = keySchema else { throw SSTableError(.unsupported, schemaError ?? "unknown key schema") }
          columnar = ColumnarDataCursor(try ColumnarDataBlock(b.bytes, schema: schema))
        } else {
          rows = try RowBlockIterator(b.bytes, allowHashIndex: rocksHashIndex, keyBuffer: keyBuffer)
        }
        block = b
        dataBlocksRead += 1
        return true
      } catch {
        recordDamage(error.message)
      }
    }
    return false
  }

  func recordDamage(_ message: String) {
    guard let e = current else { return }
    // Blocks found by scanning have no separators: their span is unknown, not empty.
    let lower = previousSeparator.flatMap { $0.isEmpty ? nil : $0 }
    let upper = e.separator.isEmpty ? nil : e.separatorUserKey
    damages.append(Damage(file: table.path, blockKind: "data", handle: e.handle, message: message,
                          lowerKey: lower, upperKey: upper))
  }

  /// Next entry of the current block; nil at its end or on a malformed entry (recorded as
  /// damage: the rest of that block is lost, the scan goes on).
  func nextInBlock() -> PointEntry? {
    do throws(SSTableError) {
      guard try rows!.next() else { return nil }
    } catch {
      recordDamage(error.message + " (entries before it in the block were kept)")
      rows = nil
      return nil
    }
    guard let (userKey, storedSeq, rawKind) = InternalKey.split(rows!.key) else {
      recordDamage("key shorter than its 8-byte trailer (entries before it were kept)")
      rows = nil
      return nil
    }
    let kind = obsoleteBit ? rawKind & ~Kind.obsoleteBit : rawKind
    var value = rows!.value
    var storage = ValueStorage.inline
    var blobStatus = BlobValueStatus.notBlob
    if valuePrefix && kind == Kind.set {
      guard let prefix = value.first else {
        recordDamage("SET value without its value prefix (entries before it were kept)")
        rows = nil
        return nil
      }
      (value, storage, blobStatus) = resolveExternal(prefix: prefix, handle: UnsafeRawBufferPointer(rebasing: value[1...]))
    }
    entriesRead += 1
    return PointEntry(userKey: userKey, seq: table.syntheticSeqNum ?? storedSeq, kind: kind,
                      obsolete: obsoleteBit && rawKind & Kind.obsoleteBit != 0, value: value, storage: storage,
                      blobStatus: blobStatus)
  }
}

extension TableIterator {
  /// Interprets `prefix ‖ handle` (spec §5.1.1): in place, value-block handle or blob handle.
  @inline(__always)
  func resolveExternal(prefix: UInt8, handle rest: UnsafeRawBufferPointer) -> (UnsafeRawBufferPointer, ValueStorage, BlobValueStatus) {
    let empty = UnsafeRawBufferPointer(start: nil, count: 0)
    switch prefix & ValuePrefix.kindMask {
    case ValuePrefix.valueBlockHandle:
      do throws(SSTableError) {
        guard let vb = valueBlocks else {
          throw valueBlockError ?? SSTableError(.corrupt, "value index unreachable (metaindex lost)", file: table.path)
        }
        return (try vb.resolve(rest), .valueBlock, .notBlob)
      } catch {
        missingValues += 1
        if reportedValueErrors.insert(error.description).inserted {
          damages.append(Damage(file: table.path, blockKind: "value", handle: nil,
                                message: error.message + " (values stored there keep only key, seq and kind)"))
        }
        return (empty, .missing, .notBlob)
      }
    case ValuePrefix.blobHandle:
      guard let ref = BlobHandleCodec.decode(rest) else {
        recordDamage("malformed blob handle (the entry is kept without its value)")
        return (empty, .blob(BlobReference(referenceID: .max, valueLength: 0, blockID: 0, valueID: 0)), .valueDamaged)
      }
      guard let resolver = blobResolver else { return (empty, .blob(ref), .unresolved) }
      switch resolver.borrowedValue(ref) {
      case .success(let v):
        return (v, .blob(ref), .resolved)
      case .failure(let e):
        // A missing or damaged file is reported once; a bad value once per entry.
        if e.status == .valueDamaged || blobFailuresReported.insert(ref.referenceID).inserted {
          damages.append(Damage(file: table.path, blockKind: "blob value", handle: nil, message: e.message))
        }
        return (empty, .blob(ref), e.status)
      }
    default:
      return (rest, .inline, .notBlob)
    }
  }
}

/// `uvarint reference_id ‖ uvarint value_len ‖ uvarint block_id ‖ uvarint value_id` (§5.2).
public enum BlobHandleCodec {
  public static func decode(_ b: UnsafeRawBufferPointer) -> BlobReference? {
    var p = 0
    guard let r = Bytes.uvarint(b, &p, maxBytes: 5), let l = Bytes.uvarint(b, &p, maxBytes: 5),
          let blk = Bytes.uvarint(b, &p, maxBytes: 5), let v = Bytes.uvarint(b, &p, maxBytes: 5) else { return nil }
    return BlobReference(referenceID: UInt32(truncatingIfNeeded: r), valueLength: UInt32(truncatingIfNeeded: l),
                         blockID: UInt32(truncatingIfNeeded: blk), valueID: UInt32(truncatingIfNeeded: v))
  }
}
