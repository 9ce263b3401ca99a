import Foundation
import Testing
import SSTable
import SalvageTestSupport

/// `Table.layout()` finds exactly the blocks Pebble's `sstable layout` lists (kind, offset,
/// length), for every Pebble-written table of every format.
struct LayoutFixtureTests {
  static let names = Fixtures.tables(in: "pebble-gen/sst").map { "pebble-gen/sst/" + $0 }

  /// Pebble's block names mapped to ours.
  static func ours(_ pebbleKind: String) -> String {
    switch pebbleKind {
    case "meta-index": "metaindex"
    case let k where k.hasPrefix("fullfilter"): "filter"
    case "leveldb-footer": "footer"
    default: pebbleKind
    }
  }

  @Test(arguments: names)
  func blocksMatchPebbleLayout(_ name: String) throws {
    let text = try String(contentsOfFile: Fixtures.path(name + ".layout.txt"), encoding: .utf8)
    var expected: [String] = []
    for line in text.split(separator: "\n") {
      let words = line.split(separator: " ").map(String.init)
      guard let o = words.firstIndex(of: "offset:"), let l = words.firstIndex(of: "length:"), o >= 1 else { continue }
      let kind = Self.ours(words[o - 1])
      if kind == "footer" { continue }
      expected.append("\(kind) \(words[o + 1]) \(words[l + 1])")
    }
    let table = try Table(path: Fixtures.path(name + ".sst"))
    let (blocks, damages) = table.layout()
    #expect(damages.isEmpty)
    let got = blocks.map { "\($0.kind) \($0.handle.offset) \($0.handle.length)" }
    #expect(got.count == expected.count)
    if let i = zip(got, expected).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset {
      Issue.record("block \(i): got \(got[i]), Pebble lists \(expected[i])")
    }
  }
}
