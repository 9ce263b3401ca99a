import CockroachKV
import CockroachSQL
import Foundation
import LSMStore

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
      _ = try? found.addRow(key: key, roachValue: value)
    }
    return found
  }

  /// Calls `visit` with every live key of `span` (roach keys, start inclusive, end exclusive;
  /// empty end = no bound) in key order, and its value (roachpb.Value bytes) as of `readTime`:
  /// the newest version across all layers, a newer layer's deletion (point or MVCC range
  /// tombstone) hiding older versions. The layers' data files overlapping the span are read
  /// as one store (each layer's runs of disjoint Files one merge source) with the recovery's own
  /// cursor (`SpanScanner`): memory is one key's versions, whatever the span's size.
  /// Damaged data files and blocks are skipped and described in `problems`.
  public func scan(_ span: KeySpan, problems: inout [Problem], _ visit: ([UInt8], [UInt8]) throws -> Void) throws {
    var groups: [[TableSlice]] = []
    for layer in layers.reversed() {
      let files = layer.manifest.files.filter { f in
        (f.end.isEmpty || span.start.lexicographicallyPrecedes(f.end)) && (span.end.isEmpty || f.start.lexicographicallyPrecedes(span.end))
      }
      // Each File is a slice of its data file (several Files may share one: B-DATA): its
      // span's keys only, with the elided prefix restored (B-ELIDE). One layer's Files cover
      // disjoint spans; runs keep each merge source in key order anyway.
      var runs: [[BackupManifest.File]] = []
      for f in files.sorted(by: { $0.start.lexicographicallyPrecedes($1.start) }) {
        if let i = runs.firstIndex(where: { r in !r.last!.end.isEmpty && !f.start.lexicographicallyPrecedes(r.last!.end) }) {
          runs[i].append(f)
        } else {
          runs.append([f])
        }
      }
      for run in runs {
        groups.append(try run.map { f in
          guard let prefix = BackupKeys.elidedPrefix(of: f.start, mode: layer.manifest.elidedPrefix) else {
            throw RecoveryError("\(layer.manifest.path): data file \(f.path) starts at \(Keyspace.prettyPrint(f.start)), which has no table prefix to restore (elided_prefix \(layer.manifest.elidedPrefix))")
          }
          return TableSlice(path: layer.directory(of: f) + "/" + f.path, lower: f.start + [0],
                            upper: f.end.isEmpty ? nil : f.end + [0], prefix: prefix)
        })
      }
    }
    let files = Store(tableGroups: groups, label: layers.last?.manifest.directory ?? "backup")
    let bounded = span.end.isEmpty ? KeySpan(start: span.start, end: LocalKeys.keyMax) : span
    let stats = try SpanScanner(store: files, spans: [bounded], readTimestamp: readTime).runBorrowed { _, r in
      if r.kind == .value { try visit(Array(r.roachKey), Array(r.roachValue)) }
    }
    problems += files.issues.map { Problem($0) } + stats.problems
  }
}
