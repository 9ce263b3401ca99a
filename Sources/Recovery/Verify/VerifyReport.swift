import Foundation

/// The outcome of `salvage verify`; encoded as JSON with snake_case keys, sorted.
public struct VerifyReport: Encodable, Sendable {
  public struct Sample: Codable, Sendable { public var key: String; public var source: String?; public var recovered: String? }
  public struct ColumnDifference: Codable, Sendable { public var column: String; public var rows: Int; public var samples: [Sample] }

  public struct TableResult: Encodable, Sendable {
    public var table: String
    public var sourceFile: String
    public var recoveredFile: String?
    public var sourceRows = 0
    public var recoveredRows = 0
    public var sourceDistinctKeys = 0
    public var recoveredDistinctKeys = 0
    /// Keys in SOURCE and not in RECOVERED: must be 0 for a pass.
    public var missingKeys = 0
    public var missingKeysListed: [String] = []
    /// Keys only in RECOVERED: expected (rows newer than the backup); informational.
    public var extraKeys = 0
    public var extraKeysListed: [String] = []
    public var sharedKeys = 0
    public var rowsDiffering = 0
    public var columnDifferences: [ColumnDifference] = []
    public var columnsOnlyInSource: [String] = []
    public var sourceProblems: [Problem] = []
    /// Damaged backup data files or blocks skipped, as a damaged store table is reported.
    public var sourceDamaged: [Problem] = []
    public var failures: [String] = []
    public var passed: Bool { failures.isEmpty }
  }

  public struct Gap: Codable, Sendable { public var partition: String; public var from: Int64; public var to: Int64 }
  public struct Duplicate: Codable, Sendable { public var partition: String; public var value: Int64; public var count: Int }

  public struct SequenceResult: Codable, Sendable {
    public var table: String
    public var sequence: String
    public var partitionBy: String
    public var partitions = 0
    /// Gaps in RECOVERED that SOURCE does not have: failures.
    public var gaps = 0
    public var missingValues = 0
    public var gapsListed: [Gap] = []
    /// Gaps SOURCE has too (deleted journal rows): reported, not failures.
    public var gapsAlsoInSource = 0
    public var duplicates = 0
    public var duplicatesListed: [Duplicate] = []
    public var passed: Bool { gaps == 0 && duplicates == 0 }
  }

  public struct Stale: Codable, Sendable { public var partition: String; public var latestSnapshot: Int64?; public var oldestJournal: Int64 }

  public struct SnapshotResult: Codable, Sendable {
    public var journalTable: String
    public var snapshotTable: String
    public var snapshotVersion: String
    public var partitionsChecked = 0
    /// Partitions whose latest snapshot is older than their oldest kept journal row minus one
    /// (the rows in between are gone: replay cannot reach the present).
    public var stale = 0
    public var staleListed: [Stale] = []
    public var passed: Bool { stale == 0 }
  }

  public var recovered: String
  public var source: String
  public var sourceKind: String
  public var tables: [TableResult] = []
  public var tablesMissingFromRecovered: [String] = []
  public var tablesOnlyInRecovered: [String] = []
  public var sequences: [SequenceResult] = []
  public var snapshots: [SnapshotResult] = []
  public var seconds = 0.0

  /// Every failed check, one line each (empty = pass).
  public var failures: [String] {
    tablesMissingFromRecovered.map { "\($0): table missing from RECOVERED" }
      + tables.flatMap { t in t.failures.map { "\(t.table): \($0)" } }
      + sequences.filter { !$0.passed }.map { "\($0.table): \($0.gaps) sequence gap(s), \($0.duplicates) duplicate(s) in \($0.sequence) by \($0.partitionBy)" }
      + snapshots.filter { !$0.passed }.map { "\($0.snapshotTable): \($0.stale) partition(s) with a snapshot older than the oldest kept row of \($0.journalTable)" }
  }
  public var passed: Bool { failures.isEmpty }

  enum CodingKeys: String, CodingKey {
    case recovered, source, sourceKind, tables, tablesMissingFromRecovered, tablesOnlyInRecovered, sequences, snapshots, passed, failures
  }

  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(recovered, forKey: .recovered)
    try c.encode(source, forKey: .source)
    try c.encode(sourceKind, forKey: .sourceKind)
    try c.encode(tables, forKey: .tables)
    try c.encode(tablesMissingFromRecovered, forKey: .tablesMissingFromRecovered)
    try c.encode(tablesOnlyInRecovered, forKey: .tablesOnlyInRecovered)
    try c.encode(sequences, forKey: .sequences)
    try c.encode(snapshots, forKey: .snapshots)
    try c.encode(passed, forKey: .passed)
    try c.encode(failures, forKey: .failures)
  }

  public func json() throws -> String {
    let e = JSONEncoder()
    e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    e.keyEncodingStrategy = .convertToSnakeCase
    return String(decoding: try e.encode(self), as: UTF8.self) + "\n"
  }
}

extension VerifyReport.TableResult {
  enum CodingKeys: String, CodingKey {
    case table, sourceFile, recoveredFile, sourceRows, recoveredRows, sourceDistinctKeys, recoveredDistinctKeys
    case missingKeys, missingKeysListed, extraKeys, extraKeysListed, sharedKeys, rowsDiffering
    case columnDifferences, columnsOnlyInSource, sourceProblems, sourceDamaged, failures, passed
  }
  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(table, forKey: .table); try c.encode(sourceFile, forKey: .sourceFile)
    try c.encode(recoveredFile, forKey: .recoveredFile)
    try c.encode(sourceRows, forKey: .sourceRows); try c.encode(recoveredRows, forKey: .recoveredRows)
    try c.encode(sourceDistinctKeys, forKey: .sourceDistinctKeys); try c.encode(recoveredDistinctKeys, forKey: .recoveredDistinctKeys)
    try c.encode(missingKeys, forKey: .missingKeys); try c.encode(missingKeysListed, forKey: .missingKeysListed)
    try c.encode(extraKeys, forKey: .extraKeys); try c.encode(extraKeysListed, forKey: .extraKeysListed)
    try c.encode(sharedKeys, forKey: .sharedKeys); try c.encode(rowsDiffering, forKey: .rowsDiffering)
    try c.encode(columnDifferences, forKey: .columnDifferences); try c.encode(columnsOnlyInSource, forKey: .columnsOnlyInSource)
    try c.encode(sourceProblems.map(\.description), forKey: .sourceProblems)
    try c.encode(sourceDamaged.map(\.description), forKey: .sourceDamaged)
    try c.encode(failures, forKey: .failures)
    try c.encode(passed, forKey: .passed)
  }
}
