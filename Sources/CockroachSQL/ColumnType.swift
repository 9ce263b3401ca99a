import CockroachKV

/// Type families (`types.Family`; `SemanticType` in 19.1), spec §7.5. The numbers are the
/// protobuf enum values, identical in both layouts.
public enum TypeFamily: Int32, Sendable, Hashable {
  case bool = 0, int = 1, float = 2, decimal = 3, date = 4, timestamp = 5, interval = 6, string = 7
  case bytes = 8, timestampTZ = 9, collatedString = 10, name = 11, oid = 12, unknown = 13, uuid = 14
  case array = 15, inet = 16, time = 17, json = 18, timeTZ = 19, tuple = 20, bit = 21
  case geometry = 22, geography = 23, enumType = 24, box2d = 25, void = 26, encodedKey = 27
  case tsquery = 28, tsvector = 29, pgLSN = 30, refCursor = 31, pgVector = 32, trigger = 33
  case jsonpath = 34, ltree = 35, any = 100, int2vector = 200, oidvector = 201
}

/// A column type, decoded from either protobuf layout (spec §7.5, §7.7):
///
/// | field | # | wire | 19.1 `ColumnType` | 19.2+ `types.T` (`InternalType`) |
/// |---|---|---|---|---|
/// | family | 1 | varint | SemanticType | Family |
/// | width | 2 | varint | INT bits / STRING length / BIT length / DECIMAL scale | same |
/// | precision | 3 | varint | DECIMAL precision | DECIMAL precision, time precision |
/// | array_dimensions | 4 | varint | | |
/// | locale | 5 | bytes | collation | collation |
/// | visible_type | 6 | varint | alias (INTEGER, VARCHAR, …) | kept only for old rows |
/// | array element family | 7 | varint | the only element info | kept for compatibility |
/// | tuple_contents | 8 | bytes | | nested types |
/// | oid | 10 | varint | — | distinguishes INT2/4/8, VARCHAR/CHAR, … |
/// | array_contents | 11 | bytes | — | nested element type |
/// | time_precision_is_set | 12 | varint | — | |
///
/// In 19.1 an ARRAY's width/locale/visible_type describe its element; `element` normalises that.
public struct SQLType: Sendable, Hashable {
  public enum Layout: Sendable, Hashable { case columnType19_1, internalType }

  public var familyID: Int32
  public var width: Int32 = 0
  public var precision: Int32 = 0
  public var timePrecisionIsSet = false
  public var locale: String?
  public var oid: UInt32 = 0
  public var visibleType: Int32 = 0
  public var arrayDimensions: [Int32] = []
  public var tupleContents: [SQLType] = []
  public var layout: Layout = .internalType
  var elementBox: [SQLType] = []

  public init(_ family: TypeFamily, width: Int32 = 0, precision: Int32 = 0, oid: UInt32 = 0,
              locale: String? = nil, element: SQLType? = nil) {
    self.familyID = family.rawValue
    self.width = width
    self.precision = precision
    self.oid = oid
    self.locale = locale
    if let element { elementBox = [element] }
  }

  public var family: TypeFamily? { TypeFamily(rawValue: familyID) }
  /// ARRAY, or the legacy INT2VECTOR/OIDVECTOR stored like arrays.
  public var isArray: Bool { family == .array || family == .int2vector || family == .oidvector }
  public var element: SQLType? { elementBox.first }

  // 19.1 visible_type values (§7.5).
  static let visInteger: Int32 = 1, visSmallint: Int32 = 2, visBigint: Int32 = 3, visReal: Int32 = 5
  static let visDouble: Int32 = 6, visVarchar: Int32 = 7, visChar: Int32 = 8, visQChar: Int32 = 9
  static let visVarbit: Int32 = 10

  // MARK: normalised views

  /// INT bit width: 16, 32 or 64.
  public var intWidth: Int {
    switch width {
    case 16, 32, 64: return Int(width)
    default: break
    }
    switch oid {
    case 21: return 16
    case 23: return 32
    default: break
    }
    if visibleType == SQLType.visSmallint { return 16 }   // pre-19.1 alias
    return 64
  }

  public var isFloat4: Bool {
    switch oid {
    case 700: return true
    case 701: return false
    default:
      // Pre-19.2 REAL alias; pre-2.1 FLOAT(p) kept p in `precision` (p ≤ 24 is single precision).
      return width == 32 || visibleType == SQLType.visReal || (oid == 0 && precision >= 1 && precision <= 24)
    }
  }

  public enum StringVariant: Sendable { case string, varchar, char, qchar, name }
  public var stringVariant: StringVariant {
    if family == .name { return .name }
    switch oid {
    case 1043: return .varchar
    case 1042: return .char
    case 18: return .qchar
    case 19: return .name
    case 25: return .string
    default: break
    }
    switch visibleType {
    case SQLType.visVarchar: return .varchar
    case SQLType.visChar: return .char
    case SQLType.visQChar: return .qchar
    default: return .string
    }
  }

  public var isVarbit: Bool { oid == 1562 || visibleType == SQLType.visVarbit }

  /// Descriptor ID of a user-defined type (ENUM): OID − 100000 (spec §10: offset UNVERIFIED).
  public var userTypeID: UInt32? {
    oid > 100_000 ? oid - 100_000 : nil
  }

  /// Families whose values Salvage decodes and renders as IMPORT text; others pass through as hex.
  static let decodedFamilies: Set<TypeFamily> = [
    .bool, .int, .float, .decimal, .date, .timestamp, .interval, .string, .bytes, .timestampTZ,
    .collatedString, .name, .oid, .uuid, .array, .inet, .time, .json, .timeTZ, .bit, .enumType, .pgLSN,
    .int2vector, .oidvector,
  ]

  /// True when values of this type (and its element) are decoded, not passed through as hex.
  public var isDecoded: Bool {
    guard let family, SQLType.decodedFamilies.contains(family) else { return false }
    if isArray { return element.map { !$0.isArray && $0.isDecoded } ?? false }
    return true
  }

  // MARK: decoding

  /// Decodes a type message. `problems` collects fields that could not be read.
  public static func decode(_ bytes: ArraySlice<UInt8>, what: String = "type") throws(SQLDecodeError) -> SQLType {
    try decode(bytes, what: what, depth: 0)
  }

  static func decode(_ bytes: ArraySlice<UInt8>, what: String, depth: Int) throws(SQLDecodeError) -> SQLType {
    // Real types nest a few levels (arrays, tuples); hostile bytes could nest until the stack ends.
    guard depth < 32 else { throw SQLDecodeError(.unsupported, what, "type nested deeper than 32 levels") }
    var r = ProtoReader(bytes, what: what)
    var t = SQLType(.unknown)
    var legacyElementFamily: Int32?
    var sawNewFields = false
    do {
      while let f = try r.next() {
        switch f.number {
        case 1: t.familyID = try f.int32(what)
        case 2: t.width = try f.int32(what)
        case 3: t.precision = try f.int32(what)
        case 4: t.arrayDimensions += try f.packedVarints(what).map { Int32(truncatingIfNeeded: $0) }
        case 5: t.locale = try f.string(what)
        case 6: t.visibleType = try f.int32(what)
        case 7: legacyElementFamily = try f.int32(what)
        case 8: t.tupleContents.append(try decode(try f.bytes(what), what: what + ".tuple_contents", depth: depth + 1))
        case 10: t.oid = try f.uint32(what); sawNewFields = true
        case 11: t.elementBox = [try decode(try f.bytes(what), what: what + ".array_contents", depth: depth + 1)]; sawNewFields = true
        case 12: t.timePrecisionIsSet = try f.bool(what); sawNewFields = true
        default: break     // 9 tuple_labels, 13–15 interval/geo/udt metadata: not needed to decode data
        }
      }
    } catch let e as KVError {
      throw SQLDecodeError(e)
    } catch let e as SQLDecodeError {
      throw e
    } catch {
      throw SQLDecodeError(.corrupt, what, "\(error)")
    }
    t.layout = sawNewFields ? .internalType : .columnType19_1
    // 19.1 arrays: field 7 names the element family; width/locale/visible_type are the element's.
    // INT2VECTOR/OIDVECTOR (19.1 families 200/201) are arrays of INT2/OID.
    if (t.family == .int2vector || t.family == .oidvector) && t.elementBox.isEmpty {
      t.elementBox = [t.family == .int2vector ? SQLType(.int, width: 16, oid: 21) : SQLType(.oid, oid: 26)]
      legacyElementFamily = nil
    }
    if t.family == .array && t.elementBox.isEmpty, let ef = legacyElementFamily {
      var e = SQLType(.unknown)
      e.familyID = ef
      e.width = t.width
      e.precision = t.precision
      e.locale = t.locale
      e.visibleType = t.visibleType
      e.layout = t.layout
      t.elementBox = [e]
      t.width = 0; t.precision = 0; t.locale = nil; t.visibleType = 0
    }
    return t
  }

  // MARK: names

  /// The CockroachDB SQL spelling of the type for DDL (`INT8`, `VARCHAR(20)`, `DECIMAL(10,2)`,
  /// `STRING COLLATE de`, `INT8[]`); ENUMs need `enumName` (from the type descriptor).
  /// Nil when the family is not one Salvage can spell.
  public func sqlName(enumName: (UInt32) -> String? = { _ in nil }) -> String? {
    guard let family else { return nil }
    func timePrec(_ base: String) -> String {
      (timePrecisionIsSet || precision > 0) ? "\(base)(\(precision))" : base
    }
    switch family {
    case .bool: return "BOOL"
    case .int: return "INT\(intWidth / 8)"
    case .float: return isFloat4 ? "FLOAT4" : "FLOAT8"
    case .decimal:
      if precision > 0 { return width > 0 ? "DECIMAL(\(precision),\(width))" : "DECIMAL(\(precision))" }
      return "DECIMAL"
    case .date: return "DATE"
    case .timestamp: return timePrec("TIMESTAMP")
    case .timestampTZ: return timePrec("TIMESTAMPTZ")
    case .time: return timePrec("TIME")
    case .timeTZ: return timePrec("TIMETZ")
    case .interval: return timePrec("INTERVAL")
    case .string, .name, .collatedString:
      var base: String
      switch stringVariant {
      case .string: base = "STRING"
      case .varchar: base = width > 0 ? "VARCHAR(\(width))" : "VARCHAR"
      case .char: base = width > 0 ? "CHAR(\(width))" : "CHAR"
      case .qchar: base = "\"char\""
      case .name: base = "NAME"
      }
      if base == "STRING" && width > 0 { base = "STRING(\(width))" }
      if family == .collatedString, let locale { base += " COLLATE " + SQLIdent.quote(locale) }
      return base
    case .bytes: return "BYTES"
    case .uuid: return "UUID"
    case .inet: return "INET"
    case .json: return "JSONB"
    case .oid: return "OID"
    case .bit:
      if isVarbit { return width > 0 ? "VARBIT(\(width))" : "VARBIT" }
      return width > 0 ? "BIT(\(width))" : "BIT"
    case .enumType:
      guard let id = userTypeID, let n = enumName(id) else { return nil }
      return n
    case .array:
      guard let e = element, e.family != .array, let n = e.sqlName(enumName: enumName) else { return nil }
      return n + "[]"
    case .geometry: return "GEOMETRY"
    case .geography: return "GEOGRAPHY"
    case .box2d: return "BOX2D"
    case .pgLSN: return "PG_LSN"
    case .tsvector: return "TSVECTOR"
    case .tsquery: return "TSQUERY"
    case .int2vector: return "INT2VECTOR"
    case .oidvector: return "OIDVECTOR"
    default: return nil
    }
  }
}

/// SQL identifier quoting as CockroachDB prints it: bare when lowercase and not reserved.
public enum SQLIdent {
  static let reserved: Set<String> = [
    "all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric", "both", "case", "cast",
    "check", "collate", "column", "concurrently", "constraint", "create", "current_catalog", "current_date",
    "current_role", "current_schema", "current_time", "current_timestamp", "current_user", "default",
    "deferrable", "desc", "distinct", "do", "else", "end", "except", "false", "family", "fetch", "for",
    "foreign", "from", "grant", "group", "having", "in", "index", "initially", "intersect", "into",
    "lateral", "leading", "limit", "localtime", "localtimestamp", "not", "nothing", "null", "offset", "on",
    "only", "or", "order", "placing", "primary", "references", "returning", "select", "session_user",
    "some", "symmetric", "table", "then", "to", "trailing", "true", "union", "unique", "user", "using",
    "variadic", "when", "where", "window", "with",
  ]

  public static func quote(_ name: String) -> String {
    let u = Array(name.utf8)
    let plain = !u.isEmpty && (u[0] == 95 || (u[0] >= 97 && u[0] <= 122))
      && u.allSatisfy { $0 == 95 || ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) }
      && !reserved.contains(name)
    if plain { return name }
    return "\"" + name.split(separator: "\"", omittingEmptySubsequences: false).joined(separator: "\"\"") + "\""
  }
}
