import Testing
@testable import CockroachSQL

@Suite struct SchemaCatalogTests {
  @Test func descriptorKeys() throws {
    #expect(try SchemaCatalog.descriptorID(key: hex("8b89bb8a89")) == 51)
    #expect(try SchemaCatalog.descriptorID(key: hex("8b89bb88")) == nil)
    #expect(try SchemaCatalog.descriptorID(key: hex("fe8d8b89f6c88a89")) == 200)   // tenant 5
    #expect(throws: SQLDecodeError.self) { try SchemaCatalog.descriptorID(key: hex("bb89bb88")) }
  }

  /// system.descriptor row → catalog → DDL, then the encoding.md rows → CSV.
  @Test func descriptorsToDDLAndCSV() throws {
    var catalog = SchemaCatalog()
    // The stored roachpb.Value: checksum (0 = unset) ‖ BYTES tag ‖ Descriptor protobuf.
    let stored = [0, 0, 0, 0, 3] + Desc.accounts(.v19_1)
    let v = try #require(try SQLValue(roachValue: stored))
    #expect(v.tag == 3)
    catalog.add(Descriptor.decode(v.data), id: try SchemaCatalog.descriptorID(key: hex("8b89bb8a89")))
    var db = PBWriter(); db.string(1, "bank"); db.varint(2, 50)
    var u = PBWriter(); u.message(2, db)
    catalog.add(Descriptor.decode(u.bytes))
    #expect(catalog.problems.isEmpty)
    let t = try #require(catalog.tables[51])
    #expect(catalog.dataTables.map(\.id) == [51])
    var problems: [String] = []
    let ddl = catalog.ddl(for: t, problems: &problems)
    #expect(ddl.hasPrefix("CREATE TABLE bank.public.accounts (\n\tid INT8 NOT NULL,"))

    let dec = TableRowDecoder(table: t, catalog: catalog.types)
    let w = CSVWriter()
    var csv = ""
    for kvs in [[(hex("bb898988"), "0a3505348d0f4272"), (hex("bb89898989"), "03416c696365")],
                [(hex("bb898c88"), "0a3505348c0e57ea")]] {
      let row = try dec.assemble(kvs.map { ($0.0, SQLValue(tag: hex($0.1)[0], data: hex($0.1)[1...])) })
      csv += w.line(row, columns: t.dataColumns, problems: &problems)
    }
    #expect(csv == "1,Alice,10000.50\n4,\\N,9400.10\n")
    #expect(w.importStatement(table: catalog.quotedName(of: t), columns: t.dataColumns.map(\.name), url: "nodelocal://1/a.csv")
            == "IMPORT INTO bank.public.accounts (id, owner, balance) CSV DATA ('nodelocal://1/a.csv') WITH nullif = '\\N';")
    #expect(problems.isEmpty)
  }

  @Test func enumColumnsBringTheirType() throws {
    var catalog = SchemaCatalog()
    catalog.add(DecodedDescriptor(descriptor: .type(TypeDescriptor(id: 80, parentID: 50, parentSchemaID: 29, name: "mood",
      members: [EnumMember(physical: [0x40], label: "sad"), EnumMember(physical: [0x80], label: "ok")])), problems: []))
    var t = TableDescriptor(id: 81, name: "feelings")
    t.parentID = 50
    t.columns = [ColumnDescriptor(id: 1, name: "m", type: SQLType(.enumType, oid: 100_080))]
    t.primaryIndex = IndexDescriptor(id: 1, name: "feelings_pkey")
    t.primaryIndex.keyColumnIDs = [1]
    t.primaryIndex.directions = [.desc]
    t.families = [FamilyDescriptor(id: 0, name: "primary", columnNames: ["m"], columnIDs: [1])]
    catalog.add(DecodedDescriptor(descriptor: .table(t), problems: []))
    var problems: [String] = []
    #expect(catalog.ddl(for: t, problems: &problems) == """
      CREATE TYPE mood AS ENUM ('sad', 'ok');
      CREATE TABLE db_50.public.feelings (
      \tm mood NOT NULL,
      \tCONSTRAINT feelings_pkey PRIMARY KEY (m DESC),
      \tFAMILY "primary" (m)
      );
      """)
    // Key: /Table/81/1/<'ok' physical 0x80, descending bytes>/0.
    let row = try TableRowDecoder(table: t, catalog: catalog.types).assemble([(hex("f651 89 137f fffe 88".replacingOccurrences(of: " ", with: "")), SQLValue(tag: 10, data: []))])
    #expect(row.datum(1) == .enumValue(physical: [0x80], label: "ok"))
    #expect(SQLText.render(row.datum(1)) == "ok")
  }
}
