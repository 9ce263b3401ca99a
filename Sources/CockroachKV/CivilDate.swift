/// A proleptic Gregorian date ↔ days since 1970-01-01: the project's one day-count
/// algorithm (Howard Hinnant's `civil_from_days` / `days_from_civil`). Key printing,
/// date-time parsing (`TimestampText`) and the SQL renderers all use it. Year 0 is 1 BC.
/// Callers keep `days` within about ±2^60 (the arithmetic adds 719,468 and multiplies by 5).
public struct CivilDate: Hashable, Sendable {
  public var year: Int64
  public var month: Int64   // 1…12
  public var day: Int64     // 1…31

  @inlinable public init(year: Int64, month: Int64, day: Int64) {
    self.year = year
    self.month = month
    self.day = day
  }

  /// The date `days` after 1970-01-01 (before it when negative).
  @inlinable public init(days z0: Int64) {
    let z = z0 + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let doe = z - era * 146_097                                            // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365     // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)                      // [0, 365]
    let mp = (5 * doy + 2) / 153                                           // March = 0
    day = doy - (153 * mp + 2) / 5 + 1
    month = mp < 10 ? mp + 3 : mp - 9
    year = yoe + era * 400 + (month <= 2 ? 1 : 0)
  }

  /// Days since 1970-01-01.
  @inlinable public var days: Int64 {
    let y = month <= 2 ? year - 1 : year
    let era = (y >= 0 ? y : y - 399) / 400
    let yoe = y - era * 400
    let doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
    return era * 146_097 + doe - 719_468
  }
}
