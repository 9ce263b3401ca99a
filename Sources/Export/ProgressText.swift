import Foundation
import Recovery

/// The text of a recovery's progress (`salvage recover` prints it on stderr): a bar for a
/// terminal, a plain line for logs. Percent, rate and ETA are of table bytes; a store's
/// bytes advance chunk by chunk (`RecoveryRun.Counters`).
public struct ProgressText {
  public var counters: RecoveryRun.Counters
  /// Seconds since the run started, and since reading began (nil: still planning).
  public var elapsed: Double
  public var reading: Double?

  public init(_ counters: RecoveryRun.Counters, elapsed: Double, reading: Double?) {
    self.counters = counters
    self.elapsed = elapsed
    self.reading = reading
  }

  var planning: Bool { counters.bytesTotal == 0 && counters.stores == 0 }

  var fraction: Double {
    counters.bytesTotal > 0 ? min(1, Double(counters.bytesDone) / Double(counters.bytesTotal)) : 0
  }

  /// Table MB per second since reading began.
  var rate: Double? {
    guard let reading, reading > 0, counters.bytesDone > 0 else { return nil }
    return Double(counters.bytesDone) / 1e6 / reading
  }

  /// Seconds left at the rate so far.
  var eta: Double? {
    guard let reading, reading > 0, counters.bytesDone > 0, counters.bytesTotal > counters.bytesDone else { return nil }
    return reading * Double(counters.bytesTotal - counters.bytesDone) / Double(counters.bytesDone)
  }

  /// `n1, n6`: the last path component of each store being read, at most three.
  var storesNow: String {
    let names = counters.reading.map { ($0 as NSString).lastPathComponent }
    return names.prefix(3).joined(separator: ", ") + (names.count > 3 ? " +\(names.count - 3)" : "")
  }

  /// For logs (stderr not a terminal):
  /// `salvage: 42% of 120.00 MB (12.3 MB/s), 1,234 rows, 5,678 keys, stores 1/3 done, ETA 0:12, reading n1, n6`.
  public var plainLine: String {
    if planning { return "salvage: reading metadata and planning, " + Self.clock(elapsed) + " so far" }
    var s = "salvage: \(Int(fraction * 100))% of \(Self.megabytes(counters.bytesTotal))"
    if let rate { s += String(format: " (%.1f MB/s)", rate) }
    s += ", \(Self.grouped(counters.rows)) rows, \(Self.grouped(counters.keys)) keys, stores \(counters.storesDone)/\(counters.stores) done"
    if let eta { s += ", ETA " + Self.clock(eta) }
    if !counters.reading.isEmpty { s += ", reading " + storesNow }
    return s
  }

  /// For a terminal `columns` wide (cut to fit: a wrapped line cannot be rewritten in place):
  /// `[########            ]  42%  12.3 MB/s  1,234 rows  ETA 0:12  reading n1, n6`.
  public func bar(columns: Int) -> String {
    let width = 20
    let filled = Int((fraction * Double(width)).rounded(.down))
    var s = "[" + String(repeating: "#", count: filled) + String(repeating: " ", count: width - filled) + "]"
    if planning {
      s += "  planning  " + Self.clock(elapsed)
    } else {
      s += String(format: " %3d%%", Int(fraction * 100))
      s += "  " + (rate.map { String(format: "%.1f MB/s", $0) } ?? "– MB/s")
      s += "  \(Self.grouped(counters.rows)) rows"
      s += "  ETA " + (eta.map(Self.clock) ?? "–")
      if !counters.reading.isEmpty { s += "  reading " + storesNow }
    }
    let room = max(10, columns - 1)
    return s.count > room ? String(s.prefix(room - 1)) + "…" : s
  }

  /// `0:07`, `12:34`, `1:02:03`.
  static func clock(_ seconds: Double) -> String {
    let t = Int(max(0, seconds.rounded()))
    return t >= 3600 ? String(format: "%d:%02d:%02d", t / 3600, t / 60 % 60, t % 60) : String(format: "%d:%02d", t / 60, t % 60)
  }

  static func megabytes(_ b: Int64) -> String { String(format: "%.2f MB", Double(b) / 1e6) }

  static func grouped(_ n: Int) -> String { HTMLReport.grouped(n) }
}
