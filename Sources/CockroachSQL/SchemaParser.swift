/// Reads `CREATE TABLE` statements (`--schema FILE.sql`) when descriptors are lost, into the
/// same `TableDescriptor` model. A pragmatic subset: column names and types (with width,
/// precision, arrays, COLLATE), NULL/NOT NULL, DEFAULT, computed columns, PRIMARY KEY (column or
/// table constraint, with ASC/DESC), UNIQUE/INDEX/INVERTED INDEX with STORING, FAMILY clauses.
/// Other statements and unknown table elements (CHECK, FOREIGN KEY…) are skipped.
///
/// IDs follow CockroachDB's allocation for a fresh CREATE TABLE, which the stored keys rely on:
/// columns 1…n in declaration order (the implicit `rowid`, when there is no primary key, is
/// n+1); families 0…m in declaration order, columns named in no family going to the first one
/// (a table without FAMILY clauses has the single family `primary`, 0); the primary index is 1
/// and secondary indexes 2… in order. Tables altered after creation (dropped or added columns)
/// break these assumptions; the table ID itself is unknown (0) and must be supplied.
public enum SchemaParser {
  public struct ParsedTable: Sendable {
    /// Name parts as written (`db.public.t` → ["db", "public", "t"]).
    public var qualifiedName: [String]
    public var table: TableDescriptor
    /// Things the parser skipped or could not map (e.g. an unknown type name).
    public var notes: [String]
    /// The text between the previous statement and this one (comments, whitespace): where
    /// `-- salvage:` directives live (see `SuppliedSchema`).
    public var leadingText: String = ""
    /// 1-based line of the `CREATE`.
    public var line: Int = 1
  }

  public static func parse(_ text: String) throws(SQLDecodeError) -> [ParsedTable] {
    var p = Parser(tokens: try tokenize(text), text: Array(text.unicodeScalars))
    return try p.statements()
  }

  // MARK: tokens

  struct Token {
    enum Kind { case ident, quoted, number, string, punct }
    var kind: Kind
    var text: String
    var start: Int
    var end: Int
    /// Lower-cased bare identifiers compare case-insensitively.
    func isWord(_ w: String) -> Bool { kind == .ident && text == w }
  }

  static func tokenize(_ s: String) throws(SQLDecodeError) -> [Token] {
    let u = Array(s.unicodeScalars)
    var out: [Token] = []
    var i = 0
    func isIdentStart(_ c: Unicode.Scalar) -> Bool { c == "_" || c.properties.isAlphabetic }
    func isIdentChar(_ c: Unicode.Scalar) -> Bool { isIdentStart(c) || ("0"..."9").contains(c) || c == "$" }
    while i < u.count {
      let c = u[i]
      if c.properties.isWhitespace { i += 1; continue }
      if c == "-" && i + 1 < u.count && u[i + 1] == "-" {
        while i < u.count && u[i] != "\n" { i += 1 }
        continue
      }
      if c == "/" && i + 1 < u.count && u[i + 1] == "*" {
        i += 2
        while i + 1 < u.count && !(u[i] == "*" && u[i + 1] == "/") { i += 1 }
        i += 2
        continue
      }
      let start = i
      if isIdentStart(c) {
        while i < u.count && isIdentChar(u[i]) { i += 1 }
        out.append(Token(kind: .ident, text: String(String.UnicodeScalarView(u[start..<i])).lowercased(), start: start, end: i))
      } else if ("0"..."9").contains(c) {
        while i < u.count && (("0"..."9").contains(u[i]) || u[i] == ".") { i += 1 }
        out.append(Token(kind: .number, text: String(String.UnicodeScalarView(u[start..<i])), start: start, end: i))
      } else if c == "\"" || c == "'" {
        var v = String.UnicodeScalarView()
        i += 1
        while true {
          guard i < u.count else { throw SQLDecodeError(.syntax, "schema", "unterminated quote", offset: start) }
          if u[i] == c {
            if i + 1 < u.count && u[i + 1] == c { v.append(c); i += 2; continue }
            i += 1
            break
          }
          v.append(u[i]); i += 1
        }
        out.append(Token(kind: c == "\"" ? .quoted : .string, text: String(v), start: start, end: i))
      } else {
        if c == ":" && i + 2 < u.count && u[i + 1] == ":" && u[i + 2] == ":" { i += 3 }
        else if c == ":" && i + 1 < u.count && u[i + 1] == ":" { i += 2 }
        else { i += 1 }
        out.append(Token(kind: .punct, text: String(String.UnicodeScalarView(u[start..<i])), start: start, end: i))
      }
    }
    return out
  }

  // MARK: parser

  struct Parser {
    var tokens: [Token]
    let text: [Unicode.Scalar]
    var pos = 0

    var peek: Token? { pos < tokens.count ? tokens[pos] : nil }
    func peek(_ k: Int) -> Token? { pos + k < tokens.count ? tokens[pos + k] : nil }
    func at(_ w: String) -> Bool { peek?.isWord(w) == true || (peek?.kind == .punct && peek?.text == w) }

    mutating func accept(_ w: String) -> Bool {
      if at(w) { pos += 1; return true }
      return false
    }

    func error(_ msg: String) -> SQLDecodeError {
      SQLDecodeError(.syntax, "schema", msg + (peek.map { " near \"\($0.text)\"" } ?? " at end of input"),
                     offset: peek?.start)
    }

    mutating func expect(_ w: String) throws(SQLDecodeError) {
      guard accept(w) else { throw error("expected \(w)") }
    }

    mutating func name() throws(SQLDecodeError) -> String {
      guard let t = peek, t.kind == .ident || t.kind == .quoted else { throw error("expected a name") }
      pos += 1
      return t.text
    }

    /// Skips to the end of the current element: the next `,` or `)` at depth 0 (not consumed).
    mutating func skipElement() {
      var depth = 0
      while let t = peek {
        if t.kind == .punct {
          if t.text == "(" || t.text == "[" { depth += 1 }
          if t.text == ")" || t.text == "]" { if depth == 0 { return }; depth -= 1 }
          if t.text == "," && depth == 0 { return }
          if t.text == ";" && depth == 0 { return }
        }
        pos += 1
      }
    }

    /// Source text of an expression running until `,`/`)` at depth 0 or a word in `stops`.
    mutating func expression(stops: Set<String>) -> String {
      let first = pos
      var depth = 0
      while let t = peek {
        if t.kind == .punct {
          if t.text == "(" { depth += 1 }
          if t.text == ")" { if depth == 0 { break }; depth -= 1 }
          if (t.text == "," || t.text == ";") && depth == 0 { break }
        }
        if depth == 0 && t.kind == .ident && stops.contains(t.text) && pos > first { break }
        pos += 1
      }
      guard pos > first else { return "" }
      return String(String.UnicodeScalarView(text[tokens[first].start..<tokens[pos - 1].end]))
    }

    /// `( expr )` as source text without the outer parentheses.
    mutating func parenthesised() throws(SQLDecodeError) -> String {
      try expect("(")
      let e = expression(stops: [])
      try expect(")")
      return e
    }

    mutating func statements() throws(SQLDecodeError) -> [ParsedTable] {
      var out: [ParsedTable] = []
      while peek != nil {
        if at("create") && (peek(1)?.isWord("table") == true) {
          let from = pos > 0 ? tokens[pos - 1].end : 0
          let start = tokens[pos].start
          pos += 2
          var t = try createTable()
          t.leadingText = String(String.UnicodeScalarView(text[from..<start]))
          t.line = 1 + text[..<start].reduce(0) { $0 + ($1 == "\n" ? 1 : 0) }
          out.append(t)
        }
        // Skip the rest of this statement.
        var depth = 0
        while let t = peek {
          pos += 1
          if t.kind == .punct && t.text == "(" { depth += 1 }
          if t.kind == .punct && t.text == ")" { depth -= 1 }
          if t.kind == .punct && t.text == ";" && depth <= 0 { break }
        }
      }
      return out
    }

    struct PendingIndex { var ix: IndexDescriptor; var keyNames: [(String, IndexDirection)]; var storeNames: [String] }

    mutating func createTable() throws(SQLDecodeError) -> ParsedTable {
      if accept("if") { try expect("not"); try expect("exists") }
      var qn = [try name()]
      while accept(".") { qn.append(try name()) }
      var t = TableDescriptor(id: 0, name: qn.last!)
      var notes: [String] = []
      var families: [(name: String, cols: [String])] = []
      var columnFamily: [String: String] = [:]
      var pk: [(String, IndexDirection)]? = nil
      var pkName: String? = nil
      var indexes: [PendingIndex] = []
      try expect("(")
      elements: while true {
        if accept(")") { break }
        var constraintName: String? = nil
        if accept("constraint") { constraintName = try name() }
        if at("primary") {
          pos += 1; try expect("key")
          pk = try columnList()
          pkName = constraintName
          skipElement()
        } else if at("family") {
          pos += 1
          var fname = "fam_\(families.count)"
          if !at("(") { fname = try name() }
          families.append((fname, try columnList().map(\.0)))
        } else if at("unique") || at("index") || at("inverted") {
          var ix = IndexDescriptor()
          if accept("inverted") { ix.kindID = IndexDescriptor.Kind.inverted.rawValue }
          if accept("unique") { ix.unique = true }
          _ = accept("index")
          if !at("(") { ix.name = try name() } else { ix.name = constraintName ?? "" }
          let keys = try columnList()
          var store: [String] = []
          if accept("storing") || accept("covering") || accept("include") { store = try columnList().map(\.0) }
          if accept("where") { ix.predicate = expression(stops: []) }
          indexes.append(PendingIndex(ix: ix, keyNames: keys, storeNames: store))
          skipElement()
        } else if constraintName != nil || at("check") || at("foreign") || at("like") || at("exclude") {
          notes.append("\(t.name): skipped table element \"\(peek?.text ?? "")\"")
          skipElement()
        } else {
          try column(&t, &pk, &columnFamily, &indexes, &notes)
        }
        if accept(",") { continue }
        try expect(")")
        break elements
      }
      // Columns, then the implicit rowid when no primary key was declared.
      if pk == nil {
        var c = ColumnDescriptor(id: UInt32(t.columns.count + 1), name: "rowid", type: SQLType(.int, width: 64, oid: 20))
        c.hidden = true
        c.defaultExpr = "unique_rowid()"
        t.columns.append(c)
        pk = [("rowid", .asc)]
      }
      func id(_ n: String) throws(SQLDecodeError) -> UInt32 {
        guard let c = t.columns.first(where: { $0.name == n }) else {
          throw SQLDecodeError(.syntax, "schema", "column \(n) is not declared", table: t.name)
        }
        return c.id
      }
      t.primaryIndex = IndexDescriptor(id: 1, name: pkName ?? "primary")
      t.primaryIndex.unique = true
      for (n, d) in pk! {
        t.primaryIndex.keyColumnIDs.append(try id(n))
        t.primaryIndex.keyColumnNames.append(n)
        t.primaryIndex.directions.append(d)
      }
      for c in t.primaryIndex.keyColumnIDs {
        if let i = t.columns.firstIndex(where: { $0.id == c }) { t.columns[i].nullable = false }
      }
      // Families: declared ones in order; column-level FAMILY names; leftovers into the first.
      for (c, f) in columnFamily.sorted(by: { $0.key < $1.key }) {
        if let i = families.firstIndex(where: { $0.name == f }) {
          if !families[i].cols.contains(c) { families[i].cols.append(c) }
        } else {
          families.append((f, [c]))
        }
      }
      if families.isEmpty { families = [("primary", [])] }
      let assigned = Set(families.flatMap(\.cols))
      for c in t.columns where !assigned.contains(c.name) && !c.virtual { families[0].cols.append(c.name) }
      for (i, f) in families.enumerated() {
        var fd = FamilyDescriptor(id: UInt32(i), name: f.name)
        let ordered = t.columns.filter { f.cols.contains($0.name) }
        fd.columnNames = ordered.map(\.name)
        fd.columnIDs = ordered.map(\.id)
        if fd.columnIDs.count == 1 { fd.defaultColumnID = fd.columnIDs[0] }
        t.families.append(fd)
      }
      for (k, p) in indexes.enumerated() {
        var ix = p.ix
        ix.id = UInt32(k + 2)
        if ix.name.isEmpty { ix.name = t.name + "_" + p.keyNames.map(\.0).joined(separator: "_") + (ix.unique ? "_key" : "_idx") }
        for (n, d) in p.keyNames {
          ix.keyColumnIDs.append(try id(n)); ix.keyColumnNames.append(n); ix.directions.append(d)
        }
        for n in p.storeNames { ix.storeColumnIDs.append(try id(n)); ix.storeColumnNames.append(n) }
        ix.keySuffixColumnIDs = t.primaryIndex.keyColumnIDs.filter { !ix.keyColumnIDs.contains($0) }
        ix.version = 1
        t.indexes.append(ix)
      }
      t.formatVersion = 3
      return ParsedTable(qualifiedName: qn, table: t, notes: notes)
    }

    mutating func columnList() throws(SQLDecodeError) -> [(String, IndexDirection)] {
      try expect("(")
      var out: [(String, IndexDirection)] = []
      repeat {
        let n = try name()
        var d = IndexDirection.asc
        if accept("desc") { d = .desc } else { _ = accept("asc") }
        // NULLS FIRST/LAST and opclasses are not part of the stored layout.
        while let t = peek, !(t.kind == .punct && (t.text == "," || t.text == ")")) { pos += 1 }
        out.append((n, d))
      } while accept(",")
      try expect(")")
      return out
    }

    static let constraintWords: Set<String> = [
      "not", "null", "primary", "unique", "default", "check", "references", "family", "constraint", "as",
      "generated", "collate", "on", "create",
    ]

    mutating func column(_ t: inout TableDescriptor, _ pk: inout [(String, IndexDirection)]?,
                         _ families: inout [String: String], _ indexes: inout [PendingIndex],
                         _ notes: inout [String]) throws(SQLDecodeError) {
      let cname = try name()
      var c = ColumnDescriptor(id: UInt32(t.columns.count + 1), name: cname, type: try type(&notes, column: cname))
      c.nullable = true
      while let tok = peek, !(tok.kind == .punct && (tok.text == "," || tok.text == ")")) {
        if accept("not") {
          if accept("null") { c.nullable = false } else if accept("visible") { c.hidden = true }
          else { throw error("expected NULL or VISIBLE after NOT") }
        } else if accept("null") {
          c.nullable = true
        } else if accept("primary") {
          try expect("key")
          var d = IndexDirection.asc
          if accept("desc") { d = .desc } else { _ = accept("asc") }
          pk = [(cname, d)]
          c.nullable = false
        } else if accept("unique") {
          var ix = IndexDescriptor()
          ix.unique = true
          indexes.append(PendingIndex(ix: ix, keyNames: [(cname, .asc)], storeNames: []))
        } else if accept("default") {
          c.defaultExpr = expression(stops: SchemaParser.Parser.constraintWords)
        } else if at("as") || at("generated") {
          if accept("generated") {
            try expect("always")
            if !at("as") { throw error("GENERATED ALWAYS AS IDENTITY is not supported") }
          }
          try expect("as")
          guard at("(") else { throw error("expected ( after AS") }
          c.computeExpr = try parenthesised()
          if accept("virtual") { c.virtual = true } else { _ = accept("stored") }
        } else if accept("collate") {
          let loc = try name()
          c.type.familyID = TypeFamily.collatedString.rawValue
          c.type.locale = loc
        } else if accept("family") {
          families[cname] = try name()
        } else if accept("constraint") {
          _ = try name()
        } else if accept("check") {
          _ = try parenthesised()
        } else if accept("references") {
          notes.append("\(t.name).\(cname): REFERENCES skipped")
          _ = try name()
          while accept(".") { _ = try name() }
          if at("(") { _ = try parenthesised() }
          while accept("on") { _ = accept("delete") || accept("update"); skipWords() }
        } else if accept("on") {
          try expect("update")
          c.onUpdateExpr = expression(stops: SchemaParser.Parser.constraintWords)
        } else {
          throw error("unexpected word in the definition of column \(cname)")
        }
      }
      t.columns.append(c)
    }

    mutating func skipWords() {
      // ON DELETE CASCADE / SET NULL / NO ACTION…
      while let t = peek, t.kind == .ident, !SchemaParser.Parser.constraintWords.contains(t.text) || t.text == "null" { pos += 1 }
    }

    mutating func intArgs() throws(SQLDecodeError) -> [Int32] {
      guard accept("(") else { return [] }
      var out: [Int32] = []
      repeat {
        guard let t = peek, t.kind == .number, let v = Int32(t.text) else { throw error("expected a number") }
        pos += 1
        out.append(v)
      } while accept(",")
      try expect(")")
      return out
    }

    /// A type name, mapped to the `types.T` form (family + width/precision + OID).
    mutating func type(_ notes: inout [String], column: String) throws(SQLDecodeError) -> SQLType {
      guard let tok = peek else { throw error("expected a type") }
      pos += 1
      var t: SQLType
      let w = tok.kind == .quoted ? "\"" + tok.text + "\"" : tok.text
      switch w {
      case "bool", "boolean": t = SQLType(.bool, oid: 16)
      case "int2", "smallint": t = SQLType(.int, width: 16, oid: 21)
      case "int4": t = SQLType(.int, width: 32, oid: 23)
      case "int", "int8", "bigint", "integer", "int64": t = SQLType(.int, width: 64, oid: 20)
      case "serial", "serial8", "bigserial":
        t = SQLType(.int, width: 64, oid: 20)
      case "smallserial", "serial2": t = SQLType(.int, width: 16, oid: 21)
      case "serial4": t = SQLType(.int, width: 32, oid: 23)
      case "float4", "real": t = SQLType(.float, width: 32, oid: 700)
      case "float", "float8": t = SQLType(.float, width: 64, oid: 701)
      case "double": _ = accept("precision"); t = SQLType(.float, width: 64, oid: 701)
      case "decimal", "numeric", "dec":
        let a = try intArgs()
        t = SQLType(.decimal, width: a.count > 1 ? a[1] : 0, precision: a.first ?? 0, oid: 1700)
      case "string", "text": t = SQLType(.string, width: try intArgs().first ?? 0, oid: 25)
      case "varchar": t = SQLType(.string, width: try intArgs().first ?? 0, oid: 1043)
      case "character", "char":
        if accept("varying") { t = SQLType(.string, width: try intArgs().first ?? 0, oid: 1043) }
        else { t = SQLType(.string, width: try intArgs().first ?? 1, oid: 1042) }
      case "\"char\"": t = SQLType(.string, oid: 18)
      case "name": t = SQLType(.string, oid: 19)
      case "bytes", "bytea", "blob": t = SQLType(.bytes, oid: 17)
      case "date": t = SQLType(.date, oid: 1082)
      case "time", "timetz", "timestamp", "timestamptz":
        var p = try intArgs()
        var fam: TypeFamily = w.hasPrefix("timestamp") ? .timestamp : .time
        if w.hasSuffix("tz") { fam = fam == .time ? .timeTZ : .timestampTZ }
        if accept("with") { try expect("time"); try expect("zone"); fam = fam == .time ? .timeTZ : .timestampTZ }
        else if accept("without") { try expect("time"); try expect("zone") }
        if p.isEmpty { p = try intArgs() }
        let oids: [TypeFamily: UInt32] = [.time: 1083, .timeTZ: 1266, .timestamp: 1114, .timestampTZ: 1184]
        t = SQLType(fam, precision: p.first ?? 0, oid: oids[fam]!)
        t.timePrecisionIsSet = !p.isEmpty
      case "interval": t = SQLType(.interval, oid: 1186)
      case "uuid": t = SQLType(.uuid, oid: 2950)
      case "inet": t = SQLType(.inet, oid: 869)
      case "json", "jsonb": t = SQLType(.json, oid: 3802)
      case "bit":
        if accept("varying") { t = SQLType(.bit, width: try intArgs().first ?? 0, oid: 1562) }
        else { t = SQLType(.bit, width: try intArgs().first ?? 1, oid: 1560) }
      case "varbit": t = SQLType(.bit, width: try intArgs().first ?? 0, oid: 1562)
      case "oid": t = SQLType(.oid, oid: 26)
      default:
        // Possibly a user-defined ENUM: its physical representations live only in the lost type
        // descriptor, so values will print as hex.
        t = SQLType(.enumType)
        notes.append("column \(column): type \(w) is not built in; treated as an ENUM without members")
      }
      while true {
        if accept("[") { try expect("]"); t = SQLType(.array, element: t) }
        else if accept("array") { t = SQLType(.array, element: t) }
        else { break }
      }
      return t
    }
  }
}
