import Foundation
import GRDB
import Testing
@testable import Export

@Suite struct SQLiteSinkTests {
  @Test func values_and_storage_classes_read_back() throws {
    let dir = try makeTempDirectory()
    defer { removeDirectory(dir) }
    let sink = try SQLiteSink(path: dir + "/salvage.sqlite", source: "test-store", guard: .none)
    var rows = ExportRows(mixedRows)
    let report = try sink.load(mixedTable, rows: &rows)
    #expect(report == TableLoadReport(table: "shop.public.items", targetTable: "shop_items").with(read: 6, inserted: 6))
    #expect(!FileManager.default.fileExists(atPath: dir + "/salvage.sqlite"))
    try sink.finish()
    #expect(!FileManager.default.fileExists(atPath: dir + "/salvage.sqlite.tmp"))

    let db = try DatabaseQueue(path: dir + "/salvage.sqlite")
    try db.read { db in
      let got = try Row.fetchAll(db, sql: """
        SELECT id, typeof(name), name, typeof(price), price, typeof(ratio), ratio, typeof(blob), blob,
               at, typeof(ok), ok, tags FROM shop_items ORDER BY id
        """)
      #expect(got.count == 6)
      let first = got.first { $0["id"] as Int64 == 1 }!
      #expect(first[1] as String == "text" && first["name"] as String == "plain")
      #expect(first[3] as String == "text" && first["price"] as String == "10.50")
      #expect(first[5] as String == "real" && first["ratio"] as Double == 0.5)
      #expect(first[7] as String == "blob" && first["blob"] as Data == Data([0x00, 0xff, 0x22]))
      #expect(first["at"] as String == "2024-01-02T03:04:05.123456Z")
      #expect(first[10] as String == "integer" && first["ok"] as Int64 == 1)
      #expect(first["tags"] as String == "{a,b}")
      let second = got.first { $0["id"] as Int64 == 2 }!
      #expect(second["name"] as String == "", "empty string stays distinct from NULL")
      #expect(second[7] as String == "blob" && second["blob"] as Data == Data())
      #expect(second["price"] as String == "-0.00")
      let nulls = got.first { $0["id"] as Int64 == 3 }!
      #expect(nulls[1] as String == "null" && nulls[7] as String == "null" && nulls[10] as String == "null")
      let fourth = got.first { $0["id"] as Int64 == 4 }!
      #expect(fourth["name"] as String == "say \"hi\", then\nleave\r\n")
      #expect(fourth["price"] as String == "123456789012345678901234567890.12")
      #expect(fourth[5] as String == "text" && fourth["ratio"] as String == "NaN")
      let last = got.first { $0["id"] as Int64 == Int64.min }!
      #expect(last["name"] as String == "héllo ✓ 日本")
      #expect(last["ratio"] as Double == -.infinity)

      let meta = try Row.fetchOne(db, sql: "SELECT * FROM salvage_meta")!
      #expect(meta["source_table"] as String == "shop.public.items")
      #expect(meta["sqlite_table"] as String == "shop_items")
      #expect(meta["source"] as String == "test-store")
      #expect(meta["rows_read"] as Int == 6 && meta["rows_inserted"] as Int == 6 && meta["rows_rejected"] as Int == 0)
      #expect((meta["exported_at"] as String).hasPrefix("20"))
      let types = try String.fetchAll(db, sql: "SELECT cockroach_type FROM salvage_columns ORDER BY position")
      #expect(types == mixedTable.columns.map(\.cockroachType))
    }
  }

  /// GRDB binds a String as a C string: text after a NUL byte was lost. Values are now bound
  /// with their length.
  /// A run that fails drops the sink with a transaction open and its tables' statements still
  /// prepared. The statements are finalized and the transaction rolled back before the
  /// connection closes: finalized later, the last statement closed the connection, whose
  /// rollback called GRDB's hook on its freed observer (a crash seen once in a few hundred
  /// interrupted recoveries).
  @Test func dropped_with_an_open_transaction() throws {
    let dir = try makeTempDirectory()
    defer { removeDirectory(dir) }
    var fill: SQLiteSink.TableFill?
    do {
      let sink = try SQLiteSink(path: dir + "/salvage.sqlite", source: "test", guard: .none)
      let f = try sink.createTable(mixedTable)
      fill = f
      try sink.write(f) { db in
        try db.beginTransaction()
        try sink.insert(f, row: mixedRows[0], in: db)
      }
    }
    // Its statement went with the connection: none is left to close a zombie connection later.
    #expect(fill != nil && fill?.insert == nil)
    fill = nil
    #expect(!FileManager.default.fileExists(atPath: dir + "/salvage.sqlite.tmp"))
    #expect(!FileManager.default.fileExists(atPath: dir + "/salvage.sqlite"))
  }

  @Test func text_with_a_nul_byte_is_kept_whole() throws {
    let dir = try makeTempDirectory()
    defer { removeDirectory(dir) }
    let sink = try SQLiteSink(path: dir + "/salvage.sqlite", source: "test", guard: .none)
    let table = ExportTable(database: "d", name: "t", columns: [ExportColumn("s", "STRING"), ExportColumn("b", "BYTES")])
    var rows = ExportRows([[ExportValue.text("a\u{0}b"), .bytes([0, 1])]])
    _ = try sink.load(table, rows: &rows)
    try sink.finish()
    try DatabaseQueue(path: dir + "/salvage.sqlite").read { db in
      let row = try Row.fetchOne(db, sql: "SELECT length(CAST(s AS BLOB)), hex(s), hex(b) FROM d_t")!
      #expect(row[0] as Int == 3 && row[1] as String == "610062" && row[2] as String == "0001")
    }
  }

  @Test func duplicate_primary_key_is_rejected_and_reported() throws {
    let dir = try makeTempDirectory()
    defer { removeDirectory(dir) }
    let table = ExportTable(database: "d", name: "kv",
                            columns: [ExportColumn("k", "STRING", nullable: false), ExportColumn("n", "INT8", nullable: false),
                                      ExportColumn("v", "STRING")],
                            primaryKey: [ExportKeyColumn("k"), ExportKeyColumn("n", descending: true)])
    let sink = try SQLiteSink(path: dir + "/out.sqlite", source: "s", guard: .none, transactionRows: 2)
    var rows = ExportRows([
      [.text("a"), .int(1), .text("first")],
      [.text("a"), .int(2), .text("other key")],
      [.text("a"), .int(1), .text("duplicate")],
      [.text("b"), .int(1), .text("last")],
    ] as [ExportRow])
    let report = try sink.load(table, rows: &rows)
    #expect(report.rowsRead == 4 && report.rowsInserted == 3 && report.rowsRejected == 1)
    #expect(report.rejected == [.init(row: 3, key: "k='a', n='1'", reason: "duplicate primary key")])
    try sink.finish()
    let db = try DatabaseQueue(path: dir + "/out.sqlite")
    let (first, count, rejected, metaRejected) = try db.read { db in
      (try String.fetchOne(db, sql: "SELECT v FROM d_kv WHERE k = 'a' AND n = 1"),
       try Int.fetchOne(db, sql: "SELECT count(*) FROM d_kv"),
       try Row.fetchOne(db, sql: "SELECT source_row, primary_key FROM salvage_rejected"),
       try Int.fetchOne(db, sql: "SELECT rows_rejected FROM salvage_meta"))
    }
    #expect(first == "first")
    #expect(count == 3)
    #expect(rejected == ["source_row": 3, "primary_key": "k='a', n='1'"])
    #expect(metaRejected == 1)
  }

  @Test func colliding_names_and_bad_rows_are_errors_naming_the_table() throws {
    let dir = try makeTempDirectory()
    defer { removeDirectory(dir) }
    let sink = try SQLiteSink(path: dir + "/out.sqlite", source: "s", guard: .none)
    let one = ExportTable(database: "a_b", name: "c", columns: [ExportColumn("x", "INT8")])
    let two = ExportTable(database: "a", name: "B_c", columns: [ExportColumn("x", "INT8")])
    var rows = ExportRows([[.int(1)]] as [ExportRow])
    try sink.load(one, rows: &rows)
    var more = ExportRows([[.int(1)]] as [ExportRow])
    let collision = #expect(throws: ExportError.self) { try sink.load(two, rows: &more) }
    #expect(collision?.kind == .nameCollision(with: "a_b.public.c"))

    let notNull = ExportTable(database: "a", name: "nn", columns: [ExportColumn("x", "INT8", nullable: false)])
    var bad = ExportRows([[.int(1)], [.null]] as [ExportRow])
    let error = #expect(throws: ExportError.self) { try sink.load(notNull, rows: &bad) }
    #expect(error?.table == "a.public.nn" && error?.row == 2)
    #expect(error?.description.contains("NOT NULL") == true)
  }

  @Test func refuses_forbidden_directory_and_leaves_no_file_without_finish() throws {
    let dir = try makeTempDirectory()
    defer { removeDirectory(dir) }
    #expect(throws: ExportError.self) {
      _ = try SQLiteSink(path: dir + "/in/salvage.sqlite", source: "s", guard: OutputGuard(forbiddenDirectories: [dir + "/in"]))
    }
    do {
      let sink = try SQLiteSink(path: dir + "/x.sqlite", source: "s", guard: .none)
      var rows = ExportRows([[.int(1)]] as [ExportRow])
      try sink.load(ExportTable(database: "d", name: "t", columns: [ExportColumn("x", "INT8")]), rows: &rows)
    }
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty)
  }

  @Test func type_mapping() {
    let cases = ["INT8": "INTEGER", "int": "INTEGER", "BOOL": "INTEGER", "FLOAT8": "REAL", "DOUBLE PRECISION": "REAL",
                 "DECIMAL(10,2)": "TEXT", "STRING": "TEXT", "BYTES": "BLOB", "TIMESTAMPTZ": "TEXT", "INT8[]": "TEXT",
                 "JSONB": "TEXT", "UUID": "TEXT", "VARCHAR(20)": "TEXT"]
    for (crdb, sqlite) in cases { #expect(SQLiteSink.sqliteType(crdb) == sqlite, "\(crdb)") }
  }
}

extension TableLoadReport {
  func with(read: Int, inserted: Int) -> TableLoadReport {
    var r = self
    r.rowsRead = read
    r.rowsInserted = inserted
    return r
  }
}
