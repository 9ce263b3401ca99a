import Foundation
import Recovery
import Testing
@testable import Export

/// Each PostgreSQL text mapping against a real server: a row of every mapped type, typed in
/// PostgreSQL's own spelling, equals recover's CSV text of the same values.
struct PostgresVerifySourceTests {
  static let schema = """
    CREATE TABLE d.public.t (id INT8 NOT NULL, iv INTERVAL NULL, ip INET NULL, tz TIMETZ NULL, tags STRING[] NULL,
      flags BOOL[] NULL, amount DECIMAL NULL, ratio FLOAT8 NULL, doc JSONB NULL, raw BYTES NULL, at TIMESTAMPTZ NULL,
      day DATE NULL, ok BOOL NULL, note STRING NULL, CONSTRAINT "primary" PRIMARY KEY (id DESC));
    """
  /// recover's text of the row PostgreSQL holds (Salvage's spellings: months not years,
  /// `+00:00`, `ARRAY[…]`, no `/32`, an exponent DECIMAL, Swift's float text).
  static let recovered: [[String?]] = [
    ["2", nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, ""],
    ["1", "1 year 2 mons 3 days 04:05:06.789", "10.1.2.3", "13:04:05-05:00", "ARRAY['a',NULL,'b c','it''s']",
     "ARRAY['true','false']", "1.3E+3", "1e-05", #"{"b": [1, 2], "aa": null}"#, "\\x00ff",
     "2024-01-02 03:04:05.5+00:00", "2024-02-29", "true", "x"],
  ]

  @Test func everyMappedTypeReadsBackAsRecoversText() throws {
    let server = try TestPostgresServer()
    defer { server.stop() }
    _ = try server.psql("CREATE DATABASE salvage", database: "postgres")
    _ = try server.psql("""
      SET TimeZone = 'America/New_York';
      CREATE SCHEMA d;
      CREATE TABLE d.t (id bigint PRIMARY KEY, iv interval, ip inet, tz timetz, tags text[], flags boolean[],
        amount numeric, ratio float8, doc jsonb, raw bytea, "at" timestamptz, day date, ok boolean, note text);
      INSERT INTO d.t VALUES (1, '1 year 2 mons 3 days 04:05:06.789', '10.1.2.3', '13:04:05-05',
        ARRAY['a', NULL, 'b c', 'it''s'], ARRAY[true, false], 1300, 0.00001, '{"aa": null, "b": [1, 2]}',
        '\\x00ff', '2024-01-01 22:04:05.5-05', '2024-02-29', true, 'x');
      INSERT INTO d.t (id, note) VALUES (2, '');
      CREATE TABLE public.other (k int PRIMARY KEY);
      """)
    let dir = try makeTempDirectory()
    defer { removeDirectory(dir) }
    try FileManager.default.createDirectory(atPath: dir + "/rec/d", withIntermediateDirectories: true)
    try Self.schema.write(toFile: dir + "/rec/schema.sql", atomically: true, encoding: .utf8)
    try "{}".write(toFile: dir + "/rec/report.json", atomically: true, encoding: .utf8)
    try Self.recovered.map(CSVRecordReader.line).joined().write(toFile: dir + "/rec/d/t.csv", atomically: true, encoding: .utf8)

    var o = VerifyOptions()
    o.jobs = 2
    let r = try VerifyInputs.verification(recovered: dir + "/rec", source: server.url, options: o, work: dir + "/work").run()
    #expect(r.sourceKind == "postgres")
    let t = try #require(r.tables.first)
    #expect(t.table == "d.t" && t.sharedKeys == 2 && t.missingKeys == 0 && t.extraKeys == 0)
    #expect(t.columnDifferences.map(\.column) == [], "\(t.columnDifferences)")
    #expect(r.failures == ["public.other: table missing from RECOVERED"])

    // A value PostgreSQL changed is caught per column, with both sides' canonical text.
    _ = try server.psql("UPDATE d.t SET ip = '10.1.2.4', note = NULL WHERE id = 2; UPDATE d.t SET flags = ARRAY[true, true] WHERE id = 1")
    let bad = try VerifyInputs.verification(recovered: dir + "/rec", source: server.url, options: o, work: dir + "/work2").run()
    let d = bad.tables[0].columnDifferences
    #expect(d.map(\.column) == ["ip", "flags", "note"])
    #expect(d[0].samples[0].source == "10.1.2.4" && d[1].samples[0].source == "ARRAY['true','true']")
    #expect(d[2].samples[0].source == nil && d[2].samples[0].recovered == "")
  }
}
