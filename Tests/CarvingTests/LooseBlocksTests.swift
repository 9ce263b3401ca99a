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
    for name in ["MANIFEST-000001", "000013.sst", "000007.blob", "000010.blob", "000014.blob", "000012.log"] {
      try b.place(src + "/" + name)
    }
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
  }
}
