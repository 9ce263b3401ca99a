import CockroachKV
import Testing
@testable import Recovery

/// Table IDs with data but no schema: live keys counted per table, first key kept as sample.
@Suite struct UnnamedTableTests {
  @Test func countsPerTableInKeyOrder() throws {
    var c = UnnamedTable.Counter()
    for k in ["/Table/56/1/7/0", "/Table/56/1/8/0", "/Table/56/2/\"x\"/7/0", "/Table/60/1/1/0"] {
      c.add(roachKey: try Keyspace.parse(k))
    }
    c.add(roachKey: [0x04] + Array("desc-idgen".utf8))   // not a SQL key: ignored
    #expect(c.tables.map(\.tableID) == [56, 60])
    #expect(c.tables.map(\.keys) == [3, 1])
    #expect(c.tables.map(\.sampleKey) == ["/Table/56/1/7/0", "/Table/60/1/1/0"])
    #expect(c.tables[1].problem.kind == .missing)
    #expect(c.tables[1].problem.description == "table 60: 1 live key(s) but no schema (e.g. /Table/60/1/1/0); not exported: give its CREATE TABLE with --schema FILE.sql and its ID with --table-id db.table=60")
  }
}
