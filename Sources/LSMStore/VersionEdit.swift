import SSTable

// A version edit = one MANIFEST record: a run of `uvarint tag` + fields (spec §7.2).
//
//   tag  1 comparator      varstring              tag  6 deleted table  uvarint level, uvarint file
//   tag  2 log number      uvarint                tag  7 new file       level, file, size, ikey, ikey
//   tag  3 next file num   uvarint                tag  9 prev log num   uvarint
//   tag  4 last sequence   uvarint                tag 10 Pebble: excise bounds (varstring, varstring,
//   tag  5 compact pointer uvarint, varstring             uvarint boundary kind, uvarint seqnum)
//   tag 11 marked for compaction (Pebble)                 RocksDB: min log number to keep (uvarint)
//   tag 100 new file 2 = 7 + uvarint smallest seq, uvarint largest seq
//   tag 102 new file 3 = level, file, uvarint path id, size, ikeys, seqs
//   tag 103 new file 4 = 100 + custom fields     tag 104 (Pebble) new file 5: range-key bounds
//   tag 105/106 (Pebble) backing table created / removed
//   tag 107 (Pebble) new blob file: id, disk file, size, value size, creation time
//   tag 108 (Pebble) deleted blob file: id, disk file
//   RocksDB only: 200-203 column families, 300 atomic group, 400/401 blob files,
//   >= 8192 forward-compatible records (uvarint tag ‖ varstring).
//
// Custom fields (103/104): `uvarint tag`, 1 terminates. Pebble: tags < 64 and RocksDB: every
// tag are followed by a varstring; Pebble 66 (virtual) by a uvarint, 69/70 by a blob
// reference list.

/// Which engine wrote a MANIFEST; the dialects disagree on tag 10 and on custom fields.
public enum ManifestDialect: String, Sendable {
  case pebble, rocksdb
}

/// A table bound as stored: user key and trailer.
public struct KeyBound: Equatable, Sendable {
  public var userKey: [UInt8]
  public var seq: UInt64
  public var kind: UInt8
  /// Decodes an encoded internal key; one shorter than its trailer is kept with kind 255.
  public init(encoded b: UnsafeRawBufferPointer) {
    if let (u, s, k) = InternalKey.split(b) { userKey = Array(u); seq = s; kind = k } else {
      userKey = Array(b); seq = 0; kind = 255
    }
  }
  public init(userKey: [UInt8], seq: UInt64, kind: UInt8) { self.userKey = userKey; self.seq = seq; self.kind = kind }
  /// The exclusive sentinel Pebble uses when a range deletion's end is a table's largest key.
  public var isExclusiveSentinel: Bool { seq == InternalKey.maxSeqNum }
}

/// One entry of a table's blob reference list: reference index i of a blob handle in the
/// table names `blobReferences[i].fileID` (spec §5.2).
public struct BlobFileReference: Equatable, Sendable {
  public var fileID: UInt64
  public var valueSize: UInt64
  public var backingValueSize: UInt64?
}

/// A table as the MANIFEST describes it.
public struct TableMeta: Sendable {
  public var level: Int
  public var fileNum: UInt64
  public var size: UInt64
  /// Overall bounds (point or range-key bounds, whichever is outermost).
  public var smallest: KeyBound
  public var largest: KeyBound
  public var pointBounds: (smallest: KeyBound, largest: KeyBound)?
  public var rangeKeyBounds: (smallest: KeyBound, largest: KeyBound)?
  public var smallestSeq: UInt64
  public var largestSeq: UInt64
  public var hasPointKeys: Bool
  public var hasRangeKeys: Bool
  public var creationTime: UInt64?
  /// Virtual table: reads `backingFileNum`'s file, restricted to [smallest, largest].
  public var backingFileNum: UInt64?
  public var syntheticPrefix: [UInt8]?
  public var syntheticSuffix: [UInt8]?
  public var blobReferences: [BlobFileReference] = []
  public var blobReferenceDepth: UInt64?
  /// RocksDB path id (tags 102, custom 65): the table lives in another db_path.
  public var pathID: UInt64?

  public var isVirtual: Bool { backingFileNum != nil }
  /// Number of the file on disk holding the table's data.
  public var diskFileNum: UInt64 { backingFileNum ?? fileNum }
  /// Ingested tables store seqnum 0 everywhere; the MANIFEST gives them one (spec §4.4).
  public var syntheticSeqNum: UInt64? { smallestSeq == largestSeq && smallestSeq != 0 ? smallestSeq : nil }
}

public struct BlobFileMeta: Equatable, Sendable {
  public var fileID: UInt64
  public var fileNum: UInt64
  public var size: UInt64
  public var valueSize: UInt64
  public var creationTime: UInt64
}

public struct ExciseBounds: Equatable, Sendable {
  public var start: [UInt8]
  public var end: [UInt8]
  public var endInclusive: Bool
  public var seq: UInt64
}

public struct VersionEdit: Sendable {
  /// Ordinal of the record among those read, and its file offset.
  public var index = 0
  public var recordOffset = 0
  public var dialect: ManifestDialect = .pebble
  public var comparer: String?
  public var minUnflushedLogNum: UInt64?
  public var prevLogNum: UInt64?
  public var nextFileNum: UInt64?
  public var lastSeqNum: UInt64?
  public var deletedTables: [(level: Int, fileNum: UInt64)] = []
  public var newTables: [TableMeta] = []
  public var createdBackings: [(fileNum: UInt64, size: UInt64)] = []
  public var removedBackings: [UInt64] = []
  public var newBlobFiles: [BlobFileMeta] = []
  public var deletedBlobFiles: [(fileID: UInt64, fileNum: UInt64)] = []
  public var excises: [ExciseBounds] = []
  public var markedForCompaction: [(level: Int, fileNum: UInt64)] = []
  /// RocksDB tag 10.
  public var minLogNumberToKeep: UInt64?
  /// RocksDB: the column family the edit applies to (0 = default, the only one CockroachDB used).
  public var columnFamily: UInt64 = 0
  /// RocksDB records Salvage skips by design (column family add/drop, atomic groups, …).
  public var skippedTags: [UInt64] = []

  public init() {}

  /// Decodes one edit in `dialect`; nil dialect tries Pebble, then RocksDB.
  public static func decode(_ payload: [UInt8], dialect: ManifestDialect?) -> Result<VersionEdit, StoreError> {
    if let dialect { return decode(payload, as: dialect) }
    let pebble = decode(payload, as: .pebble)
    if case .success = pebble { return pebble }
    let rocks = decode(payload, as: .rocksdb)
    if case .success = rocks { return rocks }
    return pebble
  }

  static func decode(_ payload: [UInt8], as dialect: ManifestDialect) -> Result<VersionEdit, StoreError> {
    payload.withUnsafeBytes { b in
      var d = EditDecoder(b: b, dialect: dialect)
      do throws(StoreError) {
        var e = try d.decode()
        e.dialect = dialect
        return .success(e)
      } catch {
        return .failure(error)
      }
    }
  }
}

/// Cursor over one edit's bytes; every read is bounds-checked and names the payload offset.
struct EditDecoder {
  let b: UnsafeRawBufferPointer
  let dialect: ManifestDialect
  var p = 0

  func fail(_ m: String) -> StoreError { StoreError(.corrupt, "\(dialect) version edit, byte \(p): \(m)") }

  mutating func uvarint(_ what: String) throws(StoreError) -> UInt64 {
    guard let v = Bytes.uvarint(b, &p) else { throw fail("bad uvarint (\(what))") }
    return v
  }

  mutating func bytes(_ what: String) throws(StoreError) -> UnsafeRawBufferPointer {
    guard let n = Bytes.length(b, &p, limit: b.count - p), let s = Bytes.slice(b, p, n) else {
      throw fail("length of \(what) runs past the record")
    }
    p += n
    return s
  }

  mutating func level() throws(StoreError) -> Int {
    let l = try uvarint("level")
    guard l < 128 else { throw fail("level \(l) out of range") }
    return Int(l)
  }

  mutating func decode() throws(StoreError) -> VersionEdit {
    var e = VersionEdit()
    while p < b.count {
      let tag = try uvarint("tag")
      switch tag {
      case 1: e.comparer = String(decoding: try bytes("comparer"), as: UTF8.self)
      case 2: e.minUnflushedLogNum = try uvarint("log number")
      case 3: e.nextFileNum = try uvarint("next file number")
      case 4: e.lastSeqNum = try uvarint("last sequence")
      case 5: _ = try level(); _ = try bytes("compact pointer")
      case 6:
        let l = try level()
        e.deletedTables.append((l, try uvarint("deleted file")))
      case 7, 100, 102, 103, 104: e.newTables.append(try newFile(tag))
      case 9: e.prevLogNum = try uvarint("prev log number")
      case 10 where dialect == .rocksdb: e.minLogNumberToKeep = try uvarint("min log number to keep")
      case 10:
        let s = Array(try bytes("excise start")), end = Array(try bytes("excise end"))
        let kind = try uvarint("excise boundary kind")
        e.excises.append(ExciseBounds(start: s, end: end, endInclusive: kind == 1, seq: try uvarint("excise seqnum")))
      case 11 where dialect == .pebble:
        let l = try level()
        e.markedForCompaction.append((l, try uvarint("marked table")))
      case 105 where dialect == .pebble:
        let n = try uvarint("backing file")
        e.createdBackings.append((n, try uvarint("backing size")))
      case 106 where dialect == .pebble: e.removedBackings.append(try uvarint("removed backing"))
      case 107 where dialect == .pebble:
        let id = try uvarint("blob file id"), num = try uvarint("blob disk file"), size = try uvarint("blob size")
        let vs = try uvarint("blob value size")
        e.newBlobFiles.append(BlobFileMeta(fileID: id, fileNum: num, size: size, valueSize: vs, creationTime: try uvarint("blob creation time")))
      case 108 where dialect == .pebble:
        let id = try uvarint("blob file id")
        e.deletedBlobFiles.append((id, try uvarint("blob disk file")))
      case 200 where dialect == .rocksdb: e.columnFamily = try uvarint("column family")
      case 201 where dialect == .rocksdb: _ = try bytes("column family name"); e.skippedTags.append(tag)
      case 202 where dialect == .rocksdb: e.skippedTags.append(tag)
      case 203 where dialect == .rocksdb: _ = try uvarint("max column family"); e.skippedTags.append(tag)
      case 300 where dialect == .rocksdb: _ = try uvarint("atomic group remaining"); e.skippedTags.append(tag)
      case 400 where dialect == .rocksdb:
        // Blob file addition: number, count, bytes, checksum method, checksum value, custom fields.
        for w in ["blob file number", "blob count", "blob bytes"] { _ = try uvarint(w) }
        _ = try bytes("blob checksum method"); _ = try bytes("blob checksum value")
        try rocksBlobCustomFields()
        e.skippedTags.append(tag)
      case 401 where dialect == .rocksdb:
        for w in ["blob file number", "garbage count", "garbage bytes"] { _ = try uvarint(w) }
        try rocksBlobCustomFields()
        e.skippedTags.append(tag)
      case let t where dialect == .rocksdb && t & 8192 != 0:
        _ = try bytes("forward-compatible record \(t)")
        e.skippedTags.append(tag)
      case 200...203: throw fail("column-family tag \(tag) (a RocksDB MANIFEST?)")
      default: throw fail("unknown tag \(tag)")
      }
    }
    return e
  }

  mutating func rocksBlobCustomFields() throws(StoreError) {
    while true {
      let t = try uvarint("blob custom tag")
      if t == 0 { return }
      _ = try bytes("blob custom field \(t)")
    }
  }

  mutating func newFile(_ tag: UInt64) throws(StoreError) -> TableMeta {
    let level = try level()
    let num = try uvarint("file number")
    var pathID: UInt64?
    if tag == 102 { pathID = try uvarint("path id") }
    let size = try uvarint("file size")
    var point: (KeyBound, KeyBound)?
    var range: (KeyBound, KeyBound)?
    var marker: UInt8 = 0b111
    if tag == 104 {
      guard p < b.count else { throw fail("missing bounds marker") }
      marker = b[p]
      p += 1
      if marker & 1 != 0 { point = (KeyBound(encoded: try bytes("smallest point key")), KeyBound(encoded: try bytes("largest point key"))) }
      else if marker & 0b110 != 0 { throw fail("table without point keys has point-key bounds (marker \(marker))") }
      range = (KeyBound(encoded: try bytes("smallest range key")), KeyBound(encoded: try bytes("largest range key")))
    } else {
      point = (KeyBound(encoded: try bytes("smallest key")), KeyBound(encoded: try bytes("largest key")))
    }
    var smallestSeq: UInt64 = 0, largestSeq: UInt64 = 0
    if tag != 7 {
      smallestSeq = try uvarint("smallest seqnum")
      largestSeq = try uvarint("largest seqnum")
    }
    let smallest = (marker & 2 != 0 ? point?.0 : nil) ?? range?.0 ?? point!.0
    let largest = (marker & 4 != 0 ? point?.1 : nil) ?? range?.1 ?? point!.1
    var m = TableMeta(level: level, fileNum: num, size: size, smallest: smallest, largest: largest,
                      pointBounds: point, rangeKeyBounds: range, smallestSeq: smallestSeq, largestSeq: largestSeq,
                      hasPointKeys: point != nil, hasRangeKeys: range != nil, pathID: pathID)
    if tag == 103 || tag == 104 { try customFields(&m) }
    return m
  }

  mutating func customFields(_ m: inout TableMeta) throws(StoreError) {
    while true {
      let t = try uvarint("custom tag")
      if t == 1 { return }
      if dialect == .rocksdb {
        let v = try bytes("custom field \(t)")
        if t == 6 { var q = 0; m.creationTime = Bytes.uvarint(v, &q) }
        if t == 65 { var q = 0; m.pathID = Bytes.uvarint(v, &q) }
        continue
      }
      switch t {
      case 6:
        let v = try bytes("creation time")
        var q = 0
        guard let c = Bytes.uvarint(v, &q), q == v.count else { throw fail("invalid creation time") }
        m.creationTime = c
      case 65: throw fail("path-id custom field is not used by Pebble")
      case 66: m.backingFileNum = try uvarint("virtual backing file")
      case 67: m.syntheticPrefix = Array(try bytes("synthetic prefix"))
      case 68: m.syntheticSuffix = Array(try bytes("synthetic suffix"))
      case 69, 70:
        m.blobReferenceDepth = try uvarint("blob reference depth")
        let n = try uvarint("blob reference count")
        // Each reference takes at least 2 bytes: refuse counts the record cannot hold.
        guard n <= UInt64(b.count - p) / 2 else { throw fail("blob reference count \(n) exceeds the record") }
        var refs: [BlobFileReference] = []
        for _ in 0..<n {
          let id = try uvarint("blob file id"), vs = try uvarint("blob value size")
          refs.append(BlobFileReference(fileID: id, valueSize: vs, backingValueSize: t == 70 ? try uvarint("backing value size") : nil))
        }
        m.blobReferences = refs
      case 71: _ = try bytes("suffix mask")
      default:
        if t & 64 != 0 { throw fail("custom field \(t) is not safe to ignore and unknown") }
        _ = try bytes("custom field \(t)")
      }
    }
  }
}
