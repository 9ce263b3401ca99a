import Testing
@testable import CockroachSQL

/// Every single-byte mutation and every truncation of real inputs decodes or reports; none traps
/// (style guide §4 "Properties"). Deterministic, so cheap enough for every run.
@Suite struct RobustnessTests {
  static let flips: [UInt8] = [0x00, 0x01, 0x7f, 0x80, 0x88, 0xfe, 0xff]

  func mutations(_ b: [UInt8]) -> [[UInt8]] {
    var out: [[UInt8]] = (0..<b.count).map { Array(b[..<$0]) }
    for i in b.indices {
      for f in Self.flips where f != b[i] { var m = b; m[i] = f; out.append(m) }
      var m = b; m[i] ^= 0x40; out.append(m)
    }
    return out
  }

  @Test func descriptorMutations() {
    for layout in [Desc.Layout.v19_1, .typesT] {
      for m in mutations(Desc.accounts(layout)) {
        let d = Descriptor.decode(m)
        if case .table(let t) = d.descriptor {
          var p: [String] = []
          _ = DDL.createTable(t, problems: &p)
        }
      }
    }
  }

  @Test func rowMutations() throws {
    guard case .table(let t) = Descriptor.decode(Desc.accounts(.typesT)).descriptor else { Issue.record("no table"); return }
    let d = TableRowDecoder(table: t)
    let key0 = hex("bb898988"), val0 = hex("0a3505348d0f4272")
    let key1 = hex("bb89898989"), val1 = hex("03416c696365")
    for mk in mutations(key0) + [key0] {
      for mv in mutations(val0) where !mv.isEmpty {
        guard let row = try? d.assemble([(mk, SQLValue(tag: mv[0], data: mv[1...])), (key1, SQLValue(tag: val1[0], data: val1[1...]))]) else { continue }
        var p: [String] = []
        _ = CSVWriter().line(row, columns: t.dataColumns, problems: &p)
      }
    }
  }

  @Test func valueBodyMutations() {
    let bodies: [(SQLType, String)] = [
      (SQLType(.json), "8000000480000000200000041000000150000004033489013140000000"),
      (SQLType(.array, element: SQLType(.decimal)), "1105030202348b0100"),
      (SQLType(.array, element: SQLType(.string)), "01060201610162"),
      (SQLType(.inet), "01800000000000000000000000000000000001"),
      (SQLType(.bit), "03a000000000000000"),
      (SQLType(.decimal), "348d0f4272"),
    ]
    for (t, h) in bodies {
      for m in mutations(hex(h)) {
        _ = try? DatumDecoding.bare(t, tag: 3, m[...])
        _ = try? DatumDecoding.bare(t, tag: 5, m[...])
        _ = try? DatumDecoding.bare(t, tag: 11, m[...])
        var b = m[...]
        _ = try? DatumDecoding.value(t, encType: 13, &b)
        if let d = try? JSONB.decode(m[...]) { _ = d.description }
      }
    }
  }

  @Test func deeplyNestedTypeIsRefused() {
    var t = Desc.type(.typesT, family: 1, oid: 20)
    for _ in 0..<200 { t = Desc.type(.typesT, family: 15, element: t) }
    #expect(throws: SQLDecodeError.self) { try SQLType.decode(t.bytes[...]) }
  }

  @Test func schemaParserTruncations() {
    let sql = DDLTests.accountsDDL + "\nCREATE TABLE x (a INT8 DEFAULT (1 + (2)), b STRING[] COLLATE en, PRIMARY KEY (a DESC), FAMILY (b));"
    let u = Array(sql.unicodeScalars)
    for n in 0...u.count {
      _ = try? SchemaParser.parse(String(String.UnicodeScalarView(u[..<n])))
    }
  }
}
