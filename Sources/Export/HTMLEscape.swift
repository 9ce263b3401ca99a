/// Escaping for report.html. Plot leaves attribute values as they are and keeps `&name;`
/// sequences of text as entities, so every string from the data (table names, keys, paths,
/// problems) goes through here and then into the page as raw text.
enum HTMLEscape {
  /// Text content: `&`, `<`, `>` (and quotes, so the same text is safe in an attribute).
  static func text(_ s: String) -> String {
    var out = ""
    out.reserveCapacity(s.utf8.count)
    for c in s.unicodeScalars {
      switch c {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      case "'": out += "&#39;"
      // Control characters other than tab and newline are not allowed in HTML text.
      case "\u{0}"..."\u{8}", "\u{B}", "\u{C}", "\u{E}"..."\u{1F}", "\u{7F}": out += "\u{FFFD}"
      default: out.unicodeScalars.append(c)
      }
    }
    return out
  }

  /// An attribute value (always written in double quotes).
  static func attribute(_ s: String) -> String { text(s) }
}
