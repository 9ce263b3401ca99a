import SSTable

/// Resolves blob-resident values (Pebblev6+ value separation, spec §5.2–5.3). The blob
/// reader lives with the columnar table code; the store only supplies, per table, the
/// physical blob file behind each reference index of its blob handles.
public protocol StoreBlobResolver: AnyObject {
  /// The value `ref` points at. `referencePaths`: reference index → blob file path.
  func value(of ref: BlobReference, referencePaths: [UInt32: String]) throws -> [UInt8]
}

/// A table the merged view reads, with what the MANIFEST says about it.
public struct TableSpec: Sendable {
  public var path: String
  public var fileNum: UInt64
  /// Nil when the table is not in the MANIFEST (fallback, or a WAL's flushable ingest).
  public var meta: TableMeta?
  public var syntheticSeqNum: UInt64?
  /// Blob handle reference index → blob file path (the blob resolver's input).
  public var blobPaths: [UInt32: String] = [:]
  /// Set when the table could not be opened; the merge then skips it.
  public var unreadable = false
}

/// One internal entry of the merged stream. `userKey` and `value` are borrowed: valid until
/// the next call to `next()`.
public struct StoreEntry {
  public var userKey: UnsafeRawBufferPointer
  public var seq: UInt64
  public var kind: UInt8
  public var value: UnsafeRawBufferPointer
  public var storage: ValueStorage
  /// Index of the source it came from (0 = memtable when there is one; lower = newer).
  public var source: Int
}

/// Collects problems met while streaming, shared by the sources of one iterator.
public final class IssueLog {
  public private(set) var issues: [StoreIssue] = []
  public func add(_ i: StoreIssue) { issues.append(i) }
}

/// One input of the merge: the memtable, one L0 table, or a whole level L1+ whose tables
/// do not overlap and are opened one at a time (so only one file per level is mapped).
final class MergeSource {
  let index: Int
  let comparer: Comparer
  let log: IssueLog
  var key = UnsafeRawBufferPointer(start: nil, count: 0)
  var seq: UInt64 = 0
  var kind: UInt8 = 0
  var value = UnsafeRawBufferPointer(start: nil, count: 0)
  var storage = ValueStorage.inline
  var blobPaths: [UInt32: String] = [:]

  // Memtable: every key and value copied into one arena.
  var arena: UnsafeMutableRawBufferPointer?
  var memEntries: [(key: Range<Int>, value: Range<Int>, seq: UInt64, kind: UInt8)] = []
  var memNext = 0

  // Tables.
  var specs: [TableSpec] = []
  var specNext = 0
  var iterator: TableIterator?
  var spec: TableSpec?
  /// The open table's metadata when it is virtual or has a synthetic prefix.
  var keyedMeta: TableMeta?
  var prefixed: UnsafeMutableRawBufferPointer?

  init(index: Int, memtable: [Memtable.Entry], comparer: Comparer, log: IssueLog) {
    self.index = index
    self.comparer = comparer
    self.log = log
    let total = memtable.reduce(0) { $0 + $1.key.count + $1.value.count }
    let a = UnsafeMutableRawBufferPointer.allocate(byteCount: max(total, 1), alignment: 8)
    arena = a
    var at = 0
    for e in memtable {
      let k = at..<(at + e.key.count)
      e.key.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: a[k]).copyMemory(from: $0) }
      at = k.upperBound
      let v = at..<(at + e.value.count)
      e.value.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: a[v]).copyMemory(from: $0) }
      at = v.upperBound
      memEntries.append((k, v, e.seq, e.kind))
    }
  }

  /// Tables not opened: their MANIFEST bounds hold only keys `skipBlock` rejects.
  var tablesSkipped = 0
  /// Passed to every table iterator (see `TableIterator.skipBlock`).
  var skipBlock: ((_ previous: [UInt8]?, _ separator: [UInt8]) -> Bool)?

  /// Where reading starts (`MergedIterator.lowerBound`).
  var lowerBound: [UInt8]?

  init(index: Int, tables: [TableSpec], comparer: Comparer, log: IssueLog,
       skipBlock: ((_ previous: [UInt8]?, _ separator: [UInt8]) -> Bool)? = nil, lowerBound: [UInt8]? = nil) {
    self.skipBlock = skipBlock
    self.lowerBound = lowerBound
    self.index = index
    self.comparer = comparer
    self.log = log
    specs = tables
  }

  deinit {
    arena?.deallocate()
    prefixed?.deallocate()
  }

  /// Moves to the next entry; false when the source is exhausted.
  func advance() -> Bool {
    if let a = arena {
      guard memNext < memEntries.count else { return false }
      let e = memEntries[memNext]
      memNext += 1
      key = UnsafeRawBufferPointer(rebasing: a[e.key])
      value = UnsafeRawBufferPointer(rebasing: a[e.value])
      seq = e.seq
      kind = e.kind
      storage = .inline
      return true
    }
    while true {
      if let it = iterator {
        while let e = it.next() {
          // Only virtual or prefixed tables look at their metadata per entry (a copy of
          // the spec per entry cost ~5% of a scan in retains and releases).
          if let m = keyedMeta {
            if !accept(e, m) { continue }
          } else {
            key = e.userKey
          }
          seq = e.seq
          kind = e.kind
          value = e.value
          storage = e.storage
          return true
        }
        openTableIssues.forEach(log.add)
        iterator = nil
        spec = nil
        keyedMeta = nil
      }
      guard specNext < specs.count else { return false }
      let s = specs[specNext]
      specNext += 1
      if s.unreadable { continue }
      // A table whose whole key range the reader does not want is not opened (its bounds
      // from the MANIFEST, tested like a data block's from the index).
      if let skip = skipBlock, let m = s.meta, m.syntheticPrefix == nil, skip(m.smallest.userKey, m.largest.userKey) {
        tablesSkipped += 1
        continue
      }
      if let bound = lowerBound, let m = s.meta, m.syntheticPrefix == nil, comparer.compare(m.largest.userKey, bound) < 0 {
        tablesSkipped += 1
        continue
      }
      do {
        let t = try Table(path: s.path)
        if let seq = s.syntheticSeqNum { t.syntheticSeqNum = seq }
        t.warnings.forEach { log.add(StoreIssue(.warning, StoreError(.corrupt, $0, file: baseName(s.path)))) }
        iterator = t.makeIterator()
        // A prefixed table's index separators lack the prefix: no block is judged by them.
        iterator?.skipBlock = s.meta?.syntheticPrefix == nil ? skipBlock : nil
        // A prefixed table's file keys lack the prefix: it is read from its start.
        if let bound = lowerBound, s.meta?.syntheticPrefix == nil {
          let c = comparer
          bound.withUnsafeBytes { b in iterator?.seek(atOrAfter: b, compare: { c.compare($0, $1) }) }
        }
        spec = s
        keyedMeta = s.meta.flatMap { $0.isVirtual || $0.syntheticPrefix != nil ? $0 : nil }
        blobPaths = s.blobPaths
      } catch {
        log.add(StoreIssue(.damage, StoreError(error, file: baseName(s.path))))
      }
    }
  }

  /// Damage the open table's iterator met so far (logged when the table is done).
  var openTableIssues: [StoreIssue] {
    guard let it = iterator else { return [] }
    let file = spec.map { baseName($0.path) } ?? ""
    return it.damages.map { StoreIssue(.damage, StoreError(.corrupt, $0.description, file: file)) }
  }

  /// Applies a virtual table's synthetic prefix and key bounds; sets `key`.
  func accept(_ e: PointEntry, _ m: TableMeta) -> Bool {
    if let p = m.syntheticPrefix, !p.isEmpty {
      let need = p.count + e.userKey.count
      if prefixed == nil || prefixed!.count < need {
        prefixed?.deallocate()
        prefixed = .allocate(byteCount: max(need, 256), alignment: 8)
      }
      p.withUnsafeBytes { prefixed!.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: p.count) }
      if e.userKey.count > 0 { (prefixed!.baseAddress! + p.count).copyMemory(from: e.userKey.baseAddress!, byteCount: e.userKey.count) }
      key = UnsafeRawBufferPointer(start: prefixed!.baseAddress, count: need)
    } else {
      key = e.userKey
    }
    guard m.isVirtual else { return true }
    if m.smallest.userKey.withUnsafeBytes({ comparer.compare(key, $0) }) < 0 { return false }
    let c = m.largest.userKey.withUnsafeBytes { comparer.compare(key, $0) }
    return c < 0 || (c == 0 && !m.largest.isExclusiveSentinel)
  }
}

/// Every internal point entry of the store in comparer order: user key ascending, then
/// seqnum descending (newest first); ties go to the newer source. Streams: one data block
/// per open table, one open table per level.
public final class MergedIterator {
  public let comparer: Comparer
  public let log = IssueLog()
  var sources: [MergeSource] = []
  var heap: [MergeSource] = []
  var started = false
  var top: MergeSource?

  /// - Parameter memtables: sorted in-memory runs, newest first (the WAL memtable; tests
  ///   also feed table contents this way).
  /// - Parameter skipBlock: lets table iterators pass over data blocks the caller does not
  ///   want (`TableIterator.skipBlock`); in-memory runs are always read whole.
  /// - Parameter lowerBound: tables start at the first data block that may hold keys at
  ///   or after it (a seek); keys below it may still come (from that block, memtables).
  init(comparer: Comparer, memtables: [[Memtable.Entry]], groups: [[TableSpec]],
       skipBlock: ((_ previous: [UInt8]?, _ separator: [UInt8]) -> Bool)? = nil, lowerBound: [UInt8]? = nil) {
    self.comparer = comparer
    for m in memtables where !m.isEmpty {
      sources.append(MergeSource(index: sources.count, memtable: m, comparer: comparer, log: log))
    }
    for g in groups { sources.append(MergeSource(index: sources.count, tables: g, comparer: comparer, log: log, skipBlock: skipBlock, lowerBound: lowerBound)) }
  }

  /// Problems so far, with the damaged blocks of tables still open (a reader that stops
  /// early, at the end of its key span, must still report what it skipped).
  public var issues: [StoreIssue] { log.issues + sources.flatMap(\.openTableIssues) }

  /// Blob paths of the table the entry came from.
  public func blobPaths(ofSource i: Int) -> [UInt32: String] { sources[i].blobPaths }

  public func next() -> StoreEntry? {
    if !started {
      started = true
      for s in sources where s.advance() { heap.append(s) }
      for i in stride(from: heap.count / 2 - 1, through: 0, by: -1) { siftDown(i) }
    } else if let t = top {
      if t.advance() { siftDown(0) } else {
        heap.swapAt(0, heap.count - 1)
        heap.removeLast()
        if !heap.isEmpty { siftDown(0) }
      }
    }
    guard let s = heap.first else { top = nil; return nil }
    top = s
    return StoreEntry(userKey: s.key, seq: s.seq, kind: s.kind, value: s.value, storage: s.storage, source: s.index)
  }

  @inline(__always)
  func less(_ a: MergeSource, _ b: MergeSource) -> Bool {
    let c = comparer.compare(a.key, b.key)
    if c != 0 { return c < 0 }
    if a.seq != b.seq { return a.seq > b.seq }
    if a.kind != b.kind { return a.kind > b.kind }
    return a.index < b.index
  }

  func siftDown(_ start: Int) {
    var i = start
    let n = heap.count
    while true {
      let l = 2 * i + 1, r = l + 1
      var m = i
      if l < n && less(heap[l], heap[m]) { m = l }
      if r < n && less(heap[r], heap[m]) { m = r }
      if m == i { return }
      heap.swapAt(i, m)
      i = m
    }
  }
}

/// The store's default blob resolver: reads values with SSTable's blob file reader, keeping
/// each blob file open once across all the tables that reference it. Not thread-safe (it
/// and the blob files' block caches are one iterator's): `Store.makeBlobResolver` gives
/// every iterator its own.
public final class BlobFileResolver: StoreBlobResolver {
  var byPath: [String: SSTable.BlobResolver] = [:]

  public init() {}

  public func value(of ref: BlobReference, referencePaths: [UInt32: String]) throws -> [UInt8] {
    guard let path = referencePaths[ref.referenceID] else {
      throw StoreError(.corrupt, "no blob file is recorded for reference \(ref.referenceID)")
    }
    let resolver = byPath[path] ?? SSTable.BlobResolver(files: [0: path])
    byPath[path] = resolver
    var local = ref
    local.referenceID = 0
    switch resolver.value(local) {
    case .success(let v): return v
    case .failure(let e): throw StoreError(.corrupt, e.message, file: path)
    }
  }
}

/// A table file, or the part of one, that a table-set store reads (`Store(tableGroups:)`):
/// only keys in [lower, upper) (user keys as the store sees them; nil = unbounded), stored in
/// the file without `prefix` (Pebble's synthetic prefix; a backup's elided key prefix).
public struct TableSlice: Sendable {
  public var path: String
  public var lower: [UInt8]?
  public var upper: [UInt8]?
  public var prefix: [UInt8]

  public init(path: String, lower: [UInt8]? = nil, upper: [UInt8]? = nil, prefix: [UInt8] = []) {
    self.path = path; self.lower = lower; self.upper = upper; self.prefix = prefix
  }

  /// The metadata a MANIFEST would give such a table: a virtual table over the file when it
  /// is bounded, a synthetic prefix when it has one; nil for a whole unprefixed file.
  func meta(number: UInt64) -> TableMeta? {
    guard lower != nil || upper != nil || !prefix.isEmpty else { return nil }
    let bounded = lower != nil || upper != nil
    // The upper bound is exclusive: Pebble's exclusive sentinel (max seqnum, range deletion).
    let smallest = KeyBound(userKey: lower ?? prefix, seq: InternalKey.maxSeqNum - 1, kind: 1)
    // No upper bound: past every key with the prefix, or past every CockroachDB key.
    let largest = KeyBound(userKey: upper ?? Bytes.prefixEnd(prefix) ?? [0xFF, 0xFF, 0xFF, 0xFF],
                           seq: InternalKey.maxSeqNum, kind: 15)
    return TableMeta(level: 6, fileNum: number, size: 0, smallest: smallest, largest: largest, pointBounds: nil,
                     rangeKeyBounds: nil, smallestSeq: 0, largestSeq: 0, hasPointKeys: true, hasRangeKeys: true,
                     creationTime: nil, backingFileNum: bounded ? number : nil,
                     syntheticPrefix: prefix.isEmpty ? nil : prefix, syntheticSuffix: nil)
  }
}
