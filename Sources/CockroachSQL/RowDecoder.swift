/// Decodes the KVs of one table's index into SQL rows (spec §5.1, §5.6, §5.9, §6.1–6.5).
///
/// A row is one KV per non-empty column family, all sharing the row prefix:
/// ```
/// /Table/<id>/<primary index>/<key columns…>/<family>  →  TUPLE (tag 0a) | bare value
/// ```
/// Family 0 always exists; a missing family means its columns are NULL. Key columns come from
/// the key, except composite datums (decimals, collated strings…) that the value repeats.
public struct TableRowDecoder: Sendable {
  public let table: TableDescriptor
  public let catalog: TypeCatalog
  /// Where each column sits in a `RowBatch` row.
  public let layout: RowLayout

  public init(table: TableDescriptor, catalog: TypeCatalog = TypeCatalog()) {
    self.table = table
    self.catalog = catalog
    layout = RowLayout(table: table)
  }

  public struct DecodedKey: Sendable, Hashable {
    public var tenant: UInt64?
    public var indexID: UInt32
    /// (column ID, datum) for the index's key columns, then any key-suffix columns.
    public var columns: [(UInt32, Datum)]
    public var familyID: UInt32
    /// The key without its family suffix: equal for all KVs of one row.
    public var rowPrefix: ArraySlice<UInt8>

    public static func == (a: DecodedKey, b: DecodedKey) -> Bool {
      a.tenant == b.tenant && a.indexID == b.indexID && a.familyID == b.familyID && a.rowPrefix == b.rowPrefix
        && a.columns.map(\.0) == b.columns.map(\.0) && a.columns.map(\.1) == b.columns.map(\.1)
    }
    public func hash(into h: inout Hasher) { h.combine(rowPrefix); h.combine(familyID) }
  }

  func err(_ kind: SQLDecodeError.Kind, _ what: String, _ msg: String, column: String? = nil, offset: Int? = nil) -> SQLDecodeError {
    SQLDecodeError(kind, what, msg, table: table.name, column: column, offset: offset)
  }

  public func index(id: UInt32) -> IndexDescriptor? {
    if table.primaryIndex.id == id { return table.primaryIndex }
    // Called per key: no concatenated copy of the index lists.
    if let ix = table.indexes.first(where: { $0.id == id }) { return ix }
    return table.mutations.lazy.compactMap(\.index).first { $0.id == id }
  }

  /// Decodes a roach key of this table: key columns of its index (primary or secondary, with
  /// the ascending key-suffix columns of non-unique indexes or of keys holding a NULL) and the
  /// family. Offsets in errors are from the start of `key`.
  public func decodeKey(_ key: [UInt8]) throws(SQLDecodeError) -> DecodedKey {
    let p = try SQLKeyPrefix.parse(key[...])
    guard p.tableID == UInt64(table.id) else {
      throw err(.corrupt, "key", "table ID \(p.tableID), descriptor is \(table.id)")
    }
    guard p.indexID <= UInt64(UInt32.max), let ix = index(id: UInt32(p.indexID)) else {
      throw err(.missing, "key", "index \(p.indexID) is not in the descriptor")
    }
    guard ix.kind != .inverted else { throw err(.unsupported, "key", "inverted index \(ix.name) holds no row data") }
    let (row, family) = try SQLKeyPrefix.splitFamily(p.rest)
    var b = row
    var cols: [(UInt32, Datum)] = []
    var sawNull = false
    func walk(_ ids: [UInt32], _ dir: (Int) -> IndexDirection) throws(SQLDecodeError) {
      for (i, id) in ids.enumerated() {
        guard let c = table.column(id: id) else { throw err(.missing, "key", "key column \(id) is not in the descriptor") }
        let at = b.startIndex
        do throws(SQLDecodeError) {
          let d = try DatumDecoding.key(c.type, dir(i), &b, catalog: catalog)
          if d.isNull { sawNull = true }
          cols.append((id, d))
        } catch {
          throw error.context(table: table.name, column: c.name, offset: at)
        }
      }
    }
    try walk(ix.keyColumnIDs) { ix.direction(at: $0) }
    let isPrimary = ix.id == table.primaryIndex.id || ix.encodingType == 1
    if !isPrimary && (!ix.unique || sawNull) {
      try walk(ix.keySuffixColumnIDs) { _ in .asc }   // suffix columns are always ascending (§5.6)
    }
    guard b.isEmpty else {
      if b.first == 0xFE { throw err(.unsupported, "key", "interleaved child row (0xfe sentinel)", offset: b.startIndex) }
      throw err(.corrupt, "key", "\(b.count) bytes between the key columns and the family suffix", offset: b.startIndex)
    }
    return DecodedKey(tenant: p.tenant, indexID: ix.id, columns: cols, familyID: family, rowPrefix: row)
  }

  public struct Row: Sendable {
    /// Datums by column ID; a column with no entry is NULL.
    public var values: [UInt32: Datum]
    /// Non-fatal problems (unknown column IDs, undecodable columns, leftover collation keys).
    public var problems: [SQLDecodeError]
    public var key: DecodedKey?

    public func datum(_ id: UInt32) -> Datum { values[id] ?? .null }
    /// The datums of `columns` in order (e.g. `table.dataColumns`).
    public func datums(_ columns: [ColumnDescriptor]) -> [Datum] { columns.map { datum($0.id) } }
  }

  /// Assembles one primary-index row from the KVs of its families (any order). KVs whose row
  /// prefix differs from the first one are reported and ignored. Throws only when the key of
  /// the first KV cannot be decoded (then there is no row). Built on `RowAssembler` (the one
  /// row assembly), for callers that want one row as datums.
  public func assemble(_ kvs: [(key: [UInt8], value: SQLValue)]) throws(SQLDecodeError) -> Row {
    guard let first = kvs.first else { throw err(.missing, "row", "no KVs") }
    let a = RowAssembler(decoder: self, keepProblems: true)
    try a.begin(rowKey: first.key)
    for kv in kvs { a.add(key: kv.key, value: kv.value) }
    a.end()
    var values: [UInt32: Datum] = [:]
    for (o, c) in layout.columns.enumerated() where layout.ordinal(of: c.id) == o && a.batch.isSet(0, o) {
      values[c.id] = a.batch.datum(0, o)
    }
    return Row(values: values, problems: a.problems, key: try? decodeKey(first.key))
  }

  /// Assembles the partial row one secondary-index entry holds (spec §5.6): its key columns,
  /// the primary-key suffix and the STORING/composite columns of the value. Useful when the
  /// primary index is damaged; columns the index does not cover are absent (not NULL).
  ///
  /// ```
  /// family 0 value (BYTES): [unique: key-encoded PK suffix columns, ascending] ‖ untagged column list
  /// family n value (TUPLE): column list of that family's stored columns
  /// ```
  public func assembleSecondary(_ kvs: [(key: [UInt8], value: SQLValue)]) throws(SQLDecodeError) -> Row {
    var row = Row(values: [:], problems: [], key: nil)
    guard let first = kvs.first else { throw err(.missing, "index entry", "no KVs") }
    let k0 = try decodeKey(first.key)
    guard let ix = index(id: k0.indexID), k0.indexID != table.primaryIndex.id else {
      throw err(.unsupported, "index entry", "index \(k0.indexID) is the primary index; use assemble")
    }
    guard ix.encodingType == 0 else { return try assemble(kvs) }
    row.key = k0
    for (id, d) in k0.columns { row.values[id] = d }
    for (i, kv) in kvs.enumerated() {
      let k: DecodedKey
      if i == 0 { k = k0 } else {   // the first key is decoded once
        do { k = try decodeKey(kv.key) } catch { row.problems.append(error); continue }
      }
      guard k.rowPrefix == k0.rowPrefix else {
        row.problems.append(err(.corrupt, "index entry", "KV of another entry (prefix differs) ignored"))
        continue
      }
      do throws(SQLDecodeError) {
        if kv.value.tag == SQLValue.tupleTag {
          try columnList(kv.value.data, into: &row)
          continue
        }
        guard kv.value.tag == 3 else {
          throw err(.corrupt, "index entry", "value tag \(kv.value.tag), expected BYTES or TUPLE")
        }
        var b = kv.value.data
        if ix.unique && k.familyID == 0 {
          for id in ix.keySuffixColumnIDs {
            guard let c = table.column(id: id) else { throw err(.missing, "index entry", "suffix column \(id)") }
            do { row.values[id] = try DatumDecoding.key(c.type, .asc, &b, catalog: catalog) }
            catch { throw error.context(table: table.name, column: c.name) }
          }
        }
        try columnList(b, into: &row)
      } catch {
        row.problems.append(error)
      }
    }
    return row
  }

  /// Decodes a column list (TUPLE body: tagged columns with ID deltas) into `row`, with
  /// `RowAssembler`'s decoder (the one column-list walk): values decoded before an error stay.
  func columnList(_ data: ArraySlice<UInt8>, into row: inout Row) throws(SQLDecodeError) {
    let a = RowAssembler(decoder: self, keepProblems: true)
    a.beginScratchRow()
    defer {
      row.problems += a.problems
      for (o, c) in layout.columns.enumerated() where layout.ordinal(of: c.id) == o && a.batch.isSet(0, o) {
        row.values[c.id] = a.batch.datum(0, o)
      }
    }
    try a.columnList(data)
  }
}
