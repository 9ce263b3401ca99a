/// `CREATE TABLE` / `CREATE TYPE` text recreating a decoded schema, in the shape
/// `SHOW CREATE TABLE` prints (tab-indented elements, explicit NULL/NOT NULL, directions).
///
/// Choices: the implicit hidden `rowid` primary key is left out (CockroachDB adds it again, and
/// `dataColumns` leaves it out of the CSV); columns of unknown type become BYTES (their values are
/// written as `\x` hex) and are reported, as do types whose values are passed through undecoded
/// (GEOMETRY, TSVECTOR…); only public indexes are emitted.
public enum DDL {
  public static func createTable(_ t: TableDescriptor, name: String? = nil, catalog: TypeCatalog = TypeCatalog(),
                                 problems: inout [String]) -> String {
    let implicit = t.hasImplicitRowID ? t.primaryIndex.keyColumnIDs.first : nil
    func colName(_ id: UInt32) -> String { SQLIdent.quote(t.column(id: id)?.name ?? "column_\(id)") }
    var elems: [String] = []
    for c in t.columns where c.id != implicit {
      var s = SQLIdent.quote(c.name) + " "
      let n = c.type.sqlName(enumName: { catalog.name(of: $0).map(SQLIdent.quote) })
      if let n, c.type.isDecoded {
        s += n
      } else if let n {
        // Values of this type are exported as \x hex, which only a BYTES column accepts.
        s += "BYTES"
        problems.append("\(t.name).\(c.name): \(n) values are not decoded; declared BYTES holding the stored encoding")
      } else {
        s += "BYTES"
        problems.append("\(t.name).\(c.name): type family \(c.type.familyID) (oid \(c.type.oid)) has no DDL spelling; declared BYTES")
      }
      if c.hidden { s += " NOT VISIBLE" }
      s += c.nullable ? " NULL" : " NOT NULL"
      if let e = c.computeExpr {
        s += " AS (\(e)) " + (c.virtual ? "VIRTUAL" : "STORED")
      } else if let e = c.defaultExpr {
        s += " DEFAULT " + e
      }
      if let e = c.onUpdateExpr { s += " ON UPDATE " + e }
      elems.append(s)
    }
    func keyList(_ ix: IndexDescriptor) -> String {
      ix.keyColumnIDs.enumerated().map { i, id in
        colName(id) + (ix.direction(at: i) == .desc ? " DESC" : " ASC")
      }.joined(separator: ", ")
    }
    if implicit == nil {
      let pkName = t.primaryIndex.name.isEmpty ? "primary" : t.primaryIndex.name
      elems.append("CONSTRAINT \(SQLIdent.quote(pkName)) PRIMARY KEY (\(keyList(t.primaryIndex)))")
    }
    for ix in t.indexes {
      var s = ix.kind == .inverted ? "INVERTED INDEX " : (ix.unique ? "UNIQUE INDEX " : "INDEX ")
      s += SQLIdent.quote(ix.name) + " (" + keyList(ix) + ")"
      if !ix.storeColumnIDs.isEmpty {
        s += " STORING (" + ix.storeColumnIDs.map(colName).joined(separator: ", ") + ")"
      }
      if let p = ix.predicate { s += " WHERE " + p }
      elems.append(s)
    }
    for f in t.families {
      let ids = f.columnIDs.filter { $0 != implicit }
      guard !ids.isEmpty else { continue }
      let fname = f.name.isEmpty ? "fam_\(f.id)" : f.name
      elems.append("FAMILY \(SQLIdent.quote(fname)) (" + ids.map(colName).joined(separator: ", ") + ")")
    }
    return "CREATE TABLE \(name ?? SQLIdent.quote(t.name)) (\n\t" + elems.joined(separator: ",\n\t") + "\n);"
  }

  /// `CREATE SEQUENCE` with its options, then `setval` to the recovered value (§6.7) so the next
  /// `nextval` continues where the dead cluster stopped. Nil if `t` is not a sequence.
  public static func createSequence(_ t: TableDescriptor, name: String? = nil, lastValue: Int64?) -> String? {
    guard let o = t.sequence else { return nil }
    let n = name ?? SQLIdent.quote(t.name)
    var s = "CREATE SEQUENCE \(n) MINVALUE \(o.minValue) MAXVALUE \(o.maxValue) INCREMENT \(o.increment) START \(o.start)"
    if o.cacheSize > 1 { s += " CACHE \(o.cacheSize)" }
    if o.virtual { s += " VIRTUAL" }
    s += ";"
    if let lastValue { s += "\nSELECT setval('\(n.replacingQuote())', \(lastValue), true);" }
    return s
  }

  /// `CREATE TYPE … AS ENUM (…)` with the members in their stored (sort) order.
  public static func createType(_ t: TypeDescriptor, name: String? = nil) -> String? {
    guard t.kind == .enumType else { return nil }
    let labels = t.members.map { "'" + $0.label.replacingQuote() + "'" }.joined(separator: ", ")
    return "CREATE TYPE \(name ?? SQLIdent.quote(t.name)) AS ENUM (\(labels));"
  }
}
