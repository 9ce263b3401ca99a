import Foundation
import Testing
import LSMStore
import SSTable
@testable import Carving
import SalvageTestSupport

/// The obsolete files copied out for `recover --use-obsolete` (CarvedStore+Obsolete.swift).
@Suite struct ObsoleteCopyTests {
  /// The Pebble fixture store's flushed WALs 5 and 8 and another store's table on an image:
  /// copied byte for byte (WALs under their own log numbers, the table numbered from the base,
  /// with its first and last point keys), with an OPTIONS file, and the directory opens as a
  /// store whose replayed WALs hold the SETs the live state no longer has. The image is not
  /// written.
  @Test func obsoleteTablesAndWALsOpenAsOneStore() throws {
    let src = Fixtures.path("pebble-gen/store")
    let other = Fixtures.path("pebble-gen/sst/ingest-pebblev7-snappy.sst")
    var b = ImageBuilder(ballast: 1 << 20, seed: 51)
    for name in ["000005.log", "000011.sst", "MANIFEST-000001", "000007.blob", "000008.log", "000010.blob",
                 "OPTIONS-000002", "000012.log", "000013.sst", "000014.blob"] {
      try b.place(src + "/" + name)
    }
    try b.place(other)
    let img = tempPath("obs.img")
    try b.write(to: img)
    defer { try? FileManager.default.removeItem(atPath: img) }
    let before = try fileBytes(img)
    let image = try DiskImage(path: img)
    let plan = try CarvedStore.plan(try Carver.scan(image), image: image)
    let dir = tempPath("obs-out")
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let copies = try plan.writeObsolete(to: dir, image: image, firstNumber: 1_000_000)
    #expect(try fileBytes(img) == before)
    #expect(copies.map(\.name) == ["000005.log", "000008.log", "1000000.sst"])
    #expect(copies.map(\.offset) == [b.placed["000005.log"]!.offset, b.placed["000008.log"]!.offset, b.placed["ingest-pebblev7-snappy.sst"]!.offset])
    for (name, from) in [("000005.log", src + "/000005.log"), ("000008.log", src + "/000008.log"), ("1000000.sst", other)] {
      #expect(try fileBytes(dir + "/" + name) == fileBytes(from), "\(name)")
    }
    let t = try Table(path: other)
    var keys: [[UInt8]] = []
    let it = t.makeIterator()
    while let e = it.next() { keys.append(Array(e.userKey)) }
    #expect(copies[2].smallestKey == keys.first && copies[2].largestKey == keys.last && keys.count > 1)
    #expect(FileManager.default.fileExists(atPath: dir + "/OPTIONS-000001"))

    let store = try Store(path: dir, ignoreManifest: true)
    #expect(store.comparer == (try Store(path: src)).comparer)
    #expect(store.liveLogs == [5, 8])
    let live = Set(visibleLines(try Store(path: src)).map { String($0.prefix { $0 != " " }) })
    let stale = visibleLines(store).map { String($0.prefix { $0 != " " }) }.filter { !live.contains($0) }
    #expect(stale.count >= 7)
  }
}
