import Testing
import Foundation
@testable import SSTable
@testable import LSMStore
import SalvageTestSupport

/// `seek` on every table the real engines wrote (both index shapes, row and columnar index
/// blocks, user-key and internal-key separators, delta-encoded handles): it must land where a
/// walk of the whole index would, and a table iterator sought to a key must return every
/// entry at or after it, in order.
struct SeekTests {
  static let tables: [String] = ["rocksdb/sst", "pebble-gen/sst"].flatMap { dir in
    Fixtures.tables(in: dir).map { "\(dir)/\($0).sst" }
  }

  /// Up to `n` values spread over `xs`, first and last included.
  static func spread<T>(_ xs: [T], _ n: Int) -> [T] {
    guard xs.count > n else { return xs }
    return (0..<n).map { xs[$0 * (xs.count - 1) / (n - 1)] }
  }

  @Test(arguments: tables)
  func indexSeekLandsWhereAWalkWould(_ file: String) throws {
    let table = try Table(path: Fixtures.path(file))
    let comparer = Comparer(name: table.properties.comparator ?? "") ?? .bytewise
    let blocks = try table.dataBlockEntries()
    guard !blocks.isEmpty else { return }   // a table of range deletions alone
    var keys: [[UInt8]] = []
    let it = table.makeIterator()
    while let e = it.next() { keys.append(Array(e.userKey)) }
    // Probes: separators themselves, keys of the table, and one above every key.
    var probes = Self.spread(blocks.map(\.separatorUserKey), 30) + Self.spread(keys, 30)
    probes.append(keys.max { comparer.compare($0, $1) < 0 }! + [0xFF, 0xFF])
    for p in probes {
      let want = blocks.firstIndex { comparer.compare($0.separatorUserKey, p) >= 0 } ?? blocks.count
      var index = IndexIterator(table)
      let before = p.withUnsafeBytes { k in index.seek(atOrAfter: k, compare: { comparer.compare($0, $1) }) }
      var got: [BlockHandle] = []
      while let e = index.next() { got.append(e.handle) }
      #expect(got == blocks[want...].map(\.handle), "\(file): seek to \(p.hex)")
      #expect(before == (want > 0 ? blocks[want - 1].separatorUserKey : nil), "\(file): block before \(p.hex)")
    }
  }

  @Test(arguments: tables)
  func soughtTableReturnsEveryLaterEntry(_ file: String) throws {
    let table = try Table(path: Fixtures.path(file))
    let comparer = Comparer(name: table.properties.comparator ?? "") ?? .bytewise
    var all: [([UInt8], UInt64)] = []
    let whole = table.makeIterator()
    while let e = whole.next() { all.append((Array(e.userKey), e.seq)) }
    guard !all.isEmpty else { return }
    for p in Self.spread(all.map(\.0), 25) {
      let it = table.makeIterator()
      p.withUnsafeBytes { k in it.seek(atOrAfter: k, compare: { comparer.compare($0, $1) }) }
      var got: [([UInt8], UInt64)] = []
      while let e = it.next() { got.append((Array(e.userKey), e.seq)) }
      // A suffix of the whole table (from the block holding the key) ...
      let suffix = all.suffix(got.count)
      let isSuffix = got.elementsEqual(suffix) { a, b in a.0 == b.0 && a.1 == b.1 }
      #expect(isSuffix, "\(file): seek to \(p.hex)")
      // ... holding every entry at or after the key.
      let atOrAfter = all.filter { comparer.compare($0.0, p) >= 0 }.count
      #expect(got.count >= atOrAfter && got.count > 0, "\(file): seek to \(p.hex)")
      // Blocks wholly before the key were not read.
      let want = try table.dataBlockEntries().firstIndex { comparer.compare($0.separatorUserKey, p) >= 0 } ?? 0
      #expect(want == 0 || got.count < all.count, "\(file): seek to \(p.hex) read every block")
    }
  }
}
