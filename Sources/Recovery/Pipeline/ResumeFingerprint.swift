import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension RecoveryRun {
  /// What a run's output depends on, hashed: every file of every store (name, size,
  /// modification time), the read timestamp, the table patterns and the chunks (`ShardPlan`'s
  /// fingerprint). Equal fingerprints mean finished chunks of an earlier run can be kept.
  /// Output options the sink applies itself (e.g. --keep-latest) are added by the sink.
  func resumeFingerprint(_ p: Prepared) -> String {
    var text = "salvage-resume/1\nas-of \(options.readTimestamp)\n"
    for t in options.tablePatterns { text += "table \(t)\n" }
    for d in options.fillFrom { text += "fill-from \(URL(fileURLWithPath: d).standardizedFileURL.path)\n" }
    for t in options.tablesFromBackup { text += "table-from-backup \(t)\n" }
    if options.rebuildFromIndexes { text += "rebuild-from-indexes\n" }
    if options.indexRebuild { text += "index-rebuild\n" }
    if !options.raftReplay { text += "no-raft-replay\n" }
    if let o = options.obsolete { text += "use-obsolete \(o.files.map { "\($0.image)@\($0.offset)" }.joined(separator: " "))\n" }
    for path in options.storePaths {
      let dir = URL(fileURLWithPath: path).standardizedFileURL.path
      text += "store \(dir)\n"
      let names = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted()
      for name in names {
        var st = stat()
        guard stat(dir + "/" + name, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { continue }
        text += "  \(name) \(st.st_size) \(st.st_mtim.tv_sec).\(st.st_mtim.tv_nsec)\n"
      }
    }
    text += "chunks \(ShardPlan.fingerprint(p, stores: options.storePaths))\n"
    return Self.fnv1a(text)
  }

  /// 64-bit FNV-1a as 16 hex digits (a change detector, not a cryptographic hash).
  public static func fnv1a(_ text: String) -> String {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for b in text.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
    return String(format: "%016llx", h)
  }
}
