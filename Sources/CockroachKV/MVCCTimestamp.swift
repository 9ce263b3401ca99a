/// An HLC timestamp (pkg/util/hlc/timestamp.proto: 1 wall_time int64 ns, 2 logical int32).
/// Orders by (wall, logical). Text form is CockroachDB's `Timestamp.String()`:
/// `1700000000.000000000,7`, and `0,0` for the zero timestamp.
public struct MVCCTimestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
  public var wallTime: Int64
  public var logical: Int32

  public init(wallTime: Int64, logical: Int32 = 0) {
    self.wallTime = wallTime
    self.logical = logical
  }

  public static let zero = MVCCTimestamp(wallTime: 0, logical: 0)
  /// Larger than every real timestamp: "read the newest version".
  public static let max = MVCCTimestamp(wallTime: .max, logical: .max)

  public var isZero: Bool { wallTime == 0 && logical == 0 }

  public static func < (a: MVCCTimestamp, b: MVCCTimestamp) -> Bool {
    (a.wallTime, a.logical) < (b.wallTime, b.logical)
  }

  public var description: String {
    var s = ""
    if wallTime == 0 {
      s = "0"
    } else {
      let neg = wallTime < 0
      let w = wallTime.magnitude
      let nanos = String(w % 1_000_000_000)
      s = (neg ? "-" : "") + String(w / 1_000_000_000) + "."
        + String(repeating: "0", count: 9 - nanos.count) + nanos
    }
    return s + "," + String(logical)
  }

  /// Every read-timestamp spelling the commands accept (`--as-of`), one parser for all:
  /// * RFC 3339 with any offset, with or without a fraction: `2025-03-08T00:00:00Z`,
  ///   `2025-03-08T01:00:00.000000000+01:00` (also with a space for `T`: `TimestampText`);
  /// * CockroachDB's decimal form, `<wall nanos>.<logical as 10 digits>`
  ///   (`cluster_logical_timestamp()`, `AS OF SYSTEM TIME`): `1741392000000000000.0000000000`;
  ///   a bare integer of more than 10 digits is wall nanoseconds too;
  /// * `Timestamp.String()`: `secs[.fraction up to 9 digits][,logical]`, e.g. `1741392000.5,3`.
  public init(parsing text: String) throws(KVError) {
    func fail(_ why: String) -> KVError {
      KVError(.syntax, "MVCCTimestamp", "\(why) in \"\(text)\" (expected RFC 3339 like 2025-03-08T00:00:00Z, "
        + "CockroachDB's decimal nanos.logical like 1741392000000000000.0000000000, or secs[.nanos][,logical])")
    }
    if text.contains("-") && text.contains(":") {
      guard let t = TimestampText.parse(text) else { throw fail("bad date-time") }
      guard t.hadOffset else { throw fail("no offset (give Z or ±HH:MM)") }
      let (m, o1) = t.seconds.multipliedReportingOverflow(by: 1_000_000_000)
      let (w, o2) = m.addingReportingOverflow(t.nanos)
      guard !o1, !o2 else { throw fail("out of range") }
      self.init(wallTime: w)
      return
    }
    let parts = text.split(separator: ",", omittingEmptySubsequences: false)
    guard parts.count <= 2, let wallPart = parts.first, !wallPart.isEmpty else { throw fail("bad form") }
    var logical: Int32 = 0
    if parts.count == 2 {
      guard let l = Int32(parts[1]), l >= 0 else { throw fail("bad logical \"\(parts[1])\"") }
      logical = l
    }
    let neg = wallPart.hasPrefix("-")
    let body = neg ? wallPart.dropFirst() : wallPart[...]
    let sp = body.split(separator: ".", omittingEmptySubsequences: false)
    guard sp.count <= 2, !sp[0].isEmpty, sp[0].allSatisfy({ $0.isASCII && $0.isNumber }), let whole = Int64(sp[0]) else {
      throw fail("bad number")
    }
    let fraction = sp.count == 2 ? sp[1] : nil
    if let f = fraction, f.isEmpty || !f.allSatisfy({ $0.isASCII && $0.isNumber }) { throw fail("bad fraction") }
    // Seconds have at most 10 digits until the year 2286; wall nanoseconds have more.
    if sp[0].count > 10 || (fraction?.count ?? 0) == 10 {
      guard !neg, parts.count == 1 else { throw fail("decimal form takes no sign and no ,logical") }
      var l: Int64 = 0
      if let f = fraction {
        guard f.count <= 10 else { throw fail("logical part longer than 10 digits") }
        l = Int64(f)!
        for _ in f.count..<10 { l *= 10 }
        guard l <= Int64(Int32.max) else { throw fail("logical part out of range") }
      }
      self.init(wallTime: whole, logical: Int32(l))
      return
    }
    var nanos: Int64 = 0
    if let f = fraction {
      guard f.count <= 9 else { throw fail("fraction longer than 9 digits") }
      nanos = Int64(f)!
      for _ in f.count..<9 { nanos *= 10 }
    }
    let (m, o1) = whole.multipliedReportingOverflow(by: 1_000_000_000)
    let (w, o2) = m.addingReportingOverflow(nanos)
    guard !o1, !o2 else { throw fail("overflows int64 nanoseconds") }
    self.init(wallTime: neg ? -w : w, logical: logical)
  }
}

/// A 16-byte UUID (transaction ids, cluster ids), printed as Go's `uuid.UUID.String()`.
public struct UUID16: Hashable, Sendable, CustomStringConvertible {
  public let bytes: [UInt8]

  /// nil unless exactly 16 bytes.
  public init?<C: Collection>(_ b: C) where C.Element == UInt8 {
    guard b.count == 16 else { return nil }
    bytes = Array(b)
  }

  public var description: String {
    let h = kvHex(bytes)
    let c = Array(h)
    return String(c[0..<8]) + "-" + String(c[8..<12]) + "-" + String(c[12..<16]) + "-"
      + String(c[16..<20]) + "-" + String(c[20..<32])
  }
}
