import Foundation
import Testing
import LSMStore
import SSTable
@testable import Carving
import SalvageTestSupport

/// Loose data blocks (docs/carving.md §1.2): a table whose tail (index, meta blocks, footer)
/// was overwritten has no footer to find; its data blocks are found by their checksums.
@Suite struct LooseBlocksTests {
  @Test func dataBlocksOfATableWithoutFooter() throws {
    let src = Fixtures.path("pebble-gen/store")
    var table = try fileBytes(src + "/000011.sst")
    for i in 16963..<table.count { table[i] = 0 }   // index, meta blocks and footer gone
    var b = ImageBuilder(ballast: 1 << 20, seed: 41)
    try b.place(filesBesidesTable11In: src)
    b.place(bytes: table, as: "cut")
    b.bytes += [UInt8](repeating: 0, count: 64 << 10)
    let img = tempPath("loose.img")
    try b.write(to: img)
    defer { try? FileManager.default.removeItem(atPath: img) }
    let before = try fileBytes(img)

    let image = try DiskImage(path: img)
    var plan = try CarvedStore.plan(try Carver.scan(image), image: image)
    #expect(plan.liveTablesMissing == [11])
    #expect(plan.looseRegions.isEmpty)   // a second pass only when asked
    try plan.findLooseBlocks(image: image)
    #expect(try fileBytes(img) == before)
    // The original's point entries (all in its 8 data blocks).
    let original = try Table(path: src + "/000011.sst")
    var keys: [String] = []
    let it = original.makeIterator()
    while let e = it.next() { keys.append(Array(e.userKey).hex) }
    let r = try #require(plan.looseRegions.first)
    #expect(plan.looseRegions.count == 1)
    // The run of non-zero pages outside the carved files: the random filler before it too.
    #expect(r.offset <= b.placed["cut"]!.offset && r.offset + r.length >= b.placed["cut"]!.offset + 16963)
    #expect(r.dataBlocks == 8)
    #expect(r.entries == keys.count && keys.count > 50)
    #expect(r.firstKeyHex == keys.first && r.lastKeyHex == keys.last)
    #expect(plan.summaryLines.contains { $0.hasPrefix("loose data blocks outside any table: 8 block(s), \(keys.count) entries in 1 region(s)") },
            "\(plan.summaryLines)")
    let dir = tempPath("loose-out")
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try plan.write(to: dir, image: image)
    let s = try Table.salvage(path: dir + "/obsolete/loose-at-\(r.offset).sst")
    #expect(s.mode == .scannedBlocks && s.dataBlocks?.count == 8)

    // Columnar (Pebblev5+) blocks are found but not made into a table (no columnar index
    // writer): --use-obsolete --loose-blocks cannot read them.
    let obs = tempPath("loose-obs")
    defer { try? FileManager.default.removeItem(atPath: obs) }
    #expect(try plan.writeObsolete(to: obs, image: image, firstNumber: 7_000_000).allSatisfy { !$0.loose })
  }

  /// Row-format loose blocks (a RocksDB table, 39 data blocks, its index, meta blocks and
  /// footer zeroed) made into a table for `--use-obsolete --loose-blocks`: a new index, an
  /// empty metaindex and a footer of the same format; every entry reads back as in the
  /// original, in order, and every checksum holds. The image is not written.
  @Test func rowLooseBlocksBecomeATable() throws {
    let path = Fixtures.path("pebble-gen/sst/rocksdbv2-snappy.sst")
    var table = try fileBytes(path)
    for i in 72743..<table.count { table[i] = 0 }
    var b = ImageBuilder(ballast: 1 << 20, seed: 42)
    b.place(bytes: table, as: "cut")
    b.bytes += [UInt8](repeating: 0, count: 64 << 10)
    let img = tempPath("loose-row.img")
    try b.write(to: img)
    defer { try? FileManager.default.removeItem(atPath: img) }
    let before = try fileBytes(img)
    let image = try DiskImage(path: img)
    var plan = try CarvedStore.plan(try Carver.scan(image), image: image)
    try plan.findLooseBlocks(image: image)
    #expect(plan.looseRegions.map(\.dataBlocks) == [39])
    let obs = tempPath("loose-row-obs")
    defer { try? FileManager.default.removeItem(atPath: obs) }
    // The blocks' order is checked under the store's comparer (the MANIFEST's; this image has
    // none, the table's properties named it).
    plan.comparer = "cockroach_comparator"
    let copies = try plan.writeObsolete(to: obs, image: image, firstNumber: 7_000_000)
    #expect(try fileBytes(img) == before)
    #expect(copies.filter(\.loose).count == 1)
    let loose = try #require(copies.first { $0.loose })
    let original = try Table(path: path)
    let rebuilt = try Table(path: obs + "/" + loose.name)
    #expect(rebuilt.format == original.format)
    #expect(rebuilt.verify(checksumsOnly: true).isEmpty)
    func entries(_ t: Table) -> [String] {
      var out: [String] = []
      let it = t.makeIterator()
      while let e = it.next() { out.append("\(Array(e.userKey).hex) \(e.seq) \(e.kind) \(Array(e.value).hex)") }
      return out
    }
    let want = entries(original)
    #expect(want.count > 100)
    #expect(entries(rebuilt) == want)
    #expect(loose.smallestKey.map { $0.hex } == want.first.map { String($0.prefix { $0 != " " }) })
    #expect(loose.largestKey.map { $0.hex } == want.last.map { String($0.prefix { $0 != " " }) })
  }
}
