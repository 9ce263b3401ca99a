import Testing
@testable import CockroachSQL

/// `--schema` files: directives, ID resolution and the merge over stored descriptors.
@Suite struct SuppliedSchemaTests {
  static let sql = """
    CREATE DATABASE game;
    -- salvage: table_id=60
    -- salvage: column_ids=b:4,c:3 index_ids=t_c_idx:5
    CREATE TABLE game.public.t (a INT8 PRIMARY KEY, b STRING, c INT8, INDEX t_c_idx (c) STORING (b));

    -- no directive: the ID must come from elsewhere
    CREATE TABLE game.u (x INT8, y BYTES, FAMILY f1 (x), FAMILY f2 (y));
    CREATE TABLE plain (k STRING PRIMARY KEY);
    """

  @Test func directivesSetTheTableIDAndRenumber() throws {
    let ts = try SuppliedSchema.parse(Self.sql, file: "s.sql")
    #expect(ts.map(\.dottedName) == ["game.t", "game.u", "defaultdb.plain"])
    #expect(ts.map(\.origin) == ["s.sql:4", "s.sql:7", "s.sql:8"])
    #expect(ts.map(\.directiveID) == [60, nil, nil])
    let t = ts[0].table
    #expect(t.columns.map(\.id) == [1, 4, 3])
    #expect(t.families.map(\.columnIDs) == [[1, 4, 3]])
    #expect(t.indexes.map(\.id) == [5])
    #expect(t.indexes[0].keyColumnIDs == [3] && t.indexes[0].storeColumnIDs == [4] && t.indexes[0].keySuffixColumnIDs == [1])
    // Declaration order otherwise: u has no primary key, so rowid is column 3 and the key.
    let u = ts[1].table
    #expect(u.columns.map(\.name) == ["x", "y", "rowid"] && u.primaryIndex.keyColumnIDs == [3])
    #expect(u.families.map(\.id) == [0, 1] && u.families.map(\.columnIDs) == [[1, 3], [2]])
  }

  @Test func badDirectivesAreSyntaxErrors() throws {
    for bad in ["-- salvage: tableid=5", "-- salvage: table_id=x", "-- salvage: column_ids=zz:2", "-- salvage: column_ids=b:1",
                "-- salvage: index_ids=nope:3"] {
      do {
        _ = try SuppliedSchema.parse(bad + "\nCREATE TABLE d.t (a INT PRIMARY KEY, b INT);", file: "f.sql")
        Issue.record("accepted \(bad)")
      } catch {
        #expect(error.kind == .syntax && error.message.hasPrefix("f.sql:2 (d.t): "), "\(error)")
      }
    }
    let given = try SuppliedSchema.parseTableID("game.users=53")
    #expect(given.name == "game.users" && given.id == 53)
    #expect(throws: SQLDecodeError.self) { try SuppliedSchema.parseTableID("users=53") }
    #expect(throws: SQLDecodeError.self) { try SuppliedSchema.parseTableID("game.users=-1") }
  }

  static func ns(_ parent: Int64, _ schema: Int64?, _ name: String, _ id: Int64) -> NamespaceEntry {
    NamespaceEntry(layout: schema == nil ? .deprecated2 : .namespace30, parentID: parent, parentSchemaID: schema, name: name, id: id)
  }

  /// Explicit --table-id, then the comment, then system.namespace; what is left is a problem.
  @Test func idsInOrderOfPrecedence() throws {
    let ts = try SuppliedSchema.parse(Self.sql, file: "s.sql")
    let namespace = [Self.ns(0, nil, "game", 52), Self.ns(52, nil, "t", 70), Self.ns(52, nil, "u", 61)]
    let m = SchemaMerge.merge(stored: SchemaCatalog(), supplied: ts, explicitIDs: ["game.t": 62, "game.gone": 90], namespace: namespace)
    #expect(m.suppliedIDs == [62, 61])
    #expect(m.catalog.tables[62]?.name == "t" && m.catalog.tables[61]?.name == "u")
    #expect(m.catalog.qualifiedName(of: m.catalog.tables[61]!) == ["game", "public", "u"])
    #expect(m.catalog.tables[61]?.parentID == 52 && m.catalog.databases[52]?.name == "game")
    #expect(m.catalog.dataTables.map(\.id) == [61, 62])
    #expect(m.notices.contains("game.t: system.namespace says table 70; using 62 from --table-id"))
    #expect(m.notices.contains("table 61: game.u from s.sql:7, table ID from system.namespace"))
    #expect(m.problems == [
      "defaultdb.plain (s.sql:8): no table ID: system.namespace does not name it; give --table-id defaultdb.plain=ID or a `-- salvage: table_id=ID` line before its CREATE TABLE",
      "--table-id game.gone=90: no CREATE TABLE game.gone in the --schema files",
    ])
    // Without --table-id the comment's 60 is used.
    let m2 = SchemaMerge.merge(stored: SchemaCatalog(), supplied: ts, explicitIDs: [:], namespace: namespace)
    #expect(m2.catalog.tables[60]?.name == "t" && m2.catalog.tables[70] == nil)
  }

  /// 20.1+ layout (table 30): tables sit under a schema ID.
  @Test func newNamespaceLayout() throws {
    let ts = try SuppliedSchema.parse("CREATE TABLE shop.public.items (id INT PRIMARY KEY); CREATE TABLE shop.app.items (id INT PRIMARY KEY);", file: "f")
    let namespace = [Self.ns(0, 0, "shop", 100), Self.ns(100, 0, "public", 101), Self.ns(100, 0, "app", 102),
                     Self.ns(100, 101, "items", 110), Self.ns(100, 102, "items", 111)]
    let m = SchemaMerge.merge(stored: SchemaCatalog(), supplied: ts, explicitIDs: [:], namespace: namespace)
    #expect(m.problems.isEmpty)
    #expect(m.catalog.qualifiedName(of: m.catalog.tables[111]!) == ["shop", "app", "items"])
    #expect(m.catalog.tables[111]?.parentSchemaID == 102 && m.catalog.tables[110]?.parentSchemaID == 29)
  }

  /// A stored descriptor with the same ID is replaced, and the notice says so; clashes and
  /// system IDs are refused.
  @Test func theFileWinsOverAStoredDescriptor() throws {
    var stored = SchemaCatalog()
    var db = DatabaseDescriptor(); db.id = 52; db.name = "game"
    stored.databases[52] = db
    var old = TableDescriptor(id: 60, name: "t_old"); old.parentID = 52
    stored.tables[60] = old
    var keep = TableDescriptor(id: 65, name: "other"); keep.parentID = 52
    stored.tables[65] = keep
    var dup = TableDescriptor(id: 67, name: "dup"); dup.parentID = 52
    stored.tables[67] = dup
    let ts = try SuppliedSchema.parse(Self.sql + "\nCREATE TABLE game.v (a INT PRIMARY KEY);\nCREATE TABLE game.w (a INT PRIMARY KEY);\nCREATE TABLE game.dup (a INT PRIMARY KEY);", file: "s.sql")
    let m = SchemaMerge.merge(stored: stored, supplied: ts, explicitIDs: ["game.u": 60, "game.v": 3, "game.w": 65, "defaultdb.plain": 66, "game.dup": 68],
                              namespace: [])
    #expect(m.catalog.tables[60]?.name == "t" && m.catalog.tables[60]?.parentID == 52)
    #expect(m.notices.contains("table 60: the CREATE TABLE of game.t at s.sql:4 replaces the stored descriptor of game.public.t_old (a --schema file wins)"))
    #expect(m.problems.contains("game.u (s.sql:7): table ID 60 is already given to game.t (s.sql:4); not used"))
    #expect(m.problems.contains("game.v (s.sql:9): table ID 3 is a system table's (user tables start at 50); not used"))
    #expect(m.catalog.tables[65]?.name == "w")
    // Same name under another ID: the stored one is set aside (one name, one CSV).
    #expect(m.catalog.tables[68]?.name == "dup" && m.catalog.tables[67] == nil)
    #expect(m.notices.contains("table 67: the stored descriptor of game.dup is set aside: the --schema file gives game.dup table ID 68"))
    // defaultdb exists nowhere: an invented database ID, never a real one.
    let plain = try #require(m.catalog.tables[66])
    #expect(plain.parentID == SchemaMerge.firstSyntheticID && m.catalog.qualifiedName(of: plain) == ["defaultdb", "public", "plain"])
  }

  /// Declaration-order IDs are wrong for an altered table: a value naming a column the CREATE
  /// TABLE does not have is reported on the row, not dropped in silence.
  @Test func unknownColumnIDsAreReported() throws {
    let t = try SuppliedSchema.parse("-- salvage: table_id=60\nCREATE TABLE d.t (a INT8 PRIMARY KEY, b INT8);", file: "f")[0]
    var table = t.table
    table.id = 60
    let dec = TableRowDecoder(table: table)
    // /Table/60/1/1/0 → TUPLE: column 3 (delta 3, INT) = 5.
    let row = try dec.assemble([(hex("c48989 88"), SQLValue(tag: 10, data: [0x33, 0x0a][...]))])
    #expect(row.values == [1: .int(1)])
    #expect(row.problems.map(\.message) == ["column ID 3 not in the descriptor; skipped"])
  }
}
