import Testing
@testable import CockroachSQL

@Suite struct DDLTests {
  func accounts(_ l: Desc.Layout) throws -> TableDescriptor {
    guard case .table(let t) = Descriptor.decode(Desc.accounts(l)).descriptor else { throw SQLDecodeError(.missing, "t", "") }
    return t
  }

  static let accountsDDL = """
    CREATE TABLE accounts (
    \tid INT8 NOT NULL,
    \towner STRING NULL,
    \tbalance DECIMAL NULL,
    \tCONSTRAINT "primary" PRIMARY KEY (id ASC),
    \tUNIQUE INDEX accounts_owner_key (owner ASC) STORING (balance),
    \tINDEX accounts_owner_idx (owner ASC),
    \tFAMILY f0 (id, balance),
    \tFAMILY f1 (owner)
    );
    """

  @Test(arguments: [Desc.Layout.v19_1, .typesT])
  func accountsDDL(_ l: Desc.Layout) throws {
    var problems: [String] = []
    #expect(DDL.createTable(try accounts(l), problems: &problems) == Self.accountsDDL)
    #expect(problems.isEmpty)
  }

  @Test func everyTypeAndClause() {
    var t = TableDescriptor(id: 70, name: "Mixed Case")
    let types: [(String, SQLType)] = [
      ("b", SQLType(.bool, oid: 16)), ("i2", SQLType(.int, width: 16, oid: 21)),
      ("f4", SQLType(.float, width: 32, oid: 700)), ("d", SQLType(.decimal, width: 2, precision: 12, oid: 1700)),
      ("vc", SQLType(.string, width: 5, oid: 1043)), ("ts", { var x = SQLType(.timestampTZ, precision: 3, oid: 1184); x.timePrecisionIsSet = true; return x }()),
      ("arr", SQLType(.array, element: SQLType(.int, width: 64, oid: 20))), ("e", SQLType(.enumType, oid: 100_080)),
      ("c", SQLType(.collatedString, oid: 25, locale: "de")), ("vb", SQLType(.bit, width: 4, oid: 1562)),
      ("geo", SQLType(.geometry)), ("weird", { var x = SQLType(.unknown); x.familyID = 99; return x }()),
    ]
    for (i, (n, ty)) in types.enumerated() {
      var c = ColumnDescriptor(id: UInt32(i + 1), name: n, type: ty, nullable: i > 0)
      if n == "d" { c.defaultExpr = "0:::DECIMAL" }
      if n == "vc" { c.computeExpr = "lower(c)"; c.virtual = true }
      t.columns.append(c)
    }
    t.primaryIndex = IndexDescriptor(id: 1, name: "pk")
    t.primaryIndex.keyColumnIDs = [1, 2]
    t.primaryIndex.directions = [.asc, .desc]
    var inv = IndexDescriptor(id: 2, name: "arr_inv")
    inv.kindID = 1
    inv.keyColumnIDs = [7]
    var part = IndexDescriptor(id: 3, name: "select")
    part.keyColumnIDs = [4]
    part.predicate = "d > 0"
    t.indexes = [inv, part]
    t.families = [FamilyDescriptor(id: 0, name: "primary", columnIDs: Array(1...12).map(UInt32.init).filter { $0 != 5 })]
    var problems: [String] = []
    let catalog = TypeCatalog([TypeDescriptor(id: 80, name: "mood")])
    let ddl = DDL.createTable(t, catalog: catalog, problems: &problems)
    #expect(ddl == """
      CREATE TABLE "Mixed Case" (
      \tb BOOL NOT NULL,
      \ti2 INT2 NULL,
      \tf4 FLOAT4 NULL,
      \td DECIMAL(12,2) NULL DEFAULT 0:::DECIMAL,
      \tvc VARCHAR(5) NULL AS (lower(c)) VIRTUAL,
      \tts TIMESTAMPTZ(3) NULL,
      \tarr INT8[] NULL,
      \te mood NULL,
      \tc STRING COLLATE de NULL,
      \tvb VARBIT(4) NULL,
      \tgeo BYTES NULL,
      \tweird BYTES NULL,
      \tCONSTRAINT pk PRIMARY KEY (b ASC, i2 DESC),
      \tINVERTED INDEX arr_inv (arr ASC),
      \tINDEX "select" (d ASC) WHERE d > 0,
      \tFAMILY "primary" (b, i2, f4, d, ts, arr, e, c, vb, geo, weird)
      );
      """)
    #expect(problems.count == 2 && problems[0].contains("GEOMETRY") && problems[1].contains("weird"))
  }

  @Test func implicitRowIDAndEnumType() {
    var t = TableDescriptor(id: 71, name: "logs")
    t.columns = [ColumnDescriptor(id: 1, name: "msg", type: SQLType(.string, oid: 25), nullable: true)]
    var rowid = ColumnDescriptor(id: 2, name: "rowid", type: SQLType(.int, width: 64, oid: 20))
    rowid.hidden = true
    rowid.defaultExpr = "unique_rowid()"
    t.columns.append(rowid)
    t.primaryIndex = IndexDescriptor(id: 1, name: "logs_pkey")
    t.primaryIndex.keyColumnIDs = [2]
    t.families = [FamilyDescriptor(id: 0, name: "primary", columnIDs: [1, 2])]
    var p: [String] = []
    #expect(DDL.createTable(t, problems: &p) == "CREATE TABLE logs (\n\tmsg STRING NULL,\n\tFAMILY \"primary\" (msg)\n);")
    #expect(t.dataColumns.map(\.name) == ["msg"])
    let ty = TypeDescriptor(id: 80, name: "mood", members: [EnumMember(physical: [0x40], label: "sad"), EnumMember(physical: [0x80], label: "it's ok")])
    #expect(DDL.createType(ty) == "CREATE TYPE mood AS ENUM ('sad', 'it''s ok');")
  }
}

@Suite struct SchemaParserTests {
  @Test func parsesShowCreateOutputBackToTheSameModel() throws {
    let parsed = try SchemaParser.parse(DDLTests.accountsDDL)
    #expect(parsed.count == 1)
    let p = parsed[0].table
    guard case .table(let d) = Descriptor.decode(Desc.accounts(.typesT)).descriptor else { Issue.record("no table"); return }
    #expect(p.columns.map(\.id) == d.columns.map(\.id))
    #expect(p.columns.map(\.name) == d.columns.map(\.name))
    #expect(p.columns.map(\.nullable) == d.columns.map(\.nullable))
    #expect(p.columns.map { $0.type.sqlName() } == d.columns.map { $0.type.sqlName() })
    #expect(p.families.map(\.id) == [0, 1] && p.families.map(\.columnIDs) == [[1, 3], [2]])
    #expect(p.families[1].defaultColumnID == 2)
    #expect(p.primaryIndex.keyColumnIDs == [1] && p.primaryIndex.directions == [.asc])
    #expect(p.indexes.map(\.id) == [2, 3] && p.indexes.map(\.unique) == [true, false])
    #expect(p.indexes[0].storeColumnIDs == [3] && p.indexes[1].keySuffixColumnIDs == [1])
    // And the DDL of the parsed model is the text it came from.
    var probs: [String] = []
    #expect(DDL.createTable(p, problems: &probs) == DDLTests.accountsDDL)
  }

  @Test func pragmaticSubset() throws {
    let sql = """
      -- a dump
      SET database = bank;
      CREATE TABLE IF NOT EXISTS bank.public.t (
        a INT NOT NULL,
        "B c" VARCHAR(10) DEFAULT 'x, y' NOT NULL,
        d DECIMAL(10, 2),
        ts TIMESTAMP WITH TIME ZONE,
        tags STRING[],
        bits BIT VARYING(8) FAMILY extra,
        k DOUBLE PRECISION,
        m mood,
        s STRING AS (lower("B c")) STORED,
        PRIMARY KEY (a DESC, "B c" ASC),
        CONSTRAINT chk CHECK (a > 0),
        INDEX (d) STORING (k),
        FAMILY f1 (d, k)
      );
      CREATE TABLE nopk (x INT8, y STRING COLLATE en);
      INSERT INTO t VALUES (1);
      """
    let tables = try SchemaParser.parse(sql)
    #expect(tables.map(\.qualifiedName) == [["bank", "public", "t"], ["nopk"]])
    let t = tables[0].table
    #expect(t.columns.map(\.name) == ["a", "B c", "d", "ts", "tags", "bits", "k", "m", "s"])
    #expect(t.columns.map { $0.type.sqlName(enumName: { _ in "mood" }) } ==
            ["INT8", "VARCHAR(10)", "DECIMAL(10,2)", "TIMESTAMPTZ", "STRING[]", "VARBIT(8)", "FLOAT8", nil, "STRING"])
    #expect(t.columns[1].defaultExpr == "'x, y'" && !t.columns[1].nullable)
    #expect(t.columns[8].computeExpr == "lower(\"B c\")")
    #expect(t.primaryIndex.keyColumnIDs == [1, 2] && t.primaryIndex.directions == [.desc, .asc])
    #expect(t.families.map(\.name) == ["f1", "extra"])
    #expect(t.families.map(\.columnIDs) == [[1, 2, 3, 4, 5, 7, 8, 9], [6]])
    #expect(t.indexes.count == 1 && t.indexes[0].name == "t_d_idx" && t.indexes[0].keySuffixColumnIDs == [1, 2])
    #expect(tables[0].notes.contains { $0.contains("mood") } && tables[0].notes.contains { $0.contains("chk") || $0.contains("constraint") || $0.contains("check") })
    let n = tables[1].table
    #expect(n.columns.map(\.name) == ["x", "y", "rowid"] && n.columns[2].hidden && n.hasImplicitRowID)
    #expect(n.columns[1].type.sqlName() == "STRING COLLATE en")
    #expect(n.families.count == 1 && n.families[0].columnIDs == [1, 2, 3])
  }

  @Test func syntaxErrorsNameTheOffset() {
    #expect(throws: SQLDecodeError.self) { try SchemaParser.parse("CREATE TABLE t (a INT NOT FOO)") }
    do { _ = try SchemaParser.parse("CREATE TABLE t (a INT, 'oops")  } catch {
      #expect(error.kind == .syntax && error.offset == 23)
    }
  }
}
