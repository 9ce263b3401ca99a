import Foundation
import GRDB
import Testing
@testable import Export

/// Each mapping from a database's value to verify's canonical text (recover's CSV text).
struct DatabaseTextTests {
  @Test func sqliteValues() {
    #expect(DatabaseText.sqlite(.null, bool: false) == nil)
    #expect(DatabaseText.sqlite("".databaseValue, bool: false) == "")
    #expect(DatabaseText.sqlite((1 as Int64).databaseValue, bool: true) == "true")
    #expect(DatabaseText.sqlite((0 as Int64).databaseValue, bool: true) == "false")
    #expect(DatabaseText.sqlite((-42 as Int64).databaseValue, bool: false) == "-42")
    #expect(DatabaseText.sqlite(0.5.databaseValue, bool: false) == "0.5")
    #expect(DatabaseText.sqlite((-Double.infinity).databaseValue, bool: false) == "-Infinity")
    #expect(DatabaseText.sqlite("NaN".databaseValue, bool: false) == "NaN")
    #expect(DatabaseText.sqlite(Data([0x00, 0xff, 0x5c]).databaseValue, bool: false) == "\\x00ff5c")
    #expect(DatabaseText.sqlite("ARRAY['a',NULL]".databaseValue, bool: false) == "ARRAY['a',NULL]")
    #expect(DatabaseText.isBool("BOOL") && DatabaseText.isBool("boolean") && !DatabaseText.isBool("INT8"))
  }

  @Test func postgresKinds() {
    typealias K = DatabaseText.PostgresKind
    #expect(K(formatType: "boolean") == .bool && K(formatType: "timestamp with time zone") == .timestampTZ)
    #expect(K(formatType: "timestamp(3) with time zone") == .timestampTZ && K(formatType: "timestamp without time zone") == .plain)
    #expect(K(formatType: "time with time zone") == .timeTZ && K(formatType: "interval day to second") == .interval)
    #expect(K(formatType: "inet") == .inet && K(formatType: "boolean[]") == .array(.bool) && K(formatType: "numeric(10,2)") == .plain)
  }

  @Test func postgresValues() {
    func pg(_ s: String?, _ k: DatabaseText.PostgresKind) -> String? { DatabaseText.postgres(s, k) }
    #expect(pg(nil, .plain) == nil && pg("", .plain) == "")
    #expect(pg("t", .bool) == "true" && pg("false", .bool) == "false" && pg("true", .bool) == "true")
    #expect(pg("2024-01-02 03:04:05.123456+00", .timestampTZ) == "2024-01-02 03:04:05.123456+00:00")
    #expect(pg("infinity", .timestampTZ) == "infinity")
    #expect(pg("13:04:05-05", .timeTZ) == "13:04:05-05:00" && pg("13:04:05+05:30", .timeTZ) == "13:04:05+05:30")
    #expect(pg("1 year 2 mons 3 days 04:05:06.789", .interval) == "1 year 2 mons 3 days 04:05:06.789")
    #expect(pg("-1 days +02:00:00", .interval) == "-1 days 02:00:00" && pg("00:00:00", .interval) == "00:00:00")
    #expect(pg("1 mon -00:00:01.5", .interval) == "1 mon -00:00:01.5")
    #expect(pg("10.1.2.3/32", .inet) == "10.1.2.3" && pg("10.0.0.0/8", .inet) == "10.0.0.0/8" && pg("::1/128", .inet) == "::1")
    #expect(pg(#"{1,NULL,"a b","it's","q\"x\\y",""}"#, .array(.plain)) == #"ARRAY['1',NULL,'a b','it''s','q"x\y','']"#)
    #expect(pg("{t,f}", .array(.bool)) == "ARRAY['true','false']" && pg("{}", .array(.plain)) == "ARRAY[]")
    #expect(pg(#"{"2024-01-02 03:04:05+00"}"#, .array(.timestampTZ)) == "ARRAY['2024-01-02 03:04:05+00:00']")
    #expect(pg("{{1,2},{3,4}}", .array(.plain)) == "{{1,2},{3,4}}")   // nested: left as printed (CockroachDB has none)
    #expect(pg("\\x00ff", .plain) == "\\x00ff" && pg(#"{"a": 1}"#, .plain) == #"{"a": 1}"#)
  }
}
