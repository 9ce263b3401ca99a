import CockroachKV
import Foundation
import Recovery
#if canImport(Glibc)
import Glibc
#endif

/// `recover --fill-from`: every row read from the backup is listed, by primary key, in
/// `OUT/<db>/<table>.from-backup.keys` (one line per row: the key in hex, a tab, the key as
/// CockroachDB prints it), so that nothing from the backup is mixed in silently. Chunks write
/// `.salvage-work/<table id>/N.keys`; `finish` joins them in key order. Rows read from obsolete
/// carved files (`--use-obsolete`) are listed the same way in `<table>.from-obsolete.keys`.
extension RecoveryFiles {
  func keysPath(_ c: RecoveryChunk) -> String { String(partPath(c).dropLast(".csv".count)) + ".keys" }

  public func chunkKeys(_ chunk: RecoveryChunk, keys: [[UInt8]]) throws {
    var text = ""
    for k in keys { text += k.hex + "\t" + Keyspace.prettyPrint(k) + "\n" }
    stateLock.lock()
    // A chunk read again (resumed run) starts its list over.
    let first = keysStarted.insert(chunk.key).inserted
    stateLock.unlock()
    let path = keysPath(chunk)
    if first { unlink(path) }
    try TableStream.append([Array(text.utf8)], toFileAt: path)
  }

  /// Joins the tables' key lists (lock-free: `finish` runs alone).
  func writeFilledKeys() throws {
    for (t, table) in tables.enumerated() {
      for obsolete in [false, true] {
        let parts = chunks.filter { $0.table == t && $0.source == (obsolete ? .obsolete : .backup) }.sorted { $0.index < $1.index }.map(keysPath)
          .filter { FileManager.default.fileExists(atPath: $0) }
        guard !parts.isEmpty else { continue }
        let csv = OutputPath.csv(database: table.database, schema: table.qualifiedName[1], table: table.name)
        let suffix = obsolete ? ".from-obsolete.keys" : ".from-backup.keys"
        let out = try AtomicOutputFile(path: directory + "/" + csv.dropLast(".csv".count) + suffix, gzip: false, guard: .none)
        for p in parts { try out.append(fileAt: p) }
        try out.commit()
      }
    }
  }
}
