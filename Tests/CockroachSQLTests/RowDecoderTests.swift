import Testing
import CockroachKV
@testable import CockroachSQL

/// Full-row vectors of docs/tech-notes/encoding.md (spec §5.6, §6.8, §8), checksums included.
@Suite struct RowDecoderTests {
  func accounts() throws -> TableDescriptor {
    guard case .table(let t) = Descriptor.decode(Desc.accounts(.typesT)).descriptor else {
      throw SQLDecodeError(.missing, "test", "no table")
    }
    return t
  }

  func kv(_ k: String, _ v: String) throws -> (key: [UInt8], value: SQLValue) {
    let key = hex(k), val = hex(v)
    // The roachpb.Value checksum is CRC-32 IEEE over key ‖ tag ‖ data (§3.1): confirms the vector.
    let stored = val.prefix(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
    var crc = CRC32.ieee(key + val.dropFirst(4))
    if crc == 0 { crc = 1 }
    #expect(stored == crc, "checksum of \(k)")
    return (key, try #require(try SQLValue(roachValue: val)))
  }

  @Test func multiFamilyRow() throws {
    let d = TableRowDecoder(table: try accounts())
    let row = try d.assemble([
      try kv("bb89898989", "30c8fbd403416c696365"),          // family 1: bare BYTES 'Alice'
      try kv("bb898988", "b244bd870a3505348d0f4272"),        // family 0: TUPLE col 3 = 10000.50
    ])
    #expect(row.problems.isEmpty, "\(row.problems)")
    #expect(row.datums(d.table.columns) == [.int(1), .string("Alice"), .decimal(SQLDecimal("10000.50")!)])
    #expect(row.key.map { Array($0.rowPrefix) } == [0x89])
  }

  @Test func missingFamilyMeansNull() throws {
    let d = TableRowDecoder(table: try accounts())
    // /Table/51/1/4/0 → balance 9400.10; no family-1 KV ⇒ owner NULL.
    let row = try d.assemble([try kv("bb898c88", "247286f30a3505348c0e57ea")])
    #expect(row.problems.isEmpty)
    #expect(row.datums(d.table.columns) == [.int(4), .null, .decimal(SQLDecimal("9400.10")!)])
  }

  @Test func secondaryIndexKeys() throws {
    let d = TableRowDecoder(table: try accounts())
    // Unique index with a NULL key column: the PK suffix is appended (§5.6).
    let u = try d.decodeKey(hex("bb8a008c88"))
    #expect(u.indexID == 2 && u.columns.map(\.0) == [2, 1] && u.columns.map(\.1) == [.null, .int(4)])
    let n = try d.decodeKey(hex("bb8b12416c696365000189 88".replacingOccurrences(of: " ", with: "")))
    #expect(n.indexID == 3 && n.columns.map(\.1) == [.string("Alice"), .int(1)] && n.familyID == 0)
  }

  @Test func familySuffixes() throws {
    #expect(try SQLKeyPrefix.splitFamily(hex("898988")[...]).family == 0)
    #expect(try SQLKeyPrefix.splitFamily(hex("89898a89")[...]).family == 2)
    let (row, f) = try SQLKeyPrefix.splitFamily(hex("89f6c88a")[...])
    #expect(f == 200 && Array(row) == [0x89])
  }

  @Test func interleavedChildIsReported() throws {
    var t = try accounts()
    t.id = 51
    let d = TableRowDecoder(table: t)
    #expect(throws: SQLDecodeError.self) { try d.decodeKey(hex("bb899bfebc89db88")) }
    do { _ = try d.decodeKey(hex("bb899bfebc89db88")) } catch {
      #expect(error.kind == .unsupported && error.table == "accounts")
    }
  }

  @Test func descendingKeyAndCompositeOverride() throws {
    // t (k DECIMAL PRIMARY KEY DESC, v STRING): key holds 1 (desc), value repeats the exact 1.00.
    var t = TableDescriptor(id: 60, name: "t")
    t.columns = [ColumnDescriptor(id: 1, name: "k", type: SQLType(.decimal)),
                 ColumnDescriptor(id: 2, name: "v", type: SQLType(.string), nullable: true)]
    t.primaryIndex = IndexDescriptor(id: 1, name: "t_pkey")
    t.primaryIndex.keyColumnIDs = [1]
    t.primaryIndex.directions = [.desc]
    t.families = [FamilyDescriptor(id: 0, name: "primary", columnNames: ["k", "v"], columnIDs: [1, 2])]
    let d = TableRowDecoder(table: t)
    // value TUPLE: col 1 Decimal (delta 1, type 5 → 0x15) len 3: 29 64 (e=0 → exponent −3, 100)… use 1.00: C=100 → 0x64, e=1 → 34 89 64.
    let row = try d.assemble([(hex("c4892488" .replacingOccurrences(of: "2488", with: "24fd0088")),
                               SQLValue(tag: 10, data: hex("1503348964160378797a")[...]))])
    #expect(row.problems.isEmpty, "\(row.problems)")
    #expect(row.datum(1) == .decimal(SQLDecimal("1.00")!))
    #expect(row.datum(2) == .string("xyz"))
  }

  @Test func droppedColumnIsSkipped() throws {
    let d = TableRowDecoder(table: try accounts())
    // Column 9 (not in the descriptor, Bytes "zz") before column 3: delta 9 type 6 → 0x96 0x01? (9<<4|6 = 150 → 81 16).
    let row = try d.assemble([(hex("bb898c88"), SQLValue(tag: 10, data: hex("8116027a7a")[...]))])
    #expect(row.problems.count == 1 && row.problems[0].kind == .missing)
    #expect(row.datum(3) == .null)
  }
}

@Suite struct CompositeAndSequenceTests {
  func collatedTable() -> TableDescriptor {
    var t = TableDescriptor(id: 62, name: "people")
    t.columns = [ColumnDescriptor(id: 1, name: "name", type: SQLType(.collatedString, oid: 25, locale: "en")),
                 ColumnDescriptor(id: 2, name: "age", type: SQLType(.int), nullable: true)]
    t.primaryIndex = IndexDescriptor(id: 1, name: "people_pkey")
    t.primaryIndex.keyColumnIDs = [1]
    t.families = [FamilyDescriptor(id: 0, name: "primary", columnNames: ["name", "age"], columnIDs: [1, 2])]
    return t
  }

  @Test func collatedKeyTakesTheValueSideText() throws {
    // Spec §6.5: the key holds a collation key; family 0 value `0a 16 03 426f62` holds 'Bob'.
    let d = TableRowDecoder(table: collatedTable())
    let key = hex("c6 89 12 2a3f01 0001 88".replacingOccurrences(of: " ", with: ""))
    let row = try d.assemble([(key, SQLValue(tag: 10, data: hex("1603426f62")[...]))])
    #expect(row.problems.isEmpty)
    #expect(row.datum(1) == .string("Bob") && row.datum(2) == .null)
    var p: [String] = []
    #expect(CSVWriter().line(row, columns: d.table.dataColumns, problems: &p) == "'Bob' COLLATE en,\\N\n")
    // Without the value-side copy the text is lost, and the row says so.
    let lost = try d.assemble([(key, SQLValue(tag: 10, data: hex("2354")[...]))])
    #expect(lost.datum(2) == .int(42))
    #expect(lost.problems.count == 1 && lost.problems[0].column == "name")
  }

  @Test func sequenceValue() throws {
    let (id, v) = try SequenceValue.decode(key: hex("f6648988 88".replacingOccurrences(of: " ", with: "")),
                                           value: SQLValue(tag: 1, data: hex("f403")[...]))
    #expect(id == 100 && v == 250)
    #expect(throws: SQLDecodeError.self) { try SequenceValue.decode(key: hex("f664898988"), value: SQLValue(tag: 1, data: hex("02")[...])) }
    // The descriptor's sequence_opts (field 28) give the DDL; the KV value gives setval.
    var opts = PBWriter()
    opts.varint(1, 5); opts.varint(2, 1); opts.varint(3, UInt64(Int64.max)); opts.varint(4, 10); opts.varint(7, 1)
    var t = PBWriter()
    t.string(1, "order_ids"); t.varint(3, 100); t.varint(4, 50)
    t.message(28, opts)
    var d = PBWriter(); d.message(1, t)
    guard case .table(let seq) = Descriptor.decode(d.bytes).descriptor else { Issue.record("no table"); return }
    #expect(seq.isSequence && seq.sequence?.increment == 5)
    #expect(DDL.createSequence(seq, name: "bank.public.order_ids", lastValue: v) == """
      CREATE SEQUENCE bank.public.order_ids MINVALUE 1 MAXVALUE 9223372036854775807 INCREMENT 5 START 10;
      SELECT setval('bank.public.order_ids', 250, true);
      """)
  }

  @Test func remainingIntegerAndBytesVectors() throws {
    for (h, v) in [("88", Int64(0)), ("89", 1), ("f5", 109), ("f66e", 110), ("f70100", 256), ("87ff", -1), ("86ff00", -256)] {
      var b = hex(h)[...]
      #expect(try SQLOrderedDecoding.varintAscending(&b) == v && b.isEmpty, "\(h)")
    }
    for (h, v) in [("87ff", Int64(0)), ("87fe", 1), ("88", -1)] {
      var b = hex(h)[...]
      #expect(try SQLOrderedDecoding.varintDescending(&b) == v && b.isEmpty, "\(h)")
    }
    var b = hex("1268656c6c6f0001")[...]
    #expect(try DatumDecoding.key(SQLType(.string), .asc, &b) == .string("hello") && b.isEmpty)
    // BOOL keys: 88/89 ascending, 87ff/87fe descending (§5.2.4).
    b = hex("8987fe")[...]
    #expect(try DatumDecoding.key(SQLType(.bool), .asc, &b) == .bool(true))
    #expect(try DatumDecoding.key(SQLType(.bool), .desc, &b) == .bool(true) && b.isEmpty)
  }
}

@Suite struct SecondaryIndexTests {
  @Test func encodingMdIndexEntries() throws {
    guard case .table(let t) = Descriptor.decode(Desc.accounts(.typesT)).descriptor else { Issue.record("no table"); return }
    let d = TableRowDecoder(table: t)
    // Unique index, NULL owner: key /Table/51/2/NULL/4/0; value BYTES ‖ 8c (PK suffix 4) ‖ balance 9400.10.
    let u = try d.assembleSecondary([(hex("bb8a008c88"), try #require(try SQLValue(roachValue: hex("7f2009cc038c3505348c0e57ea"))))])
    #expect(u.problems.isEmpty, "\(u.problems)")
    #expect(u.values == [1: .int(4), 2: .null, 3: .decimal(SQLDecimal("9400.10")!)])
    // Non-unique index on owner 'Alice', PK suffix 1; value BYTES ‖ balance 10000.50.
    let n = try d.assembleSecondary([(hex("bb8b12416c6963650001898 8".replacingOccurrences(of: " ", with: "")),
                                      try #require(try SQLValue(roachValue: hex("3ad2e728033505348d0f4272"))))])
    #expect(n.problems.isEmpty, "\(n.problems)")
    #expect(n.values == [1: .int(1), 2: .string("Alice"), 3: .decimal(SQLDecimal("10000.50")!)])
    #expect(throws: SQLDecodeError.self) { try d.assembleSecondary([(hex("bb898988"), SQLValue(tag: 10, data: []))]) }
  }
}

@Suite struct RowGrouperTests {
  @Test func groupsFamiliesIntoRows() throws {
    guard case .table(let t) = Descriptor.decode(Desc.accounts(.typesT)).descriptor else { Issue.record("no table"); return }
    var g = RowGrouper(decoder: TableRowDecoder(table: t))
    var rows: [[Datum]] = []
    func take(_ r: Result<TableRowDecoder.Row, SQLDecodeError>?) throws {
      if let r { rows.append(try r.get().datums(t.columns)) }
    }
    try take(g.add(key: hex("bb898988"), value: SQLValue(tag: 10, data: hex("3505348d0f4272")[...])))
    try take(g.add(key: hex("bb89898989"), value: SQLValue(tag: 3, data: hex("416c696365")[...])))
    try take(g.add(key: hex("bb898c88"), value: SQLValue(tag: 10, data: hex("3505348c0e57ea")[...])))
    #expect(rows.count == 1)
    try take(g.finish())
    #expect(rows == [[.int(1), .string("Alice"), .decimal(SQLDecimal("10000.50")!)],
                     [.int(4), .null, .decimal(SQLDecimal("9400.10")!)]])
    #expect(g.finish() == nil)
    if case .failure(let e)? = g.add(key: hex("bb8912"), value: SQLValue(tag: 10, data: [])) {
      #expect(e.kind == .corrupt && e.table == "accounts")
    } else { Issue.record("bad suffix accepted") }
  }
}
