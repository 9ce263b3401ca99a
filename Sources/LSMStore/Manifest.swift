import SSTable

/// The live LSM after replaying a MANIFEST: tables per level, blob files, log and seqnum
/// watermarks (spec §7.2).
public struct LSMVersion: Sendable {
  public var comparer: String?
  public var minUnflushedLogNum: UInt64 = 0
  public var nextFileNum: UInt64 = 0
  public var lastSeqNum: UInt64 = 0
  public var minLogNumberToKeep: UInt64?
  /// level → file number → table.
  public var levels: [Int: [UInt64: TableMeta]] = [:]
  /// Blob file ID → physical blob file.
  public var blobFiles: [UInt64: BlobFileMeta] = [:]
  /// Backing files of virtual tables: disk file number → size.
  public var backings: [UInt64: UInt64] = [:]

  public init() {}

  /// Every live table, by level then file number.
  public var tables: [TableMeta] {
    levels.keys.sorted().flatMap { l in levels[l]!.values.sorted { $0.fileNum < $1.fileNum } }
  }

  /// Applies one edit: deletions first, then additions (a move is both in one edit).
  public mutating func apply(_ e: VersionEdit) {
    if let c = e.comparer { comparer = c }
    if let n = e.minUnflushedLogNum, n != 0 || minUnflushedLogNum == 0 { minUnflushedLogNum = n }
    if let n = e.nextFileNum { nextFileNum = n }
    if let n = e.lastSeqNum { lastSeqNum = n }
    if let n = e.minLogNumberToKeep { minLogNumberToKeep = n }
    for d in e.deletedTables {
      levels[d.level]?[d.fileNum] = nil
      if levels[d.level]?.isEmpty == true { levels[d.level] = nil }
    }
    for n in e.removedBackings { backings[n] = nil }
    for b in e.createdBackings { backings[b.fileNum] = b.size }
    for t in e.newTables { levels[t.level, default: [:]][t.fileNum] = t }
    for d in e.deletedBlobFiles where blobFiles[d.fileID]?.fileNum == d.fileNum { blobFiles[d.fileID] = nil }
    for f in e.newBlobFiles { blobFiles[f.fileID] = f }
  }

  /// Physical blob file number for each reference index of a table (spec §5.2): the map
  /// a blob resolver needs. References whose blob file ID is unknown are left out.
  public func blobFileNumbers(for t: TableMeta) -> [UInt32: UInt64] {
    var out: [UInt32: UInt64] = [:]
    for (i, r) in t.blobReferences.enumerated() {
      if let f = blobFiles[r.fileID] { out[UInt32(i)] = f.fileNum }
    }
    return out
  }
}

/// A MANIFEST file decoded: every readable edit and the version they build. Damaged
/// records are skipped and listed in `issues`; later edits are still applied.
public final class Manifest {
  public let path: String
  public private(set) var edits: [VersionEdit] = []
  public private(set) var version = LSMVersion()
  public private(set) var issues: [StoreIssue] = []
  /// RocksDB once any edit needed RocksDB's reading, else Pebble (nil: nothing decoded).
  public private(set) var dialect: ManifestDialect?
  /// Bytes of the file that could not be read (skipped chunks, torn tail).
  public private(set) var unreadableBytes = 0

  /// Reads `path`. `dialect` nil: each edit is tried as Pebble, then as RocksDB.
  public init(path: String, dialect: ManifestDialect? = nil) throws(StoreError) {
    self.path = path
    let reader = try LogReader(path: path, logNumber: nil)
    read(reader, dialect: dialect)
  }

  public init(bytes: [UInt8], name: String, dialect: ManifestDialect? = nil) {
    path = name
    read(LogReader(bytes: bytes, name: name, logNumber: nil), dialect: dialect)
  }

  func read(_ reader: LogReader, dialect hint: ManifestDialect?) {
    var index = 0
    var chosen = hint
    while let r = reader.next() {
      defer { index += 1 }
      switch VersionEdit.decode(r.payload, dialect: chosen) {
      case .success(var e):
        e.index = index
        e.recordOffset = r.offset
        if e.dialect == .rocksdb || dialect == nil { dialect = e.dialect }
        // A RocksDB-only construct settles the dialect for the rest of the file.
        if chosen == nil && e.dialect == .rocksdb { chosen = .rocksdb }
        if e.columnFamily != 0 {
          issues.append(StoreIssue(.warning, StoreError(.unsupported, "edit for RocksDB column family \(e.columnFamily) ignored (only the default family is read)", file: baseName(path), offset: r.offset)))
        } else {
          version.apply(e)
        }
        edits.append(e)
      case .failure(var err):
        err.file = baseName(path)
        err.offset = r.offset
        err.message = "version edit #\(index) skipped: " + err.message
        issues.append(StoreIssue(.damage, err))
      }
    }
    issues.append(contentsOf: reader.issues)
    unreadableBytes = reader.unreadableBytes
  }
}
