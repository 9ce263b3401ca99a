import Foundation

/// Sorts a stream of rows with bounded memory: rows are kept up to `runLimit`, then sorted and
/// spilled to a run file (CSV, same dialect as recover's); `finish` merges the runs. The sort
/// is stable within a run and the merge prefers the earlier run, so equal keys keep input order.
public final class ExternalSorter {
  let order: ([String?], [String?]) -> Int
  let runLimit: Int
  let directory: String
  var rows: [[String?]] = []
  var runs: [String] = []
  public private(set) var count = 0

  public init(directory: String, runLimit: Int = 200_000, order: @escaping ([String?], [String?]) -> Int) throws {
    self.order = order
    self.runLimit = max(1, runLimit)
    self.directory = directory
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
  }

  public func add(_ row: [String?]) throws {
    rows.append(row)
    count += 1
    if rows.count >= runLimit { try spill() }
  }

  func sortedRows() -> [[String?]] {
    // Swift's sort is not stable: sort indices, ties broken by position.
    let idx = rows.indices.sorted { let c = order(rows[$0], rows[$1]); return c != 0 ? c < 0 : $0 < $1 }
    return idx.map { rows[$0] }
  }

  func spill() throws {
    guard !rows.isEmpty else { return }
    let path = directory + String(format: "/run-%05d.csv", runs.count)
    var text = ""
    for r in sortedRows() { text += CSVRecordReader.line(r) }
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    runs.append(path)
    rows.removeAll(keepingCapacity: true)
  }

  /// The rows in order. Without spills the rows never leave memory.
  public func finish() throws -> RowStream {
    if runs.isEmpty { return ArrayRows(sortedRows()) }
    try spill()
    return try MergedRuns(runs.map { try CSVRecordReader(path: $0) }, order: order)
  }
}

final class ArrayRows: RowStream {
  var rows: [[String?]]
  var i = 0
  init(_ rows: [[String?]]) { self.rows = rows }
  func next() throws -> [String?]? {
    guard i < rows.count else { return nil }
    defer { i += 1 }
    return rows[i]
  }
}

/// k-way merge of sorted runs (k is small: rows / runLimit), linear scan for the minimum.
final class MergedRuns: RowStream {
  let inputs: [CSVRecordReader]
  var heads: [[String?]?]
  let order: ([String?], [String?]) -> Int

  init(_ inputs: [CSVRecordReader], order: @escaping ([String?], [String?]) -> Int) throws {
    self.inputs = inputs
    self.order = order
    heads = try inputs.map { try $0.next() }
  }

  func next() throws -> [String?]? {
    var best: Int?
    for (i, h) in heads.enumerated() {
      guard let h else { continue }
      if let b = best, order(h, heads[b]!) >= 0 { continue }
      best = i
    }
    guard let b = best else { return nil }
    let row = heads[b]
    heads[b] = try inputs[b].next()
    return row
  }
}
