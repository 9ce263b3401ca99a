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

  /// Parses the text form: `secs[.fraction][,logical]` (fraction up to 9 digits) or a bare
  /// nanosecond integer `secs` form `0,0`. Used for `--as-of` style arguments.
  public init(parsing text: String) throws(KVError) {
    let parts = text.split(separator: ",", omittingEmptySubsequences: false)
    guard parts.count <= 2, let wallPart = parts.first, !wallPart.isEmpty else {
      throw KVError(.syntax, "MVCCTimestamp", "expected secs.nanos[,logical], got \"\(text)\"")
    }
    var logical: Int32 = 0
    if parts.count == 2 {
      guard let l = Int32(parts[1]) else { throw KVError(.syntax, "MVCCTimestamp", "bad logical \"\(parts[1])\"") }
      logical = l
    }
    let neg = wallPart.hasPrefix("-")
    let body = neg ? wallPart.dropFirst() : wallPart[...]
    let sp = body.split(separator: ".", omittingEmptySubsequences: false)
    guard sp.count <= 2, let secs = Int64(sp[0]), secs >= 0 else {
      throw KVError(.syntax, "MVCCTimestamp", "bad seconds in \"\(text)\"")
    }
    var nanos: Int64 = 0
    if sp.count == 2 {
      let f = sp[1]
      guard f.count <= 9, f.allSatisfy({ $0.isASCII && $0.isNumber }), let n = Int64(f.isEmpty ? "0" : String(f)) else {
        throw KVError(.syntax, "MVCCTimestamp", "bad fraction in \"\(text)\"")
      }
      var scaled = n
      for _ in f.count..<9 { scaled *= 10 }
      nanos = scaled
    }
    let (m, o1) = secs.multipliedReportingOverflow(by: 1_000_000_000)
    let (w, o2) = m.addingReportingOverflow(nanos)
    guard !o1, !o2 else { throw KVError(.syntax, "MVCCTimestamp", "\"\(text)\" overflows int64 nanoseconds") }
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
