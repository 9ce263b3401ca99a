/// One system.namespace entry (spec §7.6): a name and the descriptor ID it resolves to.
///
/// | layout | table | key after /Table/<t>/1 | family of the ID |
/// |---|---|---|---|
/// | ≤ 19.2 | 2 | varint(parentID) ‖ bytes(name) | 3 (`89` suffix `8b 89`) |
/// | 20.1 + | 30 | varint(parentID) ‖ varint(parentSchemaID) ‖ bytes(name) | 4 (`8c 89`) |
///
/// The ID is a bare INT value. Family-0 KVs are empty sentinels and decode to nil.
public struct NamespaceEntry: Sendable, Hashable {
  public enum Layout: Sendable { case deprecated2, namespace30 }
  public var layout: Layout
  public var parentID: Int64
  /// 0 for databases and schemas; absent in the old layout (implicitly public, 29).
  public var parentSchemaID: Int64?
  public var name: String
  public var id: Int64

  public static let deprecatedTableID: UInt64 = 2
  public static let tableID: UInt64 = 30

  /// `key` is the roach key (tenant prefix allowed); `value` its roachpb.Value.
  public static func decode(key: [UInt8], value: SQLValue) throws(SQLDecodeError) -> NamespaceEntry? {
    let p = try SQLKeyPrefix.parse(key[...])
    let layout: Layout
    switch p.tableID {
    case deprecatedTableID: layout = .deprecated2
    case tableID: layout = .namespace30
    default: throw SQLDecodeError(.corrupt, "namespace", "table \(p.tableID) is not system.namespace (2 or 30)")
    }
    guard p.indexID == 1 else { return nil }     // only the primary index names things
    let (row, family) = try SQLKeyPrefix.splitFamily(p.rest)
    guard family != 0 else { return nil }
    var b = row
    let parent = try SQLOrderedDecoding.varintAscending(&b)
    var schema: Int64?
    if layout == .namespace30 { schema = try SQLOrderedDecoding.varintAscending(&b) }
    guard case .string(let name) = try DatumDecoding.key(SQLType(.string), .asc, &b) else {
      throw SQLDecodeError(.corrupt, "namespace", "name is not a string")
    }
    guard b.isEmpty else { throw SQLDecodeError(.corrupt, "namespace", "\(b.count) bytes after the name") }
    guard value.tag == 1 else { throw SQLDecodeError(.corrupt, "namespace", "value tag \(value.tag), expected INT (1)") }
    var d = value.data
    let id = try ValueEncoding.zigzag(&d)
    return NamespaceEntry(layout: layout, parentID: parent, parentSchemaID: schema, name: name, id: id)
  }
}
