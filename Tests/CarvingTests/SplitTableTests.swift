import Foundation
import Testing
import LSMStore
import SSTable
@testable import Carving
import SalvageTestSupport

/// Tables split across extents (docs/carving.md §1.1): the footer's extent holds the index and
/// meta blocks; the data blocks of the other extents are found elsewhere in the image.
@Suite struct SplitTableTests {
  static let src = Fixtures.path("pebble-gen/store")

  /// The Pebble fixture store with 000011.sst (21164 bytes, 8 data blocks) written as two
  /// extents: its first 8 KiB far before the rest. The derived start holds other bytes, so
  /// blocks 0–3 fail there (block 3, 8164–10264, across the extent boundary); they are found
  /// (block 0 by a search, the others by its extent's shift, block 3 in two parts), the table
  /// is carved byte for byte, matched live, and the store reads as the original.
  @Test func tableInTwoExtents() throws {
    let table = try fileBytes(Self.src + "/000011.sst")
    var b = ImageBuilder(ballast: 1 << 20, seed: 31)
    b.place(bytes: Array(table[..<8192]), as: "head")
    try b.place(filesBesidesTable11In: Self.src)
    b.place(bytes: Array(table[8192...]), as: "tail", gap: 40960)
    b.filler(50_000)
    let img = tempPath("split.img")
    try b.write(to: img)
    defer { try? FileManager.default.removeItem(atPath: img) }
    let before = try fileBytes(img)

    let (plan, dir) = try carve(img)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    #expect(try fileBytes(img) == before)
    #expect(plan.liveTablesMissing.isEmpty)
    #expect(plan.unconfirmedFooters.isEmpty)
    let t = try #require(plan.files.first { $0.name == "000011.sst" })
    #expect(t.status == .live && t.file.confirmed)
    #expect(t.file.offset == b.placed["tail"]!.offset - 8192)
    let pieces = try #require(t.file.pieces)
    // Blocks 0-2 whole from the head extent, block 3 in two parts (head, then footer's extent).
    #expect(pieces.map(\.tableOffset) == [0, 3727, 5876, 8164, 8192])
    #expect(pieces.prefix(4).allSatisfy { $0.imageOffset - $0.tableOffset == b.placed["head"]!.offset })
    #expect(pieces[4].imageOffset == b.placed["tail"]!.offset)
    #expect(t.file.note?.contains("split across extents: 5 piece(s)") == true, "\(t.file.note ?? "")")
    #expect(try fileBytes(dir + "/000011.sst") == table)
    #expect(plan.summaryLines.contains { $0.contains("1 table(s) reassembled from pieces across the image") }, "\(plan.summaryLines)")
    #expect(visibleLines(try Store(path: dir)) == visibleLines(try Store(path: Self.src)))
  }

  /// Three extents, the middle one gone (overwritten): block 0 is found, blocks 1–5 (3727 to
  /// 14156, the middle extent's and those across its edges) are not. The table is kept as a
  /// partial one: still matched live (its first key is there), the blocks found in place, the
  /// missing ones listed and reported damaged by the store (so their spans are read elsewhere).
  @Test func partialTableWhenAnExtentIsGone() throws {
    let table = try fileBytes(Self.src + "/000011.sst")
    var b = ImageBuilder(ballast: 1 << 20, seed: 32)
    b.place(bytes: Array(table[..<4096]), as: "first")
    try b.place(filesBesidesTable11In: Self.src)
    b.place(bytes: Array(table[12288...]), as: "last", gap: 40960)
    let img = tempPath("partial.img")
    try b.write(to: img)
    defer { try? FileManager.default.removeItem(atPath: img) }
    let before = try fileBytes(img)

    let (plan, dir) = try carve(img)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    #expect(try fileBytes(img) == before)
    let t = try #require(plan.files.first { $0.name == "000011.sst" })
    #expect(t.status == .live && !t.file.confirmed)
    #expect(t.file.pieces?.map(\.tableOffset) == [0])
    #expect(t.file.note?.contains("5 block(s) not found (3727/2144, 5876/2283, 8164/2095, 10264/1989, …): a partial table") == true,
            "\(t.file.note ?? "")")
    let carved = try fileBytes(dir + "/000011.sst")
    #expect(carved.count == table.count)
    let same = { (r: Range<Int>) in carved[r].elementsEqual(table[r]) }
    #expect(same(0..<3727), "block 0 (3722 bytes and its trailer) in place")
    #expect(same(14156..<table.count), "the footer's extent")
    #expect(!same(3727..<14156))
    let damaged = try Table(path: dir + "/000011.sst").verify(checksumsOnly: true)
    #expect(damaged.compactMap(\.handle).map(\.offset) == [3727, 5876, 8164, 10264, 12258])
  }
}
