import CockroachKV
import CockroachSQL
import Foundation
import SSTable

/// Reads a CockroachDB BACKUP directory directly: the manifest names the data files and their
/// spans, the data files are SSTs of MVCC keys (`roach key ‖ 00 ‖ timestamp ‖ len`, value = the
/// roachpb.Value). No restore, no cluster.
///
/// BackupManifest fields read (pkg/ccl/backupccl/backup.proto):
///   2 end_time {1 wall_time, 2 logical}   versions newer than this are ignored
///   4 files: File {1 span {1 key, 2 end_key}, 2 path}   only keys inside the span are used
///   5 descriptors: sqlbase.Descriptor     table and database descriptors (the schema); when
///                                         absent, system.descriptor rows in the data files
///  13 mvcc_filter                         1 = revision history: several versions per key;
///                                         the newest ≤ end_time is taken either way
/// Ignored: start_time (incremental chains are not merged: point SOURCE at a full backup),
/// spans, introduced_spans, descriptor_changes, entry_counts, sha512, locality files,
/// statistics, cluster/node ids, build info. The file is `BACKUP_MANIFEST` (20.1+) or `BACKUP`
/// (19.x); a gzip-compressed or checksummed-SST manifest (22.x+) is refused with a message.
public struct BackupManifest: Sendable {
  public struct File: Sendable { public var start: [UInt8]; public var end: [UInt8]; public var path: String }
  public var endTime = MVCCTimestamp.max
  public var revisionHistory = false
  public var files: [File] = []
  public var catalog = SchemaCatalog()
  public var path: String

  public static func find(in dir: String) -> String? {
    for n in ["BACKUP_MANIFEST", "BACKUP"] where FileManager.default.fileExists(atPath: dir + "/" + n) { return dir + "/" + n }
    return nil
  }

  public init(path: String) throws {
    self.path = path
    guard let data = FileManager.default.contents(atPath: path) else { throw RecoveryError("cannot read \(path)") }
    let bytes = [UInt8](data)
    if bytes.starts(with: [0x1F, 0x8B]) { throw RecoveryError("\(path): gzip-compressed manifest (CockroachDB 20.2+) is not supported yet; gunzip it beside the original") }
    do {
      var r = ProtoReader(bytes, what: "BackupManifest")
      while let f = try r.next() {
        switch (f.number, f.value) {
        case (2, .bytes(let b)): endTime = try Self.timestamp(b)
        case (13, .varint(let v)): revisionHistory = v == 1
        case (4, .bytes(let b)): files.append(try Self.file(b))
        case (5, .bytes(let b)): catalog.add(Descriptor.decode(b))
        default: break
        }
      }
    } catch { throw RecoveryError("\(path): unreadable BackupManifest: \(error)") }
    if endTime.isZero { endTime = .max }
    if catalog.tables.isEmpty { try readDescriptorsFromData(directory: (path as NSString).deletingLastPathComponent) }
  }

  /// Without descriptors in the manifest, takes them from the system.descriptor rows a
  /// cluster backup's data files hold (`/Table/3/1/<id>/2/1` → BYTES Descriptor).
  mutating func readDescriptorsFromData(directory: String) throws {
    var problems: [String] = []
    let prefix = BackupTableReader.uvarintAsc(SchemaCatalog.descriptorTableID) + BackupTableReader.uvarintAsc(1)
    var found = catalog
    for f in files {
      try BackupTableReader.scanLatest(f, directory: directory, prefix: prefix, endTime: endTime, table: "system.descriptor",
                                       problems: &problems) { key, value in
        guard let id = try? SchemaCatalog.descriptorID(key: key), let v = try? SQLValue(roachValue: value) else { return }
        found.add(Descriptor.decode(Array(v.data)), id: id)
      }
    }
    catalog = found
  }

  static func timestamp(_ b: ArraySlice<UInt8>) throws -> MVCCTimestamp {
    var t = MVCCTimestamp.zero
    var r = ProtoReader(b, what: "end_time")
    while let f = try r.next() {
      if case .varint(let v) = f.value {
        if f.number == 1 { t.wallTime = Int64(bitPattern: v) }
        if f.number == 2 { t.logical = Int32(truncatingIfNeeded: v) }
      }
    }
    return t
  }

  static func file(_ b: ArraySlice<UInt8>) throws -> File {
    var out = File(start: [], end: [], path: "")
    var r = ProtoReader(b, what: "BackupManifest.File")
    while let f = try r.next() {
      guard case .bytes(let v) = f.value else { continue }
      if f.number == 2 { out.path = String(decoding: v, as: UTF8.self) }
      if f.number == 1 {
        var s = ProtoReader(v, what: "span")
        while let g = try s.next() {
          guard case .bytes(let k) = g.value else { continue }
          if g.number == 1 { out.start = Array(k) }
          if g.number == 2 { out.end = Array(k) }
        }
      }
    }
    return out
  }

  /// Tables with rows, with their database names.
  public var tables: [(database: String, descriptor: TableDescriptor)] {
    catalog.dataTables.map { (catalog.qualifiedName(of: $0)[0], $0) }
  }
}

/// Decodes one table's rows from the backup's SSTs into a sorter (files need not be in key
/// order, and the simulator's SSTs use the bytewise comparator).
public struct BackupTableReader {
  public let manifest: BackupManifest
  public let directory: String
  public let descriptor: TableDescriptor
  public let table: VerifyTable
  /// Rows that could not be decoded (counted in the report).
  public private(set) var problems: [String] = []

  public init(manifest: BackupManifest, directory: String, descriptor: TableDescriptor, table: VerifyTable) {
    self.manifest = manifest
    self.directory = directory
    self.descriptor = descriptor
    self.table = table
  }

  static func uvarintAsc(_ v: UInt64) -> [UInt8] {
    if v <= 109 { return [0x88 + UInt8(v)] }
    var be: [UInt8] = []
    var x = v
    while x > 0 { be.insert(UInt8(x & 0xFF), at: 0); x >>= 8 }
    return [0xF5 + UInt8(be.count)] + be
  }

  static func less(_ a: [UInt8], _ b: [UInt8]) -> Bool { a.lexicographicallyPrecedes(b) }

  public mutating func read(into sorter: ExternalSorter) throws {
    let prefix = Self.uvarintAsc(UInt64(descriptor.id)) + Self.uvarintAsc(UInt64(descriptor.primaryIndex.id))
    let columns = descriptor.dataColumns.filter { !$0.hidden }
    let decoder = TableRowDecoder(table: descriptor, catalog: manifest.catalog.types)
    for f in manifest.files {
      var grouper = RowGrouper(decoder: decoder)
      var problems = self.problems
      let path = directory + "/" + f.path
      func emit(_ r: Result<TableRowDecoder.Row, SQLDecodeError>?) throws {
        switch r {
        case .success(let row)?: try sorter.add(columns.map { SQLText.render(row.datum($0.id), type: $0.type) })
        case .failure(let e)?: problems.append("\(path): \(e)")
        case nil: break
        }
      }
      try Self.scanLatest(f, directory: directory, prefix: prefix, endTime: manifest.endTime, table: table.qualifiedName,
                          problems: &problems) { key, value in
        do {
          guard let v = try SQLValue(roachValue: value) else { return }
          try emit(grouper.add(key: key, value: v))
        } catch let e as SQLDecodeError { problems.append("\(path): \(e)") }
      }
      try emit(grouper.finish())
      self.problems = problems
    }
  }

  /// Calls `body` with the newest version (≤ `endTime`, not a tombstone) of every key of `f`
  /// under `prefix`, in file order. A key's versions are adjacent in the file (true of SQL
  /// keys under both comparators: none is another's prefix followed by a 00 byte).
  static func scanLatest(_ f: BackupManifest.File, directory: String, prefix: [UInt8], endTime: MVCCTimestamp, table: String,
                         problems: inout [String], _ body: ([UInt8], [UInt8]) throws -> Void) throws {
    // Skip files whose span [start, end) misses the prefix span [prefix, upper).
    var upper = prefix
    upper[upper.count - 1] &+= 1
    if !f.end.isEmpty && !less(prefix, f.end) { return }
    if !f.start.isEmpty && !less(f.start, upper) { return }
    let path = directory + "/" + f.path
    let sst: Table
    do { sst = try Table(path: path) } catch { throw RecoveryError("\(table): cannot open backup data file \(path): \(error)") }
    let it = sst.makeIterator()
    var current: [UInt8]? = nil
    var best: (ts: MVCCTimestamp, value: [UInt8])? = nil
    func flush() throws {
      defer { current = nil; best = nil }
      guard let k = current, let b = best, !b.value.isEmpty else { return }   // empty = tombstone
      try body(k, b.value)
    }
    while let e = it.next() {
      guard e.kind == 1 || e.kind == 0x12 else { continue }   // SET / SETWITHDEL
      let ek: EngineKey
      do { ek = try EngineKey(decoding: Array(e.userKey)) } catch { problems.append("\(path): \(error)"); continue }
      guard ek.roachKey.starts(with: prefix) else { continue }
      if !f.start.isEmpty && less(ek.roachKey, f.start) { continue }
      if !f.end.isEmpty && !less(ek.roachKey, f.end) { continue }
      guard case .mvcc(let ts) = ek.version, ts <= endTime else { continue }
      if ek.roachKey != current { try flush(); current = ek.roachKey }
      if best == nil || ts > best!.ts { best = (ts, Array(e.value)) }
    }
    try flush()
    if let fatal = it.fatal { throw RecoveryError("\(table): backup data file \(path) is damaged: \(fatal)") }
  }
}
