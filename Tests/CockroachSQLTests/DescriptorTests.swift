import Testing
import CockroachKV
@testable import CockroachSQL

@Suite struct DescriptorTests {
  func table(_ bytes: [UInt8]) throws -> TableDescriptor {
    let d = Descriptor.decode(bytes)
    #expect(d.problems.isEmpty, "\(d.problems)")
    guard case .table(let t) = d.descriptor else { throw SQLDecodeError(.missing, "test", "not a table") }
    return t
  }

  @Test(arguments: [Desc.Layout.v19_1, .typesT])
  func accountsBothLayouts(_ layout: Desc.Layout) throws {
    let t = try table(Desc.accounts(layout))
    #expect(t.id == 51 && t.name == "accounts" && t.parentID == 50 && t.parentSchemaID == 29)
    #expect(t.state == .public && t.formatVersion == 3 && t.version == 3)
    #expect(t.columns.map(\.name) == ["id", "owner", "balance"])
    #expect(t.columns.map(\.id) == [1, 2, 3])
    #expect(t.columns.map(\.nullable) == [false, true, true])
    #expect(t.columns.map { $0.type.sqlName() } == ["INT8", "STRING", "DECIMAL"])
    #expect(t.columns[0].type.layout == (layout == .v19_1 ? .columnType19_1 : .internalType))
    #expect(t.families == [FamilyDescriptor(id: 0, name: "f0", columnNames: ["id", "balance"], columnIDs: [1, 3]),
                           FamilyDescriptor(id: 1, name: "f1", columnNames: ["owner"], columnIDs: [2], defaultColumnID: 2)])
    #expect(t.primaryIndex.keyColumnIDs == [1] && t.primaryIndex.directions == [.asc] && t.primaryIndex.keyColumnNames == ["id"])
    #expect(t.indexes.count == 2)
    #expect(t.indexes[0].unique && t.indexes[0].storeColumnIDs == [3] && t.indexes[0].storeColumnNames == ["balance"])
    #expect(!t.indexes[1].unique && t.indexes[1].keyColumnIDs == [2] && t.indexes[1].keySuffixColumnIDs == [1])
  }

  @Test func typeLayoutsAgree() throws {
    // (19.1 visible_type, 19.2+ oid) pairs naming the same SQL type.
    let cases: [(Int32, Int32, Int32, Int32, UInt32, String)] = [
      // family, width, precision, visible, oid, expected
      (1, 16, 0, 2, 21, "INT2"), (1, 32, 0, 1, 23, "INT4"), (1, 0, 0, 0, 20, "INT8"),
      (2, 0, 0, 5, 700, "FLOAT4"), (2, 0, 0, 6, 701, "FLOAT8"),
      (3, 2, 10, 0, 1700, "DECIMAL(10,2)"), (7, 20, 0, 7, 1043, "VARCHAR(20)"), (7, 3, 0, 8, 1042, "CHAR(3)"),
      (7, 0, 0, 9, 18, "\"char\""), (21, 8, 0, 0, 1560, "BIT(8)"), (21, 0, 0, 10, 1562, "VARBIT"),
      (8, 0, 0, 0, 17, "BYTES"), (4, 0, 0, 0, 1082, "DATE"), (5, 0, 0, 0, 1114, "TIMESTAMP"),
      (9, 0, 0, 0, 1184, "TIMESTAMPTZ"), (6, 0, 0, 0, 1186, "INTERVAL"), (14, 0, 0, 0, 2950, "UUID"),
      (16, 0, 0, 0, 869, "INET"), (18, 0, 0, 0, 3802, "JSONB"), (17, 0, 0, 0, 1083, "TIME"),
      (12, 0, 0, 0, 26, "OID"), (0, 0, 0, 0, 16, "BOOL"),
    ]
    for c in cases {
      let old = try SQLType.decode(Desc.type(.v19_1, family: c.0, width: c.1, precision: c.2, visible: c.3).bytes[...])
      let new = try SQLType.decode(Desc.type(.typesT, family: c.0, width: c.1, precision: c.2, oid: c.4).bytes[...])
      #expect(old.sqlName() == c.5, "19.1 \(c)")
      #expect(new.sqlName() == c.5, "types.T \(c)")
    }
    // Arrays: 19.1 names the element family in field 7; types.T nests the element in field 11.
    let oldArr = try SQLType.decode(Desc.type(.v19_1, family: 15, width: 10, visible: 7, elementFamily: 7).bytes[...])
    #expect(oldArr.sqlName() == "VARCHAR(10)[]")
    let newArr = try SQLType.decode(Desc.type(.typesT, family: 15, oid: 1015,
                                              element: Desc.type(.typesT, family: 7, width: 10, oid: 1043)).bytes[...])
    #expect(newArr.sqlName() == "VARCHAR(10)[]")
    // 19.1 INT2VECTOR (family 200, element INT): decoded as an array of INT2.
    let vec = try SQLType.decode(Desc.type(.v19_1, family: 200, elementFamily: 1).bytes[...])
    #expect(vec.sqlName() == "INT2VECTOR" && vec.isDecoded && vec.element?.intWidth == 16)
    #expect(try DatumDecoding.bare(vec, tag: 3, hex("010303020406")[...]) == .array([.int(1), .int(2), .int(3)]))
    // Pre-2.1 FLOAT(p) kept p in precision; an explicit oid wins over it.
    #expect(try SQLType.decode(Desc.type(.v19_1, family: 2, precision: 10).bytes[...]).sqlName() == "FLOAT4")
    #expect(try SQLType.decode(Desc.type(.typesT, family: 2, precision: 10, oid: 701).bytes[...]).sqlName() == "FLOAT8")
    let coll = try SQLType.decode(Desc.type(.typesT, family: 10, oid: 25, locale: "de").bytes[...])
    #expect(coll.sqlName() == "STRING COLLATE de")
  }

  @Test func otherDescriptorKinds() throws {
    var db = PBWriter(); db.string(1, "bank"); db.varint(2, 50)
    var entry = PBWriter(); entry.string(1, "public"); var sid = PBWriter(); sid.varint(1, 51); entry.message(2, sid)
    db.message(7, entry)
    var u = PBWriter(); u.message(2, db)
    #expect(Descriptor.decode(u.bytes).descriptor == .database(DatabaseDescriptor(id: 50, name: "bank", state: .public, schemas: ["public": 51])))

    var s = PBWriter(); s.varint(1, 50); s.string(2, "audit"); s.varint(3, 60); s.varint(8, 2)
    u = PBWriter(); u.message(4, s)
    #expect(Descriptor.decode(u.bytes).descriptor == .schema(SchemaDescriptor(id: 60, parentID: 50, name: "audit", state: .drop)))

    var ty = PBWriter(); ty.varint(1, 50); ty.varint(2, 29); ty.string(3, "mood"); ty.varint(4, 70); ty.varint(5, 0)
    for (p, l) in [([UInt8]([0x40]), "sad"), ([0x80], "ok"), ([0xc0], "happy")] {
      var m = PBWriter(); m.bytes(1, p); m.string(2, l); ty.message(6, m)
    }
    ty.varint(8, 71)
    u = PBWriter(); u.message(3, ty)
    guard case .type(let td) = Descriptor.decode(u.bytes).descriptor else { Issue.record("not a type"); return }
    #expect(td.name == "mood" && td.id == 70 && td.kind == .enumType && td.arrayTypeID == 71)
    #expect(td.members.map(\.label) == ["sad", "ok", "happy"] && td.label(physical: [0x80]) == "ok")
  }

  @Test func mutationsAndStates() throws {
    var t = PBWriter()
    t.string(1, "t"); t.varint(3, 52); t.varint(4, 50)
    t.message(8, Desc.column("a", 1, Desc.type(.typesT, family: 1, width: 64, oid: 20), nullable: false))
    var m = PBWriter()
    m.message(1, Desc.column("b", 2, Desc.type(.typesT, family: 7, oid: 25), nullable: true, defaultExpr: "'x':::STRING"))
    m.varint(3, 2); m.varint(4, 1); m.varint(5, 1)
    t.message(14, m)
    t.varint(19, 3)
    t.string(38, "importing")
    var d = PBWriter(); d.message(1, t)
    let td = try table(d.bytes)
    #expect(td.state == .offline && td.offlineReason == "importing")
    #expect(td.mutations.count == 1 && td.mutations[0].direction == .add && td.mutations[0].state == 2)
    #expect(td.column(id: 2)?.defaultExpr == "'x':::STRING")
  }

  @Test func problemsAreReportedNotGuessed() {
    // A column whose type names an unknown family, and a truncated trailing field.
    var t = PBWriter()
    t.string(1, "odd"); t.varint(3, 53)
    t.message(8, Desc.column("x", 1, Desc.type(.typesT, family: 77, oid: 9999), nullable: true))
    var d = PBWriter(); d.message(1, t)
    var bytes = d.bytes
    let r = Descriptor.decode(bytes)
    #expect(r.problems.count == 1 && r.problems[0].kind == .unsupported && r.problems[0].column == "x")
    #expect(r.problems[0].table == "odd")
    bytes[1] &+= 5          // outer length now runs past the end
    let r2 = Descriptor.decode(bytes)
    #expect(!r2.problems.isEmpty)
    // Every prefix of a real descriptor decodes or reports; none traps.
    let full = Desc.accounts(.typesT)
    for n in 0..<full.count { _ = Descriptor.decode(full[..<n]) }
  }

  @Test func namespaceBothLayouts() throws {
    // Old table 2: /Table/2/1/<parent 50>/"accounts"/3/1 → 51.
    var k: [UInt8] = [0x8A, 0x89, 0xBA]
    OrderedEncoding.encodeBytesAscending(Array("accounts".utf8), into: &k)
    k += [0x8B, 0x89]
    let old = try NamespaceEntry.decode(key: k, value: SQLValue(tag: 1, data: [0x66][...]))
    #expect(old == NamespaceEntry(layout: .deprecated2, parentID: 50, parentSchemaID: nil, name: "accounts", id: 51))
    // New table 30: /Table/30/1/50/29/"accounts"/4/1 → 51.
    k = [0xA6, 0x89, 0xBA, 0xA5]
    OrderedEncoding.encodeBytesAscending(Array("accounts".utf8), into: &k)
    k += [0x8C, 0x89]
    let new = try NamespaceEntry.decode(key: k, value: SQLValue(tag: 1, data: [0x66][...]))
    #expect(new == NamespaceEntry(layout: .namespace30, parentID: 50, parentSchemaID: 29, name: "accounts", id: 51))
    // Family-0 sentinel: no entry.
    k.removeLast(2); k.append(0x88)
    #expect(try NamespaceEntry.decode(key: k, value: SQLValue(tag: 10, data: []))  == nil)
  }
}
