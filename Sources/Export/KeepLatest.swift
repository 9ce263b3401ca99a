import CockroachSQL
import Recovery

/// `--keep-latest N --partition-by COL --order-by COL`: per partition (e.g. per user) only the
/// N rows with the greatest order value (e.g. the last 300 journal rows), as the 2021 recovery
/// did for its event-sourced tables. Applies to every table that has both columns.
public struct KeepLatest: Sendable {
  public var count: Int
  public var partitionBy: String
  public var orderBy: String
  public init(count: Int, partitionBy: String, orderBy: String) {
    self.count = count; self.partitionBy = partitionBy; self.orderBy = orderBy
  }

  /// Column positions in the table's output columns, when the filter applies to it.
  func columns(of table: RecoveredTable) -> (partition: Int, order: Int)? {
    guard let p = table.columns.firstIndex(where: { $0.name == partitionBy }),
          let o = table.columns.firstIndex(where: { $0.name == orderBy }) else { return nil }
    return (p, o)
  }

  /// Filters the tagged lines of one table (`partition \t order \t csv line`, in primary-key
  /// order). Partitions are grouped wherever they occur; the kept rows keep their order.
  func filter(_ tagged: [Substring]) -> (kept: [Substring], dropped: Int) {
    var groups: [Substring: [Int]] = [:]
    var orderKeys: [Substring] = []
    var lines: [Substring] = []
    for (i, t) in tagged.enumerated() {
      let parts = t.split(separator: "\t", maxSplits: 2, omittingEmptySubsequences: false)
      guard parts.count == 3 else { continue }
      groups[parts[0], default: []].append(i)
      orderKeys.append(parts[1])
      lines.append(parts[2])
    }
    var keep = Set<Int>()
    for (_, rows) in groups {
      let sorted = rows.sorted { a, b in Self.greater(orderKeys[a], orderKeys[b]) }
      keep.formUnion(sorted.prefix(count))
    }
    let kept = lines.indices.filter { keep.contains($0) }.map { lines[$0] }
    return (kept, lines.count - kept.count)
  }

  /// Numeric when both parse as numbers, else text order.
  static func greater(_ a: Substring, _ b: Substring) -> Bool {
    if let x = Double(a), let y = Double(b) { return x > y }
    return a > b
  }
}
