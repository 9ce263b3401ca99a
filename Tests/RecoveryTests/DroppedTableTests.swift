@testable import CockroachSQL
import Testing
@testable import Recovery

/// Issue 14, item 6: a dropped table is named with its ID and, after DROP then CREATE of the
/// same name, with the live table exported instead; that history is no problem.
struct DroppedTableTests {
  static func table(_ id: UInt32, dropped: Bool) -> TableDescriptor {
    var t = TableDescriptor(id: id, name: "info")
    t.parentID = 52
    t.columns = [ColumnDescriptor(id: 1, name: "id", type: SQLType(.int))]
    t.families = [FamilyDescriptor(id: 0, name: "primary", columnNames: ["id"], columnIDs: [1])]
    t.primaryIndex.id = 1
    t.primaryIndex.keyColumnIDs = [1]
    t.primaryIndex.keyColumnNames = ["id"]
    if dropped { t.state = .drop }
    return t
  }

  static func catalog(_ tables: [TableDescriptor]) -> SchemaCatalog {
    var c = SchemaCatalog()
    var db = DatabaseDescriptor()
    db.id = 52; db.name = "users"
    c.databases[52] = db
    for t in tables { c.tables[t.id] = t }
    return c
  }

  @Test func dropThenCreateIsANotice() {
    let run = RecoveryRun(options: RecoveryOptions(storePaths: []))
    let selected = run.selectTables(Self.catalog([Self.table(55, dropped: true), Self.table(57, dropped: false)]))
    #expect(selected.map(\.descriptor.id) == [57])
    #expect(run.notices == ["table users.info (id 55) is dropped; users.info id 57 is exported"])
    #expect(run.problems.isEmpty)
  }

  @Test func droppedAloneIsAProblemNamingItsID() {
    let run = RecoveryRun(options: RecoveryOptions(storePaths: []))
    let selected = run.selectTables(Self.catalog([Self.table(55, dropped: true)]))
    #expect(selected.isEmpty)
    #expect(run.problems.map(\.description) == ["table users.info (id 55) is dropped; its data is not exported"])
    #expect(run.problems.map(\.kind) == [.schema])
  }
}
