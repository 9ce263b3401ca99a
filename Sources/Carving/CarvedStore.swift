#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import LSMStore
import SSTable

/// Whether a carved file belongs to the store's live state (docs/carving.md §4).
public enum CarvedStatus: String, Sendable, Codable {
  /// Named by the chosen MANIFEST's live state (tables, blob files), or a WAL it has not flushed.
  case live
  /// Matches no live record: compacted away or deleted, but not yet overwritten. May hold
  /// versions the live state deleted: never placed in the carved store.
  case obsolete
  /// The chosen MANIFEST itself and OPTIONS.
  case metadata
}

/// One carved file and where it went.
public struct PlacedFile: Sendable, Codable {
  public var file: CarvedFile
  public var status: CarvedStatus
  /// Name in the output directory (`000012.sst`, `obsolete/table-at-4096.sst`), or nil when not written.
  public var name: String?
}

/// A carved image made into a store directory: the newest carved MANIFEST decides which
/// tables, blob files and WALs are live.
public struct CarvedStore: Sendable, Codable {
  public var image: String
  public var imageBytes: Int
  public var seconds: Double
  /// Offset of the MANIFEST used, nil when none was found (nothing is live then).
  public var manifestOffset: Int?
  public var liveTablesNamed: Int = 0
  /// Live tables the MANIFEST names that were not found (overwritten, or split across extents).
  public var liveTablesMissing: [UInt64] = []
  public var files: [PlacedFile] = []
  public var unconfirmedFooters: [String] = []
  /// `--loose-blocks`: runs outside every carved file holding data blocks (LooseBlocks.swift).
  public var looseRegions: [LooseRegion] = []
  /// The chosen MANIFEST's comparer name (for the obsolete tables' directory).
  public var comparer: String?

  public var liveTables: Int { files.filter { $0.file.kind == .table && $0.status == .live }.count }
  public var obsoleteTables: Int { files.filter { $0.file.kind == .table && $0.status == .obsolete }.count }
  public var liveWALs: Int { files.filter { $0.file.kind == .wal && $0.status == .live }.count }
  public var obsoleteWALs: Int { files.filter { $0.file.kind == .wal && $0.status == .obsolete }.count }

  /// Decides what is live. Tables match a live record by size, smallest point key and a
  /// seqnum inside the record's bounds; each record takes one carved table.
  public static func plan(_ scan: CarveScan, image: DiskImage) throws(CarveError) -> CarvedStore {
    var store = CarvedStore(image: scan.image, imageBytes: scan.imageBytes, seconds: scan.seconds)
    store.unconfirmedFooters = scan.unconfirmedFooters.map { "@\($0.end): \($0.why)" }
    // The newest MANIFEST: highest last seqnum, then next file number.
    var best: (file: CarvedFile, version: LSMVersion, dialect: ManifestDialect?)?
    for f in scan.files where f.kind == .manifest {
      let m = Manifest(bytes: try image.bytes(at: f.offset, count: f.length), name: "MANIFEST@\(f.offset)")
      let v = m.version
      if best == nil || (v.lastSeqNum, v.nextFileNum) > (best!.version.lastSeqNum, best!.version.nextFileNum) {
        best = (f, v, m.dialect)
      }
    }
    store.manifestOffset = best?.file.offset
    store.comparer = best?.version.comparer
    var wanted: [UInt64: TableMeta] = [:]   // disk file number → live record
    if let v = best?.version {
      for t in v.tables where wanted[t.diskFileNum] == nil {
        var t = t
        if let s = v.backings[t.diskFileNum] { t.size = s }
        wanted[t.diskFileNum] = t
      }
    }
    store.liveTablesNamed = wanted.count
    let liveBlobs = Set((best?.version.blobFiles.values).map { $0.map(\.fileNum) } ?? [])
    var walNumber = best?.version.minUnflushedLogNum ?? 0
    var legacyWALs: [CarvedFile] = []
    // Tables whose every checksum held where they lie choose first, then reassembled ones: a
    // damaged copy (even one whose bad blocks were found elsewhere) never displaces an intact one.
    func rank(_ f: CarvedFile) -> Int { !f.confirmed ? 2 : f.pieces == nil ? 0 : 1 }
    for f in scan.files.filter({ $0.kind == .table }).sorted(by: { (rank($0), $0.offset) < (rank($1), $1.offset) }) {
      let match = wanted.values.filter { matches(f, $0) }.min { $0.diskFileNum < $1.diskFileNum }
      if let t = match {
        wanted[t.diskFileNum] = nil
        store.files.append(PlacedFile(file: f, status: .live, name: pad6(t.diskFileNum) + ".sst"))
      } else {
        store.files.append(PlacedFile(file: f, status: .obsolete, name: "obsolete/table-at-\(f.offset).sst"))
      }
    }
    for f in scan.files {
      switch f.kind {
      case .table:
        continue
      case .blob:
        if let n = f.embeddedNumber, liveBlobs.contains(n), f.confirmed,
           !store.files.contains(where: { $0.name == pad6(n) + ".blob" }) {
          store.files.append(PlacedFile(file: f, status: .live, name: pad6(n) + ".blob"))
        } else {
          store.files.append(PlacedFile(file: f, status: .obsolete, name: "obsolete/blob-at-\(f.offset).blob"))
        }
      case .wal:
        if let n = f.embeddedNumber {
          let live = best != nil && n >= walNumber && !store.files.contains(where: { $0.name == pad6(n) + ".log" })
          store.files.append(PlacedFile(file: f, status: live ? .live : .obsolete,
                                        name: live ? pad6(n) + ".log" : "obsolete/wal-at-\(f.offset).log"))
        } else {
          legacyWALs.append(f)
        }
      case .manifest:
        let chosen = f.offset == best?.file.offset
        store.files.append(PlacedFile(file: f, status: chosen ? .metadata : .obsolete,
                                      name: chosen ? "MANIFEST-000001" : "obsolete/MANIFEST-at-\(f.offset)"))
      case .options:
        let first = !store.files.contains { $0.file.kind == .options && $0.status == .metadata }
        store.files.append(PlacedFile(file: f, status: first ? .metadata : .obsolete,
                                      name: first ? "OPTIONS-000002" : "obsolete/OPTIONS-at-\(f.offset)"))
      }
    }
    // Legacy (RocksDB) WALs carry no number: those holding batches past the MANIFEST's last
    // seqnum are unflushed, numbered from its log number in seqnum order.
    let lastSeq = best?.version.lastSeqNum ?? UInt64.max
    for f in legacyWALs.sorted(by: { ($0.firstSeq ?? 0) < ($1.firstSeq ?? 0) }) {
      if best != nil, let l = f.lastSeq, l > lastSeq {
        store.files.append(PlacedFile(file: f, status: .live, name: pad6(walNumber) + ".log"))
        walNumber += 1
      } else {
        store.files.append(PlacedFile(file: f, status: .obsolete, name: "obsolete/wal-at-\(f.offset).log"))
      }
    }
    store.liveTablesMissing = wanted.keys.sorted()
    store.files.sort { $0.file.offset < $1.file.offset }
    return store
  }

  /// Whether carved table `f` is the file of live record `t`: the record's exact size, its
  /// smallest point key first, and that key's seqnum inside the record's bounds (unless the
  /// record's seqnums are synthetic or virtual). A table with damaged blocks can match (the
  /// store then reports those blocks and reads their spans from other replicas).
  static func matches(_ f: CarvedFile, _ t: TableMeta) -> Bool {
    guard f.kind == .table, UInt64(f.length) == t.size else { return false }
    let smallestPoint = t.pointBounds?.smallest ?? t.smallest
    let keyOK = !t.hasPointKeys || f.smallestKeyHex == smallestPoint.userKey.hex || smallestPoint.kind == Kind.rangeDel
    let seqOK = f.smallestSeq.map { t.virtualOrSynthetic || (t.smallestSeq...t.largestSeq).contains($0) } ?? true
    return keyOK && seqOK
  }

  /// Writes the files to `dir` (created): live ones under their store names with the chosen
  /// MANIFEST, `CURRENT` and a Pebble manifest marker, so `dir` opens as a store;
  /// obsolete ones under `obsolete/` unless `includeObsolete` is false; `carve.json`.
  /// Returns the bytes written.
  @discardableResult
  public func write(to dir: String, image: DiskImage, includeObsolete: Bool = true) throws(CarveError) -> Int {
    var written = 0
    try makeDirectory(dir)
    if includeObsolete { try makeDirectory(dir + "/obsolete") }
    for p in files {
      guard let name = p.name, includeObsolete || p.status != .obsolete else { continue }
      try copy(image, p.file.offset, p.file.length, to: dir + "/" + name)
      try patch(image, p.file.pieces ?? [], into: dir + "/" + name)
      written += p.file.length
    }
    for r in looseRegions where includeObsolete {
      guard let name = r.name else { continue }
      try copy(image, r.offset, r.length, to: dir + "/" + name)
      written += r.length
    }
    if manifestOffset != nil {
      try writeText("MANIFEST-000001\n", to: dir + "/CURRENT")
      try writeText("", to: dir + "/marker.manifest.000001.MANIFEST-000001")
    }
    let enc = JSONEncoder()
    enc.outputFormatting = [.prettyPrinted, .sortedKeys]
    guard let json = try? enc.encode(self) else { throw CarveError("cannot encode carve.json") }
    try writeBytes(Array(json), to: dir + "/carve.json")
    return written
  }

  func copy(_ image: DiskImage, _ offset: Int, _ length: Int, to path: String) throws(CarveError) {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw CarveError("cannot create \(path): \(String(cString: strerror(errno)))") }
    defer { close(fd) }
    let piece = 8 << 20
    let buf = UnsafeMutableRawBufferPointer.allocate(byteCount: piece, alignment: 4096)
    defer { buf.deallocate() }
    var done = 0
    while done < length {
      let n = try image.read(at: offset + done, count: min(piece, length - done), into: buf.baseAddress!)
      guard n > 0 else { throw CarveError("image ends before \(offset + length)", image: image.path) }
      var w = 0
      while w < n {
        let k = pwrite(fd, buf.baseAddress! + w, n - w, off_t(done + w))
        guard k > 0 else { throw CarveError("cannot write \(path): \(String(cString: strerror(errno)))") }
        w += k
      }
      done += n
    }
  }

  /// Writes the pieces of a table split across extents over the bytes `copy` wrote.
  func patch(_ image: DiskImage, _ pieces: [TablePiece], into path: String) throws(CarveError) {
    guard !pieces.isEmpty else { return }
    let fd = open(path, O_WRONLY | O_CLOEXEC)
    guard fd >= 0 else { throw CarveError("cannot open \(path): \(String(cString: strerror(errno)))") }
    defer { close(fd) }
    for piece in pieces {
      let b = try image.bytes(at: piece.imageOffset, count: piece.length)
      guard b.count == piece.length else { throw CarveError("image ends before \(piece.imageOffset + piece.length)", image: image.path) }
      let k = b.withUnsafeBytes { pwrite(fd, $0.baseAddress!, $0.count, off_t(piece.tableOffset)) }
      guard k == piece.length else { throw CarveError("cannot write \(path): \(String(cString: strerror(errno)))") }
    }
  }

  func writeText(_ s: String, to path: String) throws(CarveError) { try writeBytes(Array(s.utf8), to: path) }

  func writeBytes(_ b: [UInt8], to path: String) throws(CarveError) {
    guard FileManager.default.createFile(atPath: path, contents: Data(b)) else { throw CarveError("cannot write \(path)") }
  }

  func makeDirectory(_ dir: String) throws(CarveError) {
    do { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) } catch {
      throw CarveError("cannot create \(dir): \(error)")
    }
  }
}

extension TableMeta {
  /// Virtual tables and ingested tables with a synthetic seqnum: stored seqnums say nothing.
  var virtualOrSynthetic: Bool { isVirtual || syntheticSeqNum != nil }
}

func pad6(_ n: UInt64) -> String {
  let s = String(n)
  return s.count >= 6 ? s : String(repeating: "0", count: 6 - s.count) + s
}
