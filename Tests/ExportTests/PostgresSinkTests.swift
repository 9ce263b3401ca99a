import Foundation
import Testing
@testable import Export

@Suite struct PostgresSinkTests {
  /// One server for the whole scenario: starting PostgreSQL costs seconds.
  @Test func loads_into_a_real_server_and_reads_back_exactly() async throws {
    let server = try TestPostgresServer()
    defer { server.stop() }
    _ = try server.psql("CREATE DATABASE salvage", database: "postgres")
    let sink = try await PostgresSink.connect(url: server.url, source: "test-store")

    var rows = ExportRows(mixedRows)
    let report = try await sink.load(mixedTable, rows: &rows)
    #expect(report.rowsRead == 6 && report.rowsInserted == 6 && report.rowsRejected == 0)
    #expect(report.targetTable == "shop.items")

    let got = try server.psql("COPY (SELECT * FROM shop.items ORDER BY id) TO STDOUT", database: "salvage")
    let expected = [
      ["-9223372036854775808", "héllo ✓ 日本", "100000", "-Infinity", "\\\\x010203", "\\N", "\\N", "\\N"],
      ["1", "plain", "10.50", "0.5", "\\\\x00ff22", "2024-01-02 03:04:05.123456+00", "t", "{a,b}"],
      ["2", "", "0.00", "-1e+300", "\\\\x", "1970-01-01 00:00:00+00", "f", "{}"],
      ["3", "\\N", "\\N", "\\N", "\\N", "\\N", "\\N", "\\N"],
      ["4", "say \"hi\", then\\nleave\\r\\n", "123456789012345678901234567890.12", "NaN", "\\\\x5c78",
       "2024-06-30 23:59:59.999999+00", "t", "{\"q,\",NULL}"],
      ["5", "\\\\N", "NaN", "Infinity", "\\\\x5c", "\\N", "\\N", "{\"\",NULL}"],
    ].map { $0.joined(separator: "\t") + "\n" }.joined()
    #expect(got == expected)

    let types = try server.psql("""
      COPY (SELECT column_name, data_type, is_nullable FROM information_schema.columns
            WHERE table_schema = 'shop' AND table_name = 'items' ORDER BY ordinal_position) TO STDOUT
      """)
    #expect(types == """
      id\tbigint\tNO
      name\ttext\tYES
      price\tnumeric\tYES
      ratio\tdouble precision\tYES
      blob\tbytea\tYES
      at\ttimestamp with time zone\tYES
      ok\tboolean\tYES
      tags\tARRAY\tYES

      """)

    // Duplicates: the first row of a key stays, later ones are reported with their row.
    let kv = ExportTable(database: "d", name: "kv",
                         columns: [ExportColumn("k", "STRING", nullable: false), ExportColumn("n", "INT8", nullable: false),
                                   ExportColumn("v", "STRING")],
                         primaryKey: [ExportKeyColumn("k"), ExportKeyColumn("n", descending: true)])
    var kvRows = ExportRows([
      [.text("a"), .int(1), .text("first")], [.text("a"), .int(2), .text("other key")],
      [.text("a"), .int(1), .text("duplicate")], [.text("b"), .int(1), .text("last")],
    ] as [ExportRow])
    let kvReport = try await sink.load(kv, rows: &kvRows)
    #expect(kvReport.rowsRead == 4 && kvReport.rowsInserted == 3 && kvReport.rowsRejected == 1)
    #expect(kvReport.rejected == [.init(row: 3, key: "k='a', n='1'", reason: "duplicate primary key")])
    #expect(try server.psql("COPY (SELECT v FROM d.kv ORDER BY k, n) TO STDOUT") == "first\nother key\nlast\n")

    // A rejected value rolls the table back and the error names table and COPY line.
    let strict = ExportTable(database: "d", name: "strict", columns: [ExportColumn("x", "INT8", nullable: false)])
    var bad = ExportRows([[.int(1)], [.text("not a number")]] as [ExportRow])
    let error = await #expect(throws: ExportError.self) { try await sink.load(strict, rows: &bad) }
    #expect(error?.table == "d.public.strict")
    #expect(error?.description.contains("line 2") == true, "\(String(describing: error))")
    #expect(try server.psql("COPY (SELECT to_regclass('d.strict') IS NULL) TO STDOUT") == "t\n")

    let meta = try server.psql("COPY (SELECT source_table, target_table, source, rows_read, rows_inserted, rows_rejected FROM salvage_meta ORDER BY 1) TO STDOUT")
    #expect(meta == "d.public.kv\td.kv\ttest-store\t4\t3\t1\nshop.public.items\tshop.items\ttest-store\t6\t6\t0\n")
    await sink.close()
  }

  @Test func type_mapping() {
    let cases = ["INT8": "bigint", "INT": "bigint", "INT4": "integer", "INT2": "smallint", "FLOAT8": "double precision",
                 "FLOAT4": "real", "DECIMAL(10,2)": "numeric(10,2)", "STRING": "text", "STRING(20)": "varchar(20)",
                 "BYTES": "bytea", "TIMESTAMPTZ": "timestamptz", "TIMESTAMP(3)": "timestamp(3)", "JSONB": "jsonb",
                 "UUID": "uuid", "INET": "inet", "INT8[]": "bigint[]", "STRING[]": "text[]", "BOOL": "boolean",
                 "DATE": "date", "INTERVAL": "interval", "my_enum": "text", "GEOMETRY": "text"]
    for (crdb, pg) in cases { #expect(PostgresTypes.postgresType(crdb) == pg, "\(crdb)") }
  }

  @Test func copy_text_escapes() {
    var out: [UInt8] = []
    PostgresTypes.appendCopyLine([.text("a\tb\\c\nd\re"), .null, .bytes([0xab]), .text("")], to: &out)
    #expect(String(decoding: out, as: UTF8.self) == "a\\tb\\\\c\\nd\\re\t\\N\t\\\\xab\t\n")
  }

  /// Typed rows of the recovery's pass give the COPY lines their export values give.
  @Test func typed_rows_give_the_same_copy_lines() {
    let row: ExportRow = [.null, .bool(true), .bool(false), .int(-42), .float(0.1), .float(.nan), .float(-.infinity),
                          .float(1e300), .decimal("-1.50"), .text("a\tb\\c\nd\re"), .text(""), .bytes([0x00, 0xab, 0x5c]),
                          .bytes([]), .timestamp("2024-01-02 03:04:05+00"), .other(text: "ARRAY['x\\y',NULL]"),
                          .other(text: "ARRAY['x']"), .other(text: "{\"j\": 1}")]
    let arrays = row.indices.map { $0 == 14 }
    var rows = SQLiteRows(width: row.count)
    for _ in 0..<2 {
      for v in row { rows.append(value: v) }
      rows.count += 1
    }
    var typed: [UInt8] = [], text: [UInt8] = []
    for r in 0..<rows.count {
      PostgresTypes.appendCopyLine(rows, r, arrays: arrays, to: &typed)
      PostgresTypes.appendCopyLine(row, arrays: arrays, to: &text)
    }
    #expect(String(decoding: typed, as: UTF8.self) == String(decoding: text, as: UTF8.self))
    #expect(String(decoding: typed, as: UTF8.self).hasPrefix("\\N\ttrue\tfalse\t-42\t0.1\tNaN\t-Infinity\t1e+300\t-1.50\t"))
  }

  @Test func arrays_become_postgres_array_literals() {
    #expect(PostgresTypes.arrayLiteral("ARRAY['x,y','\"q\"',NULL,'it''s','a\\b']") == #"{"x,y","\"q\"",NULL,"it's","a\\b"}"#)
    #expect(PostgresTypes.arrayLiteral("ARRAY[]") == "{}")
    #expect(PostgresTypes.arrayLiteral("{1,2}") == nil && PostgresTypes.arrayLiteral("ARRAY['open]") == nil)
    var out: [UInt8] = []
    PostgresTypes.appendCopyLine([.text("ARRAY['a']"), .text("ARRAY['a']")], arrays: [true, false], to: &out)
    #expect(String(decoding: out, as: UTF8.self) == "{\"a\"}\tARRAY['a']\n")
  }

  @Test func url_parsing_and_redaction() throws {
    #expect(PostgresSink.redacted("postgres://u:secret@h:5433/db") == "postgres://u:***@h:5433/db")
    #expect(throws: ExportError.self) { _ = try PostgresSink.configuration(url: "mysql://h/db") }
  }
}
