import Foundation
import Testing
@testable import SSTable
import SalvageTestSupport

/// Bad bytes must give errors or damage records, never a crash, a hang or a huge
/// allocation: every single-byte mutation and every truncation of small real tables is
/// opened, scanned and verified.
struct HostileInputTests {
  static func withTemp(_ bytes: [UInt8], _ body: (String) throws -> Void) rethrows {
    let path = NSTemporaryDirectory() + "salvage-hostile-\(UUID().uuidString).sst"
    FileManager.default.createFile(atPath: path, contents: Data(bytes))
    defer { try? FileManager.default.removeItem(atPath: path) }
    try body(path)
  }

  /// Opens (normally, then salvaging), scans and verifies; returns entries read.
  @discardableResult
  static func exercise(_ path: String) -> Int {
    var n = 0
    if let t = try? Table(path: path) {
      _ = t.verify()
      _ = try? t.rangeDeletions()
      _ = try? t.rangeKeys()
    }
    if let s = try? Table.salvage(path: path) {
      let it = s.makeIterator()
      while it.next() != nil { n += 1 }
    }
    return n
  }

  @Test(arguments: ["pebble-gen/sst/leveldb-snappy.sst", "pebble-gen/sst/pebblev4-zstd.sst", "rocksdb/sst/fv4-zlib.sst"])
  func everyByteMutationIsSurvived(_ name: String) throws {
    let original = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Fixtures.path(name))))
    // Stride keeps the debug-build run short while still hitting every structure.
    let stride = max(1, original.count / 1500)
    var mutated = original
    var i = 0
    while i < original.count {
      mutated[i] = original[i] ^ 0x5A
      try Self.withTemp(mutated) { Self.exercise($0) }
      mutated[i] = original[i]
      i += stride
    }
    // The whole footer region, byte by byte.
    for j in max(0, original.count - 64)..<original.count {
      mutated[j] = ~original[j]
      try Self.withTemp(mutated) { Self.exercise($0) }
      mutated[j] = original[j]
    }
  }

  @Test func everyTruncationIsSurvived() throws {
    let original = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("pebble-gen/sst/pebblev3-snappy.sst"))))
    var lastCount = Int.max
    for cut in Swift.stride(from: original.count, through: 0, by: -(original.count / 97)) {
      try Self.withTemp(Array(original.prefix(cut))) { path in
        let n = Self.exercise(path)
        // Cutting more never yields more points (salvage finds blocks by checksum).
        #expect(n <= lastCount || cut == original.count, "cut at \(cut)")
        lastCount = n
      }
    }
  }

  @Test func emptyAndTinyFilesGiveErrors() throws {
    for bytes in [[UInt8](), [0x00], Array("invalid\n".utf8), [UInt8](repeating: 0, count: 4096)] {
      try Self.withTemp(bytes) { path in
        #expect(throws: SSTableError.self) { try Table(path: path) }
        #expect(throws: SSTableError.self) { try Table.salvage(path: path) }
      }
    }
    #expect(throws: SSTableError.self) { try Table(path: "/nonexistent/salvage.sst") }
  }

  @Test func hostileBlockLengthsAreRefusedBeforeAllocating() {
    // A snappy header announcing 4 GiB and a zstd prefix announcing 2^60 bytes.
    let snappy: [UInt8] = [0xff, 0xff, 0xff, 0xff, 0x0f, 0x00]
    let zstd: [UInt8] = [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10, 0x28, 0xb5, 0x2f, 0xfd]
    snappy.withUnsafeBytes { b in #expect(throws: SSTableError.self) { try Decompressor.decompress(.snappy, b) } }
    zstd.withUnsafeBytes { b in #expect(throws: SSTableError.self) { try Decompressor.decompress(.zstd, b) } }
  }
}
