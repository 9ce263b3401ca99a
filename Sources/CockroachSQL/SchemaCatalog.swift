/// All decoded descriptors of one cluster (or tenant), with names resolved (spec §7.1, §7.8).
///
/// Descriptors live in system.descriptor (table 3): `/Table/3/1/<id>/2/1` holds the Descriptor
/// protobuf as a BYTES value; the family-0 KV `/Table/3/1/<id>/0` is an empty sentinel.
public struct SchemaCatalog: Sendable {
  public static let descriptorTableID: UInt64 = 3
  public static let publicSchemaID: UInt32 = 29

  public var databases: [UInt32: DatabaseDescriptor] = [:]
  public var schemas: [UInt32: SchemaDescriptor] = [:]
  public var tables: [UInt32: TableDescriptor] = [:]
  public var types = TypeCatalog()
  /// Problems of each descriptor, by descriptor ID (0 when the ID itself was unreadable).
  public var problems: [UInt32: [SQLDecodeError]] = [:]

  public init() {}

  /// The descriptor ID of a system.descriptor key, or nil for the family-0 sentinel.
  public static func descriptorID(key: [UInt8]) throws(SQLDecodeError) -> UInt32? {
    let p = try SQLKeyPrefix.parse(key[...])
    guard p.tableID == descriptorTableID, p.indexID == 1 else {
      throw SQLDecodeError(.corrupt, "descriptor key", "/Table/\(p.tableID)/\(p.indexID) is not system.descriptor")
    }
    let (row, family) = try SQLKeyPrefix.splitFamily(p.rest)
    guard family == 2 else { return nil }
    var b = row
    let id = try SQLOrderedDecoding.uvarintAscending(&b)
    guard b.isEmpty, id <= UInt64(UInt32.max) else {
      throw SQLDecodeError(.corrupt, "descriptor key", "malformed descriptor ID")
    }
    return UInt32(id)
  }

  /// Adds a system.descriptor row (its roach key and roachpb.Value bytes, the newest
  /// committed version); false when the key is not a descriptor column's (another family).
  /// Throws when the key or value does not decode.
  @discardableResult
  public mutating func addRow(key: [UInt8], roachValue: [UInt8]) throws(SQLDecodeError) -> Bool {
    guard let id = try Self.descriptorID(key: key), let sv = try SQLValue(roachValue: roachValue) else { return false }
    add(Descriptor.decode(Array(sv.data)), id: id)
    return true
  }

  /// Adds the decoded value of a system.descriptor row (the newest committed version).
  public mutating func add(_ d: DecodedDescriptor, id keyID: UInt32? = nil) {
    let id = d.descriptor.id ?? keyID ?? 0
    if !d.problems.isEmpty { problems[id, default: []] += d.problems }
    if let keyID, let own = d.descriptor.id, own != keyID {
      problems[id, default: []].append(SQLDecodeError(.corrupt, "descriptor", "stored under ID \(keyID) but names itself \(own)"))
    }
    switch d.descriptor {
    case .table(let t): tables[t.id] = t
    case .database(let db): databases[db.id] = db
    case .schema(let s): schemas[s.id] = s
    case .type(let t): types.types[t.id] = t
    default: break
    }
  }

  /// database, schema and table name; unknown parents are named by ID (`db_52`).
  public func qualifiedName(of t: TableDescriptor) -> [String] {
    let db = databases[t.parentID]?.name ?? "db_\(t.parentID)"
    let schema = t.parentSchemaID == SchemaCatalog.publicSchemaID ? "public"
      : schemas[t.parentSchemaID]?.name ?? "schema_\(t.parentSchemaID)"
    return [db, schema, t.name]
  }

  public func quotedName(of t: TableDescriptor) -> String { qualifiedName(of: t).map(SQLIdent.quote).joined(separator: ".") }

  /// Tables holding rows: not views (unless materialized) and not sequences; dropped and offline
  /// tables are included because their data may still be on disk.
  public var dataTables: [TableDescriptor] {
    tables.values.filter { $0.holdsRows && !$0.isSequence && $0.id > 49 }.sorted { $0.id < $1.id }
  }

  /// `CREATE TYPE` for the ENUMs the table uses, then its `CREATE TABLE`.
  public func ddl(for t: TableDescriptor, problems: inout [String]) -> String {
    var out: [String] = []
    var seen = Set<UInt32>()
    for c in t.columns {
      let ty = c.type.family == .array ? c.type.element ?? c.type : c.type
      guard ty.family == .enumType, let id = ty.userTypeID, seen.insert(id).inserted else { continue }
      if let td = types.types[id], let s = DDL.createType(td, name: SQLIdent.quote(td.name)) { out.append(s) }
      else { problems.append("\(t.name).\(c.name): ENUM type \(id) has no descriptor") }
    }
    out.append(DDL.createTable(t, name: quotedName(of: t), catalog: types, problems: &problems))
    return out.joined(separator: "\n")
  }
}
