import SSTable

/// The unflushed writes of a store: every live WAL replayed (spec §7.4). WALs are small,
/// so the point entries are held in memory, sorted in comparer order.
public struct Memtable: Sendable {
  /// One point write. Owned bytes: the memtable outlives the log readers.
  public struct Entry: Sendable {
    public var key: [UInt8]
    public var seq: UInt64
    public var kind: UInt8
    public var value: [UInt8]
  }

  /// Sorted by user key (comparer), then seqnum descending.
  public private(set) var points: [Entry] = []
  public private(set) var rangeDeletions: [RangeDeletion] = []
  public private(set) var rangeKeys: [RangeKey] = []
  /// Flushable ingests (INGESTSST ops): table file number → seqnum the table takes.
  public private(set) var ingestedTables: [(fileNum: UInt64, seq: UInt64)] = []
  public private(set) var batches = 0
  public private(set) var issues: [StoreIssue] = []
  /// Per log file: (name, records, how it ended, unreadable bytes).
  public private(set) var logs: [(name: String, records: Int, end: LogEnd?, unreadableBytes: Int)] = []

  public init() {}

  /// Replays `files` (one WAL number's segments) in order.
  public mutating func replay(directory: String, files: [String], logNumber: UInt64) {
    for name in files {
      let reader: LogReader
      do { reader = try LogReader(path: directory + "/" + name, logNumber: UInt32(truncatingIfNeeded: logNumber)) } catch {
        issues.append(StoreIssue(.damage, error))
        continue
      }
      var records = 0
      while let r = reader.next() {
        records += 1
        apply(BatchDecoder.decode(r.payload, recordOffset: r.offset, file: name), file: name)
      }
      issues.append(contentsOf: reader.issues)
      logs.append((name, records, reader.end, reader.unreadableBytes))
    }
  }

  public mutating func apply(_ b: Batch, file: String = "") {
    batches += 1
    if let d = b.damage { issues.append(StoreIssue(.damage, d)) }
    for op in b.ops {
      switch op.kind {
      case Kind.set, Kind.setWithDel, Kind.merge, Kind.del, Kind.singleDel, Kind.delSized:
        points.append(Entry(key: op.key, seq: op.seq, kind: op.kind, value: op.value))
      case Kind.rangeDel:
        rangeDeletions.append(RangeDeletion(start: op.key, end: op.value, seq: op.seq))
      case Kind.rangeKeySet, Kind.rangeKeyUnset, Kind.rangeKeyDel:
        let failure: SSTableError? = op.value.withUnsafeBytes { v in
          do throws(SSTableError) {
            try Table.decodeRangeKeyValue(start: op.key, seq: op.seq, kind: op.kind, value: v, into: &rangeKeys)
            return nil
          } catch { return error }
        }
        if let e = failure {
          issues.append(StoreIssue(.damage, StoreError(.corrupt, "batch \(b.seq): \(e.message)", file: file, offset: b.offset)))
        }
      case Kind.ingestSST, Kind.ingestSSTWithBlob:
        var p = 0
        let n = op.key.withUnsafeBytes { Bytes.uvarint($0, &p) }
        if let n { ingestedTables.append((n, op.seq)) }
      case Kind.excise:
        issues.append(StoreIssue(.warning, StoreError(.unsupported, "EXCISE of [\(op.key.hex), \(op.value.hex)) at seq \(op.seq) in a WAL is not applied", file: file, offset: b.offset)))
      default:
        break  // LOGDATA: opaque, no seqnum
      }
    }
  }

  /// Sorts the points in comparer order; call once after replaying.
  public mutating func seal(_ comparer: Comparer) {
    points.sort { a, b in
      let c = comparer.compare(a.key, b.key)
      if c != 0 { return c < 0 }
      if a.seq != b.seq { return a.seq > b.seq }
      return a.kind > b.kind
    }
  }
}
