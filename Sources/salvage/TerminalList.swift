/// Every list the CLI prints goes through here: at most `limit` items, then one line saying
/// how many more there are and where they all are (one store's lost spans once made a
/// single 20 KB line).
struct TerminalList {
  static let limit = 20

  /// The items to print and, when some are left out, the closing line:
  /// `… and 412 more spans in report.json`.
  static func cap<T>(_ items: [T], _ noun: String, seeAll: String = "in report.json", limit: Int = Self.limit) -> (shown: ArraySlice<T>, more: String?) {
    guard items.count > limit else { return (items[...], nil) }
    return (items.prefix(limit), "… and \(items.count - limit) more \(noun) \(seeAll)")
  }

  /// The list as lines with `indent`, capped.
  static func lines<T>(_ items: [T], _ noun: String, indent: String = "  ", seeAll: String = "in report.json",
                       _ text: (T) -> String) -> [String] {
    let c = cap(items, noun, seeAll: seeAll)
    return c.shown.map { indent + text($0) } + (c.more.map { [indent + $0] } ?? [])
  }

  /// The list on one line, space-separated, capped.
  static func inline(_ items: [String], _ noun: String, limit: Int = 5, seeAll: String = "in report.json",
                     separator: String = " ") -> String {
    let c = cap(items, noun, seeAll: seeAll, limit: limit)
    return c.shown.joined(separator: separator) + (c.more.map { " " + $0 } ?? "")
  }
}
