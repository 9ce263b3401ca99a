import Foundation
import Testing
@testable import SSTable
import SalvageTestSupport

/// Properties are an aid, never a gate (issue 14, item 8): one flipped bit in the properties
/// block loses no entry; what the properties would have said is inferred from the index and
/// data blocks, and the damaged block is reported.
struct DamagedPropertiesTests {
  /// xxHash64, XXH3 and CRC32C (control) RocksDB tables, every RocksDB index layout (fv2
  /// internal keys, fv3 user keys, fv4 delta-encoded handles, two-level), Pebble row and
  /// columnar tables (key schema inferred), single- and two-level.
  static let tables = [
    "rocksdb/sst/fv5-snappy-xxh3", "rocksdb/sst/fv5-snappy-xxhash64", "rocksdb/sst/fv5-snappy",
    "rocksdb/sst/fv2-snappy-xxhash64", "rocksdb/sst/fv3-none", "rocksdb/sst/fv4-zstd",
    "rocksdb/sst/partitioned-index-bloom", "pebble-gen/sst/leveldb-snappy", "pebble-gen/sst/pebblev3-snappy-twolevel-bloom",
    "pebble-gen/sst/pebblev4-zstd", "pebble-gen/sst/pebblev5-snappy", "pebble-gen/sst/pebblev6-minlz",
    "pebble-gen/sst/pebblev8-snappy-xxhash64", "pebble-gen/sst/pebblev8-zstd-twolevel-bloom-large",
  ]

  /// A copy of `name` with one bit flipped in the middle of its properties block.
  static func damagedCopy(_ name: String) throws -> (path: String, properties: BlockHandle) {
    let original = try Table(path: Fixtures.path(name + ".sst"))
    let h = try #require(try original.metaHandle("rocksdb.properties"))
    var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: original.path)))
    bytes[h.offset + h.length / 2] ^= 0x10
    let path = NSTemporaryDirectory() + "salvage-props-\(UUID().uuidString).sst"
    _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
    return (path, h)
  }

  @Test(arguments: tables)
  func everyPointSurvivesADamagedPropertiesBlock(_ name: String) throws {
    let (path, props) = try Self.damagedCopy(name)
    defer { try? FileManager.default.removeItem(atPath: path) }
    let opened = try Table.salvage(path: path)
    #expect(opened.mode == .normal, "\(name): \(opened.notes)")
    let table = opened.table
    #expect(table.propertiesDamage != nil)
    #expect(table.warnings.contains { $0.contains("properties block") }, "\(name): \(table.warnings)")
    let expected = try Fixtures.jsonl(name + ".points.jsonl")
    #expect(expected.count >= 500)
    let it = opened.makeIterator()
    var i = 0
    while let e = it.next() {
      guard i < expected.count else { Issue.record("\(name): more entries than expected"); break }
      let x = expected[i]
      let got = RowFormatFixtureTests.line(e), want = RowFormatFixtureTests.line(expected: x)
      if got != want {
        Issue.record("\(name) entry \(i):\n got  \(got.prefix(200))\n want \(want.prefix(200))")
        return
      }
      i += 1
    }
    #expect(i == expected.count, "\(name): \(i) entries, expected \(expected.count)")
    #expect(it.damages.isEmpty, "\(name): \(it.damages)")
    // `sst check` names exactly the properties block.
    let damages = table.verify()
    #expect(damages.map(\.blockKind) == ["properties"], "\(name): \(damages)")
    #expect(damages.first?.handle == props)
  }

  /// The inferred index layout and key schema equal what the intact properties say.
  @Test(arguments: tables)
  func inferredLayoutEqualsTheRecordedOne(_ name: String) throws {
    let (path, _) = try Self.damagedCopy(name)
    defer { try? FileManager.default.removeItem(atPath: path) }
    let intact = try Table(path: Fixtures.path(name + ".sst"))
    let damaged = try Table(path: path)
    #expect(damaged.isTwoLevelIndex == intact.isTwoLevelIndex)
    #expect(damaged.indexEncoding.keyIsUserKey == intact.indexEncoding.keyIsUserKey)
    #expect(damaged.indexEncoding.noValueLength == intact.indexEncoding.noValueLength)
    #expect(damaged.keySchema == intact.keySchema)
  }
}
