@testable import CockroachSQL

/// Hand-built descriptor protobufs, field numbers from structured.proto / types.proto (spec §7).
enum Desc {
  enum Layout { case v19_1, typesT }

  /// types.T / ColumnType: 1 family, 2 width, 3 precision, 5 locale, 6 visible_type,
  /// 7 array element family (19.1), 10 oid, 11 array_contents, 12 time_precision_is_set.
  static func type(_ layout: Layout, family: Int32, width: Int32 = 0, precision: Int32 = 0, oid: UInt32 = 0,
                   visible: Int32 = 0, locale: String? = nil, element: PBWriter? = nil, elementFamily: Int32? = nil)
    -> PBWriter
  {
    var t = PBWriter()
    t.varint(1, UInt64(family))
    if width != 0 { t.varint(2, UInt64(width)) }
    if precision != 0 { t.varint(3, UInt64(precision)) }
    if let locale { t.string(5, locale) }
    if layout == .v19_1 {
      if visible != 0 { t.varint(6, UInt64(visible)) }
      if let elementFamily { t.varint(7, UInt64(elementFamily)) }
    } else {
      t.varint(10, UInt64(oid))
      if let element { t.message(11, element) }
      t.varint(12, 0)
    }
    return t
  }

  /// ColumnDescriptor: 1 name, 2 id, 3 type, 4 nullable, 5 default_expr, 6 hidden, 11 compute_expr, 16 virtual.
  static func column(_ name: String, _ id: UInt32, _ type: PBWriter, nullable: Bool, defaultExpr: String? = nil,
                     hidden: Bool = false, compute: String? = nil, virtual: Bool = false) -> PBWriter {
    var c = PBWriter()
    c.string(1, name)
    c.varint(2, UInt64(id))
    c.message(3, type)
    c.bool(4, nullable)
    if let defaultExpr { c.string(5, defaultExpr) }
    if hidden { c.bool(6, true) }
    if let compute { c.string(11, compute) }
    if virtual { c.bool(16, true) }
    return c
  }

  /// ColumnFamilyDescriptor: 1 name, 2 id, 3 column_names, 4 column_ids (unpacked), 5 default_column_id.
  static func family(_ name: String, _ id: UInt32, _ names: [String], _ ids: [UInt32], defaultColumn: UInt32 = 0) -> PBWriter {
    var f = PBWriter()
    f.string(1, name)
    f.varint(2, UInt64(id))
    for n in names { f.string(3, n) }
    for i in ids { f.varint(4, UInt64(i)) }
    if defaultColumn != 0 { f.varint(5, UInt64(defaultColumn)) }
    return f
  }

  /// IndexDescriptor: 1 name, 2 id, 3 unique, 4 key_column_names, 5 store_column_names,
  /// 6 key_column_ids, 7 key_suffix_column_ids, 8 directions, 14 store_column_ids, 16 type.
  static func index(_ name: String, _ id: UInt32, unique: Bool, keys: [(String, UInt32, Int)], store: [(String, UInt32)] = [],
                    suffix: [UInt32] = [], packed: Bool = false, inverted: Bool = false) -> PBWriter {
    var ix = PBWriter()
    ix.string(1, name)
    ix.varint(2, UInt64(id))
    ix.bool(3, unique)
    for k in keys { ix.string(4, k.0) }
    for s in store { ix.string(5, s.0) }
    if packed {
      ix.packed(6, keys.map { UInt64($0.1) })
      ix.packed(8, keys.map { UInt64($0.2) })
    } else {
      for k in keys { ix.varint(6, UInt64(k.1)) }
      for k in keys { ix.varint(8, UInt64(k.2)) }
    }
    for s in suffix { ix.varint(7, UInt64(s)) }
    for s in store { ix.varint(14, UInt64(s.1)) }
    if inverted { ix.varint(16, 1) }
    return ix
  }

  /// The docs/tech-notes/encoding.md `accounts` table (id 51): id INT PK, owner STRING, balance
  /// DECIMAL; FAMILY f0 (id, balance), FAMILY f1 (owner); unique index 2 on owner STORING balance,
  /// index 3 on owner.
  static func accounts(_ layout: Layout) -> [UInt8] {
    var t = PBWriter()
    t.string(1, "accounts")
    t.varint(3, 51)
    t.varint(4, 50)
    t.varint(5, 3)
    t.message(8, column("id", 1, type(layout, family: 1, width: 64, oid: 20), nullable: false))
    t.message(8, column("owner", 2, type(layout, family: 7, oid: 25), nullable: true))
    t.message(8, column("balance", 3, type(layout, family: 3, oid: 1700), nullable: true))
    t.varint(9, 4)
    t.message(10, index("primary", 1, unique: true, keys: [("id", 1, 0)]))
    t.message(11, index("accounts_owner_key", 2, unique: true, keys: [("owner", 2, 0)], store: [("balance", 3)], suffix: [1]))
    t.message(11, index("accounts_owner_idx", 3, unique: false, keys: [("owner", 2, 0)], suffix: [1], packed: true))
    t.varint(17, 3)
    t.varint(19, 0)
    t.message(22, family("f0", 0, ["id", "balance"], [1, 3]))
    t.message(22, family("f1", 1, ["owner"], [2], defaultColumn: 2))
    if layout == .typesT { t.varint(40, 29) }
    var d = PBWriter()
    d.message(1, t)
    return d.bytes
  }
}
