/// The inverse of `Keyspace.prettyPrint` for `--span`-style arguments (pkg/keys UglyPrint,
/// extended to every form Salvage prints): `Keyspace.parse("/Table/53/1")` is `bd 89`.
///
/// Accepted datums: decimal integers (varint-asc), Go-quoted strings (bytes-asc), `NULL`,
/// `!NULL`, `#`, RFC 3339 UTC timestamps, floats containing `.`/`e` or `NaN`/`+Inf`/`-Inf`,
/// and `0x<hex>` raw bytes. The printed forms of decimals and bit arrays are not parsed
/// (`12.34` reads as a float, as the notation cannot tell them apart); descending values
/// print like ascending ones and parse back ascending.
extension Keyspace {
  public static func parse(_ text: String) throws(KVError) -> [UInt8] {
    var s = KeyText(Array(text.utf8))
    let key = try s.key()
    guard s.atEnd else { throw s.error("unexpected text") }
    return key
  }
}

/// A cursor over the text of a pretty-printed key.
struct KeyText {
  let t: [UInt8]
  var i = 0

  init(_ t: [UInt8]) { self.t = t }

  var atEnd: Bool { i >= t.count }
  var rest: String { String(decoding: t[i...], as: UTF8.self) }

  func error(_ m: String) -> KVError {
    KVError(.syntax, "Keyspace.parse", "\(m) at \"\(rest)\" in \"\(String(decoding: t, as: UTF8.self))\"", offset: i)
  }

  func peek(_ s: String) -> Bool { t[i...].starts(with: s.utf8) }

  mutating func eat(_ s: String) -> Bool {
    guard peek(s) else { return false }
    i += s.utf8.count
    return true
  }

  /// Everything up to the next `/` (or the end).
  mutating func word() -> String {
    let start = i
    while i < t.count && t[i] != UInt8(ascii: "/") && t[i] != UInt8(ascii: "\"") { i += 1 }
    return String(decoding: t[start..<i], as: UTF8.self)
  }

  mutating func quoted() throws(KVError) -> [UInt8] {
    let (b, next) = try GoQuote.unquote(t, from: i)
    i = next
    return b
  }

  /// A whole key; consumes all the text.
  mutating func key() throws(KVError) -> [UInt8] {
    for (name, bytes) in [("/Min", [UInt8]()), ("/Max", [0xFF, 0xFF]), ("/Meta1/Max", [0x02, 0xFF, 0xFF]),
                          ("/Meta2/Max", [0x03, 0xFF, 0xFF]), ("/Local/Max", [0x02]), ("/System/Max", [0x05]),
                          ("/NamespaceTable/Max", Keyspace.namespaceTableMax), ("/Table/Max", [0xFA]),
                          ("/Tenant/Max", [0xFE, 0xFE])] where t[i...].elementsEqual(name.utf8) {
      i = t.count
      return bytes
    }
    if peek("\"") { return try quoted() }
    if eat("/Meta2") { return try meta(0x03) }
    if eat("/Meta1") { return try meta(0x02) }
    if eat("/Local") { return try local() }
    if eat("/System") { return try system() }
    if eat("/NamespaceTable") { return try datums() }
    if eat("/Table") { return try datums() }
    if eat("/Tenant/") {
      guard let id = UInt64(word()) else { throw error("bad tenant id") }
      var k: [UInt8] = [LocalKeys.tenantPrefixByte]
      OrderedEncoding.encodeUvarintAscending(id, into: &k)
      return atEnd ? k : k + (try key())
    }
    throw error("unknown keyspace")
  }

  mutating func meta(_ prefix: UInt8) throws(KVError) -> [UInt8] {
    if atEnd { return [prefix] }
    if eat("/\"") {
      i -= 1
      return [prefix] + (try quoted())
    }
    return [prefix] + (try key())
  }

  mutating func system() throws(KVError) -> [UInt8] {
    for (prefix, name) in Keyspace.systemNames where eat(name) {
      return [0x04] + prefix + (try datums())
    }
    guard eat("/"), peek("\"") else { throw error("expected a /System subspace") }
    return [0x04] + (try quoted())
  }

  mutating func local() throws(KVError) -> [UInt8] {
    if eat("/Store") {
      for (suffix, name) in Keyspace.storeNames where eat(name) {
        var k = LocalKeys.storePrefix + Array(suffix.utf8)
        if suffix == "ntmb", eat("/n") {
          guard let n = UInt32(word()) else { throw error("bad node id") }
          k += [UInt8(n >> 24), UInt8(truncatingIfNeeded: n >> 16), UInt8(truncatingIfNeeded: n >> 8), UInt8(truncatingIfNeeded: n)]
        }
        return k
      }
      guard peek("\"") else { throw error("unknown store key") }
      return LocalKeys.storePrefix + (try quoted())
    }
    if eat("/RangeID/") { return try rangeID() }
    if eat("/Range") { return try range() }
    if eat("/Lock") {
      if eat("/\"") {
        i -= 1
        let hex = try quoted()
        guard let raw = KeyText.unhex(hex) else { throw error("bad lock-table hex") }
        return LocalKeys.lockPrefix + raw
      }
      return LocalKeys.lockTableSingleKey(try key())
    }
    guard eat("/"), peek("\"") else { throw error("unknown /Local subspace") }
    return LocalKeys.localPrefix + (try quoted())
  }

  mutating func rangeID() throws(KVError) -> [UInt8] {
    guard let id = Int64(word()) else { throw error("bad range id") }
    var k = LocalKeys.rangeIDPrefix
    OrderedEncoding.encodeVarintAscending(id, into: &k)
    guard eat("/"), i < t.count else { return k }
    k.append(t[i])  // the infix: r or u
    i += 1
    if peek("\"") { return k + (try quoted()) }
    guard eat("/") else { throw error("expected /suffix") }
    let name = word()
    guard let suffix = Keyspace.rangeIDNames.first(where: { $0.1 == name })?.0 else {
      throw error("unknown range-ID-local suffix \(name)")
    }
    k += Array(suffix.utf8)
    if name == "RaftLog" && eat("/logIndex:") {
      guard let idx = UInt64(word()) else { throw error("bad log index") }
      OrderedEncoding.encodeUint64Ascending(idx, into: &k)
      return k
    }
    if name == "AbortSpan" && eat("/") {
      guard let u = KeyText.uuid(try quoted()) else { throw error("bad txn id") }
      OrderedEncoding.encodeBytesAscending(u, into: &k)
      return k
    }
    return k + (try datums())
  }

  /// `/Local/Range<key>/<Name>[/"id"]`: the name is found from the right, the key parsed recursively.
  mutating func range() throws(KVError) -> [UInt8] {
    let body = Array(t[i...])
    i = t.count
    func inner(_ keyText: ArraySlice<UInt8>) throws(KVError) -> [UInt8] {
      var k = LocalKeys.rangePrefix
      OrderedEncoding.encodeBytesAscending(try Keyspace.parse(String(decoding: keyText, as: UTF8.self)), into: &k)
      return k
    }
    for (suffix, name, atEnd) in Keyspace.rangeNames {
      let tail = Array(("/" + name).utf8)
      if atEnd {
        if body.count >= tail.count && Array(body.suffix(tail.count)) == tail {
          return try inner(body.dropLast(tail.count)) + Array(suffix.utf8)
        }
        continue
      }
      let needle = tail + Array("/\"".utf8)
      guard let at = KeyText.lastIndex(of: needle, in: body) else { continue }
      var idText = KeyText(Array(body[(at + needle.count - 1)...]))
      let id = try idText.quoted()
      guard idText.atEnd else { throw idText.error("text after the id") }
      let raw = name == "Transaction" ? KeyText.uuid(id) : id
      guard let raw else { throw error("bad transaction id") }
      return try inner(body[..<at]) + Array(suffix.utf8) + raw
    }
    return try inner(body[...])
  }

  static func lastIndex(of needle: [UInt8], in hay: [UInt8]) -> Int? {
    guard hay.count >= needle.count else { return nil }
    for j in stride(from: hay.count - needle.count, through: 0, by: -1) where hay[j..<(j + needle.count)].elementsEqual(needle) {
      return j
    }
    return nil
  }

  mutating func datums() throws(KVError) -> [UInt8] {
    var k: [UInt8] = []
    while !atEnd {
      guard eat("/") else { throw error("expected /") }
      if peek("\"") {
        OrderedEncoding.encodeBytesAscending(try quoted(), into: &k)
        continue
      }
      let w = word()
      if w == "NULL" {
        k.append(0x00)
      } else if w == "!NULL" {
        k.append(0x01)
      } else if w == "#" {
        k.append(0xFE)
      } else if let (sec, nanos) = OrderedEncoding.parseRFC3339(w) {
        OrderedEncoding.encodeTimeAscending(seconds: sec, nanos: nanos, into: &k)
      } else if w.hasPrefix("0x"), let raw = KeyText.unhex(Array(w.utf8.dropFirst(2))) {
        k += raw
      } else if let v = Int64(w) {
        OrderedEncoding.encodeVarintAscending(v, into: &k)
      } else if w == "NaN" || w == "+Inf" || w == "-Inf" || w.contains(".") || w.contains("e"),
                let f = Double(w == "+Inf" ? "inf" : w == "-Inf" ? "-inf" : w) {
        OrderedEncoding.encodeFloatAscending(f, into: &k)
      } else {
        throw error("cannot encode datum \"\(w)\"")
      }
    }
    return k
  }

  static func unhex<C: Collection>(_ h: C) -> [UInt8]? where C.Element == UInt8 {
    let a = Array(h)
    guard a.count % 2 == 0 else { return nil }
    var out: [UInt8] = []
    var j = 0
    while j < a.count {
      guard let hi = nibble(a[j]), let lo = nibble(a[j + 1]) else { return nil }
      out.append(hi << 4 | lo)
      j += 2
    }
    return out
  }

  static func nibble(_ c: UInt8) -> UInt8? {
    switch c {
    case 48...57: c - 48
    case 97...102: c - 87
    case 65...70: c - 55
    default: nil
    }
  }

  /// `6ba7b810-9dad-11d1-80b4-00c04fd430c8` → 16 bytes.
  static func uuid(_ text: [UInt8]) -> [UInt8]? {
    let h = text.filter { $0 != UInt8(ascii: "-") }
    guard text.count == 36, h.count == 32 else { return nil }
    return unhex(h)
  }
}

extension LocalKeys {
  static func lockTableSingleKey(_ locked: [UInt8]) -> [UInt8] { lockTableKey(lockedKey: locked) }
}
