import Foundation
import Testing
@testable import SSTable
import SalvageTestSupport

/// `MappedFile(copying:name:)` is what the fuzz targets open: bytes in memory must read
/// exactly like the same bytes mapped from disk, normally and through the salvaging open.
struct InMemoryFileTests {
  static func entries(_ it: TableIterator) -> [String] {
    var out: [String] = []
    while let e = it.next() { out.append("\(Array(e.userKey))#\(e.seq),\(e.kind)=\(Array(e.value))") }
    return out
  }

  @Test(arguments: ["rocksdb/sst/fv4-zlib.sst", "pebble-gen/sst/pebblev5-snappy.sst",
                    "corrupt/pebblev3-snappy.truncated-footer.sst"])
  func copyReadsLikeTheMappedFile(_ name: String) throws {
    let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Fixtures.path(name))))
    let copy = bytes.withUnsafeBytes { MappedFile(copying: $0, name: "copy.sst") }
    #expect(copy.count == bytes.count && Array(copy.bytes) == bytes)
    let fromDisk = try Table.salvage(path: Fixtures.path(name))
    let inMemory = try Table.salvage(file: copy)
    #expect(inMemory.mode == fromDisk.mode)
    let expected = Self.entries(fromDisk.makeIterator())
    #expect(expected.count > 100)
    #expect(Self.entries(inMemory.makeIterator()) == expected)
  }

  @Test func emptyCopyIsAnEmptyFile() {
    let empty = MappedFile(copying: UnsafeRawBufferPointer(start: nil, count: 0), name: "empty.sst")
    #expect(empty.count == 0)
    #expect(throws: SSTableError.self) { try Table.salvage(file: empty) }
  }
}
