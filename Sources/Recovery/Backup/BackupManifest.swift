import CockroachKV
import CockroachSQL
import Foundation
import SSTable

/// One backup's manifest (docs/backup-format.md §1, B-PROTO): `BACKUP_MANIFEST` (20.1+),
/// `BACKUP` (19.x–20.1) or, when only it exists, the 23.1+ slim `BACKUP_METADATA` whose file
/// and descriptor lists are in `filelist.sst` / `descriptorslist.sst` (B-META23). Plain or
/// gzip, checksummed or not; encrypted and unknown-version manifests are refused.
///
/// Fields read: 1 start_time, 2 end_time, 4 files {1 span, 2 path, 9 locality_kv,
/// 12 has_range_keys}, 5 descriptors, 8 format_version, 13 mvcc_filter, 17
/// revision_start_time, 18 id, 19 partition_descriptor_filenames, 27
/// has_external_manifest_ssts. Ignored: statistics, spans, introduced spans, descriptor
/// revisions (the descriptors as of the end time are in field 5), tenants, build info.
public struct BackupManifest: Sendable {
  public struct File: Sendable {
    public var start: [UInt8]
    public var end: [UInt8]
    public var path: String
    /// Set for a locality-aware backup's files (B-LOC): the file is in that locality's directory.
    public var localityKV = ""
    public var hasRangeKeys = false
  }
  /// Highest `format_version` CockroachDB has defined (BackupFormatDescriptorTrackingVersion).
  public static let knownFormatVersion: UInt64 = 1
  /// Names tried in this order (B-NAME).
  public static let names = ["BACKUP_MANIFEST", "BACKUP", "BACKUP_METADATA"]

  public var startTime = MVCCTimestamp.zero
  public var endTime = MVCCTimestamp.max
  public var revisionHistory = false
  public var revisionStartTime = MVCCTimestamp.zero
  public var files: [File] = []
  public var catalog = SchemaCatalog()
  public var id: [UInt8] = []
  public var partitionFilenames: [String] = []
  /// B-ELIDE `elided_prefix`: what the data files' keys lack (0 nothing, 1 the tenant prefix,
  /// 2 the tenant prefix and the table ID), restored from each File's span start.
  public var elidedPrefix = 0
  public var path: String
  public var directory: String { (path as NSString).deletingLastPathComponent }

  public static func find(in dir: String) -> String? {
    names.lazy.map { dir + "/" + $0 }.first { FileManager.default.fileExists(atPath: $0) }
  }

  /// - Parameter descriptorsFromData: without descriptors in the manifest, read them from the
  ///   system.descriptor rows of its data files (a cluster backup); a chain does that itself.
  public init(path: String, descriptorsFromData: Bool = true) throws {
    self.path = path
    let bytes = try BackupMetadataFile.read(path)
    var external = false
    do {
      var r = ProtoReader(bytes[...], what: "BackupManifest")
      while let f = try r.next() {
        switch (f.number, f.value) {
        case (1, .bytes(let b)): startTime = try Self.timestamp(b)
        case (2, .bytes(let b)): endTime = try Self.timestamp(b)
        case (4, .bytes(let b)): files.append(try Self.file(b))
        case (5, .bytes(let b)): catalog.add(Descriptor.decode(b))
        case (8, .varint(let v)) where v > Self.knownFormatVersion:
          throw RecoveryError("\(path): BackupManifest format_version \(v) is newer than any salvage knows (\(Self.knownFormatVersion))")
        case (13, .varint(let v)): revisionHistory = v == 1
        case (17, .bytes(let b)): revisionStartTime = try Self.timestamp(b)
        case (18, .bytes(let b)): id = Array(b)
        case (19, .bytes(let b)): partitionFilenames.append(String(decoding: b, as: UTF8.self))
        case (27, .varint(let v)): external = v != 0
        case (28, .varint(let v)):
          guard v <= 2 else { throw RecoveryError("\(path): elided_prefix \(v) is not a mode salvage knows (0 none, 1 tenant, 2 tenant and table)") }
          elidedPrefix = Int(v)
        default: break
        }
      }
    } catch let e as RecoveryError { throw e } catch { throw RecoveryError("\(path): unreadable BackupManifest: \(error)") }
    if endTime.isZero { endTime = .max }
    if external { try readExternalSSTs() }
    if catalog.tables.isEmpty && descriptorsFromData {
      catalog = try BackupChain(layers: [BackupChain.Layer(manifest: self)]).descriptorsFromData()
    }
  }

  /// B-META23: the slim manifest's placeholders replaced by `filelist.sst` and
  /// `descriptorslist.sst` (newest descriptor version ≤ end time; empty = dropped).
  mutating func readExternalSSTs() throws {
    files = []
    catalog = SchemaCatalog()
    for name in ["filelist.sst", "descriptorslist.sst"] {
      let p = directory + "/" + name
      guard FileManager.default.fileExists(atPath: p) else {
        throw RecoveryError("\(path): a 23.1+ slim manifest (has_external_manifest_ssts) without its \(name)")
      }
      if let head = FileManager.default.contents(atPath: p)?.prefix(7), Array(head) == BackupMetadataFile.encryptedPreamble {
        throw RecoveryError("\(p): encrypted backup; salvage does not decrypt backups")
      }
    }
    let fl = try Self.openSST(directory + "/filelist.sst")
    let it = fl.makeIterator()
    while let e = it.next() {
      do { files.append(try Self.file(ArraySlice(e.value))) } catch { throw RecoveryError("\(fl.path): unreadable File entry: \(error)") }
    }
    if let f = it.fatal { throw RecoveryError("\(fl.path) is damaged: \(f)") }
    struct Newest { var ts: MVCCTimestamp; var value: [UInt8] }
    var newest: [UInt64: Newest] = [:]
    let dl = try Self.openSST(directory + "/descriptorslist.sst")
    let di = dl.makeIterator()
    let prefix = Array("desc/".utf8)
    while let e = di.next() {
      guard let ek = try? EngineKey(decoding: Array(e.userKey)), ek.roachKey.starts(with: prefix),
            let id = BackupKeys.uvarint(ek.roachKey[prefix.count...]) else {
        throw RecoveryError("\(dl.path): unexpected key \(Array(e.userKey).hex)")
      }
      let ts: MVCCTimestamp
      if case .mvcc(let t) = ek.version { ts = t } else { ts = .zero }
      guard ts <= endTime else { continue }
      if newest[id].map({ ts > $0.ts }) ?? true { newest[id] = Newest(ts: ts, value: Array(e.value)) }
    }
    if let f = di.fatal { throw RecoveryError("\(dl.path) is damaged: \(f)") }
    for id in newest.keys.sorted() where !newest[id]!.value.isEmpty { catalog.add(Descriptor.decode(newest[id]!.value)) }
  }

  static func openSST(_ path: String) throws -> Table {
    do { return try Table(path: path) } catch { throw RecoveryError("cannot open \(path): \(error)") }
  }

  static func timestamp(_ b: ArraySlice<UInt8>) throws -> MVCCTimestamp {
    var t = MVCCTimestamp.zero
    var r = ProtoReader(b, what: "hlc.Timestamp")
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
      switch (f.number, f.value) {
      case (2, .bytes(let v)): out.path = String(decoding: v, as: UTF8.self)
      case (9, .bytes(let v)): out.localityKV = String(decoding: v, as: UTF8.self)
      case (12, .varint(let v)): out.hasRangeKeys = v != 0
      case (1, .bytes(let v)):
        var s = ProtoReader(v, what: "span")
        while let g = try s.next() {
          guard case .bytes(let k) = g.value else { continue }
          if g.number == 1 { out.start = Array(k) }
          if g.number == 2 { out.end = Array(k) }
        }
      default: break
      }
    }
    return out
  }

  /// Tables with rows, with their database names.
  public var tables: [(database: String, descriptor: TableDescriptor)] {
    catalog.dataTables.map { (catalog.qualifiedName(of: $0)[0], $0) }
  }
}

/// Key pieces the backup reader needs (CockroachDB's ascending uvarint, pkg/util/encoding).
enum BackupKeys {
  static func uvarintAsc(_ v: UInt64) -> [UInt8] {
    if v <= 109 { return [0x88 + UInt8(v)] }
    var be: [UInt8] = []
    var x = v
    while x > 0 { be.insert(UInt8(x & 0xFF), at: 0); x >>= 8 }
    return [0xF5 + UInt8(be.count)] + be
  }

  static func uvarint(_ b: ArraySlice<UInt8>) -> UInt64? {
    guard let length = uvarintLength(b), let first = b.first else { return nil }
    if length == 1 { return UInt64(first - 0x88) }
    return b.dropFirst().prefix(length - 1).reduce(0) { $0 << 8 | UInt64($1) }
  }

  /// B-ELIDE: the leading bytes of `key` that a data file's keys lack under a manifest's
  /// `elided_prefix` mode (1: the tenant prefix; 2: the tenant prefix and the table ID);
  /// nil when `key` has no such prefix.
  static func elidedPrefix(of key: [UInt8], mode: Int) -> [UInt8]? {
    guard mode != 0 else { return [] }
    var end = 0
    if key.first == LocalKeys.tenantPrefixByte {
      guard let n = uvarintLength(key[1...]) else { return nil }
      end = 1 + n
    }
    if mode == 2 {
      guard let n = uvarintLength(key[end...]) else { return nil }
      end += n
    }
    return Array(key[..<end])
  }

  /// Bytes of the ascending uvarint at the start of `b`.
  static func uvarintLength(_ b: ArraySlice<UInt8>) -> Int? {
    guard let first = b.first else { return nil }
    if first >= 0x88 && first <= 0x88 + 109 { return 1 }
    guard first > 0xF5, first <= 0xFD, b.count > Int(first - 0xF5) else { return nil }
    return 1 + Int(first - 0xF5)
  }

  /// The first key after every key that starts with `prefix`; empty (no bound) for an all-FF prefix.
  static func prefixEnd(_ prefix: [UInt8]) -> [UInt8] { Bytes.prefixEnd(prefix) ?? [] }
}
