import CockroachKV

/// Key-encodes datums (spec §5.2), the inverse of `DatumDecoding.key` for the types primary
/// keys are commonly made of. Used to rebuild a row's primary key from a secondary-index
/// entry (whose primary-key columns are encoded ascending, or in the index's own direction):
/// the rebuilt key sorts and compares exactly like the primary index's.
public enum KeyEncoding {
  /// `/Table/<table>/<index>/<columns…>` without a family suffix; nil when a column's type
  /// is not covered here (JSONB, BOX2D, geometry, tuples; a collated string's text).
  public static func rowPrefix(table: UInt32, index: IndexDescriptor, datums: [Datum]) -> [UInt8]? {
    var out: [UInt8] = []
    OrderedEncoding.encodeUvarintAscending(UInt64(table), into: &out)
    OrderedEncoding.encodeUvarintAscending(UInt64(index.id), into: &out)
    for (i, d) in datums.enumerated() {
      guard encode(d, index.direction(at: i), into: &out) else { return nil }
    }
    return out
  }

  /// Appends `d` in `direction`; false (nothing useful appended) when not covered.
  public static func encode(_ d: Datum, _ direction: IndexDirection, into out: inout [UInt8]) -> Bool {
    let desc = direction == .desc
    func int(_ v: Int64) {
      if desc { OrderedEncoding.encodeVarintDescending(v, into: &out) } else { OrderedEncoding.encodeVarintAscending(v, into: &out) }
    }
    func bytes<C: Collection>(_ b: C) where C.Element == UInt8 {
      let start = out.count
      OrderedEncoding.encodeBytesAscending(b, into: &out)
      guard desc else { return }
      // Descending bytes: the descending marker, then the ascending body inverted (§5.2.3).
      out[start] = OrderedEncoding.bytesDescMarker
      for i in (start + 1)..<out.count { out[i] = ~out[i] }
    }
    switch d {
    case .null: out.append(desc ? 0xFF : 0x00)
    case .bool(let b): int(b ? 1 : 0)
    case .int(let v): int(v)
    case .date(let days): int(days)
    case .time(let micros): int(micros)
    case .oid(let v): int(Int64(v))
    case .string(let s): bytes(Array(s.utf8))
    case .bytes(let b): bytes(b)
    case .uuid(let b): bytes(b)
    case .enumValue(let physical, _): bytes(physical)
    case .timestamp(let s, let n), .timestampTZ(let s, let n):
      out.append(0x14)
      int(s)
      int(n)
    case .float(let f):
      // Descending: the ascending encoding of -f, NaN its own marker (§5.2.4).
      if desc && f.isNaN { out.append(0x06) } else { OrderedEncoding.encodeFloatAscending(desc ? -f : f, into: &out) }
    case .decimal(let d): decimal(d, descending: desc, into: &out)
    case .interval(let months, let days, let nanos):
      // sortNanos first, so intervals sort by their length (30-day months); wrapping like the decoder.
      let dayNanos: Int64 = 86_400 * 1_000_000_000
      out.append(0x16)
      int(nanos &+ days &* dayNanos &+ months &* 30 &* dayNanos)
      int(months)
      int(days)
    case .timeTZ(let micros, let offset):
      out.append(0x3C)
      int(micros &+ Int64(offset) &* 1_000_000)
      int(Int64(offset))
    case .inet(let mask, let addr):
      guard addr.count == 4 || addr.count == 16 else { return false }
      bytes([addr.count == 4 ? 0 : 1, mask] + addr)
    case .bits(let text): return bitArray(text, descending: desc, into: &out)
    case .array(let elements):
      out.append(desc ? 0x40 : 0x3F)
      for e in elements {
        if e.isNull { out.append(desc ? 0xFE : 0x01); continue }
        guard encode(e, direction, into: &out) else { return false }
      }
      out.append(desc ? 0xFF : 0x00)
    case .raw(let type, let b) where type == "collation key":
      // A collated string's key is its collation key (not invertible): re-encoded only as read.
      bytes(b)
    default: return false
    }
    return true
  }

  /// `EncodeUvarintDescending` (§5.2.2): 0 → 88; else 0x88-n ‖ the n low bytes of ^v.
  static func encodeUvarintDescending(_ v: UInt64, into out: inout [UInt8]) {
    guard v != 0 else { out.append(0x88); return }
    let n = (64 - v.leadingZeroBitCount + 7) / 8
    out.append(UInt8(0x88 - n))
    let inv = ~v
    for i in stride(from: n - 1, through: 0, by: -1) { out.append(UInt8(truncatingIfNeeded: inv >> (8 * UInt64(i)))) }
  }

  /// Sorting DECIMAL (§5.2.5): |value| = 0.M × 100^E, M base-100 digits as 2d+1 (the last 2d);
  /// descending encodes the negated value (NaN: 36). Trailing zeros and the sign of zero are lost.
  static func decimal(_ d: SQLDecimal, descending: Bool, into out: inout [UInt8]) {
    switch d.form {
    case .nan: out.append(descending ? 0x36 : 0x18); return
    case .infinite: out.append(d.negative != descending ? 0x19 : 0x35); return
    case .finite: break
    }
    var digits = Array(d.coefficient.utf8.drop { $0 == UInt8(ascii: "0") }.map { $0 - UInt8(ascii: "0") })
    var exponent = d.exponent
    while digits.last == 0 { digits.removeLast(); exponent += 1 }
    guard !digits.isEmpty else { out.append(0x27); return }
    // value = 0.digits × 10^point; make point even (one leading zero digit if odd).
    var point = digits.count + exponent
    if point & 1 != 0 { digits.insert(0, at: 0); point += 1 }
    if digits.count & 1 != 0 { digits.append(0) }
    let e = point / 2
    let negative = d.negative != descending
    var mantissa: [UInt8] = stride(from: 0, to: digits.count, by: 2).map { i in (digits[i] * 10 + digits[i + 1]) * 2 + 1 }
    mantissa[mantissa.count - 1] -= 1
    if negative {
      if e < 0 { out.append(0x26); OrderedEncoding.encodeUvarintAscending(UInt64(-e), into: &out) }
      else if e <= 10 { out.append(UInt8(0x25 - e)) }
      else { out.append(0x1A); encodeUvarintDescending(UInt64(e), into: &out) }
      out += mantissa.map { ~$0 }
    } else {
      if e < 0 { out.append(0x28); encodeUvarintDescending(UInt64(-e), into: &out) }
      else if e <= 10 { out.append(UInt8(0x29 + e)) }
      else { out.append(0x34); OrderedEncoding.encodeUvarintAscending(UInt64(e), into: &out) }
      out += mantissa
    }
    out.append(0x00)
  }

  /// BIT/VARBIT (§5.2.4): 64-bit words MSB first, then the bits used in the last word.
  static func bitArray(_ text: String, descending: Bool, into out: inout [UInt8]) -> Bool {
    var words: [UInt64] = []
    var used = 0
    for c in text.utf8 {
      guard c == UInt8(ascii: "0") || c == UInt8(ascii: "1") else { return false }
      if used == 0 || used == 64 { words.append(0); used = 0 }
      if c == UInt8(ascii: "1") { words[words.count - 1] |= 1 << UInt64(63 - used) }
      used += 1
    }
    func uvarint(_ v: UInt64) {
      if descending { encodeUvarintDescending(v, into: &out) } else { OrderedEncoding.encodeUvarintAscending(v, into: &out) }
    }
    out.append(descending ? 0x3B : 0x3A)
    for w in words { uvarint(w) }
    out.append(descending ? 0xFF : 0x00)
    uvarint(UInt64(words.isEmpty ? 0 : used))
    return true
  }
}
