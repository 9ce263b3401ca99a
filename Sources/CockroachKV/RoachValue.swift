/// `roachpb.Value`, the payload of every MVCC version and inline value (spec §3).
///
/// ```
/// offset size  field
///      0    4  checksum   uint32 BE: CRC-32 IEEE over roachKey ‖ tag ‖ data; 0 = unset; a CRC
///                         of 0 is stored as 1
///      4    1  tag        ValueType (below)
///      5    …  data       body, encoded per tag
/// ```
/// Empty bytes = no value (a tombstone when it is an MVCC version). 1–4 bytes is corrupt.
public struct RoachValue: Hashable, Sendable {
  /// The tag byte (`ValueType`); kept raw so unknown tags survive.
  public enum Tag: UInt8, Sendable {
    case unknown = 0, int = 1, float = 2, bytes = 3, time = 4, decimal = 5, duration = 6
    case delimitedBytes = 8, delimitedDecimal = 9, tuple = 10, bitArray = 11, timeTZ = 12
    case geo = 13, box2D = 14, timeseries = 100, mvccExtendedEncodingSentinel = 101
  }

  /// checksum ‖ tag ‖ data, exactly as stored.
  public let rawBytes: [UInt8]

  /// The 4-byte checksum and the tag byte before the data: a value's header.
  public static let headerLength = 5

  public init<C: Collection>(rawBytes: C) throws(KVError) where C.Element == UInt8 {
    guard rawBytes.isEmpty || rawBytes.count >= 5 else {
      throw KVError(.corrupt, "roachpb.Value", "\(rawBytes.count) bytes: shorter than checksum + tag")
    }
    self.rawBytes = Array(rawBytes)
  }

  /// Builds a value with the checksum computed for `key` (tests, re-encoding).
  public init(tag: UInt8, data: [UInt8], key: [UInt8]?) {
    var raw: [UInt8] = [0, 0, 0, 0, tag] + data
    if let key {
      let c = RoachValue.checksum(key: key, tag: tag, data: data[...])
      raw[0] = UInt8(c >> 24); raw[1] = UInt8(truncatingIfNeeded: c >> 16)
      raw[2] = UInt8(truncatingIfNeeded: c >> 8); raw[3] = UInt8(truncatingIfNeeded: c)
    }
    rawBytes = raw
  }

  public var isEmpty: Bool { rawBytes.isEmpty }
  public var storedChecksum: UInt32 {
    isEmpty ? 0 : rawBytes.prefix(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
  }
  public var tagByte: UInt8 { isEmpty ? 0 : rawBytes[4] }
  public var tag: Tag? { Tag(rawValue: tagByte) }
  public var data: ArraySlice<UInt8> { isEmpty ? [] : rawBytes[5...] }

  /// CRC-32 IEEE over key ‖ tag ‖ data, with 0 mapped to 1 (pkg/roachpb/data.go `computeChecksum`).
  public static func checksum(key: [UInt8], tag: UInt8, data: ArraySlice<UInt8>) -> UInt32 {
    var c = CRC32.ieee(key)
    c = CRC32.ieee(CollectionOfOne(tag), extending: c)
    c = CRC32.ieee(data, extending: c)
    return c == 0 ? 1 : c
  }

  public enum ChecksumStatus: Equatable, Sendable {
    /// Stored checksum 0: never initialised (tests, some internal writers); nothing to verify.
    case unset
    case valid
    case mismatch(stored: UInt32, computed: UInt32)
  }

  /// Verifies the stored checksum against `key`, the *roach* key (no sentinel, no timestamp).
  public func verifyChecksum(key: [UInt8]) -> ChecksumStatus {
    let stored = storedChecksum
    if isEmpty || stored == 0 { return .unset }
    let computed = RoachValue.checksum(key: key, tag: tagByte, data: data)
    return stored == computed ? .valid : .mismatch(stored: stored, computed: computed)
  }

  /// `verifyChecksum` as a throwing check.
  public func checkChecksum(key: [UInt8]) throws(KVError) {
    if case .mismatch(let s, let c) = verifyChecksum(key: key) {
      throw KVError(.checksum, "roachpb.Value", "crc32 stored 0x\(String(s, radix: 16)) computed 0x\(String(c, radix: 16)) for key \(Keyspace.prettyPrint(key))")
    }
  }

  /// Decodes the body by tag. TUPLE and other SQL-specific bodies stay raw for the SQL layer.
  public func decoded() throws(KVError) -> ScalarValue {
    guard !isEmpty else { return .empty }
    let d = data
    switch tag {
    case .int?:
      let (v, n) = try ProtoReader.uvarint(d, at: d.startIndex, what: "roachpb.Value INT")
      guard n == d.endIndex else { throw KVError(.corrupt, "roachpb.Value INT", "\(d.endIndex - n) trailing bytes") }
      return .int(ProtoReader.zigzag(v))
    case .float?:
      guard d.count == 8 else { throw KVError(.corrupt, "roachpb.Value FLOAT", "\(d.count) bytes, expected 8") }
      return .float(Double(bitPattern: d.reduce(UInt64(0)) { $0 << 8 | UInt64($1) }))
    case .bytes?, .delimitedBytes?:
      return .bytes(Array(d))
    case .time?:
      guard d.first == 0x14 else { throw KVError(.corrupt, "roachpb.Value TIME", "missing time marker 0x14") }
      let (secs, r1) = try OrderedEncoding.decodeVarintAscending(d.dropFirst())
      let (nanos, r2) = try OrderedEncoding.decodeVarintAscending(r1)
      guard r2.isEmpty else { throw KVError(.corrupt, "roachpb.Value TIME", "trailing bytes") }
      return .time(unixSeconds: secs, nanos: nanos)
    case .duration?:
      guard d.first == 0x16 else { throw KVError(.corrupt, "roachpb.Value DURATION", "missing duration marker 0x16") }
      let (sortNanos, r1) = try OrderedEncoding.decodeVarintAscending(d.dropFirst())
      let (months, r2) = try OrderedEncoding.decodeVarintAscending(r1)
      let (days, r3) = try OrderedEncoding.decodeVarintAscending(r2)
      guard r3.isEmpty else { throw KVError(.corrupt, "roachpb.Value DURATION", "trailing bytes") }
      // sortNanos = nanos + days·86400e9 + months·30·86400e9 (wrapping as Go does).
      let nanos = sortNanos &- days &* 86_400_000_000_000 &- months &* 30 &* 86_400_000_000_000
      return .duration(months: months, days: days, nanos: nanos)
    case .timeTZ?:
      guard d.first == 0x3C else { throw KVError(.corrupt, "roachpb.Value TIMETZ", "missing timetz marker 0x3c") }
      let (sum, r1) = try OrderedEncoding.decodeVarintAscending(d.dropFirst())
      let (offset, r2) = try OrderedEncoding.decodeVarintAscending(r1)
      guard r2.isEmpty else { throw KVError(.corrupt, "roachpb.Value TIMETZ", "trailing bytes") }
      return .timeTZ(micros: sum &- offset &* 1_000_000, offsetSecondsWest: Int32(truncatingIfNeeded: offset))
    case .decimal?, .delimitedDecimal?:
      return .decimal(try RoachDecimal(nonsorting: d))
    case .box2D?:
      guard d.count == 32 else { throw KVError(.corrupt, "roachpb.Value BOX2D", "\(d.count) bytes, expected 32") }
      var f: [Double] = []
      for i in 0..<4 {
        f.append(Double(bitPattern: d.dropFirst(8 * i).prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }))
      }
      return .box2D(loX: f[0], hiX: f[1], loY: f[2], hiY: f[3])
    case .bitArray?:
      let (bitLen, rest) = try NonsortingUvarint.decode(d)
      guard bitLen <= UInt64(rest.count) * 8, rest.count % 8 == 0, UInt64(rest.count / 8) == (bitLen + 63) / 64 else {
        throw KVError(.corrupt, "roachpb.Value BITARRAY", "\(bitLen) bits in \(rest.count) bytes")
      }
      var words: [UInt64] = []
      for i in stride(from: rest.startIndex, to: rest.endIndex, by: 8) {
        words.append(rest[i..<(i + 8)].reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
      }
      return .bitArray(bitLength: Int(bitLen), words: words)
    default:
      return .raw(tag: tagByte, data: Array(d))
    }
  }
}

/// A decoded `roachpb.Value` body.
public enum ScalarValue: Equatable, Sendable {
  case empty
  case int(Int64)
  case float(Double)
  case bytes([UInt8])
  case time(unixSeconds: Int64, nanos: Int64)
  case duration(months: Int64, days: Int64, nanos: Int64)
  /// Microseconds since midnight (local) and the zone offset in seconds *west* of UTC.
  case timeTZ(micros: Int64, offsetSecondsWest: Int32)
  case decimal(RoachDecimal)
  case box2D(loX: Double, hiX: Double, loY: Double, hiY: Double)
  /// Words are 64-bit, first bit = MSB of the first word.
  case bitArray(bitLength: Int, words: [UInt64])
  /// TUPLE (column list for the SQL layer), GEO (SpatialObject proto), TIMESERIES and unknown tags.
  case raw(tag: UInt8, data: [UInt8])
}

/// The MSB-first "non-sorting" uvarint of value encodings (spec §6.2, `EncodeNonsortingUvarint`).
public enum NonsortingUvarint {
  public static func decode(_ b: ArraySlice<UInt8>) throws(KVError) -> (UInt64, ArraySlice<UInt8>) {
    var v: UInt64 = 0
    var i = b.startIndex
    while i < b.endIndex {
      let x = b[i]
      guard i - b.startIndex < 10, v >> 57 == 0 else { throw KVError(.corrupt, "nonsorting uvarint", "overflows 64 bits") }
      v = v << 7 | UInt64(x & 0x7F)
      i += 1
      if x < 0x80 { return (v, b[i...]) }
    }
    throw KVError(.truncated, "nonsorting uvarint", "runs past the end")
  }
}

/// A DECIMAL as stored in values (spec §6.3.2): sign, coefficient and base-10 exponent,
/// value = ±coefficient · 10^exponent. Trailing zeros and −0 are preserved.
public struct RoachDecimal: Hashable, Sendable, CustomStringConvertible {
  public enum Form: Hashable, Sendable { case finite, nan, infinity, negativeInfinity }
  public var form: Form
  public var negative: Bool
  /// Decimal digits of the coefficient, most significant first, no leading zeros ("0" for zero).
  public var digits: String
  public var exponent: Int

  /// Decodes `EncodeNonsortingDecimal` output.
  public init(nonsorting b: ArraySlice<UInt8>) throws(KVError) {
    guard let m = b.first else { throw KVError(.truncated, "DECIMAL", "empty") }
    form = .finite; negative = false; digits = "0"; exponent = 0
    switch m {
    case 0x18: form = .nan; return
    case 0x35: form = .infinity; return
    case 0x19: form = .negativeInfinity; negative = true; return
    case 0x27: return
    case 0x1A, 0x25, 0x26, 0x28, 0x29, 0x34: break
    default: throw KVError(.corrupt, "DECIMAL", "marker 0x\(OrderedEncoding.hex2(m))")
    }
    negative = m < 0x27
    var rest = b.dropFirst()
    var e = 0
    if m != 0x25 && m != 0x29 {
      let (u, r) = try OrderedEncoding.decodeUvarintAscending(rest)
      guard let mag = DecimalLimits.exponentMagnitude(u) else { throw KVError(.corrupt, "DECIMAL", "exponent \(u) out of range") }
      e = (m == 0x26 || m == 0x28) ? -mag : mag
      rest = r
    }
    // Checked before the quadratic base conversion below runs on it.
    guard rest.count <= DecimalLimits.maxCoefficientBytes else {
      throw KVError(.corrupt, "DECIMAL", "coefficient of \(rest.count) bytes")
    }
    digits = RoachDecimal.toDecimalString(Array(rest))
    let nDigits = digits == "0" ? 0 : digits.count
    exponent = e - nDigits
    // value = 0.digits × 10^e: the rendering pads up to |exponent| zeros, so it is bounded here.
    guard DecimalLimits.allows(exponent: exponent, digits: max(1, nDigits)) else {
      throw KVError(.corrupt, "DECIMAL", "exponent \(exponent) with \(nDigits) digits is outside apd's limits")
    }
  }

  /// Big-endian magnitude → decimal digits (schoolbook division by 10).
  static func toDecimalString(_ be: [UInt8]) -> String {
    var n = Array(be.drop { $0 == 0 })
    if n.isEmpty { return "0" }
    var out: [UInt8] = []
    while !n.isEmpty {
      var rem = 0
      var q: [UInt8] = []
      for x in n {
        let cur = rem * 256 + Int(x)
        let d = cur / 10
        rem = cur % 10
        if !q.isEmpty || d != 0 { q.append(UInt8(d)) }
      }
      out.append(UInt8(48 + rem))
      n = q
    }
    return String(decoding: out.reversed(), as: UTF8.self)
  }

  /// Plain notation: `10000.50`, `-0.001`, `12300` (exponent > 0 expands with zeros).
  public var description: String {
    switch form {
    case .nan: return "NaN"
    case .infinity: return "Infinity"
    case .negativeInfinity: return "-Infinity"
    case .finite: break
    }
    var s: String
    if exponent >= 0 {
      s = digits == "0" ? "0" : digits + String(repeating: "0", count: exponent)
    } else {
      let frac = -exponent
      let padded = String(repeating: "0", count: max(0, frac - digits.count + 1)) + digits
      let cut = padded.index(padded.endIndex, offsetBy: -frac)
      s = String(padded[..<cut]) + "." + String(padded[cut...])
    }
    return (negative ? "-" : "") + s
  }
}
