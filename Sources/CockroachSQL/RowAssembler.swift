import CockroachKV

/// Assembles primary-index rows straight into a `RowBatch` (spec §5.1, §5.6, §6.1–6.5): the
/// key columns are decoded once per row, each family value once, the common types into typed
/// slots (no `Datum`, `String` or `[UInt8]` per field), the rest through `DatumDecoding`.
///
/// Any anomaly on a fast path falls back to the general decoder on the same bytes, so errors
/// and problem texts are exactly `TableRowDecoder`'s (its `assemble` is built on this type).
///
/// ```
/// begin(rowKey)            decode key columns → slots   (throws: no row)
/// add(key, value) × n      family values → slots        (errors: the row's problems)
/// end()                    leftover collation keys       (problems)
/// ```
public final class RowAssembler {
  public let decoder: TableRowDecoder
  public let layout: RowLayout
  public var batch: RowBatch
  /// The current row's problems, kept only with `keepProblems` (counted in the batch always).
  public private(set) var problems: [SQLDecodeError] = []
  let keepProblems: Bool

  enum Fast {
    case none, bool, int, date, float, string, bytes, timestamp, timestampTZ, decimal, json, uuid
    case time, oid, interval, inet, bits, intArray, stringArray
  }
  /// Trivially copyable (no reference inside): walking the plan per row retains nothing.
  /// The column's type and name are looked up by ordinal on the general path.
  struct KeyColumn {
    var ordinal: Int
    var descending: Bool
    var fast: Fast
  }
  /// The primary index's key columns; nil when the descriptor cannot be walked this way
  /// (then `TableRowDecoder.decodeKey` decodes the key and says why).
  let primaryKey: [KeyColumn]?
  let fastByOrdinal: [Fast]
  let tableName: String
  var rowPrefix: ArraySlice<UInt8> = []
  var rowIndexID: UInt64 = 0
  var collationKeys: [Int] = []
  var open = false

  /// - Parameter generalOnly: every column through `DatumDecoding` (tests compare the paths).
  public init(decoder: TableRowDecoder, keepProblems: Bool = false, generalOnly: Bool = false) {
    self.decoder = decoder
    self.keepProblems = keepProblems
    let table = decoder.table
    tableName = table.name
    layout = decoder.layout
    batch = RowBatch(layout: layout)
    let fast = generalOnly ? { _ in .none } : Self.fast
    fastByOrdinal = layout.types.map(fast)
    let pk = table.primaryIndex
    var plan: [KeyColumn]? = []
    if pk.kind == .inverted { plan = nil }
    for (i, id) in pk.keyColumnIDs.enumerated() {
      guard let o = layout.ordinal(of: id) else { plan = nil; break }
      let t = layout.types[o]
      plan?.append(KeyColumn(ordinal: o, descending: pk.direction(at: i) == .desc, fast: fast(t)))
    }
    primaryKey = plan
  }

  static func fast(_ t: SQLType) -> Fast {
    switch t.family {
    case .bool?: return .bool
    case .int?: return .int
    case .date?: return .date
    case .float?: return .float
    case .string?, .name?: return .string
    case .bytes?: return .bytes
    case .timestamp?: return .timestamp
    case .timestampTZ?: return .timestampTZ
    case .decimal?: return .decimal
    case .json?: return .json
    case .uuid?: return .uuid
    case .time?: return .time
    case .oid?: return .oid
    case .interval?: return .interval
    case .inet?: return .inet
    case .bit?: return .bits
    case .array?:
      switch ArrayRaw.element(of: t) {
      case .int?: return .intArray
      case .string?: return .stringArray
      case nil: return .none
      }
    default: return .none
    }
  }

  // MARK: key

  /// Opens a row from one of its KVs' keys (any family): decodes the key columns. Throws,
  /// opening nothing, when the key does not decode or is not a primary-index key.
  public func begin(rowKey key: [UInt8]) throws(SQLDecodeError) {
    precondition(!open, "RowAssembler.begin while a row is open")
    problems.removeAll(keepingCapacity: true)
    collationKeys.removeAll(keepingCapacity: true)
    let mark = batch.openRow()
    if let plan = primaryKey, let n = key.withUnsafeBytes({ rawPrimaryRow($0, key, plan) }) {
      rowPrefix = key[n]
      open = true
      return
    }
    batch.resetRow(mark)
    collationKeys.removeAll(keepingCapacity: true)
    do {
      if let plan = primaryKey, let row = try primaryRow(key, plan) {
        rowPrefix = row
      } else {
        rowPrefix = try generalKey(key)
      }
    } catch {
      batch.dropRow(mark)
      throw error
    }
    open = true
  }

  /// Opens a row without a key, for decoding a lone column list (secondary-index values).
  func beginScratchRow() {
    precondition(!open, "RowAssembler.beginScratchRow while a row is open")
    problems.removeAll(keepingCapacity: true)
    _ = batch.openRow()
    open = true
  }

  /// The row prefix after decoding a primary-index key with the plan; nil when the key is
  /// not a primary-index key of this table (the general path decides what it is).
  func primaryRow(_ key: [UInt8], _ plan: [KeyColumn]) throws(SQLDecodeError) -> ArraySlice<UInt8>? {
    let p = try SQLKeyPrefix.parse(key[...])
    guard p.tableID == UInt64(decoder.table.id), p.indexID == UInt64(decoder.table.primaryIndex.id) else { return nil }
    rowIndexID = p.indexID
    let (row, _) = try SQLKeyPrefix.splitFamily(p.rest)
    var b = row
    for c in plan {
      let at = b.startIndex
      do throws(SQLDecodeError) {
        try keyColumn(c, &b)
      } catch {
        throw error.context(table: tableName, column: layout.columns[c.ordinal].name, offset: at)
      }
    }
    guard b.isEmpty else {
      if b.first == 0xFE { throw decoder.err(.unsupported, "key", "interleaved child row (0xfe sentinel)", offset: b.startIndex) }
      throw decoder.err(.corrupt, "key", "\(b.count) bytes between the key columns and the family suffix", offset: b.startIndex)
    }
    return row
  }

  /// Other keys: `decodeKey` with its checks, then the primary-style rule of `assemble`.
  func generalKey(_ key: [UInt8]) throws(SQLDecodeError) -> ArraySlice<UInt8> {
    let k0 = try decoder.decodeKey(key)
    guard k0.indexID == decoder.table.primaryIndex.id || decoder.index(id: k0.indexID)?.encodingType == 1 else {
      throw decoder.err(.unsupported, "row", "rows are assembled from the primary index, not index \(k0.indexID)")
    }
    rowIndexID = UInt64(k0.indexID)
    for (id, d) in k0.columns {
      guard let o = layout.ordinal(of: id) else { continue }
      batch.set(o, datum: d)
      if case .raw(let t, _) = d, t == "collation key" { collationKeys.append(o) }
    }
    return k0.rowPrefix
  }

  /// A key column by the general decoder (the typed reading is `rawKeyColumn`'s).
  func keyColumn(_ c: KeyColumn, _ b: inout ArraySlice<UInt8>) throws(SQLDecodeError) {
    let desc = c.descending
    if let m = b.first, m == (desc ? 0xFF : 0x00) {
      b = b.dropFirst()
      batch.set(c.ordinal, .null)
      return
    }
    let d = try DatumDecoding.key(layout.types[c.ordinal], desc ? .desc : .asc, &b, catalog: decoder.catalog)
    batch.set(c.ordinal, datum: d)
    if case .raw(let t, _) = d, t == "collation key" { collationKeys.append(c.ordinal) }
  }

  /// Appends the unescaped body of `12 ‖ escaped ‖ 00 01` (or its inverted descending form)
  /// in `p[from..<to]` to the arena: the offset after it, or nil when malformed.
  func unescape(_ p: UnsafeRawBufferPointer, from: Int, to end: Int, descending: Bool) -> Int? {
    let invert: UInt8 = descending ? 0xFF : 0
    guard from < end, p[from] == (descending ? OrderedEncoding.bytesDescMarker : OrderedEncoding.bytesMarker) else { return nil }
    var i = from + 1
    var runStart = i
    while i < end {
      let x = p[i] ^ invert
      if x != 0 { i += 1; continue }
      guard i + 1 < end else { return nil }
      flush(p, runStart, i, invert)
      switch p[i + 1] ^ invert {
      case 0xFF: batch.arena.append(0); i += 2; runStart = i
      case 0x01: return i + 2
      default: return nil
      }
    }
    return nil
  }

  @inline(__always) func flush(_ p: UnsafeRawBufferPointer, _ from: Int, _ to: Int, _ invert: UInt8) {
    guard to > from else { return }
    let run = UnsafeRawBufferPointer(rebasing: p[from..<to])
    if invert == 0 { batch.arena.append(contentsOf: run) } else { batch.arena.append(contentsOf: run.lazy.map { $0 ^ invert }) }
  }

  /// ASCII at memory speed; anything else through the standard library's validator.
  static func isUTF8(_ bytes: [UInt8], _ from: Int) -> Bool {
    bytes.withUnsafeBytes { isUTF8(UnsafeRawBufferPointer(rebasing: $0[from...])) }
  }

  static func isUTF8(_ p: UnsafeRawBufferPointer) -> Bool {
    for x in p where x >= 0x80 { return String(validating: p, as: UTF8.self) != nil }
    return true
  }

  // MARK: values

  /// Adds one KV of the open row (its family's value). Problems are noted, never thrown.
  public func add(key: [UInt8], value: SQLValue) {
    precondition(open, "RowAssembler.add without begin")
    if let f = key.withUnsafeBytes({ rawFamily($0) }) {
      do throws(SQLDecodeError) { try apply(value, family: f) } catch { note(error) }
      return
    }
    let family: UInt32
    do throws(SQLDecodeError) {
      let p = try SQLKeyPrefix.parse(key[...])
      let (row, f) = try SQLKeyPrefix.splitFamily(p.rest)
      // Another table or index: only what `decodeKey` accepts goes on (as `assemble` always did).
      if p.tableID != UInt64(decoder.table.id) || p.indexID != rowIndexID { _ = try decoder.decodeKey(key) }
      guard row.elementsEqual(rowPrefix) else {
        // What `decodeKey` says of it, if anything, else that it is another row's KV.
        _ = try decoder.decodeKey(key)
        throw decoder.err(.corrupt, "row", "KV of another row (prefix differs) ignored")
      }
      family = f
    } catch {
      // A key whose suffix does not parse: the full decoder names the first problem.
      do throws(SQLDecodeError) { _ = try decoder.decodeKey(key); note(error) } catch { note(error) }
      return
    }
    do throws(SQLDecodeError) { try apply(value, family: family) } catch { note(error) }
  }

  /// Closes the row: notes collated key columns no value repeated.
  public func end() {
    precondition(open, "RowAssembler.end without begin")
    open = false
    for o in collationKeys where batch.slot(batch.count - 1, o) == .datum {
      if case .raw(let t, _) = batch.datum(batch.count - 1, o), t == "collation key" {
        note(decoder.err(.missing, "row", "collated key column has no value-side copy; text lost", column: layout.columns[o].name))
      }
    }
  }

  func note(_ e: SQLDecodeError) {
    batch.notedProblem()
    if keepProblems { problems.append(e) }
  }

  func apply(_ v: SQLValue, family fid: UInt32) throws(SQLDecodeError) {
    if v.tag == SQLValue.tupleTag {
      try columnList(v.data)
      return
    }
    guard let family = decoder.table.families.first(where: { $0.id == fid }) else {
      throw decoder.err(.missing, "value", "family \(fid) is not in the descriptor")
    }
    var colID = family.defaultColumnID
    if colID == 0 && family.columnIDs.count == 1 { colID = family.columnIDs[0] }
    if fid == 0 && (colID == 0 || decoder.table.primaryIndex.keyColumnIDs.contains(colID)) { return }
    if colID == 0 {
      throw decoder.err(.corrupt, "value", "bare value in family \(family.name) with no default column")
    }
    guard let o = layout.ordinal(of: colID) else {
      throw decoder.err(.missing, "value", "default column \(colID) of family \(family.name) not in the descriptor")
    }
    if v.tag == 3, fastByOrdinal[o] == .bytes || fastByOrdinal[o] == .string, text(o, v.data) { return }
    do throws(SQLDecodeError) {
      batch.set(o, datum: try DatumDecoding.bare(layout.types[o], tag: v.tag, v.data, catalog: decoder.catalog))
    } catch {
      throw error.context(table: tableName, column: layout.columns[o].name)
    }
  }

  /// Stores string or bytes body `data` in slot `o`; false (nothing stored) for text that
  /// is not UTF-8.
  func text(_ o: Int, _ data: ArraySlice<UInt8>) -> Bool {
    data.withUnsafeBytes { rawText(o, $0, 0, $0.count) }
  }

  /// A TUPLE body: tagged columns with ID deltas. The common columns are read from borrowed
  /// bytes; any other column (or anything odd) by `slowColumn` from the same offset.
  func columnList(_ data: ArraySlice<UInt8>) throws(SQLDecodeError) {
    var failure: SQLDecodeError? = nil
    data.withUnsafeBytes { p in
      var r = RawReader(p)
      var colID: UInt64 = 0
      do throws(SQLDecodeError) {
        while !r.atEnd {
          let at = r.i
          if let t = r.tag(), case let id = colID &+ t.delta, id <= UInt64(UInt32.max),
             let o = layout.ordinal(of: UInt32(id)), rawValue(o, t.type, &r) {
            colID = id
            continue
          }
          r.i = try slowColumn(data, at: at, colID: &colID)
        }
      } catch {
        failure = error
      }
    }
    if let failure { throw failure }
  }

  /// One column of a TUPLE body at offset `at` by the general decoders (what `rawValue` does not
  /// take); the offset after it.
  func slowColumn(_ data: ArraySlice<UInt8>, at: Int, colID: inout UInt64) throws(SQLDecodeError) -> Int {
    var b = data[(data.startIndex + at)...]
    let t = try ValueEncoding.tag(&b)
    colID &+= t.delta
    guard colID <= UInt64(UInt32.max), let o = layout.ordinal(of: UInt32(colID)) else {
      // A dropped column: skip its body by the length rules (§6.2).
      do { try ValueEncoding.skipBody(t.type, &b) } catch { throw error.context(table: tableName, offset: at) }
      note(decoder.err(.missing, "value TUPLE", "column ID \(colID) not in the descriptor; skipped", offset: at))
      return b.startIndex - data.startIndex
    }
    do throws(SQLDecodeError) {
      batch.set(o, datum: try DatumDecoding.value(layout.types[o], encType: t.type, &b, catalog: decoder.catalog))
    } catch {
      throw error.context(table: tableName, column: layout.columns[o].name, offset: at)
    }
    return b.startIndex - data.startIndex
  }
}
