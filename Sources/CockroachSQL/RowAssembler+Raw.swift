import CockroachKV

/// The row assembler's fast paths over borrowed bytes (issue 16: no reference counting or
/// allocation per field). Each gives up (nil / false, leaving the batch as it found it) on
/// anything but the common well-formed case, and the general path then decodes the same
/// bytes — so values, errors and problem texts are exactly the general path's.
extension RowAssembler {
  /// The row's column bytes (after table and index IDs, before the family suffix) when `p` is
  /// a primary-index key of this table whose key columns all decode; nil otherwise.
  func rawPrimaryRow(_ p: UnsafeRawBufferPointer, _ key: [UInt8], _ plan: [KeyColumn]) -> Range<Int>? {
    guard let (rowEnd, _) = Self.familySuffix(p) else { return nil }
    var r = RawReader(p, to: rowEnd)
    guard r.peek() != 0xFE, r.orderedUvarint() == UInt64(decoder.table.id),
          let ix = r.orderedUvarint(), ix == UInt64(decoder.table.primaryIndex.id) else { return nil }
    rowIndexID = ix
    let rowStart = r.i
    for c in plan {
      if rawKeyColumn(c, &r) { continue }
      var b = key[r.i..<rowEnd]
      do { try keyColumn(c, &b) } catch { return nil }
      r.i = b.startIndex
    }
    return r.atEnd ? rowStart..<rowEnd : nil
  }

  /// The family of a KV of the open row (same table, index and row bytes); nil for anything
  /// else (the general path decides what it is).
  func rawFamily(_ p: UnsafeRawBufferPointer) -> UInt32? {
    guard let (rowEnd, family) = Self.familySuffix(p) else { return nil }
    var r = RawReader(p, to: rowEnd)
    guard r.peek() != 0xFE, r.orderedUvarint() == UInt64(decoder.table.id), r.orderedUvarint() == rowIndexID,
          r.remaining == rowPrefix.count else { return nil }
    let same = rowPrefix.withUnsafeBytes { q in
      for k in 0..<q.count where q[k] != p[r.i + k] { return false }
      return true
    }
    return same ? family : nil
  }

  /// Where the row bytes end and the family ID, from the key's last byte (`GetRowPrefixLength`).
  static func familySuffix(_ p: UnsafeRawBufferPointer) -> (rowEnd: Int, family: UInt32)? {
    guard let last = p.last, last >= 0x88, last <= 0x90 else { return nil }
    let l = Int(last - 0x88)
    guard p.count >= l + 1 else { return nil }
    let rowEnd = p.count - l - 1
    if l == 0 { return (rowEnd, 0) }
    var r = RawReader(p, from: rowEnd, to: p.count - 1)
    guard let f = r.orderedUvarint(), r.atEnd, f <= UInt64(UInt32.max) else { return nil }
    return (rowEnd, UInt32(f))
  }

  func rawKeyColumn(_ c: KeyColumn, _ r: inout RawReader) -> Bool {
    let desc = c.descending
    guard let m = r.peek() else { return false }
    if m == (desc ? 0xFF : 0x00) {
      r.i += 1
      batch.set(c.ordinal, .null)
      return true
    }
    switch c.fast {
    case .int, .date:
      guard let v = r.orderedVarint(descending: desc) else { return false }
      batch.set(c.ordinal, c.fast == .int ? .int : .date, v)
    case .timestamp, .timestampTZ:
      guard m == 0x14 else { return false }
      let start = r.i
      r.i += 1
      guard let s = r.orderedVarint(descending: desc), let n = r.orderedVarint(descending: desc) else { r.i = start; return false }
      batch.set(c.ordinal, c.fast == .timestamp ? .timestamp : .timestampTZ, s, n)
    case .string, .bytes:
      let start = batch.arena.count
      guard let next = unescape(r.p, from: r.i, to: r.end, descending: desc),
            c.fast == .bytes || Self.isUTF8(batch.arena, start) else {
        batch.arena.removeSubrange(start...)
        return false
      }
      r.i = next
      batch.set(c.ordinal, c.fast == .bytes ? .bytes : .string, Int64(start), Int64(batch.arena.count - start))
    case .uuid:
      let start = batch.arena.count
      guard let next = unescape(r.p, from: r.i, to: r.end, descending: desc), batch.arena.count - start == 16 else {
        batch.arena.removeSubrange(start...)
        return false
      }
      r.i = next
      batch.set(c.ordinal, .uuid, Int64(start))
    default:
      return false
    }
    return true
  }

  /// One TUPLE column's body of encoding `enc` into slot `o`, the value `DatumDecoding.value`
  /// gives; false, consuming nothing, otherwise.
  func rawValue(_ o: Int, _ enc: Int, _ r: inout RawReader) -> Bool {
    typealias E = ValueEncoding.EncType
    let start = r.i
    switch (fastByOrdinal[o], E(rawValue: enc)) {
    case (let f, .null?) where f != .none: batch.set(o, .null)
    case (.bool, .true?): batch.set(o, .bool, 1)
    case (.bool, .false?): batch.set(o, .bool, 0)
    case (.int, .int?):
      guard let v = r.zigzag() else { return false }
      batch.set(o, .int, v)
    case (.date, .int?), (.date, .time?):
      guard let v = r.zigzag() else { return false }
      batch.set(o, .date, v)
    case (.float, .float?):
      guard let u = r.bigEndian(8) else { return false }
      batch.set(o, .float, Int64(bitPattern: u))
    case (.timestamp, .time?), (.timestampTZ, .time?):
      guard let s = r.zigzag(), let n = r.zigzag() else { r.i = start; return false }
      batch.set(o, fastByOrdinal[o] == .timestamp ? .timestamp : .timestampTZ, s, n)
    case (.string, .bytes?), (.bytes, .bytes?):
      guard let n = r.nsUvarint(), n <= UInt64(r.remaining), rawText(o, r.p, r.i, Int(n)) else { r.i = start; return false }
      r.i += Int(n)
    case (.uuid, .uuid?):
      guard r.remaining >= 16 else { return false }
      batch.set(o, .uuid, Int64(batch.arena.count))
      batch.arena.append(contentsOf: UnsafeRawBufferPointer(rebasing: r.p[r.i..<(r.i + 16)]))
      r.i += 16
    case (.json, .json?):
      guard let n = r.nsUvarint(), n <= UInt64(r.remaining), rawJSON(o, r.p, r.i, Int(n)) else { r.i = start; return false }
      r.i += Int(n)
    case (.time, .int?):
      guard let v = r.zigzag() else { return false }
      batch.set(o, .time, v)
    case (.oid, .int?):
      guard let v = r.zigzag(), v >= 0, v <= Int64(UInt32.max) else { r.i = start; return false }
      batch.set(o, .oid, v)
    case (.interval, .duration?):
      guard let m = r.zigzag(), let d = r.zigzag(), let n = r.zigzag(),
            let m32 = Int32(exactly: m), let d32 = Int32(exactly: d) else { r.i = start; return false }
      batch.set(o, .interval, n, Int64(m32) << 32 | Int64(UInt32(bitPattern: d32)))
    case (.inet, .ipAddr?):
      return rawInet(o, &r)
    case (.bits, .bitArray?):
      return rawBits(o, &r)
    case (.intArray, .array?), (.stringArray, .array?):
      guard let n = r.nsUvarint(), n <= UInt64(r.remaining), rawArray(o, r.p, r.i, Int(n)) else { r.i = start; return false }
      r.i += Int(n)
    case (.decimal, .decimal?):
      guard let n = r.uvarint(), n <= UInt64(r.remaining), rawDecimal(o, r.p, r.i, Int(n)) else { r.i = start; return false }
      r.i += Int(n)
    default:
      return false
    }
    return true
  }

  /// Text or bytes `p[at..<at+n]` into slot `o`; false, storing nothing, for text not UTF-8.
  func rawText(_ o: Int, _ p: UnsafeRawBufferPointer, _ at: Int, _ n: Int) -> Bool {
    let start = batch.arena.count
    batch.arena.append(contentsOf: UnsafeRawBufferPointer(rebasing: p[at..<(at + n)]))
    if fastByOrdinal[o] == .string && !Self.isUTF8(batch.arena, start) {
      batch.arena.removeSubrange(start...)
      return false
    }
    batch.set(o, fastByOrdinal[o] == .bytes ? .bytes : .string, Int64(start), Int64(n))
    return true
  }

  /// A non-sorting decimal of `p[at..<at+n]` that `RawDecimal` reads, into slot `o`.
  func rawDecimal(_ o: Int, _ p: UnsafeRawBufferPointer, _ at: Int, _ n: Int) -> Bool {
    guard let d = RawDecimal(p, at, n) else { return false }
    let start = batch.arena.count
    d.withDigits { batch.arena.append(contentsOf: $0) }
    batch.setDecimal(o, negative: d.negative, digitsAt: start, count: d.digits, exponent: d.exponent)
    return true
  }

  /// An INET body (`ValueEncoding.ipAddr`): family (0 IPv4, 1 IPv6), mask, address.
  func rawInet(_ o: Int, _ r: inout RawReader) -> Bool {
    guard r.remaining >= 2 else { return false }
    let family = r.p[r.i], mask = r.p[r.i + 1]
    guard family <= 1, case let n = family == 0 ? 4 : 16, Int(mask) <= n * 8, r.remaining >= 2 + n else { return false }
    let start = batch.arena.count
    batch.arena.append(contentsOf: UnsafeRawBufferPointer(rebasing: r.p[(r.i + 1)..<(r.i + 2 + n)]))
    batch.set(o, .inet, Int64(start), Int64(n))
    r.i += 2 + n
    return true
  }

  /// A BIT/VARBIT body (`DatumDecoding.bitWords`): bit count, then 64-bit big-endian words,
  /// the bits written as '0'/'1' into the arena.
  func rawBits(_ o: Int, _ r: inout RawReader) -> Bool {
    let start = r.i
    guard let bits = r.nsUvarint() else { return false }
    let words = bits / 64 + (bits % 64 == 0 ? 0 : 1)
    guard words <= UInt64(r.remaining / 8) else { r.i = start; return false }
    let at = batch.arena.count
    // '0' for every bit first, then each set bit becomes '1' (0x30 | 1).
    batch.arena.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: Int(bits)))
    batch.arena.withUnsafeMutableBufferPointer { out in
      var k = at
      for _ in 0..<Int(words) {
        let w = r.bigEndian(8)!
        for j in 0..<min(at + Int(bits) - k, 64) { out[k + j] |= UInt8(truncatingIfNeeded: w >> UInt64(63 - j)) & 1 }
        k += 64
      }
    }
    batch.set(o, .bits, Int64(at), Int64(bits))
    return true
  }

  /// An array body `p[at..<at+n]` of INT or STRING elements that `ArrayRaw.isPlain` accepts, kept as stored.
  func rawArray(_ o: Int, _ p: UnsafeRawBufferPointer, _ at: Int, _ n: Int) -> Bool {
    let body = UnsafeRawBufferPointer(rebasing: p[at..<(at + n)])
    let element: ArrayRaw.Element = fastByOrdinal[o] == .intArray ? .int : .string
    guard ArrayRaw.isPlain(body, element) else { return false }
    let start = batch.arena.count
    batch.arena.append(contentsOf: body)
    batch.set(o, .array, Int64(start), Int64(n) | element.rawValue << 32)
    return true
  }

  /// A JSONB body `p[at..<at+n]` that `JSONB.write(raw:)` prints, kept as bytes in slot `o`.
  func rawJSON(_ o: Int, _ p: UnsafeRawBufferPointer, _ at: Int, _ n: Int) -> Bool {
    let body = UnsafeRawBufferPointer(rebasing: p[at..<(at + n)])
    guard JSONB.isPlain(body) else { return false }
    let start = batch.arena.count
    batch.arena.append(contentsOf: body)
    batch.set(o, .json, Int64(start), Int64(n))
    return true
  }
}
