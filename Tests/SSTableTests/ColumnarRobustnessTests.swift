import Foundation
import Testing
import SSTable
import SalvageTestSupport

/// Hostile columnar bytes are errors, never traps or huge allocations: every single-byte
/// mutation of real blocks (from the uncompressed `pebblev8-none` table) either decodes or
/// throws, and a damaged block in a table costs only that block.
struct ColumnarRobustnessTests {
  static let name = "pebble-gen/sst/pebblev8-none"

  /// Blocks of the fixture by kind, as `pebble sstable layout` lists them.
  static func block(_ kind: String, _ nth: Int = 0) throws -> [UInt8] {
    let layout = try String(contentsOfFile: Fixtures.path(name + ".layout.txt"), encoding: .utf8)
    let lines = layout.split(separator: "\n").filter { $0.contains("── \(kind) ") }
    let f = lines[nth].split(separator: " ").compactMap { Int($0) }
    let file = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Fixtures.path(name + ".sst"))))
    return Array(file[f[0]..<(f[0] + f[1])])
  }

  /// Runs `decode` on every single-byte mutation of `block`; returns how many decoded.
  /// (Closures return whether they decoded: passing typed-throwing functions as values
  /// crashes the 6.3.1 compiler in a reabstraction thunk.)
  static func mutate(_ block: [UInt8], _ decode: (UnsafeRawBufferPointer) -> Bool) -> Int {
    var ok = 0
    var b = block
    for i in 0..<b.count {
      let original = b[i]
      for v in Set([0x00, 0xFF, original ^ 0x01, original ^ 0x80, original ^ 0x10]) where v != original {
        b[i] = v
        let decoded = b.withUnsafeBytes { p in decode(p) }
        if decoded { ok += 1 }
      }
      b[i] = original
    }
    // Truncations too.
    for n in stride(from: 0, to: block.count, by: 7) {
      let decoded = Array(block.prefix(n)).withUnsafeBytes { p in decode(p) }
      if decoded { ok += 1 }
    }
    return ok
  }

  static func walkData(_ p: UnsafeRawBufferPointer) -> Bool {
    guard let blk = try? ColumnarDataBlock(p, schema: .crdb1) else { return false }
    let key = KeyBuffer()
    var sum = 0
    for r in 0..<blk.rowCount {
      blk.materializeKey(r, into: key)
      sum &+= key.bytes.count &+ blk.value(r).count &+ Int(truncatingIfNeeded: blk.trailer(r))
      sum &+= (blk.isValueExternal(r) ? 1 : 0) &+ (blk.isObsolete(r) ? 1 : 0)
      sum &+= Int(truncatingIfNeeded: blk.tieringSpanIDs?.at(r) ?? 0)
    }
    return sum != 0
  }

  @Test func dataBlockMutations() throws {
    let b = try Self.block("data", 3)
    #expect(b.withUnsafeBytes { p in Self.walkData(p) })   // the unmutated block decodes
    #expect(Self.mutate(b) { p in Self.walkData(p) } > 0)
  }

  @Test func indexBlockMutations() throws {
    let b = try Self.block("index")
    #expect(b.withUnsafeBytes { (try? ColumnarIndexBlock.entries($0, fileSize: 1 << 20))?.count } == 20)
    #expect(Self.mutate(b) { p in (try? ColumnarIndexBlock.entries(p, fileSize: 1 << 20)) != nil } > 0)
  }

  /// Number of keys in a keyspan block, nil if it does not decode.
  static func walkKeyspan(_ p: UnsafeRawBufferPointer) -> Int? {
    var n = 0
    do throws(SSTableError) {
      try ColumnarKeyspanBlock.forEach(p) { k in n += 1 &+ (k.start.count &+ k.end.count &+ k.suffix.count &+ k.value.count) * 0 }
      return n
    } catch {
      return nil
    }
  }

  @Test func keyspanBlockMutations() throws {
    for kind in ["range-del", "range-key"] {
      let b = try Self.block(kind)
      #expect(b.withUnsafeBytes { Self.walkKeyspan($0) } == (kind == "range-del" ? 4 : 6))
      #expect(Self.mutate(b) { p in Self.walkKeyspan(p) != nil } > 0)
    }
  }

  @Test func keyValueBlockMutations() throws {
    for kind in ["meta-index", "properties"] {
      let b = try Self.block(kind)
      #expect(b.withUnsafeBytes { (try? KeyValueBlock.pairs($0, what: kind))?.count ?? 0 } > 3)
      #expect(Self.mutate(b) { p in (try? KeyValueBlock.pairs(p, what: kind)) != nil } > 0)
    }
  }

  /// A zero-row block and hand-made hostile headers.
  @Test func hostileHeaders() {
    // version 1, 0 columns, 0 rows, padding: a valid empty block.
    let empty: [UInt8] = [1, 0, 0, 0, 0, 0, 0, 0]
    #expect(empty.withUnsafeBytes { (try? ColumnarBlock($0, customHeaderSize: 0))?.rowCount } == 0)
    #expect(empty.withUnsafeBytes { (try? KeyValueBlock.pairs($0, what: "x")) } == nil)  // 0 columns, 2 expected
    // Two bytes columns, 0 rows: a valid empty key/value block.
    let emptyKV: [UInt8] = [1, 2, 0, 0, 0, 0, 0, 3, 17, 0, 0, 0, 3, 17, 0, 0, 0, 0]
    #expect(emptyKV.withUnsafeBytes { (try? KeyValueBlock.pairs($0, what: "x"))?.count } == 0)
    // 4 billion rows with const-encoded (zero) offsets: refused, quickly.
    let huge: [UInt8] = [1, 2, 0, 0xFF, 0xFF, 0xFF, 0xFF, 3, 17, 0, 0, 0, 3, 18, 0, 0, 0, 0, 0, 0]
    #expect(huge.withUnsafeBytes { (try? KeyValueBlock.pairs($0, what: "x")) } == nil)
    // Unknown version, unknown column type, column outside the block.
    for bad: [UInt8] in [[2, 0, 0, 0, 0, 0, 0, 0], [1, 1, 0, 1, 0, 0, 0, 9, 12, 0, 0, 0, 0],
                         [1, 1, 0, 1, 0, 0, 0, 2, 0xFF, 0, 0, 0, 0], [1, 1, 0]] {
      #expect(bad.withUnsafeBytes { (try? ColumnarBlock($0, customHeaderSize: 0)) } == nil)
    }
  }

  /// A corrupted data block becomes one `Damage` with its key span; the other blocks'
  /// entries all come back, in order.
  @Test func damagedDataBlockIsSkipped() throws {
    let path = Fixtures.path(Self.name + ".sst")
    var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    bytes[4008 + 100] ^= 0x04          // inside the second data block (4008/4505)
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("salvage-col-\(getpid())")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let copy = dir.appendingPathComponent("flipped.sst").path
    try Data(bytes).write(to: URL(fileURLWithPath: copy))

    let expected = try Fixtures.jsonl(Self.name + ".points.jsonl").map { "\($0.str("key_hex")!)#\($0.uint64("seq")!)" }
    let it = try Table(path: copy).makeIterator()
    var got: [String] = []
    while let e = it.next() { got.append("\(hexString(e.userKey))#\(e.seq)") }
    #expect(it.damages.count == 1)
    #expect(it.damages.first?.handle == BlockHandle(offset: 4008, length: 4505))
    #expect(it.damages.first?.message.contains("checksum") == true)
    #expect(it.damages.first?.lowerKey != nil && it.damages.first?.upperKey != nil)
    #expect(got.count > expected.count / 2 && got.count < expected.count)
    // What came back is exactly the expected list minus one contiguous run.
    let prefix = zip(got, expected).prefix { $0 == $1 }.count
    #expect(Array(got[prefix...]) == Array(expected.suffix(got.count - prefix)))
  }
}
