import Foundation
import GRDB
import Recovery
import Testing
@testable import Export

/// A SQLite file that `recover` did not write (no salvage_meta or salvage_columns) as verify's
/// SOURCE: names, keys and types come from RECOVERED; rows are sorted by Salvage's key order
/// whatever SQLite's collation; unmatched tables are named.
struct SQLiteVerifySourceTests {
  static let schema = """
    CREATE TABLE shop.public.items (k STRING NOT NULL, n INT8 NOT NULL, flag BOOL NULL, v FLOAT8 NULL,
      CONSTRAINT "primary" PRIMARY KEY (k ASC, n DESC));
    CREATE TABLE shop.public.notes (id INT8 NOT NULL, body STRING NULL, CONSTRAINT "primary" PRIMARY KEY (id ASC));
    """

  static func setUp() throws -> (dir: String, db: String) {
    let dir = try makeTempDirectory()
    try FileManager.default.createDirectory(atPath: dir + "/rec/shop", withIntermediateDirectories: true)
    try schema.write(toFile: dir + "/rec/schema.sql", atomically: true, encoding: .utf8)
    try "{}".write(toFile: dir + "/rec/report.json", atomically: true, encoding: .utf8)
    // recover's order: k by UTF-8 bytes (Z < a < b < é), n descending.
    try "Z,1,\\N,\\N\na,2,false,-0.5\na,1,true,0.1\nb,7,true,1e-05\né,3,false,Infinity\n"
      .write(toFile: dir + "/rec/shop/items.csv", atomically: true, encoding: .utf8)
    try "1,\"\"\n2,\\N\n3,x\n".write(toFile: dir + "/rec/shop/notes.csv", atomically: true, encoding: .utf8)
    let db = dir + "/source.db"
    let q = try DatabaseQueue(path: db)
    try q.write { db in
      // NOCASE puts `a` before `Z`: the comparison must not follow SQLite's order.
      try db.execute(sql: """
        CREATE TABLE shop_items (k TEXT COLLATE NOCASE, n INTEGER, flag BOOLEAN, v REAL, PRIMARY KEY (k, n DESC));
        CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);
        CREATE TABLE leftover (id INTEGER PRIMARY KEY);
        INSERT INTO shop_items VALUES ('é', 3, 0, 9e999), ('a', 1, 1, 0.1), ('b', 7, 1, 0.00001), ('a', 2, 0, -0.5), ('Z', 1, NULL, NULL);
        INSERT INTO notes VALUES (3, 'x'), (1, ''), (2, NULL);
        """)
    }
    try q.close()
    return (dir, db)
  }

  @Test func matchesRecoveredTablesAndComparesInSalvageOrder() throws {
    let (dir, db) = try Self.setUp()
    defer { removeDirectory(dir) }
    var o = VerifyOptions()
    o.runLimit = 2
    let before = try Data(contentsOf: URL(fileURLWithPath: db))
    let r = try VerifyInputs.verification(recovered: dir + "/rec", source: db, options: o, work: dir + "/work").run()
    #expect(r.sourceKind == "sqlite")
    #expect(r.tables.map(\.table) == ["shop.items", "shop.notes"])
    #expect(r.tables.allSatisfy { $0.passed && $0.missingKeys == 0 && $0.extraKeys == 0 }, "\(r.failures)")
    #expect(r.tables.map(\.sharedKeys) == [5, 3])
    #expect(r.failures == ["leftover: table missing from RECOVERED"])
    #expect(try Data(contentsOf: URL(fileURLWithPath: db)) == before)   // read-only

    // A changed value, NULL for '', a missing and an extra key: each counted and named.
    let q = try DatabaseQueue(path: db)
    try q.write { db in
      try db.execute(sql: """
        UPDATE notes SET body = NULL WHERE id = 1; DELETE FROM notes WHERE id = 3; INSERT INTO notes VALUES (4, 'new');
        UPDATE shop_items SET flag = 0 WHERE k = 'b';
        """)
    }
    try q.close()
    let bad = try VerifyInputs.verification(recovered: dir + "/rec", source: db, options: o, work: dir + "/work2").run()
    let notes = bad.tables[1], items = bad.tables[0]
    #expect(notes.missingKeysListed == ["4"] && notes.extraKeysListed == ["3"])
    #expect(notes.columnDifferences.map(\.column) == ["body"] && notes.columnDifferences[0].samples.map(\.key) == ["1"])
    #expect(notes.columnDifferences[0].samples[0].source == nil && notes.columnDifferences[0].samples[0].recovered == "")
    #expect(items.columnDifferences.map(\.column) == ["flag"] && items.columnDifferences[0].samples[0].source == "false")
  }

  @Test func ownKeysWhenItIsRecovered() throws {
    let (dir, db) = try Self.setUp()
    defer { removeDirectory(dir) }
    let s = try SQLiteVerifySource.make(path: db, recovered: nil, runLimit: 10)
    let items = s.tables.first { $0.table.name == "shop_items" }!.table
    #expect(items.key == [0, 1] && items.descending == [false, true])
    #expect(items.kinds == [.other, .integer, .other, .float])
    let notes = s.tables.first { $0.table.name == "notes" }!.table
    #expect(notes.key == [0] && notes.descending == [false])
    #expect(SQLiteVerifySource.isSQLite(db) && !SQLiteVerifySource.isSQLite(dir + "/rec/schema.sql") && !SQLiteVerifySource.isSQLite(dir))
  }
}
