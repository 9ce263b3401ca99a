import Foundation
import Testing
import LSMStore
import SSTable
@testable import Carving
import SalvageTestSupport

@Suite struct Ext4ImageTests {
  /// A dead node's disk: an ext4 filesystem holding the Pebble fixture store plus a table
  /// that was deleted (its blocks left in free space), then the first 4 MiB zeroed by a
  /// ballast. Every visible key comes back as the original store has it; the deleted table
  /// is found but kept apart as obsolete; the image is not written.
  @Test func pebbleStoreOnDestroyedExt4() throws {
    let src = Fixtures.path("pebble-gen/store")
    let names = try FileManager.default.contentsOfDirectory(atPath: src).filter { !$0.hasPrefix("marker.") && $0 != "LOCK" }
    let extra = tempPath("obsolete") + ".sst"
    try FileManager.default.copyItem(atPath: Fixtures.path("pebble-gen/sst/ingest-pebblev7-snappy.sst"), toPath: extra)
    defer { try? FileManager.default.removeItem(atPath: extra) }
    let img = try ext4Image(files: names.map { src + "/" + $0 } + [extra], deleted: [(extra as NSString).lastPathComponent],
                            sizeMiB: 16, ballast: 4 << 20)
    defer { try? FileManager.default.removeItem(atPath: img) }
    // The ballast really destroyed the filesystem: debugfs cannot open it.
    let (rc, _, _) = try runProgram("/usr/sbin/debugfs", ["-R", "ls", img])
    let listed = try runProgram("/usr/sbin/debugfs", ["-R", "ls -l", img]).1
    #expect(rc != 0 || !String(decoding: listed, as: UTF8.self).contains("000011.sst"))
    let before = try fileBytes(img)

    let (plan, dir) = try carve(img)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    #expect(try fileBytes(img) == before)
    #expect(plan.liveTables == 2)
    #expect(plan.liveTablesMissing.isEmpty)
    #expect(plan.obsoleteTables == 1)
    let obsolete = try #require(plan.files.first { $0.file.kind == .table && $0.status == .obsolete })
    #expect(try fileBytes(dir + "/" + obsolete.name!) == fileBytes(Fixtures.path("pebble-gen/sst/ingest-pebblev7-snappy.sst")))
    #expect(!FileManager.default.fileExists(atPath: dir + "/000009.sst"))
    #expect(visibleLines(try Store(path: dir)) == visibleLines(try Store(path: src)))
  }

  /// The RocksDB fixture store (CURRENT-era MANIFEST, legacy-format WAL with no log number
  /// in its chunks) on a destroyed ext4: the unflushed WAL is recognised by its seqnums,
  /// numbered as the MANIFEST's log number, and replayed.
  @Test func rocksDBStoreOnDestroyedExt4() throws {
    let src = Fixtures.path("rocksdb/store")
    let names = try FileManager.default.contentsOfDirectory(atPath: src).filter { $0 != "LOCK" }
    let img = try ext4Image(files: names.map { src + "/" + $0 }, deleted: [], sizeMiB: 16, ballast: 4 << 20)
    defer { try? FileManager.default.removeItem(atPath: img) }
    let (plan, dir) = try carve(img)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    #expect(plan.liveTables == 2)
    #expect(plan.files.filter { $0.status == .live }.compactMap(\.name).sorted() == ["000012.sst", "000013.log", "000014.sst"])
    let want = visibleLines(try Store(path: src))
    #expect(want.count == 265)
    #expect(visibleLines(try Store(path: dir)) == want)
  }
}
