/// Where a recovery writes a table, from names that may hold any character CockroachDB allows
/// in a quoted identifier (`/`, `..`, spaces, unicode): one definition for `recover`, which
/// writes the files, and `verify`, which finds them.
public enum OutputPath {
  /// Keeps `[A-Za-z0-9_-]` and non-leading `.`; every other byte of the UTF-8 becomes
  /// `%XX`, so distinct names stay distinct and none escapes its directory.
  public static func component(_ name: String) -> String {
    var out = ""
    for (i, b) in name.utf8.enumerated() {
      let c = Character(Unicode.Scalar(b))
      let plain = (b < 0x80 && (c.isLetter || c.isNumber)) || b == UInt8(ascii: "_") || b == UInt8(ascii: "-")
        || (b == UInt8(ascii: ".") && i > 0)
      if plain {
        out.append(c)
      } else {
        let hex = String(b, radix: 16, uppercase: true)
        out += "%" + (hex.count < 2 ? "0" + hex : hex)
      }
    }
    return out.isEmpty ? "%" : out
  }

  /// `<db>/<table>.csv`, or `<db>/<schema>.<table>.csv` outside `public` (`.csv.gz` with gzip).
  public static func csv(database: String, schema: String, table: String, gzip: Bool = false) -> String {
    let base = schema == "public" ? component(table) : component(schema) + "." + component(table)
    return component(database) + "/" + base + (gzip ? ".csv.gz" : ".csv")
  }
}
