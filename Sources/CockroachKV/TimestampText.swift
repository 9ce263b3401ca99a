/// Date-time text: RFC 3339 (`2025-03-08T00:00:00Z`, `…00:00:00.000000000+01:00`) and the
/// spellings CockroachDB and PostgreSQL print (`2025-03-08 00:00:00.5`, `…+00:00`, `…+00`).
/// The one parser of date-time text: `--as-of` (via `MVCCTimestamp(parsing:)`), the
/// keyspace parser and `verify`'s timestamp comparison all use it.
public enum TimestampText {
  /// An instant: seconds since the Unix epoch (UTC) and nanoseconds.
  public struct Instant: Hashable, Sendable {
    public var seconds: Int64
    public var nanos: Int64
    /// Whether the text carried an offset (`Z`, `±HH[:MM[:SS]]`).
    public var hadOffset: Bool
  }

  /// Parses `YYYY-MM-DD(T|t| )HH:MM:SS[.f…f (1–9 digits)][Z|z|±HH[:MM[:SS]]]`, shifting a
  /// given offset to UTC; text without an offset is read as UTC. Nil if the text is not
  /// exactly that (or a field is out of range).
  public static func parse<S: StringProtocol>(_ text: S) -> Instant? {
    let c = Array(text.utf8)
    func digits(_ r: Range<Int>) -> Int64? {
      guard r.upperBound <= c.count, r.allSatisfy({ c[$0] >= 48 && c[$0] <= 57 }) else { return nil }
      return r.reduce(Int64(0)) { $0 * 10 + Int64(c[$1] - 48) }
    }
    guard c.count >= 19, c[4] == 45, c[7] == 45, [84, 116, 32].contains(c[10]), c[13] == 58, c[16] == 58,
          let y = digits(0..<4), let mo = digits(5..<7), let d = digits(8..<10),
          let h = digits(11..<13), let mi = digits(14..<16), let s = digits(17..<19),
          (1...12).contains(mo), (1...31).contains(d), h < 24, mi < 60, s < 60 else { return nil }
    var i = 19
    var nanos: Int64 = 0
    if i < c.count && c[i] == 46 {
      var n = 0
      while i + 1 + n < c.count && c[i + 1 + n] >= 48 && c[i + 1 + n] <= 57 { n += 1 }
      guard n >= 1, n <= 9, let f = digits((i + 1)..<(i + 1 + n)) else { return nil }
      nanos = f
      for _ in n..<9 { nanos *= 10 }
      i += 1 + n
    }
    var offset: Int64 = 0
    var hadOffset = false
    if i < c.count {
      hadOffset = true
      if (c[i] == 90 || c[i] == 122) && i + 1 == c.count {
        i += 1
      } else if c[i] == 43 || c[i] == 45 {
        let sign: Int64 = c[i] == 45 ? -1 : 1
        // ±HH, ±HH:MM, ±HH:MM:SS
        guard let oh = digits((i + 1)..<(i + 3)), oh < 24 else { return nil }
        var secs = oh * 3600
        var j = i + 3
        for unit in [Int64(60), 1] where j < c.count {
          guard c[j] == 58, let v = digits((j + 1)..<(j + 3)), v < 60 else { return nil }
          secs += v * unit
          j += 3
        }
        guard j == c.count else { return nil }
        offset = sign * secs
        i = j
      } else {
        return nil
      }
    }
    let days = CivilDate(year: y, month: mo, day: d).days
    return Instant(seconds: days * 86_400 + h * 3600 + mi * 60 + s - offset, nanos: nanos, hadOffset: hadOffset)
  }
}
