#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SSTable

/// The files of a store directory, classified by name (spec §7.1). Nothing is opened here.
public struct StoreDirectory: Sendable {
  public let path: String
  /// Table file number → file name (`NNNNNN.sst`, LevelDB's `.ldb`).
  public var tables: [UInt64: String] = [:]
  public var blobFiles: [UInt64: String] = [:]
  /// WAL number → segment file names in order (`NNNNNN.log`, `NNNNNN-III.log`).
  public var logs: [UInt64: [String]] = [:]
  public var manifests: [UInt64: String] = [:]
  public var optionsFiles: [UInt64: String] = [:]
  /// `marker.manifest.<iter>.<MANIFEST-N>` with the highest iteration.
  public var manifestMarker: (iteration: Int, target: String)?
  /// `marker.format-version.<iter>.<FMV>` with the highest iteration.
  public var formatVersionMarker: (iteration: Int, version: Int)?
  /// Text of `CURRENT` (trimmed), if present.
  public var current: String?
  /// Everything else (LOCK, IDENTITY, temporary files, CockroachDB extras…).
  public var otherFiles: [String] = []

  /// A store with no directory of its own (`Store(tableGroups:label:)`): nothing listed.
  init(label: String) { path = label }

  public init(path: String) throws(StoreError) {
    self.path = path
    guard let dir = opendir(path) else {
      throw StoreError(.io, "cannot list directory: \(String(cString: strerror(errno)))", file: path)
    }
    defer { closedir(dir) }
    var names: [String] = []
    while let ent = readdir(dir) {
      let name = withUnsafeBytes(of: ent.pointee.d_name) { raw in
        String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
      }
      if name != "." && name != ".." { names.append(name) }
    }
    for name in names.sorted() { classify(name) }
    if let c = try? readWholeFile(path + "/CURRENT", limit: 4096) {
      current = String(decoding: c, as: UTF8.self).trimmingSpaces.split(separator: "\n").first.map(String.init) ?? ""
    }
  }

  mutating func classify(_ name: String) {
    func number(_ s: Substring) -> UInt64? { s.allSatisfy { $0.isASCII && $0.isNumber } && !s.isEmpty ? UInt64(s) : nil }
    if name.hasSuffix(".sst") || name.hasSuffix(".ldb"), let n = number(name.dropLast(4)) { tables[n] = name; return }
    if name.hasSuffix(".blob"), let n = number(name.dropLast(5)) { blobFiles[n] = name; return }
    if name.hasSuffix(".log") {
      let stem = name.dropLast(4)
      let parts = stem.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
      if let n = number(parts[0]), parts.count == 1 || number(parts[1]) != nil {
        logs[n, default: []].append(name)
        logs[n]!.sort()
        return
      }
    }
    if name.hasPrefix("MANIFEST-"), let n = number(name.dropFirst(9)) { manifests[n] = name; return }
    if name.hasPrefix("OPTIONS-"), let n = number(name.dropFirst(8)) { optionsFiles[n] = name; return }
    if name.hasPrefix("marker.manifest.") {
      let rest = name.dropFirst("marker.manifest.".count).split(separator: ".", maxSplits: 1)
      if rest.count == 2, let it = Int(rest[0]) {
        if manifestMarker == nil || it > manifestMarker!.iteration { manifestMarker = (it, String(rest[1])) }
        return
      }
    }
    if name.hasPrefix("marker.format-version.") {
      let rest = name.dropFirst("marker.format-version.".count).split(separator: ".")
      if rest.count == 2, let it = Int(rest[0]), let v = Int(rest[1]) {
        if formatVersionMarker == nil || it > formatVersionMarker!.iteration { formatVersionMarker = (it, v) }
        return
      }
    }
    otherFiles.append(name)
  }

  public func file(_ name: String) -> String { path + "/" + name }

  /// The current MANIFEST: the highest `marker.manifest` (Pebble), else `CURRENT` (RocksDB,
  /// old Pebble; may be stale), else the highest-numbered MANIFEST present. Each pointer that
  /// leads nowhere is reported.
  public func currentManifest() -> (name: String?, how: String, issues: [StoreIssue]) {
    var issues: [StoreIssue] = []
    if let m = manifestMarker {
      if manifests.values.contains(m.target) { return (m.target, "marker.manifest iteration \(m.iteration)", issues) }
      issues.append(StoreIssue(.damage, StoreError(.missing, "marker.manifest.\(m.iteration) names \(m.target), which is not in the directory", file: path)))
    }
    if let c = current {
      if manifests.values.contains(c) {
        return (c, manifestMarker == nil ? "CURRENT" : "CURRENT (marker target missing)", issues)
      }
      // Newer Pebble stores keep a stale CURRENT naming a MANIFEST that never existed.
      issues.append(StoreIssue(manifestMarker == nil ? .damage : .note,
                               StoreError(.missing, "CURRENT names \(c), which is not in the directory", file: path)))
    }
    if let n = manifests.keys.max() {
      issues.append(StoreIssue(.warning, StoreError(.missing, "no usable MANIFEST pointer; using the highest-numbered \(manifests[n]!)", file: path)))
      return (manifests[n]!, "highest-numbered MANIFEST", issues)
    }
    return (nil, "none", issues)
  }

  /// The highest-numbered OPTIONS file.
  public var latestOptions: String? { optionsFiles.keys.max().map { optionsFiles[$0]! } }
}

/// Whole small file (OPTIONS, CURRENT), refusing anything larger than `limit`.
func readWholeFile(_ path: String, limit: Int) throws(StoreError) -> [UInt8] {
  let f: MappedFile
  do { f = try MappedFile(path: path) } catch { throw StoreError(error) }
  guard f.count <= limit else { throw StoreError(.corrupt, "file of \(f.count) bytes is larger than the \(limit)-byte limit", file: path) }
  // The copy must finish before the mapping can be released.
  return withExtendedLifetime(f) { Array(f.bytes) }
}
