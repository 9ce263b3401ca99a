/// Names of output files and tables, derived from source names that may contain any
/// character CockroachDB allows in a quoted identifier (`/`, `..`, spaces, unicode).
public enum OutputNames {
  /// `<db>/<table>.csv`, or `<db>/<schema>.<table>.csv` outside `public`; each part is
  /// made file-safe by `fileComponent`.
  public static func csvPath(_ table: ExportTable, gzip: Bool) -> String {
    let base = table.schema == "public"
      ? fileComponent(table.name) : fileComponent(table.schema) + "." + fileComponent(table.name)
    return fileComponent(table.database) + "/" + base + (gzip ? ".csv.gz" : ".csv")
  }

  /// Keeps `[A-Za-z0-9_-]` and non-leading `.`; every other byte of the UTF-8 becomes
  /// `%XX`, so distinct names stay distinct and none escapes its directory.
  public static func fileComponent(_ name: String) -> String {
    var out = ""
    for (i, b) in name.utf8.enumerated() {
      let c = Character(Unicode.Scalar(b))
      let plain = (b < 0x80 && (c.isLetter || c.isNumber)) || b == UInt8(ascii: "_") || b == UInt8(ascii: "-")
        || (b == UInt8(ascii: ".") && i > 0)
      if plain {
        out.append(c)
      } else {
        out += "%" + String(b, radix: 16, uppercase: true).leftPadded(to: 2)
      }
    }
    return out.isEmpty ? "%" : out
  }

  /// The SQLite table for a source table: `<db>_<table>`, or `<db>_<schema>_<table>`
  /// outside `public`. SQLite has one namespace per file, and attaching a file per
  /// database would split the export; a collision (`a_b.c` vs `a.b_c`) is detected by
  /// `SQLiteSink` and reported rather than merged.
  public static func sqliteTable(_ table: ExportTable) -> String {
    table.schema == "public" ? "\(table.database)_\(table.name)" : "\(table.database)_\(table.schema)_\(table.name)"
  }

  /// A double-quoted SQL identifier (`"a""b"`), valid in CockroachDB, PostgreSQL and SQLite.
  public static func quoted(_ identifier: String) -> String {
    "\"" + identifier.replacingAll("\"", with: "\"\"") + "\""
  }

  /// A single-quoted SQL string literal (`'it''s'`).
  public static func literal(_ text: String) -> String {
    "'" + text.replacingAll("'", with: "''") + "'"
  }
}

extension String {
  func leftPadded(to width: Int) -> String {
    count >= width ? self : String(repeating: "0", count: width - count) + self
  }

  /// Foundation-free `replacingOccurrences` for a one-character needle.
  func replacingAll(_ needle: Character, with replacement: String) -> String {
    var out = ""
    out.reserveCapacity(utf8.count)
    for c in self { if c == needle { out += replacement } else { out.append(c) } }
    return out
  }
}
