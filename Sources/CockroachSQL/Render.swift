import CockroachKV

/// Text of a datum in the form CockroachDB's `IMPORT INTO … CSV` parses back to the same
/// value (and the form `SELECT` prints, where the two agree):
///
/// | type | text |
/// |---|---|
/// | BYTES | `\x` + lowercase hex |
/// | DATE | `2024-02-29`, `0044-03-15 BC`, `infinity` |
/// | TIME / TIMETZ | `13:04:05.123456`, `13:04:05-05:00` (offsets are stored west-positive) |
/// | TIMESTAMP / TIMESTAMPTZ | `2017-03-13 17:48:10.811792567`, TZ variant in UTC with `+00:00` |
/// | INTERVAL | `1 year 2 mons 3 days 04:05:06.789` (Postgres style: months, days, clock kept apart) |
/// | DECIMAL | exact to-scientific-string (`10000.50`, `1.3E+1001`, `NaN`) |
/// | FLOAT | shortest round-trip digits laid out as Go's `%g` (`3`, `1e+06`), `NaN`, `Infinity` |
/// | ARRAY | `ARRAY['1',NULL,'a b']`: an SQL expression, elements as string literals |
/// | collated STRING | `'text' COLLATE de`: an SQL expression |
/// | BIT | `0101` |  JSONB: JSON text  |  UUID: 8-4-4-4-12  |  INET: `10.0.0.0/8`, `::1` |
///
/// NULL has no text here (nil); the CSV writer picks its marker.
///
/// Arrays and collated strings are SQL expressions because IMPORT parses those two families
/// with the SQL expression parser (`rowenc.ParseDatumStringAs` → `parseAsTyp`); the `{…}`
/// array literal is accepted only since 22.2 (cockroachdb/cockroach#85850), `ARRAY[…]` by all.
public enum SQLText {
  /// Nil for NULL. `problems` receives a note when the text cannot reproduce the value
  /// (an ENUM without its type descriptor, raw bytes of an undecoded type).
  public static func render(_ d: Datum, type: SQLType? = nil, problems: inout [String]) -> String? {
    var out = ByteSink(capacity: 32)
    guard write(d, type: type, into: &out, problems: &problems) else { return nil }
    return String(decoding: out.bytes, as: UTF8.self)
  }

  public static func render(_ d: Datum, type: SQLType? = nil) -> String? {
    var p: [String] = []
    return render(d, type: type, problems: &p)
  }

  /// Appends the text of `d` to `out` (the one renderer: `render` wraps it). False, with
  /// nothing written, for NULL.
  public static func write(_ d: Datum, type: SQLType?, into out: inout ByteSink, problems: inout [String]) -> Bool {
    if let type, type.family == .collatedString, case .string(let s) = d {
      collated(s, type, &out)
      return true
    }
    switch d {
    case .null: return false
    case .bool(let b): out.append(b ? "true" : "false")
    case .int(let i): out.decimal(i)
    case .float(let f): float(f, &out)
    case .decimal(let x): x.write(into: &out)
    case .string(let s): out.append(contentsOf: s)
    case .bytes(let b): out.append("\\x"); out.hex(b)
    case .date(let days): dateField(days, &out, &problems)
    case .time(let us): time(us, &out)
    case .timeTZ(let us, let off): time(us, &out); offset(-Int64(off), &out)
    case .timestamp(let s, let n): timestampField(s, n, zoned: false, &out, &problems)
    case .timestampTZ(let s, let n): timestampField(s, n, zoned: true, &out, &problems)
    case .interval(let m, let d, let n): interval(months: m, days: d, nanos: n, &out)
    case .uuid(let u): uuid(u, &out)
    case .inet(let mask, let addr): addr.withUnsafeBytes { inet(mask: mask, addr: $0, &out) }
    case .json(let j): j.write(into: &out)
    case .bits(let b): out.append(contentsOf: b)
    case .enumValue(let p, let label):
      if let label { out.append(contentsOf: label); break }
      problems.append("ENUM value \\x\(hex(p)) has no label (type descriptor missing); written as hex")
      out.append("\\x"); out.hex(p)
    case .oid(let o): out.unsigned(UInt64(o))
    case .array(let a): array(a, element: type?.element, &out, problems: &problems)
    case .raw(let t, let b):
      problems.append("\(t) value not decoded; written as hex")
      out.append("\\x"); out.hex(b)
    }
    return true
  }

  /// A DATE field; days no calendar holds are written as the count, with a problem.
  static func dateField(_ days: Int64, _ out: inout ByteSink, _ problems: inout [String]) {
    if days != Int64.max && days != Int64.min && days.magnitude >= 1 << 40 {
      problems.append("DATE \(days) days from 1970 is outside any calendar; written as the day count")
    }
    date(days, &out)
  }

  /// A TIMESTAMP (TZ: `zoned`, in UTC with `+00:00`) field; out-of-range parts get a problem.
  static func timestampField(_ s: Int64, _ n: Int64, zoned: Bool, _ out: inout ByteSink, _ problems: inout [String]) {
    if n < 0 || n >= 1_000_000_000 || s.magnitude >= 1 << 50 {
      problems.append("timestamp \(s)s \(n)ns is out of range; written as printed")
    }
    timestamp(s, n, &out)
    if zoned { out.append("+00:00") }
  }

  /// SQL string literal: single quotes doubled, backslashes literal (standard strings).
  static func literal(_ s: String, _ out: inout ByteSink) {
    let start = out.count
    out.append(contentsOf: s)
    out.quote(from: start, UInt8(ascii: "'"))
  }

  static func collated(_ s: String, _ t: SQLType, _ out: inout ByteSink) {
    literal(s, &out)
    out.append(" COLLATE ")
    out.append(contentsOf: SQLIdent.quote(t.locale ?? "default"))
  }

  static func hex(_ b: [UInt8]) -> String { b.hex }

  /// Go's `strconv.FormatFloat(f, 'g', -1, 64)`, CockroachDB's FLOAT text: the shortest
  /// round-trip digits (Swift's `description` has the same), exponent form below 1e-4 and from
  /// 1e6 on (`1e+06`, `2.5e-07`), no trailing `.0` (`3`).
  static func float(_ f: Double, _ out: inout ByteSink) {
    if f.isNaN { out.append("NaN"); return }
    if f.isInfinite { out.append(f < 0 ? "-Infinity" : "Infinity"); return }
    if f.sign == .minus { out.append(UInt8(ascii: "-")) }
    if f == 0 { out.append(UInt8(ascii: "0")); return }
    var text = f.magnitude.description
    text.withUTF8 { u in
      // u: digits [. digits] [e±digits]; D = the digits without the point.
      var e = u.count, dot = -1
      for i in 0..<u.count {
        if u[i] == UInt8(ascii: "e") || u[i] == UInt8(ascii: "E") { e = i; break }
        if u[i] == UInt8(ascii: ".") { dot = i }
      }
      var exp10 = 0
      if e < u.count {
        var i = e + 1, negative = false
        if i < u.count, u[i] == UInt8(ascii: "-") || u[i] == UInt8(ascii: "+") { negative = u[i] == UInt8(ascii: "-"); i += 1 }
        while i < u.count { exp10 = exp10 * 10 + Int(u[i] &- 48); i += 1 }
        if negative { exp10 = -exp10 }
      }
      let intDigits = dot < 0 ? e : dot
      let n = dot < 0 ? e : e - 1
      func digit(_ k: Int) -> UInt8 { k < intDigits ? u[k] : u[k + 1] }
      var lo = 0, hi = n
      var point = intDigits + exp10   // digits of D before the point
      while lo < hi, digit(lo) == UInt8(ascii: "0") { lo += 1; point -= 1 }
      while hi > lo, digit(hi - 1) == UInt8(ascii: "0") { hi -= 1 }
      func digits(_ a: Int, _ b: Int) { for k in a..<b { out.append(digit(k)) } }
      let count = hi - lo
      let x = point - 1   // decimal exponent of the first digit
      if x < -4 || x >= 6 {
        out.append(digit(lo))
        if count > 1 { out.append(UInt8(ascii: ".")); digits(lo + 1, hi) }
        out.append(x < 0 ? "e-" : "e+")
        out.unsigned(UInt64(x.magnitude), width: 2)
      } else if point <= 0 {
        out.append("0.")
        for _ in 0..<(-point) { out.append(UInt8(ascii: "0")) }
        digits(lo, hi)
      } else if point >= count {
        digits(lo, hi)
        for _ in 0..<(point - count) { out.append(UInt8(ascii: "0")) }
      } else {
        digits(lo, lo + point)
        out.append(UInt8(ascii: "."))
        digits(lo + point, hi)
      }
    }
  }

  /// Fraction digits of `nanos`, trailing zeros dropped (nothing when zero).
  static func fraction(_ nanos: Int64, _ out: inout ByteSink) {
    guard nanos != 0 else { return }
    out.append(UInt8(ascii: "."))
    let start = out.count
    out.padded(nanos, 9)
    out.trim(UInt8(ascii: "0"), downTo: start)
  }

  /// `HH:MM:SS` of a second count (each part as `padded` prints it).
  static func clock(_ s: Int64, _ out: inout ByteSink) {
    out.padded(s / 3600, 2)
    out.append(UInt8(ascii: ":"))
    out.padded(s / 60 % 60, 2)
    out.append(UInt8(ascii: ":"))
    out.padded(s % 60, 2)
  }

  /// `YYYY-MM-DD`, the year of 1 BC and before as its BC number (Postgres/CockroachDB text:
  /// year 0 is 1 BC); true when the caller must add " BC".
  static func ymd(_ c: CivilDate, _ out: inout ByteSink) -> Bool {
    out.padded(c.year > 0 ? c.year : 1 - c.year, 4)
    out.append(UInt8(ascii: "-"))
    out.padded(c.month, 2)
    out.append(UInt8(ascii: "-"))
    out.padded(c.day, 2)
    return c.year <= 0
  }

  static func date(_ days: Int64) -> String {
    var out = ByteSink(capacity: 16)
    date(days, &out)
    return String(decoding: out.bytes, as: UTF8.self)
  }

  static func date(_ days: Int64, _ out: inout ByteSink) {
    if days == Int64.max { out.append("infinity"); return }
    if days == Int64.min { out.append("-infinity"); return }
    guard days.magnitude < 1 << 40 else { out.decimal(days); return }   // write() reports these
    if ymd(CivilDate(days: days), &out) { out.append(" BC") }
  }

  static func time(_ us: Int64, _ out: inout ByteSink) {
    clock(us / 1_000_000, &out)
    fraction(us % 1_000_000 * 1000, &out)
  }

  /// `eastSecs` east of UTC, printed ±HH:MM[:SS].
  static func offset(_ eastSecs: Int64, _ out: inout ByteSink) {
    let a = eastSecs.magnitude
    out.append(eastSecs < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
    out.unsigned(a / 3600, width: 2)
    out.append(UInt8(ascii: ":"))
    out.unsigned(a / 60 % 60, width: 2)
    if a % 60 != 0 { out.append(UInt8(ascii: ":")); out.unsigned(a % 60, width: 2) }
  }

  static func timestamp(_ secs: Int64, _ nanos: Int64, _ out: inout ByteSink) {
    // Floor division so instants before 1970 land on the right day.
    let secs = max(min(secs, 1 << 50), -(1 << 50))   // keeps the calendar maths in range
    var days = secs / 86_400, rem = secs % 86_400
    if rem < 0 { rem += 86_400; days -= 1 }
    var n = nanos
    if n < 0 || n >= 1_000_000_000 { n = 0 }  // out-of-range nanos cannot be printed faithfully
    let bc = ymd(CivilDate(days: days), &out)
    out.append(UInt8(ascii: " "))
    clock(rem, &out)
    fraction(n, &out)
    if bc { out.append(" BC") }
  }

  /// Postgres-style interval text (CockroachDB's default IntervalStyle): years and months
  /// split (truncating, each keeping the sign), plural unless the count is exactly 1.
  static func interval(months: Int64, days: Int64, nanos: Int64, _ out: inout ByteSink) {
    var first = true
    func unit(_ n: Int64, _ name: StaticString) {
      if !first { out.append(UInt8(ascii: " ")) }
      first = false
      out.decimal(n)
      out.append(UInt8(ascii: " "))
      out.append(name)
      if n != 1 { out.append(UInt8(ascii: "s")) }
    }
    if months / 12 != 0 { unit(months / 12, "year") }
    if months % 12 != 0 { unit(months % 12, "mon") }
    if days != 0 { unit(days, "day") }
    if nanos != 0 || first {
      if !first { out.append(UInt8(ascii: " ")) }
      if nanos < 0 { out.append(UInt8(ascii: "-")) }
      let a = nanos.magnitude
      clock(Int64(a / 1_000_000_000), &out)
      fraction(Int64(a % 1_000_000_000), &out)
    }
  }

  static func uuid(_ u: [UInt8], _ out: inout ByteSink) {
    u.withUnsafeBytes { uuid($0, &out) }
  }

  /// 8-4-4-4-12 lowercase hex (plain hex for a length other than 16).
  static func uuid(_ u: UnsafeRawBufferPointer, _ out: inout ByteSink) {
    guard u.count == 16 else { out.hex(u); return }
    out.hex(UnsafeRawBufferPointer(rebasing: u[0..<4]))
    var from = 4
    for to in stride(from: 6, through: 10, by: 2) {
      out.append(UInt8(ascii: "-"))
      out.hex(UnsafeRawBufferPointer(rebasing: u[from..<to]))
      from = to
    }
    out.append(UInt8(ascii: "-"))
    out.hex(UnsafeRawBufferPointer(rebasing: u[10..<16]))
  }

  /// IPv4 dotted quad, IPv6 as RFC 5952 (lowercase hex groups, the longest run of ≥ 2 zero
  /// groups as "::"); "/mask" unless the mask is the whole address.
  static func inet(mask: UInt8, addr: UnsafeRawBufferPointer, _ out: inout ByteSink) {
    if addr.count == 4 {
      for k in 0..<4 {
        if k > 0 { out.append(UInt8(ascii: ".")) }
        out.unsigned(UInt64(addr[k]))
      }
      if mask != 32 { out.append(UInt8(ascii: "/")); out.unsigned(UInt64(mask)) }
      return
    }
    let n = min(addr.count, 16) / 2
    func group(_ k: Int) -> UInt16 { UInt16(addr[2 * k]) << 8 | UInt16(addr[2 * k + 1]) }
    var best = (start: -1, len: 0), i = 0
    while i < n {
      if group(i) == 0 {
        var j = i
        while j < n && group(j) == 0 { j += 1 }
        if j - i > best.len && j - i >= 2 { best = (i, j - i) }
        i = j
      } else { i += 1 }
    }
    func groups(_ from: Int, _ to: Int) {
      for k in from..<to {
        if k > from { out.append(UInt8(ascii: ":")) }
        let g = group(k)
        var started = false
        for shift in stride(from: 12, through: 0, by: -4) {
          let d = UInt8((g >> UInt16(shift)) & 0xF)
          if d == 0 && !started && shift > 0 { continue }
          started = true
          out.append(d < 10 ? d + UInt8(ascii: "0") : d - 10 + UInt8(ascii: "a"))
        }
      }
    }
    if best.start >= 0 {
      groups(0, best.start)
      out.append("::")
      groups(best.start + best.len, n)
    } else {
      groups(0, n)
    }
    if mask != 128 { out.append(UInt8(ascii: "/")); out.unsigned(UInt64(mask)) }
  }

  /// `ARRAY[…]` with each element as a string literal the element type parses (`NULL` bare).
  static func array(_ a: [Datum], element: SQLType?, _ out: inout ByteSink, problems: inout [String]) {
    out.append("ARRAY[")
    for (i, e) in a.enumerated() {
      if i > 0 { out.append(UInt8(ascii: ",")) }
      if let element, element.family == .collatedString, case .string(let s) = e {
        collated(s, element, &out)
        continue
      }
      let start = out.count
      if write(e, type: nil, into: &out, problems: &problems) {
        out.quote(from: start, UInt8(ascii: "'"))
      } else {
        out.append("NULL")
      }
    }
    out.append(UInt8(ascii: "]"))
  }
}

/// CSV for `IMPORT INTO t (cols…) CSV DATA ('…') WITH nullif = '\N'`.
///
/// Convention: NULL is the *unquoted* field `\N`; every non-NULL value that is empty, equals
/// `\N`, or holds the delimiter, a quote, CR or LF is quoted RFC 4180-style (`"` doubled).
/// CockroachDB 23.1+ never treats a quoted field as NULL unless `allow_quoted_null` is given,
/// so the empty string and the text `\N` survive; older releases compare `nullif` to the
/// unquoted text only as far as we know (UNVERIFIED for < 23.1).
public struct CSVWriter: Sendable {
  public var delimiter: Character = ","
  public var nullMarker = "\\N"

  public init() {}

  public func field(_ text: String?) -> String {
    var out = ByteSink()
    if let text {
      out.append(contentsOf: text)
      quoteIfNeeded(from: 0, delimiter.asciiValue ?? 0x2C, &out)
    } else {
      out.append(contentsOf: nullMarker)
    }
    return String(decoding: out.bytes, as: UTF8.self)
  }

  /// Quotes the field from `start` to the end of `out` if it is empty, equals the NULL
  /// marker, or holds the delimiter byte `d`, a quote, CR or LF.
  func quoteIfNeeded(from start: Int, _ d: UInt8, _ out: inout ByteSink) {
    let n = out.count - start
    var needs = n == 0 || (n == nullMarker.utf8.count && out.bytes[start...].elementsEqual(nullMarker.utf8))
    if !needs {
      for i in start..<out.count {
        let c = out.bytes[i]
        if c == d || c == 0x22 || c == 0x0A || c == 0x0D { needs = true; break }
      }
    }
    if needs { out.quote(from: start, 0x22) }
  }

  /// What separates and what quotes fields: the delimiter's bytes, and the byte whose
  /// presence forces quoting (a non-ASCII delimiter quotes on commas, as it always did).
  struct Separator {
    var byte: UInt8?   // the delimiter when it is one byte
    var text: String
    var quoteOn: UInt8
    func write(_ out: inout ByteSink) { if let byte { out.append(byte) } else { out.append(contentsOf: text) } }
  }

  var separator: Separator {
    Separator(byte: delimiter.utf8.count == 1 ? delimiter.utf8.first : nil, text: String(delimiter),
              quoteOn: delimiter.asciiValue ?? 0x2C)
  }

  /// Appends one CSV record (with its "\n"); `types[i]` is the type of `datums[i]`.
  public func write(_ datums: [Datum], types: [SQLType], into out: inout ByteSink, problems: inout [String]) {
    let sep = separator
    for (i, d) in datums.enumerated() {
      if i > 0 { sep.write(&out) }
      field(d, i < types.count ? types[i] : nil, sep.quoteOn, &out, &problems)
    }
    out.append(UInt8(ascii: "\n"))
  }

  /// Appends one CSV record of `row` over `columns` (normally `table.dataColumns`).
  public func write(_ row: TableRowDecoder.Row, columns: [ColumnDescriptor], into out: inout ByteSink,
                    problems: inout [String]) {
    let sep = separator
    for (i, c) in columns.enumerated() {
      if i > 0 { sep.write(&out) }
      field(row.datum(c.id), c.type, sep.quoteOn, &out, &problems)
    }
    out.append(UInt8(ascii: "\n"))
  }

  func field(_ d: Datum, _ type: SQLType?, _ quoteOn: UInt8, _ out: inout ByteSink, _ problems: inout [String]) {
    let start = out.count
    if SQLText.write(d, type: type, into: &out, problems: &problems) {
      quoteIfNeeded(from: start, quoteOn, &out)
    } else {
      out.append(contentsOf: nullMarker)
    }
  }

  /// One CSV record (with its "\n"); `types[i]` is the type of `datums[i]`.
  public func line(_ datums: [Datum], types: [SQLType], problems: inout [String]) -> String {
    var out = ByteSink(capacity: 64)
    write(datums, types: types, into: &out, problems: &problems)
    return String(decoding: out.bytes, as: UTF8.self)
  }

  /// One CSV record of `row` over `columns` (normally `table.dataColumns`).
  public func line(_ row: TableRowDecoder.Row, columns: [ColumnDescriptor], problems: inout [String]) -> String {
    var out = ByteSink(capacity: 64)
    write(row, columns: columns, into: &out, problems: &problems)
    return String(decoding: out.bytes, as: UTF8.self)
  }

  /// The IMPORT statement matching this writer's options.
  public func importStatement(table: String, columns: [String], url: String, gzip: Bool = false) -> String {
    let cols = columns.map(SQLIdent.quote).joined(separator: ", ")
    var opts = "nullif = '\(nullMarker.replacingQuote())'"
    if delimiter != "," { opts += ", delimiter = '\(String(delimiter).replacingQuote())'" }
    if gzip { opts += ", decompress = 'gzip'" }
    return "IMPORT INTO \(table) (\(cols)) CSV DATA ('\(url.replacingQuote())') WITH \(opts);"
  }
}

extension String {
  /// SQL string-literal body: single quotes doubled.
  func replacingQuote() -> String {
    split(separator: "'", omittingEmptySubsequences: false).joined(separator: "''")
  }
}
