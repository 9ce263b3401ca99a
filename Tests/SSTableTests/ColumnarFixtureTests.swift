import Foundation
import Testing
import SSTable
import SalvageTestSupport

/// Every columnar table Pebble wrote (Pebblev5–v8, crdb1 key schema) decodes to exactly the
/// entries Pebble's own reader reported: every field of every entry, in order.
struct ColumnarFixtureTests {
  static let columnar = Fixtures.tables(in: "pebble-gen/sst").filter { name in
    ["pebblev5", "pebblev6", "pebblev7", "pebblev8", "ingest-pebblev7"].contains { name.hasPrefix($0) }
  }.map { "pebble-gen/sst/" + $0 }

  @Test func fixturesArePresent() {
    #expect(Self.columnar.count == 10)
  }

  static func storageName(_ s: ValueStorage) -> String {
    switch s {
    case .inline: "inline"
    case .valueBlock: "value_block"
    case .blob: "blob"
    case .missing: "missing"
    }
  }

  @Test(arguments: columnar)
  func pointsMatchEngine(_ name: String) throws {
    let expected = try Fixtures.jsonl(name + ".points.jsonl")
    #expect(expected.count > 700)
    let table = try Table(path: Fixtures.path(name + ".sst"))
    #expect(table.format.isColumnar)
    #expect(table.warnings.isEmpty)
    let it = table.makeIterator()
    var i = 0
    var tiered = 0
    while let e = it.next() {
      guard i < expected.count else { Issue.record("\(name): more entries than expected"); break }
      let x = expected[i]
      let got = "\(hexString(e.userKey)) #\(e.seq) \(Kind.name(e.kind))/\(e.kind) = \(hexString(e.value)) [\(Self.storageName(e.storage))]"
      let want = "\(x.str("key_hex")!) #\(x.uint64("seq")!) \(x.str("kind")!)/\(x.int("kind_code")!) = \(x.str("value_hex")!) [\(x.str("value_storage")!)]"
      if got != want {
        Issue.record("\(name) entry \(i):\n got  \(got.prefix(300))\n want \(want.prefix(300))")
        return
      }
      if let span = x.uint64("tiering_span_id") {
        #expect(e.tieringSpanID == span, "\(name) entry \(i) tiering span")
        #expect(e.tieringAttribute == x.uint64("tiering_attribute"), "\(name) entry \(i) tiering attribute")
        tiered += 1
      } else {
        #expect((e.tieringSpanID ?? 0) == 0, "\(name) entry \(i) has unexpected tiering span")
      }
      i += 1
    }
    #expect(i == expected.count, "\(name): \(i) entries, expected \(expected.count)")
    #expect(it.damages.isEmpty, "\(name): \(it.damages)")
    if name.contains("pebblev8") { #expect(tiered > 0) }
  }

  @Test(arguments: columnar)
  func rangeDeletionsMatchEngine(_ name: String) throws {
    let expected = try Fixtures.jsonl(name + ".rangedels.jsonl").map {
      "\($0.str("start_hex")!)-\($0.str("end_hex")!)#\($0.uint64("seq")!)"
    }
    #expect(!expected.isEmpty)
    let got = try Table(path: Fixtures.path(name + ".sst")).rangeDeletions().map {
      "\(hexString($0.start))-\(hexString($0.end))#\($0.seq)"
    }
    #expect(got == expected)
  }

  @Test(arguments: columnar)
  func rangeKeysMatchEngine(_ name: String) throws {
    let expected = try Fixtures.jsonl(name + ".rangekeys.jsonl").map(Self.rangeKeyLine)
    #expect(!expected.isEmpty)
    let got = try Table(path: Fixtures.path(name + ".sst")).rangeKeys().map(Self.rangeKeyLine)
    #expect(got == expected)
  }

  static func rangeKeyLine(_ x: [String: Any]) -> String {
    "\(x.str("start_hex")!)-\(x.str("end_hex")!)#\(x.uint64("seq")!),\(x.str("kind")!) @\(x.str("suffix_hex") ?? "-") =\(x.str("value_hex") ?? "-")"
  }

  static func rangeKeyLine(_ k: RangeKey) -> String {
    "\(hexString(k.start))-\(hexString(k.end))#\(k.seq),\(Kind.name(k.kind)) @\(k.suffix.map { hexString($0) } ?? "-") =\(k.value.map { hexString($0) } ?? "-")"
  }

  /// Properties come from the row block (v5, v6) or the columnar key/value block (v7+).
  @Test(arguments: columnar)
  func propertiesMatchEngine(_ name: String) throws {
    let table = try Table(path: Fixtures.path(name + ".sst"))
    let p = table.properties
    let points = try Fixtures.jsonl(name + ".points.jsonl").count
    let rangeDels = try Fixtures.jsonl(name + ".rangedels.jsonl").count
    #expect(p.numEntries == UInt64(points + rangeDels))
    #expect(p.keySchema == "crdb1")
    #expect(p.comparator == "cockroach_comparator")
    #expect(p.mergeOperator == "cockroach_merge_operator")
    let text = try String(contentsOfFile: Fixtures.path(name + ".properties.txt"), encoding: .isoLatin1)
    let blocksLine = text.split(separator: "\n").first { $0.hasPrefix("    blocks") }!
    #expect(p.numDataBlocks == UInt64(blocksLine.split(separator: " ").last!))
    #expect(table.isTwoLevelIndex == name.contains("twolevel"))
    #expect(table.metaindex.contains { $0.name == "rocksdb.properties" })
  }

  /// The index yields the data blocks `pebble sstable layout` lists, in order.
  @Test(arguments: columnar)
  func dataBlocksMatchLayout(_ name: String) throws {
    let layout = try String(contentsOfFile: Fixtures.path(name + ".layout.txt"), encoding: .utf8)
    let want = layout.split(separator: "\n").filter { $0.contains("── data ") }.map { line -> String in
      let f = line.split(separator: " ").filter { Int($0) != nil }
      return "\(f[0])/\(f[1])"
    }
    #expect(!want.isEmpty)
    let got = try Table(path: Fixtures.path(name + ".sst")).dataBlockEntries().map { "\($0.handle.offset)/\($0.handle.length)" }
    #expect(got == want)
  }
}
