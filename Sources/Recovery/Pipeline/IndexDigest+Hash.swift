import CockroachSQL

/// A hash of decoded values that is the same in every process (Swift's `Hasher` is seeded per
/// process): the index check's row side is kept per chunk in the resume records, and folded
/// again by a later run. Structural, so equal `Datum`s hash equally (−0.0 and 0.0 too);
/// word-at-a-time multiply-xorshift mixing (not meant to resist chosen inputs).
struct StableHasher {
  var state: UInt64 = 0x9E37_79B9_7F4A_7C15

  mutating func combine(_ v: UInt64) {
    state = (state ^ v) &* 0xBF58_476D_1CE4_E5B9
    state ^= state >> 31
  }

  mutating func combine(_ v: Int64) { combine(UInt64(bitPattern: v)) }

  mutating func combine<C: Collection>(bytes: C) where C.Element == UInt8 {
    combine(UInt64(bytes.count))
    var word: UInt64 = 0, n = 0
    for b in bytes {
      word = word << 8 | UInt64(b)
      n += 1
      if n == 8 { combine(word); word = 0; n = 0 }
    }
    if n > 0 { combine(word) }
  }

  mutating func combine(_ d: Datum) {
    switch d {
    case .null: combine(UInt64(0))
    case .bool(let b): combine(UInt64(1)); combine(UInt64(b ? 1 : 0))
    case .int(let v): combine(UInt64(2)); combine(v)
    case .float(let f): combine(UInt64(3)); combine(f == 0 ? 0 : f.isNaN ? Double.nan.bitPattern : f.bitPattern)
    case .decimal(let x):
      combine(UInt64(4)); combine(UInt64(x.form == .finite ? 0 : x.form == .infinite ? 1 : 2))
      combine(UInt64(x.negative ? 1 : 0)); combine(bytes: x.coefficient.utf8); combine(Int64(x.exponent))
    case .string(let s): combine(UInt64(5)); combine(bytes: s.utf8)
    case .bytes(let b): combine(UInt64(6)); combine(bytes: b)
    case .date(let days): combine(UInt64(7)); combine(days)
    case .time(let us): combine(UInt64(8)); combine(us)
    case .timeTZ(let us, let off): combine(UInt64(9)); combine(us); combine(Int64(off))
    case .timestamp(let s, let n): combine(UInt64(10)); combine(s); combine(n)
    case .timestampTZ(let s, let n): combine(UInt64(11)); combine(s); combine(n)
    case .interval(let m, let days, let n): combine(UInt64(12)); combine(m); combine(days); combine(n)
    case .uuid(let b): combine(UInt64(13)); combine(bytes: b)
    case .inet(let mask, let addr): combine(UInt64(14)); combine(UInt64(mask)); combine(bytes: addr)
    case .bits(let s): combine(UInt64(15)); combine(bytes: s.utf8)
    case .enumValue(let physical, let label): combine(UInt64(16)); combine(bytes: physical); combine(bytes: (label ?? "\u{0}").utf8)
    case .oid(let v): combine(UInt64(17)); combine(UInt64(v))
    case .array(let xs): combine(UInt64(18)); combine(UInt64(xs.count)); for x in xs { combine(x) }
    case .json, .raw:
      // Rare in indexes: their description is as canonical as their equality.
      combine(UInt64(19)); combine(bytes: String(describing: d).utf8)
    }
  }

  /// The final mix (splitmix64's finaliser).
  func finalize() -> UInt64 {
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
