import Foundation
import Testing
@testable import CockroachSQL
import SalvageTestSupport

/// Rendered CSV round-trips through a real PostgreSQL: a row of every type PostgreSQL shares
/// with CockroachDB is rendered by `CSVWriter` (the IMPORT INTO dialect), loaded with
/// `COPY … CSV NULL '\N'`, and each column compared in PostgreSQL with a literal written by
/// hand in PostgreSQL's own syntax. Arrays are left out: IMPORT wants `ARRAY[…]`, COPY `{…}`.
struct PostgresRoundTripTests {
  static let cases: [(column: String, pgType: String, type: SQLType, datum: Datum, pgLiteral: String)] = [
    ("b", "bool", SQLType(.bool), .bool(true), "true"),
    ("i", "int8", SQLType(.int), .int(-42), "-42::int8"),
    ("f", "float8", SQLType(.float), .float(1.5), "1.5::float8"),
    ("d", "numeric", SQLType(.decimal), .decimal(SQLDecimal("123.4500")!), "123.4500::numeric"),
    ("s", "text", SQLType(.string), .string("a,\"b\"\nc, ü"), "E'a,\"b\"\nc, ü'"),
    ("e", "text", SQLType(.string), .string(""), "''"),
    ("n", "text", SQLType(.string), .null, "NULL::text"),
    ("y", "bytea", SQLType(.bytes), .bytes([0x00, 0xff, 0x22, 0x5c]), "'\\x00ff225c'::bytea"),
    ("dt", "date", SQLType(.date), .date(days: 19724), "'2024-01-02'::date"),
    ("tm", "time", SQLType(.time), .time(micros: 11_045_123_456), "'03:04:05.123456'::time"),
    ("ts", "timestamp", SQLType(.timestamp), .timestamp(seconds: 1_704_164_645, nanos: 123_456_000), "'2024-01-02 03:04:05.123456'::timestamp"),
    ("tz", "timestamptz", SQLType(.timestampTZ), .timestampTZ(seconds: 1_704_164_645, nanos: 123_456_000), "'2024-01-02 03:04:05.123456+00'::timestamptz"),
    ("iv", "interval", SQLType(.interval), .interval(months: 14, days: 3, nanos: 14_706_000_000_000), "'1 year 2 mons 3 days 04:05:06'::interval"),
    ("u", "uuid", SQLType(.uuid), .uuid([0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef]),
     "'01234567-89ab-cdef-0123-456789abcdef'::uuid"),
    ("j", "jsonb", SQLType(.json), .json(.object([("a", .array([.number(SQLDecimal("1")!), .string("x")]))])), "'{\"a\": [1, \"x\"]}'::jsonb"),
    ("vb", "varbit", SQLType(.bit), .bits("101"), "B'101'"),
  ]

  @Test func everySharedTypeReadsBackEqual() throws {
    var problems: [String] = []
    let line = CSVWriter().line(Self.cases.map(\.datum), types: Self.cases.map(\.type), problems: &problems)
    #expect(problems.isEmpty, "\(problems)")
    let csv = NSTemporaryDirectory() + "salvage-roundtrip-\(UUID().uuidString).csv"
    try Data(line.utf8).write(to: URL(fileURLWithPath: csv))
    defer { try? FileManager.default.removeItem(atPath: csv) }
    let pg = try PostgresServer()
    defer { pg.stop() }
    let columns = Self.cases.map { "\($0.column) \($0.pgType)" }.joined(separator: ", ")
    try pg.psql("create table t (\(columns))")
    try pg.psql("\\copy t from '\(csv)' with (format csv, null '\\N')")
    for c in Self.cases {
      let same = try pg.psql("set timezone = 'UTC'; select (\(c.column) is not distinct from \(c.pgLiteral)) from t")
      let read = try pg.psql("select \(c.column)::text from t")
      #expect(same.hasSuffix("t\n"), "\(c.column) \(c.pgType): PostgreSQL read \(read) from the CSV line \(line)")
    }
  }
}
