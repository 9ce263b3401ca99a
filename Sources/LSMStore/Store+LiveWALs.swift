/// Which WALs a store's MANIFEST needs, and whether the directory has them (spec §7.2:
/// active WALs are those numbered ≥ the MANIFEST's log number).
///
/// The rule, per engine:
/// * **Pebble** (`open.go`, `DB.Open`; `flush` in `compaction.go`): after a flush the min
///   unflushed log number is the log of the oldest memtable still unflushed, whose WAL was
///   created when that memtable was; only logs below it are deleted (recycling renames a
///   log, so it stays present). At open, older Pebble created `newLogNum.log` before logging
///   `MinUnflushedLogNum = newLogNum`, but Pebble with its WAL manager (a real CockroachDB
///   25.4 store, its own pebble log: "flushing … sstable created 000009 … WAL created
///   000016", MANIFEST min unflushed log 8) reserves the number, flushes the recovered
///   memtables into the numbers after it and creates the WAL later under a new number, so
///   `N.log` may never have existed. Pebble replays whatever WALs numbered ≥ N are present.
///   So: `N.log` absent and no later WAL present means lost; with a later WAL present the
///   absence is what a restarted store looks like and nothing is known lost.
/// * **RocksDB** (`DBImpl::RecoverLogFiles`): after replaying WALs at open, RocksDB writes
///   `log_number = max recovered WAL + 1`, a number that may never name a WAL (Pebble's
///   `open.go` comments on the difference). But the WAL a RocksDB instance is writing is
///   never deleted while it runs, and is numbered ≥ log_number (it is created after that
///   edit, or it is the one a flush named), and closing keeps it. So the writes are lost
///   exactly when no WAL numbered ≥ log_number is present — with log number 0 too (a store
///   that never flushed: `ldb load` leaves log number 0 and `000004.log`).
/// * No readable MANIFEST: nothing is known to be needed.
///
/// WAL failover (Pebble 24.1+) writes a log in segments `N.log`, `N-001.log`, … across the
/// primary and `secondary_dir`; a gap in a live log's segment indexes means a segment is
/// elsewhere. Segments after the last one present cannot be detected.
/// A live WAL (or WAL segment) the MANIFEST needs that is not in the directory.
public struct MissingWAL: Sendable, Equatable {
  public var file: String
  /// What its absence means, for messages (names the file, says what is lost).
  public var meaning: String
}

extension Store {
  /// Uses the Pebble rule when OPTIONS says Pebble (or, without OPTIONS, the directory has
  /// Pebble marker files); otherwise RocksDB's, which never alarms in Pebble's case.
  var walRuleIsPebble: Bool {
    if let e = options?.engine { return e == .pebble }
    return directory.manifestMarker != nil || directory.formatVersionMarker != nil
  }

  /// Live WALs the MANIFEST needs that are absent, as (file name, what it means).
  func findMissingLiveWALs(minUnflushed n: UInt64) -> [(file: String, meaning: String)] {
    var out: [(file: String, meaning: String)] = []
    let manifestName = manifestFile ?? "the MANIFEST"
    if walRuleIsPebble {
      if n > 0 && directory.logs[n] == nil && !directory.logs.keys.contains(where: { $0 > n }) {
        out.append((pad6(n) + ".log", "\(manifestName) names \(pad6(n)).log as the oldest WAL not yet flushed to a table, "
          + "and it is not in the directory: the writes it held (made after the last flush) are lost"))
      }
    } else if !directory.logs.keys.contains(where: { $0 >= n }) {
      let file = n > 0 ? pad6(n) + ".log" : "*.log"
      out.append((file, "\(manifestName) says WALs numbered \(n) and up hold the writes not yet flushed to a table "
        + "(RocksDB keeps the one it writes to), and none is in the directory: those writes (made after the last flush) are lost"))
    }
    for (num, files) in directory.logs.sorted(by: { $0.key < $1.key }) where num >= n {
      let indexes = Set(files.map(Self.segmentIndex))
      guard let top = indexes.max() else { continue }
      for i in 0...top where !indexes.contains(i) {
        let name = i == 0 ? pad6(num) + ".log" : pad6(num) + "-" + pad3(i) + ".log"
        out.append((name, "segment \(i) of live WAL \(pad6(num)) is not in the directory (later segments are): the writes it held are lost"))
      }
    }
    return out
  }

  /// Where the missing WALs may be, from OPTIONS: `wal_dir` unless it is the store's own
  /// path (CockroachDB wrote the store's original absolute path there), and the failover
  /// secondary directory.
  var walElsewhereHint: String {
    var dirs: [String] = []
    if let d = options?.walDir, !d.isEmpty, d != directory.path { dirs.append("wal_dir=\(d)") }
    if let d = options?.walFailoverSecondaryDir, !d.isEmpty { dirs.append("WAL failover secondary_dir=\(d)") }
    guard !dirs.isEmpty else { return "" }
    return " (OPTIONS sets \(dirs.joined(separator: " and ")): if the files are there, copy them into the store directory)"
  }

  /// 0 for `N.log`, III for `N-III.log`.
  static func segmentIndex(_ name: String) -> Int {
    let stem = name.dropLast(4)
    guard let dash = stem.firstIndex(of: "-") else { return 0 }
    return Int(stem[stem.index(after: dash)...]) ?? 0
  }
}

func pad3(_ n: Int) -> String {
  let s = String(n)
  return String(repeating: "0", count: max(0, 3 - s.count)) + s
}
