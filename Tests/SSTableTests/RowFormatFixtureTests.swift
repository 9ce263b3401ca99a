import Testing
import SSTable
import SalvageTestSupport

/// Every row-format table written by RocksDB or Pebble decodes to exactly the entries the
/// engine's own reader reported (every field of every entry, in order).
struct RowFormatFixtureTests {
  static let rocksdb = Fixtures.tables(in: "rocksdb/sst").map { "rocksdb/sst/" + $0 }
  static let pebbleRow = Fixtures.tables(in: "pebble-gen/sst").filter { name in
    ["leveldb", "rocksdbv2", "pebblev1", "pebblev2", "pebblev3", "pebblev4"].contains { name.hasPrefix($0) }
  }.map { "pebble-gen/sst/" + $0 }

  /// One entry as the tests compare it, from the reader and from the engine's dump.
  static func line(_ e: PointEntry) -> String {
    "\(hexString(e.userKey)) #\(e.seq) \(Kind.name(e.kind))/\(e.kind) = \(hexString(e.value))"
  }

  static func line(expected x: [String: Any]) -> String {
    "\(x.str("key_hex")!) #\(x.uint64("seq")!) \(x.str("kind")!)/\(x.int("kind_code")!) = \(x.str("value_hex")!)"
  }

  @Test func fixturesArePresent() {
    #expect(Self.rocksdb.count == 25)  // 21 fv* + partitioned + 2 range-deletion + large
    #expect(Self.pebbleRow.count == 7)
  }

  @Test(arguments: rocksdb + pebbleRow)
  func pointsMatchEngine(_ name: String) throws {
    let expected = try Fixtures.jsonl(name + ".points.jsonl")
    #expect(!expected.isEmpty)
    let table = try Table(path: Fixtures.path(name + ".sst"))
    let it = table.makeIterator()
    var i = 0
    while let e = it.next() {
      guard i < expected.count else { Issue.record("\(name): more entries than expected"); break }
      let x = expected[i]
      let got = Self.line(e), want = Self.line(expected: x)
      if got != want {
        Issue.record("\(name) entry \(i):\n got  \(got.prefix(200))\n want \(want.prefix(200))")
        return
      }
      if let storage = x.str("value_storage") {
        let s: String = switch e.storage {
        case .inline: "inline"
        case .valueBlock: "value_block"
        case .blob: "blob"
        case .missing: "missing"
        }
        #expect(s == storage, "\(name) entry \(i) storage")
      }
      i += 1
    }
    #expect(i == expected.count, "\(name): \(i) entries, expected \(expected.count)")
    #expect(it.damages.isEmpty, "\(name): \(it.damages)")
  }

  @Test(arguments: rocksdb + pebbleRow)
  func rangeDeletionsMatchEngine(_ name: String) throws {
    let expected = try Fixtures.jsonl(name + ".rangedels.jsonl").map {
      "\($0.str("start_hex")!)-\($0.str("end_hex")!)#\($0.uint64("seq")!)"
    }
    let got = try Table(path: Fixtures.path(name + ".sst")).rangeDeletions().map {
      "\(hexString($0.start))-\(hexString($0.end))#\($0.seq)"
    }
    #expect(got == expected)
  }

  @Test(arguments: pebbleRow)
  func rangeKeysMatchEngine(_ name: String) throws {
    let expected = try Fixtures.jsonl(name + ".rangekeys.jsonl").map {
      "\($0.str("start_hex")!)-\($0.str("end_hex")!)#\($0.uint64("seq")!),\($0.str("kind")!) @\($0.str("suffix_hex") ?? "-") =\($0.str("value_hex") ?? "-")"
    }
    let got = try Table(path: Fixtures.path(name + ".sst")).rangeKeys().map {
      "\(hexString($0.start))-\(hexString($0.end))#\($0.seq),\(Kind.name($0.kind)) @\($0.suffix.map { hexString($0) } ?? "-") =\($0.value.map { hexString($0) } ?? "-")"
    }
    #expect(got == expected)
  }

  /// The 21 `fv*` RocksDB files hold the same logical content in every format version,
  /// compression and checksum: one decoder path per combination, one expected list.
  @Test func everyFormatVersionAgrees() throws {
    let names = Self.rocksdb.filter { $0.contains("/fv") }
    #expect(names.count == 21)
    var first: [String]?
    for name in names {
      let it = try Table(path: Fixtures.path(name + ".sst")).makeIterator()
      var lines: [String] = []
      while let e = it.next() { lines.append("\(hexString(e.userKey))\(e.kind)\(hexString(e.value))") }
      if let first { #expect(lines == first, "\(name)") } else { first = lines }
    }
  }
}
