import Recovery

/// Names of output files and tables, derived from source names that may contain any
/// character CockroachDB allows in a quoted identifier (`/`, `..`, spaces, unicode).
public enum OutputNames {
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
  /// Foundation-free `replacingOccurrences` for a one-character needle.
  func replacingAll(_ needle: Character, with replacement: String) -> String {
    var out = ""
    out.reserveCapacity(utf8.count)
    for c in self { if c == needle { out += replacement } else { out.append(c) } }
    return out
  }
}
