import Foundation
import Testing
import LSMStore
import SSTable
@testable import Carving
import SalvageTestSupport

func visibleLines(_ store: Store) -> [String] {
  let it = store.makeVisibleIterator()
  var out: [String] = []
  while let e = it.next() { out.append("\(hexString(e.key)) = \(hexString(e.value))") }
  return out
}

/// Carves `imagePath` into a fresh directory; returns the plan and the directory.
func carve(_ imagePath: String) throws -> (CarvedStore, String) {
  let image = try DiskImage(path: imagePath)
  let scan = try Carver.scan(image)
  let plan = try CarvedStore.plan(scan, image: image)
  let dir = tempPath("out")
  try plan.write(to: dir, image: image)
  return (plan, dir)
}

@Suite struct CarveImageTests {
  /// The Pebble fixture store (MANIFEST, two live tables, three blob files, recyclable WALs,
  /// OPTIONS) laid into an image after a 1 MiB zeroed ballast: the carved directory reads
  /// back every visible key exactly as the original store does, and the image is untouched.
  @Test func pebbleStoreFromRawImage() throws {
    let src = Fixtures.path("pebble-gen/store")
    var b = ImageBuilder(ballast: 1 << 20, seed: 21)
    b.filler(300_000)
    for name in ["000005.log", "000011.sst", "MANIFEST-000001", "000007.blob", "000008.log", "000010.blob",
                 "OPTIONS-000002", "000012.log", "000013.sst", "000014.blob"] {
      try b.place(src + "/" + name, gap: 8192 * (name.count % 3))
    }
    // A table of another store, not named by this MANIFEST, at an odd offset: obsolete.
    try b.place(Fixtures.path("pebble-gen/sst/ingest-pebblev7-snappy.sst"), alignment: 1, gap: 777)
    b.filler(100_000)
    let img = tempPath("pebble.img")
    try b.write(to: img)
    defer { try? FileManager.default.removeItem(atPath: img) }
    let before = try fileBytes(img)

    let (plan, dir) = try carve(img)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    #expect(try fileBytes(img) == before)
    let live = plan.files.filter { $0.status == .live }.compactMap(\.name).sorted()
    // WALs 5 and 8 are older than the MANIFEST's log number (12): flushed, obsolete.
    #expect(live == ["000007.blob", "000010.blob", "000011.sst", "000012.log", "000013.sst", "000014.blob"])
    #expect(plan.obsoleteWALs == 2)
    #expect(plan.files.filter { $0.status == .metadata }.compactMap(\.name).sorted() == ["MANIFEST-000001", "OPTIONS-000002"])
    #expect(plan.liveTablesMissing.isEmpty)
    #expect(plan.obsoleteTables == 1)
    #expect(plan.files.first { $0.file.kind == .table && $0.status == .obsolete }?.file.offset == b.placed["ingest-pebblev7-snappy.sst"]!.offset)
    // Live tables and blobs carved byte for byte.
    for name in ["000011.sst", "000013.sst", "000007.blob", "000010.blob", "000014.blob", "MANIFEST-000001"] {
      #expect(try fileBytes(dir + "/" + name) == fileBytes(src + "/" + name), "\(name)")
    }
    let carved = try Store(path: dir)
    let original = try Store(path: src)
    let want = visibleLines(original)
    #expect(want.count > 100)
    #expect(visibleLines(carved) == want)
    // The obsolete WALs hold SETs of keys the live state no longer has (deleted since):
    // replaying them as live would have brought those rows back.
    let visibleKeys = Set(want.map { String($0.prefix { $0 != " " }) })
    var stale = 0
    for p in plan.files where p.file.kind == .wal && p.status == .obsolete {
      let reader = try LogReader(path: dir + "/" + p.name!, logNumber: p.file.embeddedNumber.map(UInt32.init))
      while let r = reader.next() {
        let batch = BatchDecoder.decode(r.payload, recordOffset: r.offset, file: p.name!)
        stale += batch.ops.filter { $0.kind == Kind.set && !visibleKeys.contains(hexString($0.key)) }.count
      }
    }
    #expect(stale >= 7)
    // Each obsolete WAL is carved to its exact length (up to and with Pebble's EOF trailer).
    for (name, wal) in [("000005.log", b.placed["000005.log"]!), ("000008.log", b.placed["000008.log"]!)] {
      let p = try #require(plan.files.first { $0.file.offset == wal.offset })
      #expect(try fileBytes(dir + "/" + p.name!) == fileBytes(src + "/" + name), "\(name)")
    }
  }

  /// A RocksDB WAL (legacy chunks, no log number) whose next file, the MANIFEST, starts
  /// exactly 32 KiB after it: two files, not one log running into the other.
  @Test func legacyLogsOneBlockApartStayApart() throws {
    let src = Fixtures.path("rocksdb/store")
    var b = ImageBuilder(ballast: 64 << 10, seed: 8)
    try b.place(src + "/000013.log", alignment: 32 << 10)
    try b.place(src + "/MANIFEST-000005", alignment: 32 << 10, gap: 0)
    #expect(b.placed["MANIFEST-000005"]!.offset == b.placed["000013.log"]!.offset + (32 << 10))
    try b.place(src + "/000012.sst")
    try b.place(src + "/000014.sst")
    let img = tempPath("rocks.img")
    try b.write(to: img)
    defer { try? FileManager.default.removeItem(atPath: img) }
    let (plan, dir) = try carve(img)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    #expect(plan.files.map(\.file.kind) == [.wal, .manifest, .table, .table])
    #expect(try fileBytes(dir + "/000013.log") == fileBytes(src + "/000013.log"))
    #expect(try fileBytes(dir + "/MANIFEST-000001") == fileBytes(src + "/MANIFEST-000005"))
    #expect(visibleLines(try Store(path: dir)) == visibleLines(try Store(path: src)))
  }
}

@Suite struct CarveDamageTests {
  /// A hole in the middle of the disk wipes one live table: the plan says which table the
  /// MANIFEST names and the image lacks, the carve's footer list stays clean (no footer
  /// there), and the carved store reports the file missing instead of silently reading less.
  @Test func holeOverALiveTable() throws {
    let src = Fixtures.path("pebble-gen/store")
    var b = ImageBuilder(ballast: 1 << 20, seed: 9)
    for name in ["MANIFEST-000001", "000011.sst", "000013.sst", "000007.blob", "000010.blob", "000014.blob", "000012.log"] {
      try b.place(src + "/" + name)
    }
    let hole = b.placed["000011.sst"]!
    for i in hole.offset..<(hole.offset + hole.length) { b.bytes[i] = 0 }
    let img = tempPath("hole.img")
    try b.write(to: img)
    defer { try? FileManager.default.removeItem(atPath: img) }
    let (plan, dir) = try carve(img)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    #expect(plan.liveTablesMissing == [11])
    #expect(plan.liveTables == 1)
    #expect(plan.summaryLines.contains { $0.contains("1 not found (000011.sst)") }, "\(plan.summaryLines)")
    let store = try Store(path: dir)
    #expect(store.missingFiles == ["000011.sst"])
    #expect(store.isDamaged)
  }

  /// Only a table's tail survives (its first half overwritten): the footer is found, the
  /// table does not open from the derived start, and it is listed as unconfirmed, not carved.
  @Test func overwrittenStartIsUnconfirmed() throws {
    let src = Fixtures.path("pebble-gen/store")
    var b = ImageBuilder(ballast: 1 << 20, seed: 10)
    try b.place(src + "/000011.sst")
    let t = b.placed["000011.sst"]!
    for i in t.offset..<(t.offset + t.length / 2) { b.bytes[i] = 0xAA }
    let img = tempPath("tail.img")
    try b.write(to: img)
    defer { try? FileManager.default.removeItem(atPath: img) }
    let image = try DiskImage(path: img)
    let scan = try Carver.scan(image)
    #expect(scan.files.filter { $0.kind == .table }.count == 0 || scan.files.allSatisfy { !$0.confirmed })
    #expect(scan.unconfirmedFooters.count + scan.files.filter { $0.kind == .table }.count == 1)
  }
}
