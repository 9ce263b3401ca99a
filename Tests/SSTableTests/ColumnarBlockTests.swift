import Testing
import SSTable

/// Hand-assembled columnar blocks for what the fixtures do not hold: the default key
/// schema, duplicate-key rows in a prefix-bytes column, delta and const uint encodings.
struct ColumnarBlockTests {
  static func le<T: FixedWidthInteger>(_ v: T) -> [UInt8] { withUnsafeBytes(of: v.littleEndian) { Array($0) } }

  /// A default-schema data block (spec §6.5), 3 rows:
  /// `ab@2#10,SET = x`, `ab@1#9,SET = yz` (obsolete), `ac#8,DEL`.
  static let defaultSchemaBlock: [UInt8] = {
    var b: [UInt8] = le(UInt32(4))                       // max key length (no schema header)
    b += [1] + le(UInt16(7)) + le(UInt32(3))             // version, 7 columns, 3 rows
    let pages = [46, 56, 65, 96, 97, 105, 106]
    let types: [UInt8] = [4, 3, 2, 1, 3, 1, 1]
    for (t, p) in zip(types, pages) { b += [t] + le(UInt32(p)) }
    precondition(b.count == 46)
    // col 0 prefix bytes: shift 4; offsets (w=1) shared "a" | bundle "" | "b" | "" (dup) | "c"
    b += [4, 0x01, 1, 1, 2, 2, 3] + Array("abc".utf8)
    // col 1 suffixes: offsets [0,2,4,4], "@2@1"
    b += [0x01, 0, 2, 4, 4] + Array("@2@1".utf8)
    // col 2 trailers: width 8, aligned to 8 (65 → 72)
    b += [0x08] + [UInt8](repeating: 0, count: 6)
    b += le(UInt64(10 << 8 | 1)) + le(UInt64(9 << 8 | 1)) + le(UInt64(8 << 8 | 0))
    b += [1]                                            // col 3 prefix changed: all zero
    b += [0x01, 0, 1, 3, 3] + Array("xyz".utf8)         // col 4 values
    b += [1]                                            // col 5 external: all zero
    b += [0] + [UInt8](repeating: 0, count: 5)          // col 6 obsolete: 106 → 112
    b += le(UInt64(0b10)) + le(UInt64(1))               // bitmap word, summary word
    b += [0]                                            // block padding
    return b
  }()

  @Test func defaultKeySchemaBlock() throws {
    #expect(KeySchema(propertyValue: "DefaultKeySchema(pebble.internal.testkeys,16)") == .default)
    #expect(KeySchema(propertyValue: "crdb1") == .crdb1)
    #expect(KeySchema(propertyValue: "something-else") == nil)
    // (Typed-throwing closures passed to withUnsafeBytes crash the 6.3.1 compiler: use try?.)
    var rows: [String] = []
    Self.defaultSchemaBlock.withUnsafeBytes { p in
      guard let blk = try? ColumnarDataBlock(p, schema: .default) else { Issue.record("block refused"); return }
      let key = KeyBuffer(capacity: 1)   // every key makes it grow
      for r in 0..<blk.rowCount {
        blk.materializeKey(r, into: key)
        let t = blk.trailer(r)
        rows.append("\(String(decoding: key.bytes, as: UTF8.self))#\(t >> 8),\(Kind.name(UInt8(t & 0xFF)))"
                    + "=\(String(decoding: blk.value(r), as: UTF8.self))\(blk.isObsolete(r) ? " obsolete" : "")")
      }
      #expect(blk.tieringSpanIDs == nil)
    }
    #expect(rows == ["ab@2#10,SET=x", "ab@1#9,SET=yz obsolete", "ac#8,DEL="])
  }

  /// The same block is refused under the crdb1 schema (wrong column count) rather than misread.
  @Test func wrongSchemaIsRefused() {
    let r = Self.defaultSchemaBlock.withUnsafeBytes { (try? ColumnarDataBlock($0, schema: .crdb1)) != nil }
    #expect(!r)
  }

  @Test func uintEncodings() throws {
    // delta (base 1000, width 2), const (base 7), zero; each as a 3-row column.
    let delta: [UInt8] = [0x82] + Self.le(UInt64(1000)) + [0] + Self.le(UInt16(0)) + Self.le(UInt16(5)) + Self.le(UInt16(65535))
    let const: [UInt8] = [0x80] + Self.le(UInt64(7))
    let zero: [UInt8] = [0x00]
    for (bytes, want) in [(delta, [1000, 1005, 66535]), (const, [7, 7, 7]), (zero, [0, 0, 0])] as [([UInt8], [UInt64])] {
      let got = bytes.withUnsafeBytes { p -> [UInt64] in
        guard let (c, end) = try? UintColumn.decode(p, 0..<p.count, rows: 3) else { return [] }
        #expect(end == p.count)
        return (0..<3).map { c.at($0) }
      }
      #expect(got == want)
    }
    // Width 3 is not an encoding; width 8 with delta neither; a column too short for its rows.
    for bad: [UInt8] in [[0x03, 1, 2, 3], [0x88] + Self.le(UInt64(1)) + Self.le(UInt64(2)), [0x04, 0, 0, 0, 1, 0, 0, 0]] {
      #expect(bad.withUnsafeBytes { (try? UintColumn.decode($0, 0..<$0.count, rows: 3)) == nil })
    }
  }
}
