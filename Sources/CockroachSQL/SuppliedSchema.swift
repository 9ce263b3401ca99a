/// Tables given as `CREATE TABLE` text (`--schema FILE.sql`) for when the descriptors are lost.
///
/// CREATE TABLE carries no table ID, so a directive comment may precede the statement (any
/// comment lines between the previous statement and this one):
/// ```
/// -- salvage: table_id=53
/// -- salvage: column_ids=id:1,name:2,email:4 family_ids=f1:0,f2:1 index_ids=users_email_key:3
/// CREATE TABLE game.public.users (...);
/// ```
/// Without `column_ids`/`family_ids`/`index_ids` the parser's declaration-order IDs stand
/// (see `SchemaParser`): right for a table never altered, wrong after a dropped or added column.
public struct SuppliedTable: Sendable {
  public var database: String
  public var schema: String
  /// ID 0 until resolved (`SchemaMerge`).
  public var table: TableDescriptor
  /// `FILE:LINE` of the CREATE TABLE.
  public var origin: String
  /// From a `-- salvage: table_id=N` directive.
  public var directiveID: UInt32?
  public var notes: [String]
  public var dottedName: String { database + "." + table.name }
}

public enum SuppliedSchema {
  /// Unqualified names (`CREATE TABLE t`) belong to CockroachDB's default database.
  public static let defaultDatabase = "defaultdb"

  public static func parse(_ text: String, file: String) throws(SQLDecodeError) -> [SuppliedTable] {
    var out: [SuppliedTable] = []
    for p in try SchemaParser.parse(text) {
      let origin = "\(file):\(p.line)"
      let q = p.qualifiedName
      let (db, schema): (String, String)
      switch q.count {
      case 1: (db, schema) = (defaultDatabase, "public")
      case 2: (db, schema) = q[0] == "public" ? (defaultDatabase, "public") : (q[0], "public")
      default: (db, schema) = (q[q.count - 3], q[q.count - 2])
      }
      var t = SuppliedTable(database: db, schema: schema, table: p.table, origin: origin, directiveID: nil, notes: p.notes)
      do throws(SQLDecodeError) {
        try apply(directives(p.leadingText), to: &t)
      } catch {
        throw SQLDecodeError(.syntax, "schema", "\(origin) (\(t.dottedName)): \(error.message)")
      }
      out.append(t)
    }
    return out
  }

  /// `db.table=53` (the `--table-id` option) → ("db.table", 53).
  public static func parseTableID(_ s: String) throws(SQLDecodeError) -> (name: String, id: UInt32) {
    let parts = s.split(separator: "=", maxSplits: 1).map(String.init)
    guard parts.count == 2, parts[0].contains("."), let id = UInt32(parts[1]) else {
      throw SQLDecodeError(.syntax, "--table-id", "expected db.table=ID, got \"\(s)\"")
    }
    return (parts[0], id)
  }

  /// `key=value` pairs of the `-- salvage:` comment lines in `leading`.
  static func directives(_ leading: String) throws(SQLDecodeError) -> [String: String] {
    var out: [String: String] = [:]
    for line in leading.split(separator: "\n") {
      let l = line.trimmed(" \t\r")
      guard l.hasPrefix("--") else { continue }
      let body = l.dropFirst(2).trimmed(" \t")
      guard body.hasPrefix("salvage:") else { continue }
      for word in body.dropFirst("salvage:".count).split(whereSeparator: { $0 == " " || $0 == "\t" }) {
        let kv = word.split(separator: "=", maxSplits: 1).map(String.init)
        guard kv.count == 2, ["table_id", "column_ids", "family_ids", "index_ids"].contains(kv[0]) else {
          throw SQLDecodeError(.syntax, "schema", "unknown directive \"\(word)\" (table_id=, column_ids=, family_ids=, index_ids=)")
        }
        out[kv[0]] = kv[1]
      }
    }
    return out
  }

  /// `a:1,b:2` → [("a", 1), ("b", 2)].
  static func pairs(_ s: String, _ key: String) throws(SQLDecodeError) -> [(name: String, id: UInt32)] {
    var out: [(name: String, id: UInt32)] = []
    for item in s.split(separator: ",") {
      let kv = item.split(separator: ":").map(String.init)
      guard kv.count == 2, let id = UInt32(kv[1]) else {
        throw SQLDecodeError(.syntax, "schema", "\(key): expected name:ID, got \"\(item)\"")
      }
      out.append((kv[0].lowercased(), id))
    }
    return out
  }

  static func apply(_ d: [String: String], to s: inout SuppliedTable) throws(SQLDecodeError) {
    if let v = d["table_id"] {
      guard let id = UInt32(v) else { throw SQLDecodeError(.syntax, "schema", "table_id=\(v) is not a number") }
      s.directiveID = id
    }
    if let v = d["column_ids"] {
      var map: [UInt32: UInt32] = [:]
      for (n, id) in try pairs(v, "column_ids") {
        guard let c = s.table.columns.first(where: { $0.name == n }) else {
          throw SQLDecodeError(.syntax, "schema", "column_ids: no column \(n)")
        }
        map[c.id] = id
      }
      let ids = s.table.columns.map { map[$0.id] ?? $0.id }
      guard Set(ids).count == ids.count, !ids.contains(0) else {
        throw SQLDecodeError(.syntax, "schema", "column_ids: the columns' IDs would not be distinct and non-zero: \(ids)")
      }
      remapColumns(&s.table, map)
    }
    if let v = d["family_ids"] {
      for (n, id) in try pairs(v, "family_ids") {
        guard let i = s.table.families.firstIndex(where: { $0.name == n }) else {
          throw SQLDecodeError(.syntax, "schema", "family_ids: no family \(n)")
        }
        s.table.families[i].id = id
      }
      guard Set(s.table.families.map(\.id)).count == s.table.families.count else {
        throw SQLDecodeError(.syntax, "schema", "family_ids: two families would share an ID")
      }
    }
    if let v = d["index_ids"] {
      for (n, id) in try pairs(v, "index_ids") {
        if s.table.primaryIndex.name == n { s.table.primaryIndex.id = id; continue }
        guard let i = s.table.indexes.firstIndex(where: { $0.name == n }) else {
          throw SQLDecodeError(.syntax, "schema", "index_ids: no index \(n)")
        }
        s.table.indexes[i].id = id
      }
      let ids = [s.table.primaryIndex.id] + s.table.indexes.map(\.id)
      guard Set(ids).count == ids.count else { throw SQLDecodeError(.syntax, "schema", "index_ids: two indexes would share an ID") }
    }
  }

  /// Renumbers columns (old ID → new ID; IDs not in `map` stay) everywhere the table names them.
  public static func remapColumns(_ t: inout TableDescriptor, _ map: [UInt32: UInt32]) {
    func m(_ ids: [UInt32]) -> [UInt32] { ids.map { map[$0] ?? $0 } }
    for i in t.columns.indices { t.columns[i].id = map[t.columns[i].id] ?? t.columns[i].id }
    for i in t.families.indices {
      t.families[i].columnIDs = m(t.families[i].columnIDs)
      if t.families[i].defaultColumnID != 0 { t.families[i].defaultColumnID = map[t.families[i].defaultColumnID] ?? t.families[i].defaultColumnID }
    }
    func fix(_ ix: inout IndexDescriptor) {
      ix.keyColumnIDs = m(ix.keyColumnIDs)
      ix.storeColumnIDs = m(ix.storeColumnIDs)
      ix.keySuffixColumnIDs = m(ix.keySuffixColumnIDs)
      ix.compositeColumnIDs = m(ix.compositeColumnIDs)
    }
    fix(&t.primaryIndex)
    for i in t.indexes.indices { fix(&t.indexes[i]) }
  }
}

extension StringProtocol {
  fileprivate func trimmed(_ set: String) -> String {
    var s = Substring(self)
    while let f = s.first, set.contains(f) { s = s.dropFirst() }
    while let l = s.last, set.contains(l) { s = s.dropLast() }
    return String(s)
  }
}
