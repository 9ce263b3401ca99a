import Testing
import CockroachKV
import SalvageTestSupport
@testable import CockroachSQL

/// The typed fast paths of `RowAssembler` against its general path (every column through
/// `DatumDecoding`) on the same bytes: same datums, same problems, same CSV — for well-formed
/// rows and for rows with damaged or odd fields.
@Suite struct RowAssemblerTests {
  /// t (k1 INT, k2 STRING DESC, k3 BYTES, k4 TIMESTAMPTZ, PRIMARY KEY (k1, k2 DESC, k3, k4))
  /// with value columns of every fast type (DECIMAL, JSONB, TIME, OID, INTERVAL, INET, VARBIT,
  /// INT[] and STRING[] too) in family 0 and a bare STRING family 1.
  static func table() -> TableDescriptor {
    var t = TableDescriptor(id: 70, name: "t")
    let types: [(String, SQLType)] = [
      ("k1", SQLType(.int)), ("k2", SQLType(.string)), ("k3", SQLType(.bytes)), ("k4", SQLType(.timestampTZ)),
      ("i", SQLType(.int)), ("s", SQLType(.string)), ("b", SQLType(.bytes)), ("f", SQLType(.float)),
      ("ok", SQLType(.bool)), ("d", SQLType(.date)), ("ts", SQLType(.timestamp)), ("tz", SQLType(.timestampTZ)),
      ("note", SQLType(.string)), ("dec", SQLType(.decimal)), ("doc", SQLType(.json)),
      ("id", SQLType(.uuid)), ("tm", SQLType(.time)), ("o", SQLType(.oid)), ("dur", SQLType(.interval)),
      ("ip", SQLType(.inet)), ("bits", SQLType(.bit)), ("ints", SQLType(.array, element: SQLType(.int))),
      ("strs", SQLType(.array, element: SQLType(.string))),
    ]
    t.columns = types.enumerated().map { ColumnDescriptor(id: UInt32($0.offset + 1), name: $0.element.0, type: $0.element.1, nullable: true) }
    t.primaryIndex = IndexDescriptor(id: 1, name: "t_pkey")
    t.primaryIndex.keyColumnIDs = [1, 2, 3, 4]
    t.primaryIndex.directions = [.asc, .desc, .asc, .asc]
    t.families = [FamilyDescriptor(id: 0, name: "primary", columnNames: Array(types.prefix(12).map(\.0)) + types[13...].map(\.0),
                                   columnIDs: Array(1...12) + Array(14...23)),
                  FamilyDescriptor(id: 1, name: "extra", columnNames: ["note"], columnIDs: [13], defaultColumnID: 13)]
    return t
  }

  struct Gen {
    var rng: SplitMix64
    mutating func int() -> Int64 {
      switch rng.next() % 4 {
      case 0: return Int64(bitPattern: rng.next())
      case 1: return Int64(rng.next() % 200) - 100
      default: return Int64(rng.next() % 1_000_000)
      }
    }
    mutating func bytes(_ max: Int) -> [UInt8] {
      let n = Int(rng.next() % UInt64(max + 1))
      // Zeros and 0xff bytes exercise the key escapes in both directions.
      return (0..<n).map { _ in [0x00, 0xFF, 0x41, UInt8(truncatingIfNeeded: rng.next())][Int(rng.next() % 4)] }
    }
    mutating func text(_ max: Int) -> [UInt8] {
      let words = ["a", "b,c", "q\"uote", "line\nbreak", "é", "日本", "\\N", ""]
      return Array((0..<Int(rng.next() % UInt64(max + 1))).map { _ in words[Int(rng.next() % UInt64(words.count))] }.joined().utf8)
    }
  }

  /// Non-sorting uvarint: 7-bit groups, most significant first.
  static func nsUvarint(_ v: UInt64, _ out: inout [UInt8]) {
    var groups = [UInt8(v & 0x7F)]
    var x = v >> 7
    while x > 0 { groups.append(UInt8(x & 0x7F) | 0x80); x >>= 7 }
    out += groups.reversed()
  }
  /// Go `binary.PutVarint`: zigzag, then LEB128 (low group first).
  static func zigzag(_ v: Int64, _ out: inout [UInt8]) {
    var x = UInt64(bitPattern: (v << 1) ^ (v >> 63))
    while x >= 0x80 { out.append(UInt8(x & 0x7F) | 0x80); x >>= 7 }
    out.append(UInt8(x))
  }
  static func tag(_ delta: UInt64, _ type: UInt64, _ out: inout [UInt8]) { nsUvarint(delta << 4 | type, &out) }

  /// One row's KVs; `odd` plants a malformed or unusual field now and then.
  static func row(_ g: inout Gen, odd: Bool) -> [(key: [UInt8], value: SQLValue)] {
    var key: [UInt8] = []
    OrderedEncoding.encodeUvarintAscending(70, into: &key)
    OrderedEncoding.encodeUvarintAscending(1, into: &key)
    OrderedEncoding.encodeVarintAscending(g.int(), into: &key)
    var k2: [UInt8] = []
    OrderedEncoding.encodeBytesAscending(odd && g.rng.next() % 3 == 0 ? [0xC3, 0x28] : g.text(6), into: &k2)  // invalid UTF-8 sometimes
    key.append(0x13)
    key += k2.dropFirst().map { ~$0 }
    OrderedEncoding.encodeBytesAscending(g.bytes(8), into: &key)
    OrderedEncoding.encodeTimeAscending(seconds: Int64(g.rng.next() % 4_000_000_000), nanos: Int64(g.rng.next() % 1_000_000_000), into: &key)
    var tuple: [UInt8] = []
    var last: UInt64 = 0
    func col(_ id: UInt64, _ type: UInt64, _ body: [UInt8]) { tag(id - last, type, &tuple); tuple += body; last = id }
    func maybeNull(_ id: UInt64) -> Bool {
      guard g.rng.next() % 5 == 0 else { return false }
      col(id, 1, [])
      return true
    }
    if !maybeNull(5) { var b: [UInt8] = []; zigzag(g.int(), &b); col(5, 3, b) }
    if !maybeNull(6) {
      let s = odd && g.rng.next() % 3 == 0 ? [0xFF, 0xFE] : g.text(5)
      var b: [UInt8] = []; nsUvarint(UInt64(s.count), &b); col(6, 6, b + s)
    }
    if !maybeNull(7) { let s = g.bytes(40); var b: [UInt8] = []; nsUvarint(UInt64(s.count), &b); col(7, 6, b + s) }
    if !maybeNull(8) {
      let f = [0.1, -2.5e-7, 1e21, 3, .nan, -.infinity, Double(g.int())][Int(g.rng.next() % 7)]
      col(8, 4, (0..<8).map { UInt8(truncatingIfNeeded: f.bitPattern >> (56 - 8 * UInt64($0))) })
    }
    if !maybeNull(9) { col(9, g.rng.next() % 2 == 0 ? 10 : 11, []) }
    if !maybeNull(10) { var b: [UInt8] = []; zigzag(g.int() % 3_000_000, &b); col(10, odd && g.rng.next() % 2 == 0 ? 8 : 3, b) }
    if !maybeNull(11) { var b: [UInt8] = []; zigzag(Int64(g.rng.next() % 5_000_000_000), &b); zigzag(Int64(g.rng.next() % 1_000_000_000), &b); col(11, 8, b) }
    if !maybeNull(12) { var b: [UInt8] = []; zigzag(-Int64(g.rng.next() % 5_000_000_000), &b); zigzag(odd ? -7 : 5, &b); col(12, 8, b) }
    if !maybeNull(14) {
      var v = StoredValueGen(rng: g.rng)
      let d = odd ? v.damage(v.decimal(odd: true)) : v.decimal(odd: false)
      g.rng = v.rng
      var b: [UInt8] = []
      var n = UInt64(d.count)
      while n >= 0x80 { b.append(UInt8(n & 0x7F) | 0x80); n >>= 7 }   // LEB128 length
      col(14, 5, b + [UInt8(n)] + d)
    }
    if !maybeNull(15) {
      var v = StoredValueGen(rng: g.rng)
      let j = odd ? v.damage(v.json(depth: 3)) : v.json(depth: 3)
      g.rng = v.rng
      var b: [UInt8] = [15]   // encoding types from 15 on follow the tag's 15 escape
      nsUvarint(UInt64(j.count), &b)
      col(15, 15, b + j)
    }
    if !maybeNull(16) { col(16, 12, (0..<(odd && g.rng.next() % 3 == 0 ? 9 : 16)).map { _ in UInt8(truncatingIfNeeded: g.rng.next()) }) }
    if !maybeNull(17) { var b: [UInt8] = []; zigzag(Int64(g.rng.next() % 86_400_000_001), &b); col(17, 3, b) }
    if !maybeNull(18) {
      var b: [UInt8] = []
      let bad = odd && g.rng.next() % 3 == 0   // negative or past UInt32.max
      zigzag(bad ? (g.rng.next() % 2 == 0 ? -1 : 1 << 32) : Int64(g.rng.next() % (1 << 32)), &b)
      col(18, 3, b)
    }
    if !maybeNull(19) {
      var b: [UInt8] = []
      for _ in 0..<3 { zigzag(g.rng.next() % 4 == 0 ? g.int() : Int64(g.rng.next() % 400) - 200, &b) }
      col(19, 9, odd && g.rng.next() % 4 == 0 ? Array(b.dropLast()) : b)
    }
    if !maybeNull(20) {
      let v6 = g.rng.next() % 2 == 0
      let family: UInt8 = odd && g.rng.next() % 4 == 0 ? 2 : (v6 ? 1 : 0)
      let mask = UInt8(g.rng.next() % ((v6 ? 129 : 33) + (odd ? 2 : 0)))   // odd: one or two too long
      let addr = (0..<(v6 ? 16 : 4)).map { _ in g.rng.next() % 3 == 0 ? 0 : UInt8(truncatingIfNeeded: g.rng.next()) }
      col(20, 14, [family, mask] + addr)
    }
    if !maybeNull(21) {
      let bits = g.rng.next() % 3 == 0 ? UInt64(0) : g.rng.next() % 150
      var b: [UInt8] = []
      nsUvarint(bits, &b)
      for _ in 0..<((bits + 63) / 64) { b += (0..<8).map { _ in UInt8(truncatingIfNeeded: g.rng.next()) } }
      tag(21 - last, 15, &tuple); nsUvarint(17, &tuple); tuple += b; last = 21
    }
    for (id, ints) in [(UInt64(22), true), (23, false)] where !maybeNull(id) {
      let n = Int(g.rng.next() % 5)
      let nulls = (0..<n).map { _ in g.rng.next() % 4 == 0 }
      var body: [UInt8] = [nulls.contains(true) ? 0x11 : 0x01]
      if odd && g.rng.next() % 8 == 0 { body[0] = 0x02 }   // two dimensions: not written
      tag(0, ints ? 3 : 6, &body)
      nsUvarint(UInt64(n), &body)
      if nulls.contains(true) {
        var bitmap = [UInt8](repeating: 0, count: (n + 7) / 8)
        for (k, isNull) in nulls.enumerated() where isNull { bitmap[k / 8] |= 1 << UInt8(k % 8) }
        body += bitmap
      }
      for k in 0..<n where !nulls[k] {
        if ints { zigzag(g.int(), &body); continue }
        let s = odd && g.rng.next() % 6 == 0 ? [0xC3, 0x28] : g.text(3) + Array("'".utf8)
        nsUvarint(UInt64(s.count), &body)
        body += s
      }
      if odd && g.rng.next() % 8 == 0 { body.append(0) }   // a trailing byte
      var b: [UInt8] = []
      nsUvarint(UInt64(body.count), &b)
      col(id, 13, b + body)
    }
    if odd && g.rng.next() % 4 == 0 { tuple.removeLast() }   // truncated last field
    if odd && g.rng.next() % 4 == 0 { col(40, 3, [2]) }      // a dropped column
    var kvs = [(key: key + [0x88], value: SQLValue(tag: 10, data: tuple[...]))]
    if g.rng.next() % 2 == 0 {
      let note = odd && g.rng.next() % 3 == 0 ? [0xE0, 0x80] : g.text(4)
      kvs.append((key + [0x89, 0x89], SQLValue(tag: 3, data: note[...])))
    }
    return kvs
  }

  func assembleAll(_ rows: [[(key: [UInt8], value: SQLValue)]], general: Bool) -> (RowBatch, [[SQLDecodeError]], Int) {
    let a = RowAssembler(decoder: TableRowDecoder(table: Self.table()), keepProblems: true, generalOnly: general)
    var problems: [[SQLDecodeError]] = []
    var failed = 0
    for kvs in rows {
      do { try a.begin(rowKey: kvs[0].key) } catch { failed += 1; continue }
      for kv in kvs { a.add(key: kv.key, value: kv.value) }
      a.end()
      problems.append(a.problems)
    }
    return (a.batch, problems, failed)
  }

  func csv(_ b: RowBatch) -> [UInt8] {
    var out = ByteSink()
    var p: [String] = []
    let ordinals = Array(0..<b.width)
    for r in 0..<b.count { CSVWriter().write(b, row: r, ordinals: ordinals, into: &out, problems: &p) }
    return out.bytes
  }

  @Test(arguments: [false, true]) func fastPathsEqualTheGeneralDecoder(odd: Bool) {
    var g = Gen(rng: SplitMix64(state: odd ? 11 : 5))
    let rows = (0..<3000).map { _ in Self.row(&g, odd: odd) }
    let (fast, fastProblems, fastFailed) = assembleAll(rows, general: false)
    let (slow, slowProblems, slowFailed) = assembleAll(rows, general: true)
    #expect(fast.count == slow.count && fastFailed == slowFailed)
    #expect(fast.count + fastFailed == rows.count)
    for r in 0..<min(fast.count, slow.count) {
      // Compared as text: NaN is not equal to itself.
      for o in 0..<fast.width where "\(fast.datum(r, o))" != "\(slow.datum(r, o))" {
        Issue.record("row \(r) column \(o): \(fast.datum(r, o)) vs \(slow.datum(r, o))")
      }
    }
    #expect(fastProblems.map { $0.map(\.description) } == slowProblems.map { $0.map(\.description) })
    #expect(csv(fast) == csv(slow))
    // The fast run really took the typed paths (and the odd rows really had problems).
    #expect((0..<fast.count).contains { fast.slot($0, 0) == .int } && (0..<fast.count).contains { fast.slot($0, 6) == .bytes })
    #expect((0..<fast.count).contains { fast.slot($0, 13) == .decimal } && (0..<fast.count).contains { fast.slot($0, 14) == .json })
    #expect((0..<fast.count).contains { fast.slot($0, 15) == .uuid })
    for (o, slot) in [(16, RowBatch.Slot.time), (17, .oid), (18, .interval), (19, .inet), (20, .bits), (21, .array), (22, .array)] {
      #expect((0..<fast.count).contains { fast.slot($0, o) == slot }, "column \(o)")
    }
    #expect(odd == fastProblems.contains { !$0.isEmpty }, "\(fastProblems.first { !$0.isEmpty } ?? [])")
  }

  /// UUID key columns (ascending and descending, escapes inside, and wrong lengths) read by
  /// the fast key path equal the general decoder's, text and problems.
  @Test(arguments: [IndexDirection.asc, .desc]) func uuidKeysEqualTheGeneralDecoder(direction: IndexDirection) {
    var t = TableDescriptor(id: 71, name: "u")
    t.columns = [ColumnDescriptor(id: 1, name: "id", type: SQLType(.uuid), nullable: false),
                 ColumnDescriptor(id: 2, name: "v", type: SQLType(.int), nullable: true)]
    t.primaryIndex = IndexDescriptor(id: 1, name: "u_pkey")
    t.primaryIndex.keyColumnIDs = [1]
    t.primaryIndex.directions = [direction]
    t.families = [FamilyDescriptor(id: 0, name: "primary", columnNames: ["id", "v"], columnIDs: [1, 2])]
    var g = Gen(rng: SplitMix64(state: direction == .asc ? 31 : 32))
    func run(general: Bool) -> (RowBatch, Int) {
      var g2 = g
      let a = RowAssembler(decoder: TableRowDecoder(table: t), keepProblems: true, generalOnly: general)
      var failed = 0
      for _ in 0..<2000 {
        var key: [UInt8] = []
        OrderedEncoding.encodeUvarintAscending(71, into: &key)
        OrderedEncoding.encodeUvarintAscending(1, into: &key)
        let n = g2.rng.next() % 10 == 0 ? 15 : 16
        var id: [UInt8] = []
        OrderedEncoding.encodeBytesAscending((0..<n).map { _ in [0x00, 0xFF, UInt8(truncatingIfNeeded: g2.rng.next())][Int(g2.rng.next() % 3)] }, into: &id)
        key += direction == .asc ? id : [0x13] + id.dropFirst().map { ~$0 }
        var tuple: [UInt8] = []
        Self.tag(2, 3, &tuple)
        Self.zigzag(g2.int(), &tuple)
        do { try a.begin(rowKey: key + [0x88]) } catch { failed += 1; continue }
        a.add(key: key + [0x88], value: SQLValue(tag: 10, data: tuple[...]))
        a.end()
      }
      return (a.batch, failed)
    }
    let (fast, fastFailed) = run(general: false), (slow, slowFailed) = run(general: true)
    g = Gen(rng: SplitMix64(state: 0))
    #expect(fast.count == slow.count && fastFailed == slowFailed && fastFailed > 0)
    for r in 0..<min(fast.count, slow.count) where "\(fast.datum(r, 0))" != "\(slow.datum(r, 0))" {
      Issue.record("row \(r): \(fast.datum(r, 0)) vs \(slow.datum(r, 0))")
    }
    #expect(csv(fast) == csv(slow))
    #expect((0..<fast.count).allSatisfy { fast.slot($0, 0) == .uuid })
  }

  @Test func batchCSVEqualsTheDatumRecord() throws {
    var g = Gen(rng: SplitMix64(state: 3))
    let rows = (0..<500).map { _ in Self.row(&g, odd: false) }
    let (batch, _, _) = assembleAll(rows, general: false)
    let t = Self.table()
    for r in 0..<batch.count {
      var a = ByteSink(), b = ByteSink()
      var p: [String] = []
      CSVWriter().write(batch, row: r, ordinals: Array(0..<batch.width), into: &a, problems: &p)
      CSVWriter().write((0..<batch.width).map { batch.datum(r, $0) }, types: t.columns.map(\.type), into: &b, problems: &p)
      #expect(a.bytes == b.bytes, "row \(r)")
    }
  }

  @Test func keyThatDoesNotDecodeOpensNoRow() throws {
    let a = RowAssembler(decoder: TableRowDecoder(table: Self.table()))
    var g = Gen(rng: SplitMix64(state: 1))
    var kvs = Self.row(&g, odd: false)
    kvs[0].key[kvs[0].key.count - 1] = 0   // not a family suffix length
    #expect(throws: SQLDecodeError.self) { try a.begin(rowKey: kvs[0].key) }
    #expect(a.batch.count == 0 && a.batch.byteCount == 0)
  }
}
