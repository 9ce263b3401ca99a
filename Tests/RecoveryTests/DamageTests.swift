import Testing
import Foundation
import CockroachKV
import SSTable
import LSMStore
@testable import Recovery

/// s1 and s2 of the scenario, s1 in 64-byte blocks with the block holding row 2 of table 54
/// damaged: only that block's keys are read from s2; the rest of r5 still from s1.
struct DamageTests {
  /// A damaged properties block loses no key (issue 14, item 8): it is reported, but no
  /// span is read from another replica because of it.
  @Test func damagedPropertiesBlockDamagesNoSpan() throws {
    let root = try makeTempDir("damage-props")
    try ClusterScenario.store1().write(to: root + "/s1")
    let sst = try #require(try FileManager.default.contentsOfDirectory(atPath: root + "/s1").filter { $0.hasSuffix(".sst") }.sorted().last)
    let path = root + "/s1/" + sst
    let props = try #require(try Table(path: path).metaHandle("rocksdb.properties"))
    var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
    bytes[props.offset + props.length / 2] ^= 0x04
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    let c = try StoreCatalog.read(path: root + "/s1", verifyTables: true)
    #expect(c.damagedSpans == [])
    #expect(c.problems.contains { $0.description.contains(sst) && $0.description.contains("properties block") && $0.kind == .damage }, "\(c.problems)")
  }

  /// s1 (64-byte blocks) with the data block holding row 2 of table 54 damaged, and s2.
  static func damagedRow2(_ name: String) throws -> (root: String, sst: String) {
    let root = try makeTempDir(name)
    var s1 = ClusterScenario.store1()
    s1.blockSize = 64
    try s1.write(to: root + "/s1")
    try ClusterScenario.store2().write(to: root + "/s2")
    let sst = try #require(try FileManager.default.contentsOfDirectory(atPath: root + "/s1").filter { $0.hasSuffix(".sst") }.sorted().last)
    let path = root + "/s1/" + sst
    let row2 = Enc.row(54, 2)
    let block = try #require(try Table(path: path).layout().blocks.first { b in
      b.kind == "data" && b.upperKey.map { (try? EngineKey(decoding: $0).roachKey).map { !$0.lexicographicallyPrecedes(row2) } ?? false } ?? false
    })
    var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
    bytes[block.handle.offset + 2] ^= 0xFF
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    return (root, sst)
  }

  @Test func damagedBlockFallsBackToTheNextReplica() throws {
    let (root, sst) = try Self.damagedRow2("damage")
    let row2 = Enc.row(54, 2)

    let plain = try StoreCatalog.read(path: root + "/s1")
    #expect(plain.damagedSpans == [])  // the local keys are intact; nothing read the damage
    let cs = [try StoreCatalog.read(path: root + "/s1", verifyTables: true), try StoreCatalog.read(path: root + "/s2", verifyTables: true)]
    let damaged = try #require(cs[0].damagedSpans.first)
    #expect(cs[0].damagedSpans.count == 1)
    #expect(damaged.contains(row2))
    #expect(!damaged.contains(Enc.row(54, 1)) && !damaged.contains(Enc.row(54, 4)))
    #expect(cs[0].problems.count == 1 && cs[0].problems[0].description.contains(sst) && cs[0].problems[0].description.contains("checksum mismatch"))
    #expect(cs[0].problems.first?.kind == .damage && cs[0].problems.first?.store == root + "/s1" && cs[0].problems.first?.file?.hasSuffix(sst) == true)
    // The store is named once (the table's path inside it), not "s1: s1/000N.sst: …".
    #expect(cs[0].problems[0].description.components(separatedBy: root + "/s1").count == 2, "\(cs[0].problems)")
    let view = ClusterView(cs)
    let plans = ReplicaPlanner.plan(view, catalogs: cs)
    let r5 = try #require(plans.first { $0.rangeID == 5 })
    #expect(r5.chosenStore == 0)
    #expect(r5.fallbacks == [RangePlan.Fallback(span: damaged, store: 1)])
    #expect(plans.filter { $0.rangeID != 5 }.allSatisfy { $0.fallbacks.isEmpty })
  }

  /// Checked while reading (`BlockChecks`), the damaged block is found by the first read that
  /// needs it and read from the same replica the planner picks after checking every block;
  /// a span that does not reach the block finds nothing, and a lagging replica's block is
  /// checked only where it is read instead.
  @Test func checksWhileReadingChooseAsThePlanner() throws {
    let (root, sst) = try Self.damagedRow2("damage-lazy")

    let full = [try StoreCatalog.read(path: root + "/s1", verifyTables: true), try StoreCatalog.read(path: root + "/s2", verifyTables: true)]
    let planned = try #require(ReplicaPlanner.plan(ClusterView(full), catalogs: full).first { $0.rangeID == 5 })
    let plain = [try StoreCatalog.read(path: root + "/s1"), try StoreCatalog.read(path: root + "/s2")]
    let r5 = try #require(ClusterView(plain).ranges.first { $0.rangeID == 5 })
    let checks = BlockChecks(stores: [try Store(path: root + "/s1"), try Store(path: root + "/s2")], known: plain.map(\.damagedSpans))
    let order = r5.replicas.map(\.store)
    #expect(order == [0, 1])

    let table54 = KeySpan(start: Enc.table(54), end: Enc.table(55))
    let found = checks.pieces(of: table54, range: r5.span, replicas: order)
    #expect(found.damaged == planned.fallbacks)
    #expect(found.damaged.count == 1 && found.damaged[0].store == 1)
    #expect(found.problems.count == 1 && found.problems[0].description.contains(sst) && found.problems[0].description.contains("checksum mismatch"))

    // Row 1 only: its keys sort before the damaged block's.
    let row1 = KeySpan(start: Enc.row(54, 1), end: Enc.row(54, 1) + [0xFF])
    #expect(!row1.overlaps(found.damaged[0].span))
    let clean = checks.pieces(of: row1, range: r5.span, replicas: order)
    #expect(clean.damaged.isEmpty && clean.problems.isEmpty)
  }
}

