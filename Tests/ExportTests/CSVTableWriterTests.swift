import Foundation
import Testing
@testable import Export

@Suite struct CSVTableWriterTests {
  @Test func tricky_values_have_exact_bytes() throws {
    let dir = try makeTempDirectory()
    defer { removeDirectory(dir) }
    var rows = ExportRows(mixedRows)
    let writer = try CSVTableWriter.write(mixedTable, rows: &rows, directory: dir, guard: .none)
    #expect(writer.relativePath == "shop/items.csv")
    #expect(writer.rowCount == 6)
    let expected = #"""
      1,plain,10.50,0.5,\x00ff22,2024-01-02T03:04:05.123456Z,true,"{a,b}"
      2,"",-0.00,-1e+300,\x,1970-01-01T00:00:00Z,false,{}
      3,\N,\N,\N,\N,\N,\N,\N
      4,"say ""hi"", then
      leave\#r
      ",123456789012345678901234567890.12,NaN,\x5c78,2024-06-30T23:59:59.999999Z,true,"{""q,"",NULL}"
      5,"\N",NaN,Infinity,\x5c,\N,\N,"{"""",NULL}"
      -9223372036854775808,héllo ✓ 日本,1E+5,-Infinity,\x010203,\N,\N,\N

      """#
    let got = String(decoding: try readBytes(dir + "/shop/items.csv"), as: UTF8.self)
    #expect(got == expected)
  }

  @Test func parsed_back_values_keep_null_distinct_from_empty() throws {
    let dir = try makeTempDirectory()
    defer { removeDirectory(dir) }
    var rows = ExportRows(mixedRows)
    try CSVTableWriter.write(mixedTable, rows: &rows, directory: dir, guard: .none)
    let records = try parseCSV(try readBytes(dir + "/shop/items.csv"))
    #expect(records.count == mixedRows.count)
    for (record, row) in zip(records, mixedRows) {
      #expect(record.count == row.count)
      for (field, value) in zip(record, row) {
        // CockroachDB's rule: NULL iff unquoted and equal to nullif.
        let isNull = !field.quoted && field.text == CSVTableWriter.nullMarker
        #expect(isNull == (value == .null), "\(field) vs \(value)")
        if !isNull { #expect(field.text == value.cockroachText) }
      }
    }
  }

  @Test func single_column_null_and_empty_are_not_blank_lines() throws {
    let dir = try makeTempDirectory()
    defer { removeDirectory(dir) }
    let table = ExportTable(database: "d", name: "one", columns: [ExportColumn("s", "STRING")])
    var rows = ExportRows([[.null], [.text("")], [.text("x")]] as [ExportRow])
    try CSVTableWriter.write(table, rows: &rows, directory: dir, guard: .none)
    #expect(try readBytes(dir + "/d/one.csv") == Array("\\N\n\"\"\nx\n".utf8))
    #expect(try parseCSV(try readBytes(dir + "/d/one.csv")).count == 3)
  }

  @Test func header_row_quotes_names() throws {
    let dir = try makeTempDirectory()
    defer { removeDirectory(dir) }
    let table = ExportTable(database: "d", name: "h", columns: [ExportColumn("a,b", "INT8"), ExportColumn("c", "INT8")])
    var rows = ExportRows([[.int(1), .int(2)]] as [ExportRow])
    try CSVTableWriter.write(table, rows: &rows, directory: dir, options: .init(header: true), guard: .none)
    #expect(try readBytes(dir + "/d/h.csv") == Array("\"a,b\",c\n1,2\n".utf8))
  }

  @Test func gzip_output_is_readable_by_gzip() throws {
    let dir = try makeTempDirectory()
    defer { removeDirectory(dir) }
    var rows = ExportRows(mixedRows)
    let w = try CSVTableWriter.write(mixedTable, rows: &rows, directory: dir, options: .init(gzip: true), guard: .none)
    #expect(w.relativePath == "shop/items.csv.gz")
    let (status, out, err) = try run("/bin/gzip", ["-dc", dir + "/shop/items.csv.gz"])
    #expect(status == 0, "gzip -dc failed: \(err)")
    var plainRows = ExportRows(mixedRows)
    let plainDir = dir + "/plain"
    try CSVTableWriter.write(mixedTable, rows: &plainRows, directory: plainDir, guard: .none)
    #expect(Array(out) == (try readBytes(plainDir + "/shop/items.csv")))
  }

  @Test func many_rows_stream_through_a_bounded_buffer() throws {
    let dir = try makeTempDirectory()
    defer { removeDirectory(dir) }
    let table = ExportTable(database: "d", name: "big", columns: [ExportColumn("i", "INT8"), ExportColumn("s", "STRING")])
    var rows = ExportRows((0..<50_000).lazy.map { [.int(Int64($0)), .text("row \($0), padded")] as ExportRow })
    let w = try CSVTableWriter.write(table, rows: &rows, directory: dir, options: .init(gzip: true), guard: .none)
    #expect(w.rowCount == 50_000)
    let (status, out, _) = try run("/bin/gzip", ["-dc", dir + "/d/big.csv.gz"])
    #expect(status == 0)
    let records = try parseCSV(Array(out))
    #expect(records.count == 50_000)
    #expect(records.last == [TestCSVField(text: "49999", quoted: false), TestCSVField(text: "row 49999, padded", quoted: true)])
  }

  @Test func file_appears_only_on_finish_and_failure_leaves_nothing() throws {
    let dir = try makeTempDirectory()
    defer { removeDirectory(dir) }
    let w = try CSVTableWriter(table: mixedTable, directory: dir, guard: .none)
    try w.append(mixedRows[0])
    #expect(!FileManager.default.fileExists(atPath: dir + "/shop/items.csv"))
    #expect(FileManager.default.fileExists(atPath: dir + "/shop/items.csv.tmp"))
    try w.finish()
    #expect(FileManager.default.fileExists(atPath: dir + "/shop/items.csv"))
    #expect(!FileManager.default.fileExists(atPath: dir + "/shop/items.csv.tmp"))

    // A source that fails mid-table keeps the previous complete file and removes the .tmp.
    struct Failing: ExportRowSource {
      var n = 0
      mutating func next() throws -> ExportRow? {
        n += 1
        if n > 2 { throw ExportError(.unsupported("decoder gave up"), table: "shop.public.items", row: n) }
        return mixedRows[0]
      }
    }
    var failing = Failing()
    #expect(throws: ExportError.self) {
      try CSVTableWriter.write(mixedTable, rows: &failing, directory: dir, guard: .none)
    }
    #expect(try parseCSV(try readBytes(dir + "/shop/items.csv")).count == 1)
    #expect(!FileManager.default.fileExists(atPath: dir + "/shop/items.csv.tmp"))
  }

  @Test func wrong_column_count_names_table_file_and_row() throws {
    let dir = try makeTempDirectory()
    defer { removeDirectory(dir) }
    var rows = ExportRows([mixedRows[0], [.int(2)]])
    let error = #expect(throws: ExportError.self) {
      try CSVTableWriter.write(mixedTable, rows: &rows, directory: dir, guard: .none)
    }
    #expect(error?.kind == .wrongColumnCount(expected: 8, got: 1))
    #expect(error?.description == "table shop.public.items, file \(dir)/shop/items.csv.tmp, row 2: row has 1 values, table has 8 columns")
    #expect(!FileManager.default.fileExists(atPath: dir + "/shop/items.csv"))
  }

  @Test func refuses_to_write_inside_a_forbidden_directory() throws {
    let root = try makeTempDirectory()
    defer { removeDirectory(root) }
    let evidence = root + "/evidence"
    try FileManager.default.createDirectory(atPath: evidence + "/store", withIntermediateDirectories: true)
    try FileManager.default.createSymbolicLink(atPath: root + "/sneaky", withDestinationPath: evidence + "/store")
    let outputGuard = OutputGuard(forbiddenDirectories: [evidence])
    for outDir in [evidence, evidence + "/store/out", root + "/sneaky/new", root + "/evidence/../evidence/x"] {
      let error = #expect(throws: ExportError.self) {
        _ = try CSVTableWriter(table: mixedTable, directory: outDir, guard: outputGuard)
      }
      #expect(error?.kind == .forbiddenOutput(forbiddenDirectory: OutputGuard.resolve(evidence)), "\(outDir)")
    }
    #expect(try FileManager.default.contentsOfDirectory(atPath: evidence + "/store").isEmpty)
    // A sibling whose name merely starts with the forbidden one is fine.
    let ok = try CSVTableWriter(table: mixedTable, directory: root + "/evidence-out", guard: outputGuard)
    try ok.finish()
  }

  @Test func unusual_names_stay_inside_their_directory() {
    let t = ExportTable(database: "../x", schema: "s p", name: "a/b", columns: [])
    #expect(OutputNames.csvPath(t, gzip: false) == "%2E.%2Fx/s%20p.a%2Fb.csv")
    #expect(OutputNames.fileComponent("..") == "%2E.")
    #expect(OutputNames.fileComponent("日") == "%E6%97%A5")
  }
}
