import CockroachKV
import Foundation

/// Finds a backup chain on disk (docs/backup-format.md §3, §5): SOURCE is a collection
/// (`LATEST` or `metadata/latest/LATEST-*` names its newest full backup, B-LATEST), a full
/// backup's directory (its incrementals in dated subdirectories, B-INC-20, or under the
/// collection's `incrementals/`, B-INCDIR), and more directories are locality directories
/// holding `BACKUP_PART_*` descriptors and their data files (B-LOC).
public enum BackupLocation {
  /// True when `dir` is a backup or a collection (so `verify` reads it as one).
  public static func isBackup(_ dir: String) -> Bool {
    BackupManifest.find(in: dir) != nil || latestFile(in: dir) != nil || encryptionInfo(in: dir) != nil
  }

  public static func open(_ dirs: [String], asOf: MVCCTimestamp? = nil) throws -> BackupChain {
    guard let source = dirs.first else { throw RecoveryError("no backup directory") }
    if let e = encryptionInfo(in: source) {
      throw RecoveryError("\(e): encrypted backup; salvage does not decrypt backups")
    }
    var full = source
    var incrementalRoots: [String] = []
    if BackupManifest.find(in: source) == nil, let latest = latestFile(in: source) {
      let text = try String(contentsOfFile: latest, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
      guard !text.isEmpty else { throw RecoveryError("\(latest) is empty") }
      full = source + "/" + text.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
      incrementalRoots.append(source + "/incrementals/" + text.trimmingCharacters(in: CharacterSet(charactersIn: "/")))
    } else if let collection = collection(of: source) {
      // A dated full backup given directly: its 22.1+ incrementals are beside it, under the collection.
      incrementalRoots.append(collection.root + "/incrementals/" + collection.subdirectory)
    }
    guard let manifestPath = BackupManifest.find(in: full) else {
      throw RecoveryError("\(full): no BACKUP_MANIFEST, BACKUP or BACKUP_METADATA")
    }
    incrementalRoots.append(full)
    var paths = [manifestPath]
    for root in incrementalRoots { paths += datedManifests(under: root) }
    let relativeBase = (source as NSString).standardizingPath
    var layers: [BackupChain.Layer] = []
    for p in paths {
      let m = try BackupManifest(path: p, descriptorsFromData: false)
      var layer = BackupChain.Layer(manifest: m)
      if !m.partitionFilenames.isEmpty {
        let dir = (m.directory as NSString).standardizingPath
        let rel = dir.hasPrefix(relativeBase) ? String(dir.dropFirst(relativeBase.count)) : ""
        let candidates = [m.directory] + dirs.dropFirst().map { $0 + rel }
        layer.localityDirectories = try partitions(of: m, in: candidates)
      }
      layers.append(layer)
    }
    var chain = try BackupChain(layers: layers, asOf: asOf)
    if chain.catalog.tables.isEmpty { chain.catalog = try chain.descriptorsFromData() }
    return chain
  }

  /// `metadata/latest/` (22.1+: its first name is the newest) or `LATEST`.
  static func latestFile(in dir: String) -> String? {
    let history = dir + "/metadata/latest"
    if let names = try? FileManager.default.contentsOfDirectory(atPath: history),
       let first = names.filter({ $0.hasPrefix("LATEST") }).sorted().first {
      return history + "/" + first
    }
    return FileManager.default.fileExists(atPath: dir + "/LATEST") ? dir + "/LATEST" : nil
  }

  static func encryptionInfo(in dir: String) -> String? {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
    return names.filter { $0.hasPrefix("ENCRYPTION-INFO") }.sorted().first.map { dir + "/" + $0 }
  }

  /// `<root>/YYYY/MM/DD-HHMMSS.ss` → (root, "YYYY/MM/DD-HHMMSS.ss").
  static func collection(of dir: String) -> (root: String, subdirectory: String)? {
    let parts = (dir as NSString).standardizingPath.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
    guard parts.count > 3 else { return nil }
    let tail = parts.suffix(3)
    let y = tail[tail.startIndex], mo = tail[tail.startIndex + 1], d = tail[tail.startIndex + 2]
    guard y.count == 4, y.allSatisfy(\.isNumber), mo.count == 2, mo.allSatisfy(\.isNumber),
          d.count >= 9, d.prefix(2).allSatisfy(\.isNumber), d.dropFirst(2).first == "-" else { return nil }
    return (parts.dropLast(3).joined(separator: "/"), tail.joined(separator: "/"))
  }

  /// Manifests two levels down (`<YYYYMMDD>/<HHMMSS.ss[-start]>/`), in name order.
  static func datedManifests(under root: String) -> [String] {
    let fm = FileManager.default
    var out: [String] = []
    for day in ((try? fm.contentsOfDirectory(atPath: root)) ?? []).sorted() where day.count == 8 && day.allSatisfy(\.isNumber) {
      for time in ((try? fm.contentsOfDirectory(atPath: root + "/" + day)) ?? []).sorted() {
        if let m = BackupManifest.find(in: root + "/" + day + "/" + time) { out.append(m) }
      }
    }
    return out
  }

  /// Locality → directory, from each `BACKUP_PART_*` the manifest names (B-PART).
  static func partitions(of m: BackupManifest, in candidates: [String]) throws -> [String: String] {
    var out: [String: String] = [:]
    for name in m.partitionFilenames {
      guard let dir = candidates.first(where: { FileManager.default.fileExists(atPath: $0 + "/" + name) }) else {
        throw RecoveryError("\(m.path) names locality part \(name), found in none of \(candidates.joined(separator: ", ")): give each locality directory with another --against")
      }
      let path = dir + "/" + name
      let bytes = try BackupMetadataFile.read(path, checksum: false)
      var locality = ""
      var backupID: [UInt8] = []
      do {
        var r = ProtoReader(bytes[...], what: "BackupPartitionDescriptor")
        while let f = try r.next() {
          if case .bytes(let b) = f.value, f.number == 1 { locality = String(decoding: b, as: UTF8.self) }
          if case .bytes(let b) = f.value, f.number == 3 { backupID = Array(b) }
        }
      } catch { throw RecoveryError("\(path): unreadable BackupPartitionDescriptor: \(error)") }
      guard backupID == m.id else { throw RecoveryError("\(path) belongs to another backup (backup_id differs from \(m.path)'s id)") }
      out[locality] = dir
    }
    return out
  }
}
