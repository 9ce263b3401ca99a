import CockroachKV

/// User-defined types by descriptor ID, for ENUM labels and names.
public struct TypeCatalog: Sendable {
  public var types: [UInt32: TypeDescriptor]
  public init(_ types: [TypeDescriptor] = []) {
    self.types = Dictionary(types.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
  }

  public func enumDatum(_ type: SQLType, _ physical: [UInt8]) -> Datum {
    let label = type.userTypeID.flatMap { types[$0] }?.label(physical: physical)
    return .enumValue(physical: physical, label: label)
  }

  public func name(of id: UInt32) -> String? { types[id]?.name }
}

/// Decodes one datum of a known type from the key side (§5.2–5.4) or the value side (§6.3–6.4).
public enum DatumDecoding {
  static func string(_ b: [UInt8]) -> Datum {
    // Text columns hold UTF-8 (CockroachDB validates on write); anything else is kept raw.
    if let s = String(validating: b, as: UTF8.self) { return .string(s) }
    return .raw(type: "STRING (invalid UTF-8)", bytes: b)
  }

  static func uuid(_ b: [UInt8]) throws(SQLDecodeError) -> Datum {
    guard b.count == 16 else { throw SQLDecodeError(.corrupt, "uuid", "\(b.count) bytes, expected 16") }
    return .uuid(b)
  }

  static func typeName(_ t: SQLType) -> String { t.sqlName() ?? "family \(t.familyID)" }

  // MARK: key side

  /// Decodes one key column, NULL markers included, consuming its bytes from `b`.
  public static func key(_ t: SQLType, _ dir: IndexDirection, _ b: inout ArraySlice<UInt8>,
                         catalog: TypeCatalog = TypeCatalog()) throws(SQLDecodeError) -> Datum {
    let desc = dir == .desc
    guard let m = b.first else { throw SQLDecodeError(.truncated, "key", "no bytes left for the column") }
    if m == (desc ? 0xFF : 0x00) { b = b.dropFirst(); return .null }
    func bytes() throws(SQLDecodeError) -> [UInt8] {
      let (v, rest) = try kv("key bytes") { () throws(KVError) in
        desc ? try OrderedEncoding.decodeBytesDescending(b) : try OrderedEncoding.decodeBytesAscending(b)
      }
      b = rest
      return v
    }
    func int() throws(SQLDecodeError) -> Int64 {
      desc ? try SQLOrderedDecoding.varintDescending(&b) : try SQLOrderedDecoding.varintAscending(&b)
    }
    guard let family = t.family else {
      throw SQLDecodeError(.unsupported, "key", "type family \(t.familyID) cannot be walked in a key")
    }
    switch family {
    case .bool: return .bool(try int() != 0)
    case .int: return .int(try int())
    case .oid:
      let v = try int()
      guard let o = UInt32(exactly: v) else { throw SQLDecodeError(.corrupt, "key", "OID \(v) out of range") }
      return .oid(o)
    case .date: return .date(days: try int())
    case .time: return .time(micros: try int())
    case .pgLSN:
      return .int(Int64(bitPattern: desc ? try SQLOrderedDecoding.uvarintDescending(&b) : try SQLOrderedDecoding.uvarintAscending(&b)))
    case .float: return .float(try SQLOrderedDecoding.float(&b, descending: desc))
    case .decimal: return .decimal(try SQLOrderedDecoding.decimal(&b, descending: desc))
    case .string, .name: return string(try bytes())
    case .bytes: return .bytes(try bytes())
    case .uuid: return try uuid(try bytes())
    case .inet:
      let raw = try bytes()
      var r = raw[...]
      let d = try ValueEncoding.ipAddr(&r)
      guard r.isEmpty else { throw SQLDecodeError(.corrupt, "key inet", "\(r.count) trailing bytes") }
      return d
    case .enumType: return catalog.enumDatum(t, try bytes())
    case .collatedString:
      // The key holds a collation key, which cannot be inverted: the value side has the text (§6.5).
      return .raw(type: "collation key", bytes: try bytes())
    case .timestamp:
      let (s, n) = try SQLOrderedDecoding.timestamp(&b, descending: desc)
      return .timestamp(seconds: s, nanos: n)
    case .timestampTZ:
      let (s, n) = try SQLOrderedDecoding.timestamp(&b, descending: desc)
      return .timestampTZ(seconds: s, nanos: n)
    case .timeTZ:
      let (us, off) = try SQLOrderedDecoding.timeTZ(&b, descending: desc)
      return .timeTZ(micros: us, offsetSecs: off)
    case .interval:
      let d = try SQLOrderedDecoding.interval(&b, descending: desc)
      return .interval(months: d.months, days: d.days, nanos: d.nanos)
    case .bit: return .bits(try SQLOrderedDecoding.bitArray(&b, descending: desc))
    case .box2d: return .raw(type: "BOX2D", bytes: (try SQLOrderedDecoding.box2D(&b, descending: desc)).flatMap { beBytes($0.bitPattern) })
    case .array:
      guard let e = t.element else { throw SQLDecodeError(.missing, "key array", "no element type") }
      try SQLOrderedDecoding.expect(&b, desc ? 0x40 : 0x3F, "key array")
      var out: [Datum] = []
      while true {
        let m = try SQLOrderedDecoding.marker(b, "key array")
        if m == (desc ? 0xFF : 0x00) { b = b.dropFirst(); break }
        if m == (desc ? 0xFE : 0x01) { b = b.dropFirst(); out.append(.null); continue }
        out.append(try key(e, dir, &b, catalog: catalog))
      }
      return .array(out)
    default:
      throw SQLDecodeError(.unsupported, "key", "\(typeName(t)) cannot be walked in a key")
    }
  }

  static func beBytes(_ v: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: v >> (56 - 8 * UInt64($0))) } }

  // MARK: value side (TUPLE bodies and array elements)

  /// Decodes the body of one TUPLE column whose tag said `encType`, checking the tag fits the type.
  public static func value(_ t: SQLType, encType: Int, _ b: inout ArraySlice<UInt8>,
                           catalog: TypeCatalog = TypeCatalog()) throws(SQLDecodeError) -> Datum {
    typealias E = ValueEncoding.EncType
    func mismatch() -> SQLDecodeError {
      SQLDecodeError(.corrupt, "value", "encoding type \(encType) does not fit column type \(typeName(t))")
    }
    guard let family = t.family else {
      // Unknown family: keep the body bytes as hex.
      let before = b
      try ValueEncoding.skipBody(encType, &b)
      return .raw(type: "family \(t.familyID)", bytes: Array(before.prefix(before.count - b.count)))
    }
    switch (family, E(rawValue: encType)) {
    case (_, .null): return .null
    case (.bool, .true): return .bool(true)
    case (.bool, .false): return .bool(false)
    case (.int, .int), (.pgLSN, .int): return .int(try ValueEncoding.zigzag(&b))
    case (.oid, .int):
      let v = try ValueEncoding.zigzag(&b)
      guard let o = UInt32(exactly: v) else { throw SQLDecodeError(.corrupt, "value", "OID \(v) out of range") }
      return .oid(o)
    case (.date, .int), (.date, .time):
      // 1.1-era writers tagged DATE array elements Time (§6.4); the body is one int either way.
      return .date(days: try ValueEncoding.zigzag(&b))
    case (.time, .int): return .time(micros: try ValueEncoding.zigzag(&b))
    case (.float, .float):
      let raw = try ValueEncoding.take(&b, 8, "float")
      var u: UInt64 = 0
      for x in raw { u = u << 8 | UInt64(x) }
      return .float(Double(bitPattern: u))
    case (.decimal, .decimal):
      let n = try ValueEncoding.uvarint(&b, "decimal length")
      return .decimal(try ValueEncoding.nonsortingDecimal(try ValueEncoding.take(&b, n, "decimal")))
    case (.string, .bytes), (.name, .bytes), (.collatedString, .bytes):
      return string(Array(try ValueEncoding.take(&b, try ValueEncoding.nsUvarint(&b), "string")))
    case (.bytes, .bytes):
      return .bytes(Array(try ValueEncoding.take(&b, try ValueEncoding.nsUvarint(&b), "bytes")))
    case (.enumType, .bytes):
      return catalog.enumDatum(t, Array(try ValueEncoding.take(&b, try ValueEncoding.nsUvarint(&b), "enum")))
    case (.timestamp, .time), (.timestampTZ, .time):
      let s = try ValueEncoding.zigzag(&b), n = try ValueEncoding.zigzag(&b)
      return family == .timestamp ? .timestamp(seconds: s, nanos: n) : .timestampTZ(seconds: s, nanos: n)
    case (.timeTZ, .timeTZ):
      let us = try ValueEncoding.zigzag(&b), off = try ValueEncoding.zigzag(&b)
      guard let o = Int32(exactly: off) else { throw SQLDecodeError(.corrupt, "timetz", "offset \(off)") }
      return .timeTZ(micros: us, offsetSecs: o)
    case (.interval, .duration):
      let m = try ValueEncoding.zigzag(&b), d = try ValueEncoding.zigzag(&b), n = try ValueEncoding.zigzag(&b)
      return .interval(months: m, days: d, nanos: n)
    case (.uuid, .uuid): return .uuid(Array(try ValueEncoding.take(&b, 16, "uuid")))
    case (.inet, .ipAddr): return try ValueEncoding.ipAddr(&b)
    case (.json, .json):
      return .json(try JSONB.decode(try ValueEncoding.take(&b, try ValueEncoding.nsUvarint(&b), "jsonb")))
    case (.bit, .bitArray):
      let bits = try ValueEncoding.nsUvarint(&b, "bit length")
      return .bits(try bitWords(bits, &b))
    case (.array, .array), (.int2vector, .array), (.oidvector, .array):
      return try array(t, try ValueEncoding.take(&b, try ValueEncoding.nsUvarint(&b), "array"), catalog: catalog)
    default:
      if E(rawValue: encType) == nil { throw SQLDecodeError(.unsupported, "value", "encoding type \(encType)") }
      // A known family whose decoding Salvage lacks (GEOMETRY, TSVECTOR…): keep the bytes.
      if !t.isDecoded {
        let before = b
        try ValueEncoding.skipBody(encType, &b)
        return .raw(type: typeName(t), bytes: Array(before.prefix(before.count - b.count)))
      }
      throw mismatch()
    }
  }

  static func bitWords(_ bits: UInt64, _ b: inout ArraySlice<UInt8>) throws(SQLDecodeError) -> String {
    let nWords = bits / 64 + (bits % 64 == 0 ? 0 : 1)
    guard nWords <= UInt64(b.count / 8) else { throw SQLDecodeError(.truncated, "bit array", "\(bits) bits do not fit") }
    let raw = try ValueEncoding.take(&b, nWords * 8, "bit array")
    var words: [UInt64] = []
    var i = raw.startIndex
    for _ in 0..<nWords {
      var w: UInt64 = 0
      for k in 0..<8 { w = w << 8 | UInt64(raw[i + k]) }
      words.append(w)
      i += 8
    }
    let last = bits % 64 == 0 ? (bits == 0 ? 0 : 64) : bits % 64
    return try SQLOrderedDecoding.bitString(words: words, lastBitsUsed: last)
  }

  /// Array body (§6.4): header ‖ valueTag(0, elemType) ‖ nsUvarint(count) ‖ [NULL bitmap] ‖ elements.
  public static func array(_ t: SQLType, _ body: ArraySlice<UInt8>, catalog: TypeCatalog = TypeCatalog())
    throws(SQLDecodeError) -> Datum
  {
    guard let e = t.element else { throw SQLDecodeError(.missing, "array", "no element type") }
    var b = body
    let header = try ValueEncoding.take(&b, 1, "array header").first!
    guard header & 0x0F == 1 else {
      throw SQLDecodeError(.unsupported, "array", "\(header & 0x0F) dimensions (only 1 is written)")
    }
    let elemType = try ValueEncoding.tag(&b).type
    let count = try ValueEncoding.nsUvarint(&b, "array count")
    // Every element takes at least one bit of the bitmap or one byte: cap before allocating.
    guard count <= UInt64(body.count) * 8 else {
      throw SQLDecodeError(.corrupt, "array", "\(count) elements in \(body.count) bytes")
    }
    var nulls: ArraySlice<UInt8> = []
    if header & 0x10 != 0 { nulls = try ValueEncoding.take(&b, (count + 7) / 8, "array NULL bitmap") }
    var out: [Datum] = []
    for i in 0..<Int(count) {
      if !nulls.isEmpty && nulls[nulls.startIndex + i / 8] & (1 << UInt8(i % 8)) != 0 { out.append(.null); continue }
      if e.family == .bool {
        // Bool elements are a bare tag byte: 0a true, 0b false.
        let t = try ValueEncoding.tag(&b)
        guard t.type == 10 || t.type == 11 else { throw SQLDecodeError(.corrupt, "array", "bool element tag \(t.type)") }
        out.append(.bool(t.type == 10))
        continue
      }
      out.append(try value(e, encType: elemType, &b, catalog: catalog))
    }
    guard b.isEmpty else { throw SQLDecodeError(.corrupt, "array", "\(b.count) trailing bytes") }
    return .array(out)
  }

  // MARK: bare values (§6.3.1)

  /// A bare roachpb.Value body (`tag` from the value header) for a single-column family.
  public static func bare(_ t: SQLType, tag: UInt8, _ data: ArraySlice<UInt8>, catalog: TypeCatalog = TypeCatalog())
    throws(SQLDecodeError) -> Datum
  {
    var b = data
    func done(_ d: Datum) throws(SQLDecodeError) -> Datum {
      guard b.isEmpty else { throw SQLDecodeError(.corrupt, "bare value", "\(b.count) trailing bytes") }
      return d
    }
    func mismatch() -> SQLDecodeError {
      SQLDecodeError(.corrupt, "bare value", "value tag \(tag) does not fit column type \(typeName(t))")
    }
    guard let family = t.family else { return .raw(type: "family \(t.familyID)", bytes: Array(data)) }
    if !t.isDecoded { return .raw(type: typeName(t), bytes: Array(data)) }
    switch tag {
    case 1:   // INT
      let v = try ValueEncoding.zigzag(&b)
      switch family {
      case .bool: return try done(.bool(v != 0))
      case .int, .pgLSN: return try done(.int(v))
      case .date: return try done(.date(days: v))
      case .time: return try done(.time(micros: v))
      case .oid:
        guard let o = UInt32(exactly: v) else { throw SQLDecodeError(.corrupt, "bare value", "OID \(v)") }
        return try done(.oid(o))
      default: throw mismatch()
      }
    case 2:   // FLOAT
      guard family == .float else { throw mismatch() }
      return try value(t, encType: 4, &b, catalog: catalog).checkedEnd(b)
    case 3:   // BYTES
      let raw = Array(data)
      switch family {
      case .string, .name, .collatedString: return string(raw)
      case .bytes: return .bytes(raw)
      case .uuid: return try uuid(raw)
      case .inet: return try done(try ValueEncoding.ipAddr(&b))
      case .json: return .json(try JSONB.decode(data))
      case .array, .int2vector, .oidvector: return try array(t, data, catalog: catalog)
      case .enumType: return catalog.enumDatum(t, raw)
      case .tsquery, .tsvector, .pgVector, .tuple, .refCursor: return .raw(type: typeName(t), bytes: raw)
      default: throw mismatch()
      }
    case 4:   // TIME: key-style timestamp
      let (s, n) = try SQLOrderedDecoding.timestamp(&b, descending: false)
      switch family {
      case .timestamp: return try done(.timestamp(seconds: s, nanos: n))
      case .timestampTZ: return try done(.timestampTZ(seconds: s, nanos: n))
      default: throw mismatch()
      }
    case 5:   // DECIMAL without a length
      guard family == .decimal else { throw mismatch() }
      return .decimal(try ValueEncoding.nonsortingDecimal(data))
    case 6:   // DURATION: key-style
      guard family == .interval else { throw mismatch() }
      let d = try SQLOrderedDecoding.interval(&b, descending: false)
      return try done(.interval(months: d.months, days: d.days, nanos: d.nanos))
    case 11:  // BITARRAY
      guard family == .bit else { throw mismatch() }
      let bits = try ValueEncoding.nsUvarint(&b, "bit length")
      return try done(.bits(try bitWords(bits, &b)))
    case 12:  // TIMETZ: key-style
      guard family == .timeTZ else { throw mismatch() }
      let (us, off) = try SQLOrderedDecoding.timeTZ(&b, descending: false)
      return try done(.timeTZ(micros: us, offsetSecs: off))
    case 13, 14:  // GEO, BOX2D
      return .raw(type: typeName(t), bytes: Array(data))
    default:
      throw SQLDecodeError(.unsupported, "bare value", "value tag \(tag)")
    }
  }
}

extension Datum {
  func checkedEnd(_ rest: ArraySlice<UInt8>) throws(SQLDecodeError) -> Datum {
    guard rest.isEmpty else { throw SQLDecodeError(.corrupt, "bare value", "\(rest.count) trailing bytes") }
    return self
  }
}
