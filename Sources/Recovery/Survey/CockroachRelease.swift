import CockroachKV
import Foundation
import LSMStore

/// Which CockroachDB release last ran a store, from the store's own files:
/// 1. `STORAGE_MIN_VERSION` (a `roachpb.Version` proto: 1 major, 2 minor, 3 patch, 4
///    internal), written by CockroachDB when the store's version is ratcheted: exact;
/// 2. else Pebble's format major version (the `marker.format-version.*` file or OPTIONS),
///    which CockroachDB ratchets with the cluster version (table in the spec, sstable-format
///    §1.7): a release or a short range of them;
/// 3. else a RocksDB engine: 19.1–21.1 (RocksDB was the default to 20.1, removed in 21.2).
enum CockroachRelease {
  /// (text, source), or nil when the store says nothing.
  static func of(_ store: Store) -> (version: String, source: String)? {
    if let v = storageMinVersion(store.path) { return (v, "STORAGE_MIN_VERSION") }
    if let fmv = store.directory.formatVersionMarker?.version ?? store.options?.formatMajorVersion,
       store.options?.engine != .rocksdb, let r = release(formatMajorVersion: fmv) {
      return (r, "Pebble format major version \(fmv)")
    }
    if store.options?.engine == .rocksdb { return ("19.1–21.1", "RocksDB engine") }
    return nil
  }

  /// `25.2` from the file's proto; nil when absent or not a version.
  static func storageMinVersion(_ dir: String) -> String? {
    guard let data = FileManager.default.contents(atPath: dir + "/STORAGE_MIN_VERSION"), data.count <= 64 else { return nil }
    var r = ProtoReader(Array(data), what: "STORAGE_MIN_VERSION")
    var major: Int32 = 0, minor: Int32 = 0
    do {
      while let f = try r.next() {
        switch f.number {
        case 1: major = try f.int32(r.what)
        case 2: minor = try f.int32(r.what)
        default: break
        }
      }
    } catch { return nil }
    // Development versions count years since 2000 plus 1,000,000 (clusterversion's offset).
    if major > 1_000_000 { major -= 1_000_000 }
    guard major >= 19, major < 100, minor >= 0, minor < 10 else { return nil }
    return "\(major).\(minor)"
  }

  /// The format major version each release ratchets its stores to (sstable-format §1.7);
  /// a store between two of them is being upgraded to the later one.
  static let fmvByRelease: [(fmv: Int, release: String)] = [
    (1, "20.1–21.1"), (4, "21.2"), (6, "22.1"), (10, "22.2"), (13, "23.1"), (16, "23.2"),
    (17, "24.1–24.2"), (19, "24.3–25.1"), (21, "25.2"), (24, "25.3"), (26, "25.4"),
  ]

  static func release(formatMajorVersion fmv: Int) -> String? {
    guard fmv >= 1 else { return nil }
    guard let i = fmvByRelease.firstIndex(where: { $0.fmv >= fmv }) else { return "\(fmvByRelease.last!.release) or later" }
    return fmvByRelease[i].fmv == fmv ? fmvByRelease[i].release : "\(fmvByRelease[i].release) (upgrading)"
  }
}
