import Testing
import SSTable
import SalvageTestSupport

/// The damaged copies in `corrupt/` behave as `corrupt/damage.json` says: bad blocks are
/// reported and skipped, everything else is returned exactly; unusable footers give a
/// one-line error in strict mode and a block-scanning recovery otherwise.
struct CorruptFixtureTests {
  struct Case: CustomStringConvertible, Sendable {
    var file: String
    var source: String
    var lost: Set<Int>
    var keysOnly: Set<Int>
    var damagedBlocks: [Int]
    var blockOffsets: [Int]
    var description: String { file }
  }

  /// A RocksDB row table, a Pebble row table with value blocks, a Pebble columnar table.
  static let sources = ["rocksdb/sst/fv5-snappy.sst", "pebble-gen/sst/pebblev3-snappy.sst", "pebble-gen/sst/pebblev8-zstd.sst"]

  static let cases: [Case] = {
    guard let all = try? Fixtures.json("corrupt/damage.json") as? [[String: Any]] else { return [] }
    return all.compactMap { d -> Case? in
      guard let file = d.str("file"), file.hasSuffix(".sst"), let source = d.str("source"), sources.contains(source) else { return nil }
      let blocks = d["damaged_data_blocks"] as? [Int] ?? []
      let map = (d["data_block_map"] as? [[String: Any]] ?? []).compactMap { $0.int("offset") }
      return Case(file: file, source: String(source.dropLast(4)), lost: ranges(d.str("lost_point_indexes") ?? ""),
                  keysOnly: ranges(d.str("keys_only_point_indexes") ?? ""), damagedBlocks: blocks, blockOffsets: map)
    }
  }()

  /// "289-308" or "52-52,54-55"; prose ("none if …") is the empty set.
  static func ranges(_ s: String) -> Set<Int> {
    var out = Set<Int>()
    for part in s.split(separator: ",") {
      let ends = part.split(separator: "-").compactMap { Int($0) }
      if ends.count == 2 { out.formUnion(ends[0]...ends[1]) }
    }
    return out
  }

  @Test func everyDamageKindIsCovered() {
    #expect(Self.cases.count == 13)
  }

  @Test(arguments: cases)
  func salvagedPointsMatchWhatSurvived(_ c: Case) throws {
    let expected = try Fixtures.jsonl(c.source + ".points.jsonl")
    let opened = try Table.salvage(path: Fixtures.path("corrupt/" + c.file))
    let it = opened.makeIterator()
    var got: [String: (kind: String, value: String, storage: ValueStorage)] = [:]
    while let e = it.next() {
      got["\(hexString(e.userKey))#\(e.seq)"] = (Kind.name(e.kind), hexString(e.value), e.storage)
    }
    var returned = 0
    for (i, x) in expected.enumerated() {
      let key = "\(x.str("key_hex")!)#\(x.uint64("seq")!)"
      if c.lost.contains(i) {
        #expect(got[key] == nil, "point \(i) lives in a lost block but was returned")
        continue
      }
      guard let g = got[key] else { Issue.record("point \(i) missing"); continue }
      returned += 1
      #expect(g.kind == x.str("kind"))
      if c.keysOnly.contains(i) {
        #expect(g.storage == .missing && g.value.isEmpty, "point \(i) should keep only key/seq/kind")
      } else {
        #expect(g.value == x.str("value_hex"), "point \(i) value")
      }
    }
    #expect(returned == expected.count - c.lost.count)
    #expect(got.count == returned)
    // Each damaged data block is reported once, naming the file and the block's offset.
    let reported = it.damages.filter { $0.blockKind == "data" }
    if c.file.contains("truncated-mid") {
      // Without an index the lost blocks cannot be named one by one: the salvage notes
      // name the unreadable byte range instead, from the first lost block to the end.
      let first = c.blockOffsets[c.damagedBlocks[0]]
      #expect(opened.notes.contains { $0.contains("no block found in bytes [\(first), ") })
    } else {
      #expect(reported.map { $0.handle!.offset } == c.damagedBlocks.map { c.blockOffsets[$0] })
    }
    for d in reported { #expect(d.description.contains(c.file)) }
    let footerDamaged = c.file.contains("magic") || c.file.contains("truncated")
    #expect((opened.mode != .normal) == footerDamaged)
  }

  @Test(arguments: cases.filter { $0.file.contains("magic") || $0.file.contains("truncated") })
  func strictOpenGivesOneLineError(_ c: Case) {
    do {
      _ = try Table(path: Fixtures.path("corrupt/" + c.file))
      Issue.record("opened a table whose footer is damaged")
    } catch {
      let text = error.description
      #expect(text.contains(c.file) && text.contains("bad magic") && !text.contains("\n"))
    }
  }

  @Test(arguments: cases.filter { $0.file.contains("bitflip") || $0.file.contains("zero-hole") })
  func checkListsExactlyTheDamagedBlocks(_ c: Case) throws {
    let damages = try Table(path: Fixtures.path("corrupt/" + c.file)).verify()
    #expect(damages.map { $0.handle!.offset } == c.damagedBlocks.map { c.blockOffsets[$0] })
    #expect(damages.allSatisfy { $0.message.contains("checksum mismatch") && $0.upperKey != nil })
    // Checking trailers only (recover's planning pass) finds the same blocks with the same words.
    let trailers = try Table(path: Fixtures.path("corrupt/" + c.file)).verify(checksumsOnly: true)
    #expect(trailers.map(\.description) == damages.map(\.description))
  }
}
