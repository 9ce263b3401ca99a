import CockroachKV
import CockroachSQL
import Foundation

/// A backup as of one time: the full backup and the incrementals layered on it
/// (docs/backup-format.md B-CHAIN), each with the directories its files are in (B-LOC).
/// `scan` streams the newest version of every key of a span as of `readTime`: what RESTORE
/// would put there, without a cluster.
public struct BackupChain: Sendable {
  public struct Layer: Sendable {
    public var manifest: BackupManifest
    /// Directory of each locality's files (B-PART); "" = the manifest's own directory.
    public var localityDirectories: [String: String] = [:]

    public init(manifest: BackupManifest, localityDirectories: [String: String] = [:]) {
      self.manifest = manifest
      self.localityDirectories = localityDirectories
    }

    func directory(of f: BackupManifest.File) -> String {
      localityDirectories[f.localityKV] ?? manifest.directory
    }
  }

  /// Full backup first, then incrementals in time order, cut at `readTime`.
  public var layers: [Layer]
  /// Versions newer than this are not read: the last layer's end time, or `--as-of`.
  public var readTime: MVCCTimestamp
  public var catalog: SchemaCatalog

  /// - Parameter asOf: must be a layer's end time, or inside a revision-history layer (B-REV).
  public init(layers unordered: [Layer], asOf: MVCCTimestamp? = nil) throws {
    let all = unordered.sorted { $0.manifest.endTime < $1.manifest.endTime }
    guard let first = all.first else { throw RecoveryError("no backup manifest") }
    guard first.manifest.startTime.isZero else {
      throw RecoveryError("\(first.manifest.path) is an incremental backup (start \(first.manifest.startTime)) without its full backup")
    }
    for (a, b) in zip(all, all.dropFirst()) where b.manifest.startTime != a.manifest.endTime {
      throw RecoveryError("broken backup chain: \(b.manifest.path) starts at \(b.manifest.startTime), \(a.manifest.path) ends at \(a.manifest.endTime)")
    }
    let t = asOf ?? all.last!.manifest.endTime
    guard let i = all.firstIndex(where: { t <= $0.manifest.endTime }) else {
      throw RecoveryError("--as-of \(t) is after the backup's end time \(all.last!.manifest.endTime)")
    }
    let m = all[i].manifest
    if t != m.endTime {
      guard m.revisionHistory else {
        throw RecoveryError("--as-of \(t) is not a backup end time and \(m.path) has no revision history (backups end at \(all.map { "\($0.manifest.endTime)" }.joined(separator: ", ")))")
      }
      guard t > m.revisionStartTime, i > 0 || t > m.startTime else {
        throw RecoveryError("--as-of \(t): \(m.path) holds revisions only after \(max(m.revisionStartTime, m.startTime))")
      }
    }
    layers = Array(all[...i])
    readTime = t
    catalog = m.catalog
  }

  /// Tables with rows, with their database names.
  public var tables: [(database: String, descriptor: TableDescriptor)] {
    catalog.dataTables.map { (catalog.qualifiedName(of: $0)[0], $0) }
  }

  /// Descriptors from system.descriptor rows (`/Table/3/1/<id>/2/1`), as a cluster backup
  /// without descriptors in its manifest holds them.
  func descriptorsFromData() throws -> SchemaCatalog {
    var found = catalog
    var problems: [Problem] = []
    let prefix = BackupKeys.uvarintAsc(SchemaCatalog.descriptorTableID) + BackupKeys.uvarintAsc(1)
    try scan(KeySpan(start: prefix, end: BackupKeys.prefixEnd(prefix)), problems: &problems) { key, value in
      guard let id = try? SchemaCatalog.descriptorID(key: key), let v = try? SQLValue(roachValue: value) else { return }
      found.add(Descriptor.decode(Array(v.data)), id: id)
    }
    return found
  }

  /// Calls `visit` with every live key of `span` (roach keys, start inclusive, end exclusive;
  /// empty end = no bound) in key order, and its value (roachpb.Value bytes) as of `readTime`:
  /// the newest version across all layers, a newer layer's deletion hiding older versions.
  /// Memory: one pending version per layer run, whatever the span's size. Damaged data files
  /// and blocks are skipped and described in `problems`.
  public func scan(_ span: KeySpan, problems: inout [Problem], _ visit: ([UInt8], [UInt8]) throws -> Void) throws {
    var streams: [BackupRunStream] = []
    for layer in layers {
      let files = layer.manifest.files.filter { f in
        (f.end.isEmpty || span.start.lexicographicallyPrecedes(f.end)) && (span.end.isEmpty || f.start.lexicographicallyPrecedes(span.end))
      }
      if let r = files.first(where: \.hasRangeKeys) {
        throw RecoveryError("\(layer.manifest.path): data file \(r.path) holds MVCC range keys (23.1+), which salvage does not read from backups yet")
      }
      // One layer's Files cover disjoint spans; runs keep each stream in key order anyway.
      var runs: [[BackupRunStream.Piece]] = []
      for f in files.sorted(by: { $0.start.lexicographicallyPrecedes($1.start) }) {
        let piece = BackupRunStream.Piece(file: f, path: layer.directory(of: f) + "/" + f.path)
        if let i = runs.firstIndex(where: { r in !r.last!.file.end.isEmpty && !f.start.lexicographicallyPrecedes(r.last!.file.end) }) {
          runs[i].append(piece)
        } else {
          runs.append([piece])
        }
      }
      streams += runs.map { BackupRunStream(pieces: $0, span: span, readTime: readTime) }
    }
    var heads = try streams.map { try $0.next() }
    while true {
      var best: Int? = nil
      for i in heads.indices {
        guard let h = heads[i] else { continue }
        guard let b = best, let hb = heads[b] else { best = i; continue }
        if h.key.lexicographicallyPrecedes(hb.key) || (h.key == hb.key && h.ts > hb.ts) { best = i }
      }
      guard let b = best, let winner = heads[b] else { break }
      for i in heads.indices where heads[i]?.key == winner.key { heads[i] = try streams[i].next() }
      if !winner.value.isEmpty { try visit(winner.key, winner.value) }
    }
    for s in streams { problems += s.problems }
  }
}
