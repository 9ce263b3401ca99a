import CockroachKV

/// Key-encodes datums (spec §5.2), the inverse of `DatumDecoding.key` for the types primary
/// keys are commonly made of. Used to rebuild a row's primary key from a secondary-index
/// entry (whose primary-key columns are encoded ascending, or in the index's own direction):
/// the rebuilt key sorts and compares exactly like the primary index's.
public enum KeyEncoding {
  /// `/Table/<table>/<index>/<columns…>` without a family suffix; nil when a column's type
  /// or direction is not covered here (DECIMAL, FLOAT DESC, INTERVAL, arrays…).
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
    case .float(let f) where !desc: OrderedEncoding.encodeFloatAscending(f, into: &out)
    default: return false
    }
    return true
  }
}
