import Testing
import SalvageTestSupport
import SSTable

/// MinLZ block decoding (spec §2.4) on hand-assembled blocks, one per element kind, and on
/// malformed input, which must be refused (never trap). The `pebblev6-minlz` and
/// `pebblev8-minlz` fixtures in `ColumnarFixtureTests` cover real encoder output.
struct MinLZTests {
  static func decode(_ bytes: [UInt8]) -> [UInt8]? {
    bytes.withUnsafeBytes { b in
      (try? Decompressor.decompress(.minlz, b)).map { Array($0.bytes) }
    }
  }

  @Test func literalThenCopy1Overlapping() {
    // "xab" then copy1 offset 2 length 4 → "xababab" (the spec's example).
    #expect(Self.decode([0x00, 7, 0x10, 0x78, 0x61, 0x62, 0x41, 0x00]) == Array("xababab".utf8))
  }

  @Test func repeatUsesInitialOffsetOne() {
    #expect(Self.decode([0x00, 5, 0x00, 0x78, 0x1C]) == Array("xxxxx".utf8))
  }

  @Test func emptyAndStoredBlocks() {
    #expect(Self.decode([0x00]) == [])
    // Decoded length 0: the rest is stored as is.
    #expect(Self.decode([0x00, 0x00, 1, 2, 3]) == [1, 2, 3])
  }

  @Test func fusedCopy2() {
    let lit = (0..<100).map { UInt8($0) }
    var block: [UInt8] = [0x00, 107, 0xE8, 70] + lit
    block += [0x2B, 6, 0, 0xAA, 0xBB]   // 2 literals, then copy 5 bytes from 70 back
    var want = lit + [0xAA, 0xBB]
    for _ in 0..<5 { want.append(want[want.count - 70]) }
    #expect(Self.decode(block) == want)
  }

  @Test func copy3WithFusedLiteralsAndExtendedLength() {
    let lit = (0..<65540).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 8) }
    let total = 65540 + 3 + 200
    var block: [UInt8] = [0x00, UInt8(total & 0x7F) | 0x80, UInt8((total >> 7) & 0x7F) | 0x80, UInt8(total >> 14)]
    block += [0xF0, UInt8((65540 - 30) & 0xFF), UInt8((65540 - 30) >> 8)] + lit
    let word = 3 | 4 | 3 << 3 | 61 << 5   // copy3, 3 literals, length 64 + next byte, offset 65536
    block += [UInt8(word & 0xFF), UInt8(word >> 8), 0, 0, 136, 1, 2, 3]
    var want = lit + [1, 2, 3]
    for _ in 0..<200 { want.append(want[want.count - 65536]) }
    #expect(Self.decode(block) == want)
  }

  @Test func snappyFallback() {
    // First byte non-zero: a Snappy block (uvarint 3, literal "abc").
    #expect(Self.decode([3, 0x08, 0x61, 0x62, 0x63]) == Array("abc".utf8))
  }

  @Test(arguments: [
    [],                                   // nothing at all
    [0x00, 0x80],                         // length varint cut short
    [0x00, 0x80, 0x80, 0x80, 0x10],       // 32 MiB: above the 8 MiB block limit
    [0x00, 7, 0x10, 0x78, 0x61],          // literal runs past the input
    [0x00, 4, 0x00, 0x78, 0x41, 0x05],    // copy1 offset 22 before the start of output
    [0x00, 3, 0x00, 0x78, 0x1C],          // repeat longer than the announced size
    [0x00, 9, 0x10, 0x78, 0x61, 0x62],    // output shorter than announced
    [0x00, 2, 0x00, 0x78, 0x00, 0x79, 0x00, 0x7A], // body longer than the output
    [0x00, 8, 0x02, 0x00],                // copy2 offset 64 with no output yet
    [0x00, 8, 0x07, 0x00],                // copy3 cut short
    [0x00, 70, 0xE8],                     // literal length byte missing
  ] as [[UInt8]])
  func malformedBlocksAreRefused(_ block: [UInt8]) {
    #expect(Self.decode(block) == nil)
  }

  /// Every truncation of a valid block is refused, never traps (a lone 0x00 is the valid
  /// empty block, hence skipped).
  @Test func truncationsNeverTrap() {
    let block: [UInt8] = [0x00, 7, 0x10, 0x78, 0x61, 0x62, 0x41, 0x00]
    for n in 0..<block.count where n != 1 { #expect(Self.decode(Array(block.prefix(n))) == nil) }
  }
}

/// Real MinLZ blocks from `pebblev8-minlz`: every single-byte mutation of one is decoded or
/// refused, never a trap (and under `--sanitize address`, never a stray read or write).
struct MinLZFixtureBlockTests {
  @Test func mutatedFixtureBlocks() throws {
    let table = try Table(path: Fixtures.path("pebble-gen/sst/pebblev8-minlz.sst"))
    var handles = try table.dataBlockEntries().map(\.handle)
    handles.append(table.footer.index)
    let minlz = try handles.filter { try table.blocks.check($0).compression == CompressionType.minlz.rawValue }
    #expect(minlz.count >= 3)
    let file = table.file.bytes
    for h in minlz.prefix(2) {
      var stored = Array(UnsafeRawBufferPointer(rebasing: file[h.offset..<(h.offset + h.length)]))
      let clean = stored.withUnsafeBytes { (try? Decompressor.decompress(.minlz, $0)).map { Array($0.bytes) } }
      #expect(clean == (try table.blocks.read(h).withBytes { Array($0) }))
      var refused = 0
      for i in 0..<stored.count {
        let original = stored[i]
        for v in [original ^ 0x01, original ^ 0x20, original ^ 0x80, 0xFF] {
          stored[i] = v
          if stored.withUnsafeBytes({ (try? Decompressor.decompress(.minlz, $0)) == nil }) { refused += 1 }
        }
        stored[i] = original
      }
      #expect(refused > 0)
    }
  }
}
