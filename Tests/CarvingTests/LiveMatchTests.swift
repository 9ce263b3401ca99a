import Foundation
import Testing
import LSMStore
import SSTable
@testable import Carving
import SalvageTestSupport

@Suite struct LiveMatchTests {
  static func record13() throws -> TableMeta {
    let m = try Manifest(path: Fixtures.path("pebble-gen/store/MANIFEST-000001"))
    return try #require(m.version.tables.first { $0.fileNum == 13 })
  }

  /// A carved table is a live record's file only with its size, its smallest point key and a
  /// seqnum inside the record's bounds.
  @Test func matchNeedsSizeKeyAndSeqnum() throws {
    let t = try Self.record13()
    #expect(t.size == 4537 && t.smallestSeq == 824 && t.largestSeq == 894)
    let good = CarvedFile(kind: .table, offset: 0, length: 4537, format: "Pebblev4", confirmed: true,
                          smallestKeyHex: "f48988880017979d361747600009", smallestSeq: 874)
    #expect(CarvedStore.matches(good, t))
    var f = good; f.length = 4536
    #expect(!CarvedStore.matches(f, t))
    f = good; f.smallestKeyHex = "f48988880017979d361747600008"
    #expect(!CarvedStore.matches(f, t))
    f = good; f.smallestSeq = 700   // an older table over the same keys
    #expect(!CarvedStore.matches(f, t))
    f = good; f.confirmed = false   // damaged blocks elsewhere: still this record's file
    #expect(CarvedStore.matches(f, t))
    f = good; f.smallestKeyHex = nil   // its first block damaged: no key to check
    #expect(!CarvedStore.matches(f, t))
  }

  /// A stale copy of a live table with one damaged byte, earlier on the disk than the real
  /// file, is not taken for it: the intact copy is live, the damaged one obsolete (even once
  /// its damaged block was found elsewhere, Reassembly.swift).
  @Test func damagedCopyIsNotTheLiveTable() throws {
    let src = Fixtures.path("pebble-gen/store")
    var table = try fileBytes(src + "/000013.sst")
    let bad = tempPath("bad") + ".sst"
    table[100] ^= 0x40   // inside the first data block
    try Data(table).write(to: URL(fileURLWithPath: bad))
    defer { try? FileManager.default.removeItem(atPath: bad) }
    var b = ImageBuilder(ballast: 1 << 20, seed: 5)
    try b.place(bad, as: "bad")
    for name in ["MANIFEST-000001", "000011.sst", "000013.sst", "000007.blob", "000010.blob", "000014.blob", "000012.log"] {
      try b.place(src + "/" + name)
    }
    let img = tempPath("dup.img")
    try b.write(to: img)
    defer { try? FileManager.default.removeItem(atPath: img) }
    let (plan, dir) = try carve(img)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let tables = plan.files.filter { $0.file.kind == .table }
    #expect(tables.map(\.file.offset) == [b.placed["bad"]!.offset, b.placed["000011.sst"]!.offset, b.placed["000013.sst"]!.offset])
    #expect(tables.map(\.status) == [.obsolete, .live, .live])
    // Its damaged block is the intact copy's (same length, offset modulo 4 KiB and checksum):
    // found there and put in place, but a reassembled copy still yields to the intact one.
    #expect(tables[0].file.pieces?.count == 1)
    #expect(try fileBytes(dir + "/000013.sst") == fileBytes(src + "/000013.sst"))
  }
}
