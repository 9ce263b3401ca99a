import CockroachKV
import CockroachSQL

// libFuzzer entry point (`scripts/fuzz.sh`). The first byte picks the decoder, the rest is
// its input, decoded through the calls `schema`, `rows` and `recover` make:
//   0  a Descriptor protobuf (system.descriptor value data): catalog and CREATE TABLE
//   1  rows of the fixed tables below: a table byte, then KVs as `u8 key length ‖ roach key ‖
//      u16 LE value length ‖ roachpb.Value`, grouped into rows, assembled and rendered as CSV;
//      each KV also as a row of its own through the typed and the general paths, compared
//   2  one datum: a type byte, a decoder byte (key asc/desc, TUPLE value, bare value), bytes;
//      the bytes also as JSONB through the borrowed-byte walk, checked against the decoder
//   3  system.descriptor and system.namespace keys and values (`u8 key length ‖ key ‖ value`)
//   4  `--schema FILE.sql` text

/// The tables of `examples/dead-cluster` (IDs as stored there, so its KVs are seeds), and one
/// whose key holds composite and descending columns.
let schemaText = """
  -- salvage: table_id=53
  CREATE TABLE game.users (id INT8 NOT NULL, name STRING NOT NULL, email STRING NULL, balance DECIMAL NULL,
    created TIMESTAMPTZ NULL, active BOOL NULL, PRIMARY KEY (id ASC), UNIQUE INDEX users_email_key (email ASC),
    FAMILY f1 (id, name, email), FAMILY f2 (balance, created, active));
  -- salvage: table_id=54
  CREATE TABLE game.events (user_id INT8 NOT NULL, seq INT8 NOT NULL, kind STRING NULL, body BYTES NULL,
    at TIMESTAMP NULL, PRIMARY KEY (user_id ASC, seq DESC), INDEX events_kind_at_idx (kind ASC, at DESC) STORING (body));
  -- salvage: table_id=55
  CREATE TABLE game.snapshots (user_id INT8 NOT NULL, version INT8 NOT NULL, state JSONB NULL,
    PRIMARY KEY (user_id ASC, version ASC));
  -- salvage: table_id=57
  CREATE TABLE shop.items (sku STRING NOT NULL, made DATE NOT NULL, uid UUID NOT NULL, flag BOOL NULL,
    small INT2 NULL, medium INT4 NULL, big INT8 NULL, ratio FLOAT4 NULL, score FLOAT8 NULL, price DECIMAL NULL,
    cost DECIMAL(10,2) NULL, label STRING NULL, code VARCHAR(10) NULL, grade CHAR(3) NULL, blob BYTES NULL,
    on_day DATE NULL, at_time TIME NULL, stamp TIMESTAMP NULL, stamp_tz TIMESTAMPTZ NULL, dur INTERVAL NULL,
    ref UUID NULL, addr INET NULL, doc JSONB NULL, tags STRING[] NULL, nums INT8[] NULL, flags4 BIT(4) NULL,
    vbits VARBIT NULL, obj OID NULL, note STRING NULL, status status NULL,
    PRIMARY KEY (sku ASC, made DESC, uid ASC),
    FAMILY "primary" (sku, made, uid, flag, small, medium, big, status), FAMILY nums (ratio, score, price, cost),
    FAMILY texts (label, code, grade, blob), FAMILY times (on_day, at_time, stamp, stamp_tz, dur),
    FAMILY misc (ref, addr, doc, tags, nums, flags4, vbits, obj), FAMILY note (note));
  -- salvage: table_id=110
  CREATE TABLE fuzz.keys (a STRING COLLATE en, b DECIMAL, c TIMESTAMPTZ, d FLOAT8, e BYTES, f INTERVAL,
    g UUID, h INET, i BOOL, j TIMETZ, k STRING[],
    PRIMARY KEY (a, b DESC, c DESC, d, e DESC, f, g DESC, h, i DESC, j), INDEX (f DESC) STORING (k));
  """
nonisolated(unsafe) let tables: [TableDescriptor] = {
  guard let parsed = try? SuppliedSchema.parse(schemaText, file: "FuzzSQL") else { fatalError("fixed schema does not parse") }
  return parsed.map { var t = $0.table; t.id = $0.directiveID ?? 0; return t }
}()

let types: [SQLType] = [
  SQLType(.bool), SQLType(.int, width: 64), SQLType(.int, width: 16), SQLType(.float, width: 64),
  SQLType(.decimal), SQLType(.date), SQLType(.timestamp), SQLType(.timestampTZ), SQLType(.interval),
  SQLType(.string), SQLType(.bytes), SQLType(.uuid), SQLType(.inet), SQLType(.time), SQLType(.timeTZ),
  SQLType(.json), SQLType(.bit, width: 8), SQLType(.collatedString, locale: "en"), SQLType(.oid),
  SQLType(.enumType), SQLType(.box2d), SQLType(.array, element: SQLType(.string)),
  SQLType(.array, element: SQLType(.decimal)), SQLType(.array, element: SQLType(.bool)),
  SQLType(.array, element: SQLType(.int, width: 64)), SQLType(.tuple),
]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSQL(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
  let input = [UInt8](UnsafeRawBufferPointer(start: data, count: size))
  guard let mode = input.first else { return 0 }
  let b = Array(input.dropFirst())
  switch mode % 5 {
  case 0: descriptor(b)
  case 1: rows(b)
  case 2: datum(b)
  case 3: systemTables(b)
  default:
    guard let parsed = try? SuppliedSchema.parse(String(decoding: b, as: UTF8.self), file: "fuzz.sql") else { return 0 }
    var problems: [String] = []
    for p in parsed { _ = DDL.createTable(p.table, problems: &problems) }
  }
  return 0
}

func descriptor(_ b: [UInt8]) {
  let d = Descriptor.decode(b)
  var catalog = SchemaCatalog()
  catalog.add(d, id: 53)
  for e in d.problems { _ = e.description }
  var problems: [String] = []
  for t in catalog.tables.values {
    _ = catalog.ddl(for: t, problems: &problems)
    _ = DDL.createSequence(t, lastValue: 1)
  }
  for t in catalog.types.types.values { _ = DDL.createType(t) }
}

/// `u8 length ‖ bytes`, or `u16 LE length ‖ bytes`; nil when the input ends first.
func take(_ b: [UInt8], _ p: inout Int, wide: Bool) -> [UInt8]? {
  let w = wide ? 2 : 1
  guard b.count - p >= w else { return nil }
  let n = wide ? Int(b[p]) | Int(b[p + 1]) << 8 : Int(b[p])
  p += w
  let end = p + min(n, b.count - p)
  defer { p = end }
  return Array(b[p..<end])
}

func rows(_ b: [UInt8]) {
  guard let which = b.first else { return }
  let table = tables[Int(which) % tables.count]
  let decoder = TableRowDecoder(table: table)
  var grouper = RowGrouper(decoder: decoder)
  let csv = CSVWriter()
  var problems: [String] = []
  func render(_ r: Result<TableRowDecoder.Row, SQLDecodeError>?) {
    guard case .success(let row)? = r else { return }
    _ = csv.line(row, columns: table.dataColumns, problems: &problems)
    for c in table.columns { _ = SQLText.render(row.datum(c.id), type: c.type) }
  }
  var p = 1
  while let key = take(b, &p, wide: false), let raw = take(b, &p, wide: true) {
    guard let v = try? SQLValue(roachValue: raw) else { continue }
    _ = try? decoder.decodeKey(key)
    if let row = try? decoder.assembleSecondary([(key, v)]) { render(.success(row)) }
    render(grouper.add(key: key, value: v))
    typedOracle(decoder, key, v)
  }
  render(grouper.finish())
}

/// The row assembler's typed paths against its general path on one KV as a row: both open
/// the row or neither, and the row's CSV and problems are the same (a difference is a finding).
func typedOracle(_ decoder: TableRowDecoder, _ key: [UInt8], _ v: SQLValue) {
  func run(general: Bool) -> (csv: [UInt8], problems: [String])? {
    let a = RowAssembler(decoder: decoder, keepProblems: true, generalOnly: general)
    do { try a.begin(rowKey: key) } catch { return nil }
    a.add(key: key, value: v)
    a.end()
    var out = ByteSink()
    var problems = a.problems.map(\.description)
    CSVWriter().write(a.batch, row: 0, ordinals: Array(0..<a.batch.width), into: &out, problems: &problems)
    return (out.bytes, problems)
  }
  let typed = run(general: false), general = run(general: true)
  precondition(typed?.csv == general?.csv && typed?.problems == general?.problems,
               "typed row path differs from the general one")
}

func datum(_ b: [UInt8]) {
  guard b.count >= 2 else { return }
  let t = types[Int(b[0]) % types.count]
  var rest = b[2...]
  let d: Datum?
  switch b[1] % 4 {
  case 0: d = try? DatumDecoding.key(t, .asc, &rest)
  case 1: d = try? DatumDecoding.key(t, .desc, &rest)
  case 2: d = try? DatumDecoding.value(t, encType: Int(b[1] >> 2), &rest)
  default: d = try? DatumDecoding.bare(t, tag: b[1] >> 2, rest)
  }
  if let d { _ = SQLText.render(d, type: t) }
  if t.family == .json, let j = try? JSONB.decode(b[2...]) { _ = j.description }
  jsonbOracle(Array(b.dropFirst(2)))
}

/// The borrowed-byte JSONB walk against the decoder: whatever it accepts, the decoder accepts,
/// and both print the same text (a difference is a finding).
func jsonbOracle(_ b: [UInt8]) {
  guard b.withUnsafeBytes({ JSONB.isPlain($0) }) else { return }
  guard let j = try? JSONB.decode(b[...]) else { fatalError("JSONB.isPlain accepted what decode refuses") }
  var raw = ByteSink()
  _ = b.withUnsafeBytes { JSONB.write(raw: $0, into: &raw) }
  precondition(String(decoding: raw.bytes, as: UTF8.self) == j.description, "JSONB raw text differs from the decoder's")
}

func systemTables(_ b: [UInt8]) {
  var p = 0
  guard let key = take(b, &p, wide: false) else { return }
  let raw = Array(b[p...])
  _ = try? SchemaCatalog.descriptorID(key: key)
  _ = try? SQLKeyPrefix.parse(key[...])
  guard let v = try? SQLValue(roachValue: raw) else { return }
  _ = try? NamespaceEntry.decode(key: key, value: v)
}
