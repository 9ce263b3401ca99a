import CockroachSQL
import Foundation
import GRDB

/// The one canonical form `verify` compares values in: the text `salvage recover` writes to
/// its CSVs (`SQLText.render`). Values read back from SQLite or PostgreSQL map to it here.
///
/// | source | value | canonical text |
/// |---|---|---|
/// | SQLite | NULL | NULL (never the empty string) |
/// | SQLite | INTEGER in a BOOL column (type from `salvage_columns` or the declared type) | `true` / `false` |
/// | SQLite | INTEGER otherwise | decimal digits |
/// | SQLite | REAL | shortest round-trip text, `NaN`, `Infinity`, `-Infinity` |
/// | SQLite | BLOB | `\x` + lower-case hex |
/// | SQLite | TEXT | as stored (SQLiteSink stores DECIMAL, timestamps, JSON, arrays as recover's text) |
/// | PostgreSQL | any, read as `col::text` | as printed, except: |
/// | PostgreSQL | boolean `t`/`f`, `true`/`false` | `true` / `false` |
/// | PostgreSQL | timestamptz (session TimeZone UTC) `…+00` | `…+00:00`; timetz `…-05` → `…-05:00` |
/// | PostgreSQL | interval `1 year 2 mons 3 days 04:05:06` | `1 year 2 mons 3 days 04:05:06` (sign before the clock dropped: `-1 days +02:00:00` → `-1 days 02:00:00`) |
/// | PostgreSQL | inet `10.1.2.3/32` (`::text` keeps the mask) | `10.1.2.3`; `/128` likewise |
/// | PostgreSQL | arrays `{1,NULL,"a b"}` | `ARRAY['1',NULL,'a b']`, elements mapped by their type |
/// | PostgreSQL | bytea (bytea_output hex) | `\x…` as printed |
///
/// Spellings left to the comparison (`VerifyTable.same`): floats by value (`1e-05` = `1e-5`),
/// DECIMAL exponent form (`1.3E+3` = `1300`, scale kept), JSON by parsed value (PostgreSQL's
/// jsonb reorders keys), timestamps with `T` or a space.
public enum DatabaseText {
  /// A SQLite value; `bool` when the column holds CockroachDB BOOL as 0/1.
  public static func sqlite(_ v: DatabaseValue, bool: Bool) -> String? {
    switch v.storage {
    case .null: return nil
    case .int64(let i): return bool ? (i != 0 ? "true" : "false") : String(i)
    case .double(let d): return SQLText.render(.float(d))
    case .string(let s): return s
    case .blob(let d): return SQLText.render(.bytes([UInt8](d)))
    }
  }

  /// Whether a column type (CockroachDB, SQLite or PostgreSQL spelling) is boolean.
  public static func isBool(_ typeName: String) -> Bool {
    let t = typeName.uppercased().trimmingCharacters(in: .whitespaces)
    return t == "BOOL" || t == "BOOLEAN"
  }

  /// How a PostgreSQL column's `::text` maps to the canonical text, from `format_type`.
  public indirect enum PostgresKind: Equatable, Sendable {
    case plain, bool, timestampTZ, timeTZ, interval, inet, array(PostgresKind)

    public init(formatType: String) {
      let t = formatType.lowercased().trimmingCharacters(in: .whitespaces)
      if t.hasSuffix("[]") { self = .array(PostgresKind(formatType: String(t.dropLast(2)))); return }
      let base = String(t.prefix { $0 != "(" })
      switch base {
      case "boolean": self = .bool
      case "timestamp with time zone": self = .timestampTZ
      case "time with time zone": self = .timeTZ
      case "interval": self = .interval
      case "inet": self = .inet
      default:
        // timestamptz(3) prints as `timestamp(3) with time zone`.
        if t.hasPrefix("timestamp") && t.hasSuffix("with time zone") { self = .timestampTZ }
        else if t.hasPrefix("time") && t.hasSuffix("with time zone") { self = .timeTZ }
        else if t.hasPrefix("interval") { self = .interval }
        else { self = .plain }
      }
    }
  }

  /// A PostgreSQL value printed by `::text` (nil = NULL), in the canonical form.
  public static func postgres(_ text: String?, _ kind: PostgresKind) -> String? {
    guard let text else { return nil }
    switch kind {
    case .plain: return text
    case .bool:
      switch text { case "t", "true": return "true"; case "f", "false": return "false"; default: return text }
    case .timestampTZ, .timeTZ: return fullOffset(text)
    case .interval: return interval(text) ?? text
    case .inet:
      if text.hasSuffix("/32") && !text.contains(":") { return String(text.dropLast(3)) }
      if text.hasSuffix("/128") && text.contains(":") { return String(text.dropLast(4)) }
      return text
    case .array(let element):
      guard let items = arrayElements(text) else { return text }
      return SQLText.render(.array(items.map { $0.flatMap { postgres($0, element) }.map(Datum.string) ?? .null }))
    }
  }

  /// `…+00` → `…+00:00` (PostgreSQL drops a zero minute part of an offset; Salvage keeps it).
  static func fullOffset(_ s: String) -> String {
    let u = Array(s.utf8)
    guard u.count >= 3 else { return s }
    let sign = u[u.count - 3]
    guard sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-"),
          u[(u.count - 2)...].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return s }
    return s + ":00"
  }

  /// PostgreSQL's `postgres` IntervalStyle (`1 year 2 mons -3 days +04:05:06.5`) as Salvage
  /// prints an interval (months, days and clock kept apart); nil if it is not that form.
  static func interval(_ s: String) -> String? {
    var months: Int64 = 0, days: Int64 = 0, nanos: Int64 = 0
    let words = s.split(separator: " ")
    var i = 0
    while i < words.count {
      let w = words[i]
      if w.contains(":") {
        guard let n = clock(w) else { return nil }
        nanos = n
        i += 1
        continue
      }
      guard i + 1 < words.count, let n = Int64(w) else { return nil }
      let unit = words[i + 1]
      if unit.hasPrefix("year") { months += n * 12 }
      else if unit.hasPrefix("mon") { months += n }
      else if unit.hasPrefix("day") { days += n }
      else { return nil }
      i += 2
    }
    return SQLText.render(.interval(months: months, days: days, nanos: nanos))
  }

  /// `[+-]HH:MM:SS[.ffffff]` as nanoseconds.
  static func clock(_ w: Substring) -> Int64? {
    var body = w
    var negative = false
    if body.first == "-" || body.first == "+" { negative = body.first == "-"; body = body.dropFirst() }
    let parts = body.split(separator: ":", omittingEmptySubsequences: false)
    guard parts.count == 3, let h = Int64(parts[0]), let m = Int64(parts[1]) else { return nil }
    let sec = parts[2].split(separator: ".", omittingEmptySubsequences: false)
    guard let s = Int64(sec[0]), sec.count <= 2 else { return nil }
    var frac: Int64 = 0
    if sec.count == 2 {
      let digits = String(sec[1].prefix(9))
      guard let f = Int64(digits) else { return nil }
      frac = f
      for _ in digits.count..<9 { frac *= 10 }
    }
    let n = ((h * 60 + m) * 60 + s) * 1_000_000_000 + frac
    return negative ? -n : n
  }

  /// The elements of a one-dimensional PostgreSQL array literal (nil element = NULL); nil
  /// when the text is not one (nested arrays, bounds decoration).
  static func arrayElements(_ s: String) -> [String?]? {
    let u = Array(s.utf8)
    guard u.first == UInt8(ascii: "{"), u.last == UInt8(ascii: "}") else { return nil }
    var out: [String?] = []
    var i = 1
    let end = u.count - 1
    if i == end { return [] }
    while i <= end {
      var field: [UInt8] = []
      if u[i] == UInt8(ascii: "\"") {
        i += 1
        while i < end && u[i] != UInt8(ascii: "\"") {
          if u[i] == UInt8(ascii: "\\") && i + 1 < end { i += 1 }
          field.append(u[i]); i += 1
        }
        guard i < end else { return nil }
        i += 1
        out.append(String(decoding: field, as: UTF8.self))
      } else {
        while i < end && u[i] != UInt8(ascii: ",") {
          if u[i] == UInt8(ascii: "{") { return nil }
          field.append(u[i]); i += 1
        }
        let text = String(decoding: field, as: UTF8.self)
        out.append(text.uppercased() == "NULL" ? nil : text)
      }
      guard i == end || u[i] == UInt8(ascii: ",") else { return nil }
      i += 1
    }
    return out
  }
}
