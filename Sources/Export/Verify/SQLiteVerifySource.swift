import Foundation
import GRDB
import Recovery

/// A SQLite database as a `verify` side: `salvage recover`'s copy (`salvage.sqlite`) or any
/// SQLite file. Opened read-only; each table's rows are read in the database's own order
/// and sorted with Salvage's key order (ExternalSorter), so SQLite's collations never matter.
///
/// Table names: a table listed in `salvage_meta` (SQLiteSink's bookkeeping) is the source
/// table it names there (`db.schema.table` → `db.table`). Otherwise `<db>_<table>` (how the
/// copy names a `public` table) is taken as RECOVERED's `db.table` when RECOVERED has that
/// table, and any other name `t` as the bare table `t` (matched to RECOVERED's `t` in any
/// database). Column types: `salvage_columns` when present, else the declared type.
public enum SQLiteVerifySource {
  public static let header = Array("SQLite format 3\u{0}".utf8)

  /// Whether `path` is a regular file starting with the SQLite header.
  public static func isSQLite(_ path: String) -> Bool {
    var isDir: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir), !isDir.boolValue,
          let h = FileHandle(forReadingAtPath: path) else { return false }
    defer { try? h.close() }
    return (try? h.read(upToCount: 16)).map { [UInt8]($0) == header } ?? false
  }

  struct Column { var name: String; var type: String }
  struct TableInfo {
    var sqliteName: String
    var database: String
    var name: String
    var columns: [Column]
    /// Primary-key columns in key order, with their directions.
    var key: [(column: Int, descending: Bool)]
  }

  static func openReadOnly(_ path: String) throws -> DatabaseQueue {
    var config = Configuration()
    config.readonly = true
    config.label = "salvage-verify"
    do { return try DatabaseQueue(path: path, configuration: config) } catch {
      throw RecoveryError("\(path): cannot open as SQLite: \(error)")
    }
  }

  /// The tables of `path`. With `recovered`, tables are named and typed after RECOVERED's
  /// tables (SOURCE side); without, RECOVERED is this file and its own keys are used.
  public static func make(path: String, recovered: VerifySource?, runLimit: Int) throws -> VerifySource {
    let infos: [TableInfo]
    do { infos = try openReadOnly(path).read { db in try catalog(db, recovered: recovered) } } catch let e as DatabaseError {
      throw RecoveryError("\(path): \(e.message ?? "\(e)")")
    }
    let entries = infos.map { info -> VerifySource.Entry in
      let table: VerifyTable
      let problem: String?
      do { table = try verifyTable(info, recovered: recovered); problem = nil } catch {
        table = VerifyTable(database: info.database, name: info.name, columns: info.columns.map(\.name),
                            kinds: info.columns.map { .init(typeName: $0.type) }, key: [], descending: [])
        problem = "\(error)"
      }
      let bools = info.columns.map { DatabaseText.isBool($0.type) }
      let select = "SELECT " + info.columns.map { OutputNames.quoted($0.name) }.joined(separator: ", ")
        + " FROM " + OutputNames.quoted(info.sqliteName)
      return VerifySource.Entry(table: table, file: path + " table " + info.sqliteName, open: { work in
        if let problem { throw RecoveryError(problem) }
        let sorter = try ExternalSorter(directory: work, runLimit: runLimit, order: table.compareKeys)
        do {
          try openReadOnly(path).read { db in
            let rows = try Row.fetchCursor(db, sql: select)
            var fields = [String?](repeating: nil, count: bools.count)
            while let row = try rows.next() {
              for i in bools.indices { fields[i] = DatabaseText.sqlite(row[i] as DatabaseValue, bool: bools[i]) }
              try sorter.add(fields)
            }
          }
        } catch let e as DatabaseError { throw RecoveryError("\(path) table \(info.sqliteName): \(e.message ?? "\(e)")") }
        return try sorter.finish()
      })
    }
    return VerifySource(directory: path, kind: .sqlite, tables: entries)
  }

  /// SOURCE side: RECOVERED's table of the same name sets the key and the kinds; the key
  /// columns must be among this table's columns.
  static func verifyTable(_ info: TableInfo, recovered: VerifySource?) throws -> VerifyTable {
    let names = info.columns.map(\.name)
    guard let recovered else {
      guard !info.key.isEmpty else { throw RecoveryError("\(info.sqliteName): the table has no PRIMARY KEY") }
      return VerifyTable(database: info.database, name: info.name, columns: names,
                         kinds: info.columns.map { .init(typeName: $0.type) },
                         key: info.key.map(\.column), descending: info.key.map(\.descending))
    }
    let probe = VerifyTable(database: info.database, name: info.name, columns: names, kinds: [], key: [], descending: [])
    guard let r = Verification.match(probe, in: recovered)?.table else {
      return VerifyTable(database: info.database, name: info.name, columns: names,
                         kinds: info.columns.map { .init(typeName: $0.type) }, key: [], descending: [])
    }
    return try r.adopted(by: names, database: info.database, source: info.sqliteName)
  }

  static func catalog(_ db: Database, recovered: VerifySource?) throws -> [TableInfo] {
    let bookkeeping: Set<String> = ["salvage_meta", "salvage_columns", "salvage_rejected"]
    let names = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name")
      .filter { !bookkeeping.contains($0) }
    var meta: [String: (String, String)] = [:]
    var crdbTypes: [String: [String]] = [:]
    if try db.tableExists("salvage_meta") {
      for row in try Row.fetchAll(db, sql: "SELECT source_table, sqlite_table FROM salvage_meta") {
        let source: String = row[0], table: String = row[1]
        let parts = source.split(separator: ".", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
        if parts.count == 3 { meta[table] = (parts[0], parts[2]) }
      }
    }
    if try db.tableExists("salvage_columns") {
      for row in try Row.fetchAll(db, sql: "SELECT sqlite_table, cockroach_type FROM salvage_columns ORDER BY sqlite_table, position") {
        crdbTypes[row[0] as String, default: []].append(row[1])
      }
    }
    let recoveredTables = recovered?.tables.map(\.table) ?? []
    return try names.map { name in
      let cols = try Row.fetchAll(db, sql: "PRAGMA table_info(\(OutputNames.quoted(name)))")
      var columns = cols.map { Column(name: $0["name"], type: $0["type"] ?? "") }
      if let t = crdbTypes[name], t.count == columns.count { for i in columns.indices { columns[i].type = t[i] } }
      // Key order = the pk field; directions from the automatic index SQLite builds for a
      // non-rowid key (a lone INTEGER key is the rowid itself: ascending).
      var byPosition: [Int: Int] = [:]   // pk position → column
      for (i, c) in cols.enumerated() {
        let p: Int = c["pk"]
        if p > 0 { byPosition[p] = i }
      }
      var key: [(column: Int, descending: Bool)] = byPosition.keys.sorted().map { (column: byPosition[$0]!, descending: false) }
      for idx in try Row.fetchAll(db, sql: "PRAGMA index_list(\(OutputNames.quoted(name)))") where (idx["origin"] as String?) == "pk" {
        let parts = try Row.fetchAll(db, sql: "PRAGMA index_xinfo(\(OutputNames.quoted(idx["name"] as String)))")
          .filter { ($0["key"] as Int) == 1 }
        for p in parts { if let k = key.firstIndex(where: { $0.column == p["cid"] as Int }) { key[k].descending = (p["desc"] as Int) == 1 } }
      }
      var database = "", bare = name
      if let (d, t) = meta[name] { database = d; bare = t }
      else if let r = recoveredTables.first(where: { !$0.database.isEmpty && name.lowercased() == ($0.database + "_" + $0.name).lowercased() }) {
        database = r.database; bare = r.name
      }
      return TableInfo(sqliteName: name, database: database, name: bare, columns: columns, key: key)
    }
  }
}

extension VerifyTable {
  /// This (RECOVERED) table's key and kinds laid over another side's columns `names`
  /// (matched exactly, else ignoring case); a missing key column is an error.
  func adopted(by names: [String], database: String, source: String) throws -> VerifyTable {
    func index(_ c: String) -> Int? { names.firstIndex(of: c) ?? names.firstIndex { $0.lowercased() == c.lowercased() } }
    var key: [Int] = []
    for k in self.key {
      guard let at = index(columns[k]) else { throw RecoveryError("\(source): no column \(columns[k]) (part of \(qualifiedName)'s primary key)") }
      key.append(at)
    }
    let kinds = names.map { n in columns.firstIndex(of: n).map { self.kinds[$0] } ?? columns.firstIndex { $0.lowercased() == n.lowercased() }.map { self.kinds[$0] } ?? .other }
    // Column names as RECOVERED spells them, so compare() pairs them up.
    let spelled = names.map { n in columns.first { $0 == n } ?? columns.first { $0.lowercased() == n.lowercased() } ?? n }
    return VerifyTable(database: database.isEmpty ? self.database : database, name: name, columns: spelled, kinds: kinds,
                       key: key, descending: descending)
  }
}
