/// Pretty-printing of roach keys in CockroachDB's notation (pkg/keys/printer.go, spec §4):
///
/// ```
/// /Min /Max /Meta1/Max /Meta2/Max                   fixed keys
/// /Meta2/<key>  /Meta1/<key>                         meta records print the key they index
/// /Local/Store/storeIdent                            01 73 "iden"
/// /Local/RangeID/5/r/RangeAppliedState               01 69 8d 72 "rask"
/// /Local/RangeID/5/u/RaftLog/logIndex:10             01 69 8d 75 "rftl" ‖ u64 BE
/// /Local/Range/Table/53/RangeDescriptor              01 6b bytes-asc(start key) "rdsc"
/// /Local/Lock/Table/106/1/0/0                        01 7a 6b bytes-asc(locked key)
/// /System/NodeLiveness/1  /System/"desc-idgen"       04 …
/// /NamespaceTable/30/1/…  /Table/53/1/42/0           SQL keys: one /datum per ordered value
/// /Tenant/5/Table/53/1                               fe uvarint(5) ‖ table key
/// ```
/// Datums print as CockroachDB does (ascending defaults, so descending values print as
/// their ascending misreading, as in `cockroach debug keys`): integers, Go-quoted strings,
/// `NULL`, `!NULL`/`#` (not-NULL markers), floats, timestamps (RFC 3339), decimals,
/// bit arrays (`B0101`). Salvage extension: a tail this printer cannot decode (durations,
/// geo, arrays, JSON, PrefixEnd keys…) prints once as `/0x<hex>` covering the rest of the
/// key, where CockroachDB would decode it; `Keyspace.parse` reads that form back.
/// Where CockroachDB writes an unrecognised /Local or /System tail raw between quotes,
/// Salvage Go-quotes it (same text for printable bytes; control bytes stay readable).
public enum Keyspace {
  public static func prettyPrint(_ key: [UInt8]) -> String { prettyPrint(key[...]) }

  public static func prettyPrint(_ key: ArraySlice<UInt8>) -> String {
    switch Array(key) {
    case []: return "/Min"
    case [0xFF, 0xFF]: return "/Max"
    case [0x02, 0xFF, 0xFF]: return "/Meta1/Max"
    case [0x03, 0xFF, 0xFF]: return "/Meta2/Max"
    default: break
    }
    if let first = key.first, first == 0x03 || first == 0x02 {
      let name = first == 0x03 ? "/Meta2" : "/Meta1"
      let s = region(key.dropFirst())
      return s.isEmpty || s.hasPrefix("/") ? name + s : name + "/" + s
    }
    return region(key)
  }

  /// The regions of the keyspace, checked in order; a key equal to `end` prints `<name>/Max`.
  static let namespaceTableMin: [UInt8] = [0x88 + 30]
  static let namespaceTableMax: [UInt8] = [0x88 + 31]

  static func region(_ key: ArraySlice<UInt8>) -> String {
    let k = Array(key)
    func within(_ start: [UInt8], _ end: [UInt8]) -> Bool {
      !k.lexicographicallyPrecedes(start) && !end.lexicographicallyPrecedes(k)
    }
    if within(LocalKeys.localPrefix, LocalKeys.localMax) {
      if k == LocalKeys.localMax { return "/Local/Max" }
      return "/Local" + local(key)
    }
    if within([0x02], [0x02, 0xFF, 0xFF]) {
      if k == [0x02, 0xFF, 0xFF] { return "/Meta1/Max" }
      return "/Meta1/" + GoQuote.quote(key.dropFirst())
    }
    if within([0x03], [0x03, 0xFF, 0xFF]) {
      if k == [0x03, 0xFF, 0xFF] { return "/Meta2/Max" }
      return "/Meta2/" + GoQuote.quote(key.dropFirst())
    }
    if within(LocalKeys.systemPrefix, LocalKeys.systemMax) {
      if k == LocalKeys.systemMax { return "/System/Max" }
      return "/System" + system(key.dropFirst())
    }
    if within(namespaceTableMin, namespaceTableMax) {
      if k == namespaceTableMax { return "/NamespaceTable/Max" }
      return "/NamespaceTable" + datums(key)
    }
    // TableDataMax = PrefixEnd(/Table/MaxUint32) = fa.
    if within([0x88], [0xFA]) {
      if k == [0xFA] { return "/Table/Max" }
      return "/Table" + datums(key)
    }
    // Tenants 2…MaxUint64: fe 8a … up to PrefixEnd(fe fd ff×8) = fe fe.
    if within([0xFE, 0x8A], [0xFE, 0xFE]) {
      if k == [0xFE, 0xFE] { return "/Tenant/Max" }
      guard let (tid, rest) = try? OrderedEncoding.decodeUvarintAscending(key.dropFirst()) else {
        return "/Tenant/err:invalid tenant prefix"
      }
      return "/Tenant/\(tid)" + (rest.isEmpty ? "" : prettyPrint(rest))
    }
    return GoQuote.quote(key)
  }

  // MARK: /Local

  static let storeNames: [(String, String)] = [
    ("iden", "/storeIdent"), ("goss", "/gossipBootstrap"), ("cver", "/clusterVersion"),
    ("ntmb", "/nodeTombstone"), ("stng", "/cachedSettings"),
  ]

  /// Range-ID-local suffix names. The first block is what current CockroachDB prints;
  /// the legacy block names suffixes only ≤20.x wrote, as the printers of those versions did.
  static let rangeIDNames: [(String, String)] = [
    ("abc-", "AbortSpan"), ("rftb", "RangeTombstone"), ("rfth", "RaftHardState"),
    ("rask", "RangeAppliedState"), ("rftl", "RaftLog"), ("rftt", "RaftTruncatedState"),
    ("rlrt", "RangeLastReplicaGCTimestamp"), ("rll-", "RangeLease"), ("rprs", "RangePriorReadSummary"),
    ("stat", "RangeStats"), ("lgc-", "RangeGCThreshold"), ("rver", "RangeVersion"),
    // legacy
    ("rfta", "RaftAppliedIndex"), ("rlla", "LeaseAppliedIndex"), ("rfti", "RaftLastIndex"),
  ]

  static let rangeNames: [(String, String, Bool)] = [  // (suffix, name, atEnd)
    ("rdsc", "RangeDescriptor", true), ("txn-", "Transaction", false),
    ("qlpt", "QueueLastProcessed", false), ("prbe", "RangeProbe", true),
  ]

  static func local(_ key: ArraySlice<UInt8>) -> String {
    let k = Array(key)
    if k.starts(with: LocalKeys.storePrefix) {
      let rest = key.dropFirst(2)
      for (suffix, name) in storeNames where rest.starts(with: suffix.utf8) {
        let tail = rest.dropFirst(4)
        if suffix == "ntmb", tail.count == 4 {  // node id as uint32 BE
          return "/Store" + name + "/n\(tail.reduce(UInt32(0)) { $0 << 8 | UInt32($1) })"
        }
        return "/Store" + name
      }
      return "/Store" + GoQuote.quote(rest)
    }
    if k.starts(with: LocalKeys.rangeIDPrefix) { return "/RangeID" + rangeID(key.dropFirst(2)) }
    if k.starts(with: LocalKeys.rangePrefix) { return "/Range" + range(key.dropFirst(2)) }
    if k.starts(with: LocalKeys.lockPrefix) {
      let rest = key.dropFirst(2)
      guard rest.first == 0x6B, let (locked, tail) = try? OrderedEncoding.decodeBytesAscending(rest.dropFirst()),
            tail.isEmpty else {
        return "/Lock/\"" + kvHex(rest) + "\""
      }
      return "/Lock" + prettyPrint(locked)
    }
    return "/" + GoQuote.quote(key.dropFirst())
  }

  static func rangeID(_ key: ArraySlice<UInt8>) -> String {
    guard let m = key.first, m >= OrderedEncoding.intMin, m <= OrderedEncoding.intMax else {
      return "/err<" + GoQuote.quote(key) + ">"
    }
    guard let (id, afterID) = try? OrderedEncoding.decodeVarintAscending(key) else {
      return "/err<" + GoQuote.quote(key) + ">"
    }
    var out = "/\(id)"
    var rest = afterID
    if let infix = rest.first {
      out += "/" + String(Character(Unicode.Scalar(infix)))
      rest = rest.dropFirst()
    }
    for (suffix, name) in rangeIDNames where rest.starts(with: suffix.utf8) {
      out += "/" + name
      let detail = rest.dropFirst(4)
      if name == "RaftLog" && !detail.isEmpty {
        if let (idx, _) = try? OrderedEncoding.decodeUint64Ascending(detail) { return out + "/logIndex:\(idx)" }
        return out + "/err<" + GoQuote.quote(detail) + ">"
      }
      if name == "AbortSpan" && !detail.isEmpty {
        if let (id, _) = try? OrderedEncoding.decodeBytesAscending(detail), let u = UUID16(id) {
          return out + "/\"\(u)\""
        }
        return out + "/" + GoQuote.quote(detail) + "/err:invalid txn id"
      }
      return out + datums(detail)
    }
    return out + GoQuote.quote(rest)
  }

  static func range(_ key: ArraySlice<UInt8>) -> String {
    /// The address key inside: bytes-asc decoded and printed recursively when possible.
    func addr(_ a: ArraySlice<UInt8>) -> String {
      if let (d, _) = try? OrderedEncoding.decodeBytesAscending(a) { return prettyPrint(d) }
      return datums(a)
    }
    for (suffix, name, atEnd) in rangeNames {
      let s = Array(suffix.utf8)
      if atEnd {
        if key.count >= 4 && Array(key.suffix(4)) == s { return addr(key.dropLast(4)) + "/" + name }
      } else if let begin = firstIndex(of: s, in: key), begin > key.startIndex {
        let out = addr(key[key.startIndex..<begin]) + "/" + name
        let id = key[(begin + 4)...]
        if name == "Transaction" {
          guard let u = UUID16(id) else { return out + "/" + GoQuote.quote(key) + "/err:invalid txn id" }
          return out + "/\"\(u)\""
        }
        return out + "/" + GoQuote.quote(id)
      }
    }
    return addr(key)
  }

  static func firstIndex(of needle: [UInt8], in hay: ArraySlice<UInt8>) -> Int? {
    guard hay.count >= needle.count else { return nil }
    var i = hay.startIndex
    while i + needle.count <= hay.endIndex {
      if hay[i..<(i + needle.count)].elementsEqual(needle) { return i }
      i += 1
    }
    return nil
  }

  // MARK: /System

  static let systemNames: [([UInt8], String)] = [
    ([0x00] + Array("liveness-".utf8), "/NodeLiveness"),
    ([0x00] + Array("liveness.".utf8), "/NodeLivenessMax"),
    (Array("status-node-".utf8), "/StatusNode"),
    (Array("tsd".utf8), "/tsd"),
    ([0xFF] + Array("sys-scfg".utf8), "/SystemSpanConfigKeys"),
  ]

  /// `key` is after the 0x04 prefix.
  static func system(_ key: ArraySlice<UInt8>) -> String {
    for (prefix, name) in systemNames where key.starts(with: prefix) {
      // Time-series keys have their own printer in CockroachDB (name/source/resolution/time);
      // Salvage prints their ordered datums instead.
      return name + datums(key.dropFirst(prefix.count))
    }
    return "/" + GoQuote.quote(key)
  }

  // MARK: datums

  /// `/`-separated ordered-encoded values, as `encoding.PrettyPrintValue` with ascending
  /// defaults. The first undecodable value ends the walk with `/0x<hex of the rest>`.
  public static func datums(_ key: ArraySlice<UInt8>) -> String {
    var out = ""
    var b = key
    while let m = b.first {
      do throws(KVError) {
        switch m {
        case 0x00, 0xFF:  // NULL ascending / descending
          out += "/NULL"; b = b.dropFirst()
        case 0x01:  // not-NULL ascending (span bounds)
          out += "/!NULL"; b = b.dropFirst()
        case 0xFE:  // not-NULL descending; also the interleave sentinel
          out += "/#"; b = b.dropFirst()
        case OrderedEncoding.timeMarker:
          let ((s, n), r) = try OrderedEncoding.decodeTimeAscending(b)
          guard let t = OrderedEncoding.formatRFC3339Nano(seconds: s, nanos: n) else {
            throw KVError(.unsupported, "datum", "time out of range")
          }
          out += "/" + t; b = r
        case 0x18...0x36:
          let (d, r) = try OrderedEncoding.decodeDecimalAscending(b)
          out += "/" + d; b = r
        case OrderedEncoding.bitArrayMarker:
          let (d, r) = try OrderedEncoding.decodeBitArrayAscending(b)
          out += "/" + d; b = r
        case OrderedEncoding.intMin...OrderedEncoding.intMax:
          let (v, r) = try OrderedEncoding.decodeVarintAscending(b)
          out += "/\(v)"; b = r
        case OrderedEncoding.bytesMarker:
          let (v, r) = try OrderedEncoding.decodeBytesAscending(b)
          out += "/" + GoQuote.quote(v); b = r
        case OrderedEncoding.bytesDescMarker:
          let (v, r) = try OrderedEncoding.decodeBytesDescending(b)
          out += "/" + GoQuote.quote(v); b = r
        case 0x02...0x05:
          let (v, r) = try OrderedEncoding.decodeFloatAscending(b)
          out += "/" + formatFloat(v); b = r
        default:
          throw KVError(.unsupported, "datum", "marker \(m)")
        }
      } catch {
        return out + "/0x" + kvHex(b)
      }
    }
    return out
  }

  /// Go's `strconv.FormatFloat(f, 'g', -1, 64)`: shortest digits, `%e` form when the
  /// decimal exponent is < -4 or ≥ 6 (`1e+06`, `1.234567e+06`, `233.221112`, `1e-05`).
  static func formatFloat(_ f: Double) -> String {
    if f.isNaN { return "NaN" }
    if f.isInfinite { return f < 0 ? "-Inf" : "+Inf" }
    let neg = f.sign == .minus
    if f == 0 { return neg ? "-0" : "0" }
    // Swift's description also prints the shortest round-trip digits; re-lay them out.
    let text = "\(f.magnitude)"
    let parts = text.split(separator: "e")
    var digits = ""
    var dp = 0  // digits[0..<dp] are the integer part
    var seenPoint = false
    for ch in parts[0] {
      if ch == "." { seenPoint = true; continue }
      digits.append(ch)
      if !seenPoint { dp += 1 }
    }
    if parts.count == 2, let e = Int(parts[1]) { dp += e }
    while digits.hasPrefix("0") && digits.count > 1 { digits.removeFirst(); dp -= 1 }
    while digits.hasSuffix("0") && digits.count > 1 { digits.removeLast() }
    let exp = dp - 1
    var out = neg ? "-" : ""
    if exp < -4 || exp >= 6 {
      out += String(digits.prefix(1))
      if digits.count > 1 { out += "." + digits.dropFirst() }
      let e = abs(exp)
      out += (exp < 0 ? "e-" : "e+") + (e < 10 ? "0" : "") + String(e)
    } else if dp <= 0 {
      out += "0." + String(repeating: "0", count: -dp) + digits
    } else if dp >= digits.count {
      out += digits + String(repeating: "0", count: dp - digits.count)
    } else {
      out += digits.prefix(dp) + "." + digits.dropFirst(dp)
    }
    return out
  }
}
