/// What one table's load into a database sink did. Rows whose primary key was already
/// present are rejected (never replaced) and listed here, capped at `maxListed`.
public struct TableLoadReport: Sendable, Equatable {
  public struct RejectedRow: Sendable, Equatable {
    /// 1-based position in the source.
    public var row: Int
    /// `col=value, …` for the primary-key columns.
    public var key: String
    public var reason: String
  }

  public static let maxListed = 100

  public var table: String
  /// Name of the created table in the target database.
  public var targetTable: String
  public var rowsRead = 0
  public var rowsInserted = 0
  public var rowsRejected = 0
  public var rejected: [RejectedRow] = []

  public init(table: String, targetTable: String) {
    self.table = table
    self.targetTable = targetTable
  }

  mutating func reject(row: Int, key: String, reason: String) {
    rowsRejected += 1
    if rejected.count < Self.maxListed { rejected.append(RejectedRow(row: row, key: key, reason: reason)) }
  }
}

extension ExportTable {
  /// `id=7, region='eu'`: the primary-key values of `row`, for reports.
  func keyDescription(_ row: ExportRow) -> String {
    primaryKey.map { key in
      let i = columns.firstIndex { $0.name == key.column }
      let text = i.flatMap { $0 < row.count ? row[$0].cockroachText : nil }
      return "\(key.column)=" + (text.map { OutputNames.literal($0) } ?? "NULL")
    }.joined(separator: ", ")
  }
}
