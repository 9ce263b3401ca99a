import Testing
@testable import SSTable
import SalvageTestSupport

struct PrimitiveTests {
  @Test func crc32cMatchesTheStandardCheckValue() {
    Array("123456789".utf8).withUnsafeBytes { #expect(Checksum.crc32c($0) == 0xE306_9283) }
    // Extending in two parts equals one pass.
    let data = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
    data.withUnsafeBytes { b in
      let whole = Checksum.crc32c(b)
      let part = Checksum.crc32c(UnsafeRawBufferPointer(rebasing: b[0..<333]))
      #expect(Checksum.crc32c(UnsafeRawBufferPointer(rebasing: b[333...]), extending: part) == whole)
      #expect(Checksum.unmasked(Checksum.masked(whole)) == whole)
    }
  }

  @Test func uvarintsDecodeAndRejectOverlongInput() {
    func dec(_ b: [UInt8], max: Int = 10) -> UInt64? { b.withUnsafeBytes { var p = 0; return Bytes.uvarint($0, &p, maxBytes: max) } }
    #expect(dec([0x00]) == 0)
    #expect(dec([0xac, 0x02]) == 300)
    #expect(dec([0xff, 0xff, 0xff, 0xff, 0x0f], max: 5) == 0xFFFF_FFFF)
    #expect(dec([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]) == UInt64.max)
    #expect(dec([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02]) == nil)  // overflows 64 bits
    #expect(dec([0x80, 0x80]) == nil)  // runs off the end
    #expect(dec([0x80, 0x80, 0x80, 0x80, 0x80, 0x01], max: 5) == nil)  // too long for 32 bits
    [0x03, 0x02].withUnsafeBytes { b in var p = 0; #expect(Bytes.zigzagVarint(b, &p) == -2) }
  }

  @Test func snappyDecodesLiteralsAndOverlappingCopies() throws {
    // "abcabcabcabcX": literal "abc", copy(offset 3, len 9) overlapping, literal "X".
    let block: [UInt8] = [13, 0x08, 0x61, 0x62, 0x63, 0x15, 0x03, 0x00, 0x58]
    let out = try block.withUnsafeBytes { try Decompressor.decompress(.snappy, $0) }
    #expect(Array(out.bytes) == Array("abcabcabcabcX".utf8))
    // A copy reaching before the start of the output is refused.
    let bad: [UInt8] = [4, 0x01, 0x05]
    #expect(throws: SSTableError.self) { try bad.withUnsafeBytes { try Decompressor.decompress(.snappy, $0) } }
  }

  @Test func rocksDBRangeTombstonesAreFragmented() {
    func t(_ s: String, _ e: String, _ q: UInt64) -> RangeDeletion { RangeDeletion(start: Array(s.utf8), end: Array(e.utf8), seq: q) }
    let frags = Table.fragment([t("b", "d", 5), t("a", "c", 7), t("x", "x", 1)])
    #expect(frags == [t("a", "b", 7), t("b", "c", 7), t("b", "c", 5), t("c", "d", 5)])
  }

  @Test func footerRejectsUnknownVersionsWithOneLine() {
    var bytes = [UInt8](repeating: 0, count: 64)
    let magic: [UInt8] = [0xf7, 0xcf, 0xf4, 0x85, 0xb7, 0x41, 0xe2, 0x88]
    bytes.replaceSubrange(56..<64, with: magic)
    bytes[52] = 9  // RocksDB format_version 9
    bytes.withUnsafeBytes { b in
      do throws(SSTableError) { _ = try Footer.read(b); Issue.record("accepted format_version 9") } catch {
        #expect(error.kind == .unsupported && error.message.contains("format_version 9"))
      }
    }
  }
}
