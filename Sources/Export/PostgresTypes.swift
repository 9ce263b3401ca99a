/// CockroachDB column types as PostgreSQL types, and rows as COPY text-format lines.
public enum PostgresTypes {
  /// The PostgreSQL type for a CockroachDB type (SQL text). Types PostgreSQL lacks
  /// without extensions (ENUMs defined in the source, GEOMETRY, …) become `text`, which
  /// keeps CockroachDB's text form.
  public static func postgresType(_ cockroachType: String) -> String {
    let t = cockroachType.trimmingWhitespace()
    let upper = t.uppercased()
    if upper.hasSuffix("[]") { return postgresType(String(t.dropLast(2))) + "[]" }
    let base = String(upper.prefix { $0 != "(" }).trimmingWhitespace()
    let args = upper.firstIndex(of: "(").map { String(upper[$0...]) } ?? ""
    switch base {
    case "INT", "INT8", "INT64", "INTEGER", "BIGINT", "SERIAL", "SERIAL8", "BIGSERIAL": return "bigint"
    case "INT4", "SERIAL4": return "integer"
    case "INT2", "SMALLINT", "SERIAL2", "SMALLSERIAL": return "smallint"
    case "FLOAT", "FLOAT8", "DOUBLE PRECISION": return "double precision"
    case "FLOAT4", "REAL": return "real"
    case "DECIMAL", "NUMERIC", "DEC": return "numeric" + args
    case "BOOL", "BOOLEAN": return "boolean"
    case "STRING", "TEXT": return args.isEmpty ? "text" : "varchar" + args
    case "VARCHAR", "CHARACTER VARYING", "CHAR", "CHARACTER", "BPCHAR": return base.lowercased() + args
    case "NAME", "\"CHAR\"": return "text"
    case "BYTES", "BYTEA", "BLOB": return "bytea"
    case "TIMESTAMPTZ", "TIMESTAMP WITH TIME ZONE": return "timestamptz" + args
    case "TIMESTAMP", "TIMESTAMP WITHOUT TIME ZONE": return "timestamp" + args
    case "DATE": return "date"
    case "TIME", "TIME WITHOUT TIME ZONE": return "time" + args
    case "TIMETZ", "TIME WITH TIME ZONE": return "timetz" + args
    case "INTERVAL": return "interval" + args
    case "JSON", "JSONB": return "jsonb"
    case "UUID": return "uuid"
    case "INET": return "inet"
    case "BIT", "VARBIT", "BIT VARYING": return base.lowercased() + args
    case "OID": return "oid"
    default: return "text"
    }
  }

  /// One COPY text-format line (PostgreSQL docs, "COPY", Text Format): tab-separated,
  /// `\N` for NULL, and backslash, tab, LF, CR escaped. Values use CockroachDB's text,
  /// which PostgreSQL parses for every mapped type (`\x` hex for bytea, `NaN`/`Infinity`).
  /// Array columns (`arrays[i]`) are rewritten from CockroachDB's `ARRAY['a',NULL]` to
  /// PostgreSQL's `{"a",NULL}`: COPY accepts only the latter.
  static func appendCopyLine(_ row: ExportRow, arrays: [Bool] = [], to out: inout [UInt8]) {
    for (i, value) in row.enumerated() {
      if i > 0 { out.append(0x09) }
      guard var text = value.cockroachText else {
        out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "N"))
        continue
      }
      if i < arrays.count, arrays[i], let literal = arrayLiteral(text) { text = literal }
      text.withUTF8 { appendEscaped(UnsafeRawBufferPointer($0), to: &out) }
    }
    out.append(0x0a)
  }

  /// Which columns of `table` are PostgreSQL arrays (their text is rewritten by `appendCopyLine`).
  static func arrayColumns(_ table: ExportTable) -> [Bool] {
    table.columns.map { postgresType($0.cockroachType).hasSuffix("[]") }
  }

  /// Text-format escaping: backslash, tab, LF and CR.
  static func appendEscaped(_ bytes: UnsafeRawBufferPointer, to out: inout [UInt8]) {
    for b in bytes {
      switch b {
      case UInt8(ascii: "\\"): out.append(b); out.append(b)
      case 0x09: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "t"))
      case 0x0a: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "n"))
      case 0x0d: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "r"))
      default: out.append(b)
      }
    }
  }

  /// Row `r` of typed rows as the same COPY line `appendCopyLine(rows.row(r))` gives, without
  /// making its values strings.
  static func appendCopyLine(_ rows: SQLiteRows, _ r: Int, arrays: [Bool], to out: inout [UInt8]) {
    let digits: StaticString = "0123456789abcdef"
    rows.arena.withUnsafeBytes { arena in
      for c in 0..<rows.width {
        if c > 0 { out.append(0x09) }
        let i = r * rows.width + c
        let value = rows.values[i]
        let bytes = { UnsafeRawBufferPointer(rebasing: arena[Int(value)..<(Int(value) + Int(rows.lengths[i]))]) }
        switch SQLiteRows.Kind(rawValue: rows.kinds[i]) ?? .null {
        case .null: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "N"))
        case .bool: out.append(contentsOf: (value != 0 ? "true" : "false").utf8)
        case .int: out.append(contentsOf: String(value).utf8)
        case .float: out.append(contentsOf: ExportValue.floatText(Double(bitPattern: UInt64(bitPattern: value))).utf8)
        case .bytes:
          // `\x…` with its backslash escaped.
          out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "x"))
          digits.withUTF8Buffer { d in
            for b in bytes() { out.append(d[Int(b >> 4)]); out.append(d[Int(b & 0x0f)]) }
          }
        case .decimal, .text, .timestamp, .other:
          if c < arrays.count, arrays[c], var literal = arrayLiteral(String(decoding: bytes(), as: UTF8.self)) {
            literal.withUTF8 { appendEscaped(UnsafeRawBufferPointer($0), to: &out) }
          } else {
            appendEscaped(bytes(), to: &out)
          }
        }
      }
    }
    out.append(0x0a)
  }
}

extension PostgresTypes {
  /// `ARRAY['a b',NULL,'it''s']` (Salvage's CSV text: elements as SQL string literals or bare
  /// NULL) as the PostgreSQL array literal `{"a b",NULL,"it's"}`; nil if `text` is not that form.
  static func arrayLiteral(_ text: String) -> String? {
    let b = Array(text.utf8)
    let open = Array("ARRAY[".utf8)
    guard b.count >= open.count + 1, Array(b.prefix(open.count)) == open, b.last == UInt8(ascii: "]") else { return nil }
    var out: [UInt8] = [UInt8(ascii: "{")]
    var i = open.count
    let end = b.count - 1
    var first = true
    while i < end {
      if !first {
        guard b[i] == UInt8(ascii: ",") else { return nil }
        out.append(b[i]); i += 1
      }
      first = false
      if b[i...].starts(with: "NULL".utf8) {
        out += Array("NULL".utf8); i += 4
        continue
      }
      guard b[i] == UInt8(ascii: "'") else { return nil }
      i += 1
      out.append(UInt8(ascii: "\""))
      while true {
        guard i < end else { return nil }
        if b[i] == UInt8(ascii: "'") {
          if i + 1 < end, b[i + 1] == UInt8(ascii: "'") { out.append(b[i]); i += 2; continue }
          i += 1
          break
        }
        if b[i] == UInt8(ascii: "\"") || b[i] == UInt8(ascii: "\\") { out.append(UInt8(ascii: "\\")) }
        out.append(b[i]); i += 1
      }
      out.append(UInt8(ascii: "\""))
    }
    out.append(UInt8(ascii: "}"))
    return String(decoding: out, as: UTF8.self)
  }
}

extension String {
  func trimmingWhitespace() -> String {
    String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
  }
}
