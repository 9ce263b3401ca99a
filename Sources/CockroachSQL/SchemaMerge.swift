/// Merges tables from `--schema` files into the catalog read from the stores.
///
/// A supplied table's ID is, first found: `--table-id db.table=N`; a `-- salvage: table_id=N`
/// comment; the system.namespace entries that survived (database name → ID → table name → ID);
/// a stored descriptor of the same name. When the file and a stored descriptor describe the same
/// table ID, the file wins (it was given on purpose) and a notice says so.
public struct SchemaMerge: Sendable {
  public var catalog: SchemaCatalog
  /// What was decided (which ID came from where, which descriptor a file replaced).
  public var notices: [String] = []
  /// What could not be used: tables without an ID, clashes, unused `--table-id`s.
  public var problems: [String] = []
  /// Table IDs whose schema came from a file.
  public var suppliedIDs: Set<UInt32> = []

  /// IDs of descriptors invented for databases and schemas no store names: counted down from
  /// the top so they never meet a real descriptor ID.
  static let firstSyntheticID: UInt32 = UInt32.max - 1

  public static func merge(stored: SchemaCatalog, supplied: [SuppliedTable], explicitIDs: [String: UInt32],
                           namespace: [NamespaceEntry]) -> SchemaMerge {
    var m = SchemaMerge(catalog: stored)
    var nextSynthetic = firstSyntheticID
    var used = Set<String>()
    var placedBy: [UInt32: String] = [:]
    for s in supplied {
      let name = s.dottedName
      let fromNamespace = namespaceID(s, namespace)
      let fromStored = stored.tables.values.first { stored.qualifiedName(of: $0) == [s.database, s.schema, s.table.name] }?.id
      var id: UInt32
      var how: String
      if let e = explicitIDs[name] {
        used.insert(name)
        (id, how) = (e, "--table-id")
      } else if let d = s.directiveID {
        (id, how) = (d, "the salvage: comment at \(s.origin)")
      } else if let n = fromNamespace {
        (id, how) = (n, "system.namespace")
      } else if let n = fromStored {
        (id, how) = (n, "the stored descriptor of the same name")
      } else {
        m.problems.append("\(name) (\(s.origin)): no table ID: system.namespace does not name it; give --table-id \(name)=ID or a `-- salvage: table_id=ID` line before its CREATE TABLE")
        continue
      }
      if let n = fromNamespace, n != id { m.notices.append("\(name): system.namespace says table \(n); using \(id) from \(how)") }
      guard id > 49 else {
        m.problems.append("\(name) (\(s.origin)): table ID \(id) is a system table's (user tables start at 50); not used")
        continue
      }
      if let other = placedBy[id] {
        m.problems.append("\(name) (\(s.origin)): table ID \(id) is already given to \(other); not used")
        continue
      }
      placedBy[id] = "\(name) (\(s.origin))"
      var t = s.table
      t.id = id
      t.parentID = m.databaseID(s.database, namespace, &nextSynthetic)
      t.parentSchemaID = s.schema == "public" ? SchemaCatalog.publicSchemaID
        : m.schemaID(s.schema, in: t.parentID, namespace, &nextSynthetic)
      if let old = stored.tables[id] {
        m.notices.append("table \(id): the CREATE TABLE of \(name) at \(s.origin) replaces the stored descriptor of \(stored.quotedName(of: old)) (a --schema file wins)")
      } else {
        m.notices.append("table \(id): \(name) from \(s.origin), table ID from \(how)")
      }
      m.notices += s.notes.map { "\(name): \($0)" }
      m.catalog.tables[id] = t
      m.suppliedIDs.insert(id)
      // One name, one output file: a stored table of the same name under another ID is set aside.
      let qn = m.catalog.qualifiedName(of: t)
      for (other, o) in m.catalog.tables where other != id && !m.suppliedIDs.contains(other) && m.catalog.qualifiedName(of: o) == qn {
        m.catalog.tables[other] = nil
        m.notices.append("table \(other): the stored descriptor of \(name) is set aside: the --schema file gives \(name) table ID \(id)")
      }
    }
    for (name, id) in explicitIDs.sorted(by: { $0.key < $1.key }) where !used.contains(name) {
      m.problems.append("--table-id \(name)=\(id): no CREATE TABLE \(name) in the --schema files")
    }
    return m
  }

  /// The table's ID in the surviving system.namespace entries, if they name it.
  static func namespaceID(_ s: SuppliedTable, _ ns: [NamespaceEntry]) -> UInt32? {
    guard let db = ns.first(where: { $0.parentID == 0 && ($0.parentSchemaID ?? 0) == 0 && $0.name == s.database }) else { return nil }
    let schemaIDs: Set<Int64> = Set(ns.filter { $0.layout == .namespace30 && $0.parentID == db.id && $0.parentSchemaID == 0 && $0.name == s.schema }.map(\.id))
      .union(s.schema == "public" ? [Int64(SchemaCatalog.publicSchemaID)] : [])
    let hit = ns.first { e in
      e.parentID == db.id && e.name == s.table.name
        && (e.layout == .deprecated2 ? s.schema == "public" : schemaIDs.contains(e.parentSchemaID ?? -1))
    }
    return hit.flatMap { UInt32(exactly: $0.id) }
  }

  mutating func databaseID(_ name: String, _ ns: [NamespaceEntry], _ next: inout UInt32) -> UInt32 {
    if let d = catalog.databases.values.first(where: { $0.name == name }) { return d.id }
    var d = DatabaseDescriptor()
    d.name = name
    d.id = Self.id(of: ns.first { $0.parentID == 0 && ($0.parentSchemaID ?? 0) == 0 && $0.name == name }, else: &next)
    catalog.databases[d.id] = d
    return d.id
  }

  mutating func schemaID(_ name: String, in db: UInt32, _ ns: [NamespaceEntry], _ next: inout UInt32) -> UInt32 {
    if let s = catalog.schemas.values.first(where: { $0.parentID == db && $0.name == name }) { return s.id }
    var s = SchemaDescriptor()
    s.name = name
    s.parentID = db
    s.id = Self.id(of: ns.first { $0.layout == .namespace30 && $0.parentID == Int64(db) && $0.parentSchemaID == 0 && $0.name == name },
                   else: &next)
    catalog.schemas[s.id] = s
    return s.id
  }

  /// The entry's ID, or the next invented one.
  static func id(of e: NamespaceEntry?, else next: inout UInt32) -> UInt32 {
    if let e, let id = UInt32(exactly: e.id) { return id }
    defer { next -= 1 }
    return next
  }
}
