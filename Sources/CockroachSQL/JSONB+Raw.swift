import CockroachKV

/// JSONB straight from its stored bytes (issue 16: no `JSONValue` tree per row). One walk,
/// generic over what it does with the text, serves both the row assembler's check (no
/// output) and the CSV renderer: the same bytes `JSONB.decode` accepts and the same text
/// `JSONValue.write` gives, for values whose numbers have coefficients of at most 8 bytes;
/// anything else answers false and goes through `decode`.
extension JSONB {
  /// Whether `decode` accepts `p` and `write(raw:)` can print it.
  public static func isPlain(_ p: UnsafeRawBufferPointer) -> Bool {
    var none = NoText()
    return walk(p, 0, p.count, depth: 0, &none)
  }

  /// `decode(p)`'s text; false (text partly written) when `isPlain(p)` is false.
  @discardableResult
  public static func write(raw p: UnsafeRawBufferPointer, into out: inout ByteSink) -> Bool {
    walk(p, 0, p.count, depth: 0, &out)
  }

  static func be32(_ p: UnsafeRawBufferPointer, _ at: Int) -> UInt32 {
    UInt32(p[at]) << 24 | UInt32(p[at + 1]) << 16 | UInt32(p[at + 2]) << 8 | UInt32(p[at + 3])
  }

  /// The container in `p[from..<to]`, as `container` reads it.
  static func walk<T: JSONText>(_ p: UnsafeRawBufferPointer, _ from: Int, _ to: Int, depth: Int, _ out: inout T) -> Bool {
    let size = to - from
    guard depth < maxDepth, size >= 4 else { return false }
    let header = be32(p, from)
    let count = Int(header & 0x1FFF_FFFF)
    let kind = header >> 29
    let entries: Int
    switch kind {
    case 4: entries = count
    case 2: entries = count * 2
    case 1: entries = 1
    default: return false
    }
    guard entries <= (size - 4) / 4 else { return false }
    let payload = from + 4 + 4 * entries
    let payloadLen = to - payload
    /// Payload bounds and type of entry `i` (offsets are relative to the previous entry's end).
    func entry(_ i: Int, after end: Int) -> (start: Int, end: Int, type: UInt32)? {
      let e = be32(p, from + 4 + 4 * i)
      let low = Int(e & 0x0FFF_FFFF)
      let stop = e & 0x8000_0000 != 0 ? low : end + low
      guard stop >= end, stop <= payloadLen else { return nil }
      return (payload + end, payload + stop, (e >> 28) & 7)
    }
    var end = 0
    switch kind {
    case 1:
      guard let e = entry(0, after: 0) else { return false }
      return scalar(p, e.start, e.end, type: e.type, depth: depth, &out)
    case 4:
      out.byte(UInt8(ascii: "["))
      for i in 0..<entries {
        guard let e = entry(i, after: end) else { return false }
        end = e.end - payload
        if i > 0 { out.text(", ") }
        guard scalar(p, e.start, e.end, type: e.type, depth: depth, &out) else { return false }
      }
      out.byte(UInt8(ascii: "]"))
      return true
    default:
      // Keys first, then values; each list's offsets run on from the one before it.
      var keysEnd = 0
      for i in 0..<count {
        guard let k = entry(i, after: keysEnd) else { return false }
        keysEnd = k.end - payload
      }
      var keyEnd = 0
      var valueEnd = keysEnd
      out.byte(UInt8(ascii: "{"))
      for i in 0..<count {
        guard let k = entry(i, after: keyEnd), k.type == 1, let v = entry(count + i, after: valueEnd) else { return false }
        keyEnd = k.end - payload
        valueEnd = v.end - payload
        if i > 0 { out.text(", ") }
        out.string(UnsafeRawBufferPointer(rebasing: p[k.start..<k.end]))
        out.text(": ")
        guard scalar(p, v.start, v.end, type: v.type, depth: depth, &out) else { return false }
      }
      out.byte(UInt8(ascii: "}"))
      return true
    }
  }

  static func scalar<T: JSONText>(_ p: UnsafeRawBufferPointer, _ from: Int, _ to: Int, type: UInt32, depth: Int,
                                  _ out: inout T) -> Bool {
    switch type {
    case 0: out.text("null")
    case 1: out.string(UnsafeRawBufferPointer(rebasing: p[from..<to]))
    case 2:
      var r = RawReader(p, from: from, to: to)
      guard let n = r.uvarint(), n <= UInt64(r.remaining), let d = RawDecimal(p, r.i, Int(n)) else { return false }
      out.number(d)
    case 3: out.text("false")
    case 4: out.text("true")
    case 5: return walk(p, from, to, depth: depth + 1, &out)
    default: return false
    }
    return true
  }
}

/// A finite decimal of the non-sorting encoding with a coefficient of at most 8 bytes, as
/// `ValueEncoding.nonsortingDecimal` reads it (nil for anything else, which it then reads).
struct RawDecimal {
  var negative: Bool
  var coefficient: UInt64
  var digits: Int
  var exponent: Int

  init?(_ p: UnsafeRawBufferPointer, _ at: Int, _ n: Int) {
    guard n >= 1 else { return nil }
    let m = p[at]
    if m == 0x27 { self.init(negative: false, coefficient: 0, digits: 1, exponent: 0); return }
    var r = RawReader(p, from: at + 1, to: at + n)
    var e = 0
    switch m {
    case 0x1A, 0x34, 0x26, 0x28:
      guard let u = r.orderedUvarint(), let x = DecimalLimits.exponentMagnitude(u) else { return nil }
      e = m == 0x1A || m == 0x34 ? x : -x
    case 0x25, 0x29: break
    default: return nil
    }
    guard let c = r.bigEndian(r.remaining) else { return nil }
    var digits = 1
    var t = c
    while t >= 10 { t /= 10; digits += 1 }
    guard DecimalLimits.allows(exponent: e - digits, digits: digits) else { return nil }
    self.init(negative: m == 0x1A || m == 0x26 || m == 0x25, coefficient: c, digits: digits, exponent: e - digits)
  }

  init(negative: Bool, coefficient: UInt64, digits: Int, exponent: Int) {
    self.negative = negative
    self.coefficient = coefficient
    self.digits = digits
    self.exponent = exponent
  }

  /// The coefficient's ASCII digits, borrowed for `body`.
  func withDigits<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { buf in
      var v = coefficient
      var k = digits - 1
      repeat { buf[k] = UInt8(truncatingIfNeeded: 48 + v % 10); v /= 10; k -= 1 } while v > 0
      return body(UnsafeBufferPointer(rebasing: buf[..<digits]))
    }
  }
}

/// What the JSONB walk does with the text: write it (`ByteSink`) or nothing (`NoText`).
protocol JSONText {
  mutating func byte(_ b: UInt8)
  mutating func text(_ s: StaticString)
  /// A JSON string from stored bytes (decoded as `String(decoding:as:)` would).
  mutating func string(_ p: UnsafeRawBufferPointer)
  mutating func number(_ d: RawDecimal)
}

struct NoText: JSONText {
  /// Gives the type a size: an empty struct passed `inout` has no real address, and
  /// ThreadSanitizer's instrumentation of the access then faults on the one it is given.
  var sized: UInt8 = 0
  func byte(_ b: UInt8) {}
  func text(_ s: StaticString) {}
  func string(_ p: UnsafeRawBufferPointer) {}
  func number(_ d: RawDecimal) {}
}

extension ByteSink: JSONText {
  mutating func byte(_ b: UInt8) { append(b) }
  mutating func text(_ s: StaticString) { append(s) }
  mutating func string(_ p: UnsafeRawBufferPointer) {
    // Non-ASCII goes through String so that invalid UTF-8 reads as `decode` reads it.
    for x in p where x >= 0x80 {
      JSONValue.quote(String(decoding: p, as: UTF8.self), into: &self)
      return
    }
    JSONValue.quote(bytes: p, into: &self)
  }
  mutating func number(_ d: RawDecimal) {
    d.withDigits { SQLDecimal.writeFinite(negative: d.negative, digits: $0, exponent: d.exponent, into: &self) }
  }
}
