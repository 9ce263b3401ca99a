import Foundation
import LSMStore
import SalvageTestSupport
import Testing

/// Issue 14, items 2 and 3: a live WAL missing from the directory is damage (its writes are
/// lost), named with what it means; `wal_dir` naming the store's own original path is not.
struct LiveWALTests {
  /// Adds `line` under `[section]` of the store's OPTIONS file.
  static func addOption(_ dir: String, _ file: String, section: String, _ line: String) throws {
    let path = dir + "/" + file
    let text = try String(contentsOfFile: path, encoding: .utf8)
    let patched = text.replacingOccurrences(of: "[\(section)]\n", with: "[\(section)]\n  \(line)\n")
    #expect(patched != text, "no [\(section)] in \(file)")
    try FileManager.default.removeItem(atPath: path)
    try patched.write(toFile: path, atomically: false, encoding: .utf8)
  }

  static func damageMessages(_ s: Store) -> [String] {
    s.issues.filter { $0.severity == .damage }.map { "\($0.error.message)" }
  }

  @Test func pebbleMinUnflushedWALMissing() throws {
    let dir = try copyStore("pebble-gen/store", without: ["000012.log"])
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let s = try Store(path: dir)
    #expect(s.version?.minUnflushedLogNum == 12)
    #expect(s.missingWALs.map(\.file) == ["000012.log"])
    #expect(s.missingFiles.contains("000012.log"))
    #expect(s.isDamaged)
    #expect(Self.damageMessages(s).contains {
      $0.hasPrefix("MANIFEST-000001 names 000012.log as the oldest WAL not yet flushed") && $0.contains("are lost")
    })
  }

  /// Pebble with its WAL manager reserves the min unflushed log number at open and creates
  /// the WAL later under another (a real CockroachDB 25.4 store: min unflushed 8, only an
  /// empty 000016.log): a later WAL present means nothing is known lost, as Pebble itself
  /// replays the WALs ≥ N it finds.
  @Test func pebbleLaterWALPresentIsNoLoss() throws {
    let dir = try copyStore("pebble-gen/store", without: ["000012.log"])
    defer { try? FileManager.default.removeItem(atPath: dir) }
    #expect(FileManager.default.createFile(atPath: dir + "/000016.log", contents: Data()))
    let s = try Store(path: dir)
    #expect(s.version?.minUnflushedLogNum == 12)
    #expect(s.missingWALs.isEmpty)
    #expect(!s.isDamaged, "\(s.issues)")
  }

  @Test func pebbleStoreWithItsWALIsClean() throws {
    let s = try Store(path: Fixtures.path("pebble-gen/store"))
    #expect(s.missingWALs.isEmpty)
    #expect(!s.missingFiles.contains { $0.hasSuffix(".log") })
  }

  @Test func rocksDBLiveWALMissing() throws {
    let dir = try copyStore("rocksdb/store", without: ["000013.log"])
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let s = try Store(path: dir)
    #expect(s.version?.minUnflushedLogNum == 13)
    #expect(s.missingWALs.map(\.file) == ["000013.log"])
    #expect(s.isDamaged)
    #expect(s.memtable.batches == 0)
  }

  /// RocksDB records "last recovered WAL + 1" as its log number at open, which need not
  /// name a WAL: a higher-numbered WAL present means nothing is missing.
  @Test func rocksDBLogNumberAboveRecoveredWAL() throws {
    let dir = try copyStore("rocksdb/store", without: ["000013.log"])
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try FileManager.default.copyItem(atPath: Fixtures.path("rocksdb/store/000013.log"), toPath: dir + "/000016.log")
    let s = try Store(path: dir)
    #expect(s.missingWALs.isEmpty)
    #expect(!s.isDamaged, "\(s.issues)")
    #expect(s.liveLogs == [16])
  }

  /// CockroachDB set wal_dir to the store's own original absolute path: no warning while
  /// the WAL the MANIFEST needs is in the directory (it is replayed).
  @Test func rocksDBWalDirIsNoAlarm() throws {
    let dir = try copyStore("rocksdb/store")
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try Self.addOption(dir, "OPTIONS-000007", section: "DBOptions", "wal_dir=/mnt/data1/cockroach")
    let s = try Store(path: dir)
    #expect(s.options?.walDir == "/mnt/data1/cockroach")
    #expect(!s.issues.contains { "\($0)".contains("wal_dir") }, "\(s.issues)")
    #expect(!s.isDamaged)
    #expect(s.memtable.batches > 0)
  }

  /// …and when it is missing, the message says where it may be.
  @Test func missingWALNamesWalDir() throws {
    let dir = try copyStore("rocksdb/store", without: ["000013.log"])
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try Self.addOption(dir, "OPTIONS-000007", section: "DBOptions", "wal_dir=/mnt/data1/cockroach")
    let s = try Store(path: dir)
    #expect(Self.damageMessages(s).contains { $0.contains("OPTIONS sets wal_dir=/mnt/data1/cockroach") })
  }

  /// WAL failover: a gap in a live WAL's segments is a missing segment.
  @Test func missingFailoverSegment() throws {
    let dir = try copyStore("pebble-gen/store")
    defer { try? FileManager.default.removeItem(atPath: dir) }
    _ = FileManager.default.createFile(atPath: dir + "/000012-002.log", contents: Data())
    let s = try Store(path: dir)
    #expect(s.missingWALs.map(\.file) == ["000012-001.log"])
  }

  /// A WAL that is a Git LFS pointer is named as such.
  @Test func gitLFSPointerWAL() throws {
    let dir = try copyStore("pebble-gen/store", without: ["000012.log"])
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let pointer = "version https://git-lfs.github.com/spec/v1\noid sha256:33f09fda\nsize 133\n"
    try pointer.write(toFile: dir + "/000012.log", atomically: false, encoding: .utf8)
    let s = try Store(path: dir)
    #expect(Self.damageMessages(s).contains {
      $0 == "this is a Git LFS pointer file, not the file itself (sha256:33f09fda, size 133 bytes): fetch the object (git lfs pull) and read that"
    }, "\(s.issues)")
  }
}
