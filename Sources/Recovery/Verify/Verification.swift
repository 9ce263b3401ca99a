import CockroachKV
import Foundation

/// `salvage verify RECOVERED --against SOURCE`: compares every SOURCE table with the
/// RECOVERED one as two streams sorted by primary key (merge join: memory holds one row of
/// each side plus the listed samples), then runs the event-sourcing integrity checks.
public struct VerifyOptions: Sendable {
  /// Keys listed per table and kind (missing / extra); the counts are always exact.
  public var listLimit = 1000
  /// Value-difference samples per column.
  public var sampleLimit = 5
  /// Rows kept in memory per sort run before spilling.
  public var runLimit = 200_000
  public var sequence: String?
  public var partitionBy: String?
  /// `db.table`; default: every RECOVERED table having both columns.
  public var journalTable: String?
  public var snapshotTable: String?
  public var snapshotVersion: String?
  /// Partition column of the snapshot table; default: `partitionBy`.
  public var snapshotPartitionBy: String?
  /// Tables compared at once (each streams with its own sort runs: memory ≈ jobs × runLimit
  /// rows). The report does not depend on it.
  public var jobs = ProcessInfo.processInfo.activeProcessorCount
  /// NULL spelling and header of SOURCE's CSV files.
  public var csv = CSVDialect()
  /// A backup SOURCE's other locality directories (`--against` given again).
  public var backupLocalities: [String] = []
  /// Read a backup SOURCE as of this time (a layer's end time, or inside revision history).
  public var asOf: MVCCTimestamp?
  public init() {}
}

public struct Verification {
  public let recovered: VerifySource
  public let source: VerifySource
  public let options: VerifyOptions
  /// Scratch directory for sort runs (removed by the caller).
  public let work: String

  public init(recovered: String, source: String, options: VerifyOptions, work: String) throws {
    self.recovered = try VerifySource(directory: recovered, runLimit: options.runLimit)
    self.source = try VerifySource(directory: source, runLimit: options.runLimit, csv: options.csv,
                                   localities: options.backupLocalities, asOf: options.asOf)
    self.options = options
    self.work = work
  }

  /// Compares prepared sources (a database on either side).
  public init(recovered: VerifySource, source: VerifySource, options: VerifyOptions, work: String) {
    self.recovered = recovered
    self.source = source
    self.options = options
    self.work = work
  }

  /// Finds a table by `db.table` (or bare `table`) in a source.
  static func find(_ name: String, in s: VerifySource) -> VerifySource.Entry? {
    s.tables.first { $0.table.qualifiedName == name } ?? s.tables.first { $0.table.name == name }
  }

  public static func match(_ t: VerifyTable, in s: VerifySource) -> VerifySource.Entry? {
    s.tables.first { $0.table.name == t.name && (t.database.isEmpty || $0.table.database.isEmpty || $0.table.database == t.database) }
  }

  public func run(progress: @escaping (String) -> Void = { _ in }) throws -> VerifyReport {
    let start = Date()
    var report = VerifyReport(recovered: recovered.directory, source: source.directory, sourceKind: source.kind.rawValue)
    var n = 0
    func scratch() -> String { n += 1; return work + "/\(n)" }
    let srcTables = source.tables.sorted { $0.table.qualifiedName < $1.table.qualifiedName }
    var pairs: [(VerifySource.Entry, VerifySource.Entry)] = []
    for s in srcTables {
      guard let r = Self.match(s.table, in: recovered) else {
        report.tablesMissingFromRecovered.append(s.table.qualifiedName)
        continue
      }
      pairs.append((s, r))
    }
    report.tables = try compareAll(pairs, work: work + "/tables", progress: progress)
    report.tablesOnlyInRecovered = recovered.tables.filter { Self.match($0.table, in: source) == nil }.map(\.table.qualifiedName).sorted()
    if let seq = options.sequence, let part = options.partitionBy {
      let journals = try options.journalTable.map { name -> [VerifySource.Entry] in
        guard let j = Self.find(name, in: recovered) else { throw RecoveryError("--journal-table \(name): no such table in \(recovered.directory)") }
        return [j]
      } ?? recovered.tables.filter { $0.table.column(seq) != nil && $0.table.column(part) != nil }
      if journals.isEmpty { throw RecoveryError("--sequence \(seq) --partition-by \(part): no RECOVERED table has both columns") }
      for j in journals.sorted(by: { $0.table.qualifiedName < $1.table.qualifiedName }) {
        progress("checking the sequence of \(j.table.qualifiedName)")
        let mins = scratch() + "-oldest.csv"
        var sourceGaps: [String: [(Int64, Int64)]] = [:]
        if let sj = Self.match(j.table, in: source), sj.table.column(seq) != nil, sj.table.column(part) != nil {
          var ignored = VerifyReport.SequenceResult(table: "", sequence: seq, partitionBy: part)
          try sequencePass(sj, seq, part, into: &ignored, sourceGaps: nil, collect: &sourceGaps, oldest: nil, work: scratch())
        }
        var res = VerifyReport.SequenceResult(table: j.table.qualifiedName, sequence: seq, partitionBy: part)
        var none: [String: [(Int64, Int64)]] = [:]
        try sequencePass(j, seq, part, into: &res, sourceGaps: sourceGaps, collect: &none, oldest: mins, work: scratch())
        report.sequences.append(res)
        if let st = options.snapshotTable {
          guard let snap = Self.find(st, in: recovered) else { throw RecoveryError("--snapshot-table \(st): no such table in \(recovered.directory)") }
          guard let ver = options.snapshotVersion else { throw RecoveryError("--snapshot-table needs --snapshot-version") }
          progress("checking the snapshots of \(snap.table.qualifiedName)")
          report.snapshots.append(try snapshotPass(journal: j, oldest: mins, snapshot: snap, version: ver,
                                                   partition: options.snapshotPartitionBy ?? part, journalPartition: part, work: scratch()))
        }
      }
    }
    report.seconds = Date().timeIntervalSince(start)
    return report
  }

  // MARK: table comparison

  /// Compares the pairs on `options.jobs` threads of our own (not GCD's or the cooperative
  /// pool, which a PostgreSQL source's async reads need while these threads wait); results
  /// (and the first error, by position) come back in the pairs' order whatever the scheduling.
  func compareAll(_ pairs: [(VerifySource.Entry, VerifySource.Entry)], work: String,
                  progress: @escaping (String) -> Void) throws -> [VerifyReport.TableResult] {
    let lock = NSLock()
    var results = [Result<VerifyReport.TableResult, Error>?](repeating: nil, count: pairs.count)
    var nextIndex = 0, reported = 0
    let workers = max(1, min(options.jobs, pairs.count))
    let finished = DispatchSemaphore(value: 0)
    let job = Unchecked {
      while true {
        lock.lock()
        let i = nextIndex
        nextIndex += 1
        lock.unlock()
        guard i < pairs.count else { return }
        let r = Result { try compare(pairs[i].0, pairs[i].1, work: work + "/\(i + 1)") }
        lock.lock()
        results[i] = r
        // Progress in table order, so the messages are the same for any number of jobs.
        while reported < pairs.count, results[reported] != nil {
          progress("compared \(pairs[reported].0.table.qualifiedName)")
          reported += 1
        }
        lock.unlock()
      }
    }
    for _ in 0..<workers {
      let t = Thread { job.body(); finished.signal() }
      t.stackSize = 8 << 20
      t.start()
    }
    for _ in 0..<workers { finished.wait() }
    return try results.map { try $0!.get() }
  }

  /// Reads a sorted stream, counting rows and duplicate keys and refusing disorder.
  final class KeyedReader {
    let stream: RowStream
    let table: VerifyTable
    let file: String
    let width: Int
    let project: [Int?]?
    var previous: [String?]?
    var rows = 0
    var duplicates = 0
    init(_ stream: RowStream, table: VerifyTable, file: String, width: Int, project: [Int?]?) {
      self.stream = stream; self.table = table; self.file = file; self.width = width; self.project = project
    }
    /// The next row with a new key (in SOURCE column order), duplicates counted and skipped.
    func next() throws -> [String?]? {
      while let raw = try stream.next() {
        rows += 1
        guard raw.count == width else {
          throw RecoveryError("\(table.qualifiedName): \(file) record \(rows) has \(raw.count) fields, the table has \(width) columns")
        }
        let row = project.map { p in p.map { $0.map { raw[$0] } ?? nil } } ?? raw
        if let prev = previous {
          let c = table.compareKeys(prev, row)
          if c == 0 { duplicates += 1; continue }
          if c > 0 { throw RecoveryError("\(table.qualifiedName): \(file) is not sorted by primary key at record \(rows) (key \(table.keyText(row)) after \(table.keyText(prev)))") }
        }
        previous = row
        return row
      }
      return nil
    }
  }

  func compare(_ s: VerifySource.Entry, _ r: VerifySource.Entry, work: String) throws -> VerifyReport.TableResult {
    let t = s.table
    var res = VerifyReport.TableResult(table: t.qualifiedName, sourceFile: s.file, recoveredFile: r.file)
    // Recovered columns by SOURCE column name; the keys must be the same columns.
    let project: [Int?] = t.columns.map { r.table.column($0) }
    res.columnsOnlyInSource = zip(t.columns, project).filter { $0.1 == nil }.map(\.0)
    let sameColumns = t.key.map({ t.columns[$0] }) == r.table.key.map({ r.table.columns[$0] })
    let reorder = sameColumns && t.descending != r.table.descending && r.openInOrder != nil
    guard sameColumns, t.descending == r.table.descending || reorder else {
      res.failures.append("primary keys differ: SOURCE (\(t.key.map { t.columns[$0] }.joined(separator: ", "))), RECOVERED (\(r.table.key.map { r.table.columns[$0] }.joined(separator: ", ")))")
      return res
    }
    let src = KeyedReader(try s.open(work + "-source"), table: t, file: s.file, width: t.columns.count, project: nil)
    var order = r.table
    order.descending = t.descending
    let recRows = reorder ? try r.openInOrder!(work + "-recovered", order) : try r.open(work + "-recovered")
    let rec = KeyedReader(recRows, table: t, file: r.file, width: r.table.columns.count,
                          project: project)
    var diffs = [VerifyReport.ColumnDifference?](repeating: nil, count: t.columns.count)
    var a = try src.next(), b = try rec.next()
    while a != nil || b != nil {
      let c = a == nil ? 1 : b == nil ? -1 : t.compareKeys(a!, b!)
      if c < 0 {
        res.missingKeys += 1
        if res.missingKeysListed.count < options.listLimit { res.missingKeysListed.append(t.keyText(a!)) }
        a = try src.next()
      } else if c > 0 {
        res.extraKeys += 1
        if res.extraKeysListed.count < options.listLimit { res.extraKeysListed.append(t.keyText(b!)) }
        b = try rec.next()
      } else {
        res.sharedKeys += 1
        var differs = false
        for i in t.columns.indices where project[i] != nil && !VerifyTable.same(a![i], b![i], t.kinds[i]) {
          differs = true
          var d = diffs[i] ?? VerifyReport.ColumnDifference(column: t.columns[i], rows: 0, samples: [])
          d.rows += 1
          if d.samples.count < options.sampleLimit { d.samples.append(.init(key: t.keyText(a!), source: a![i], recovered: b![i])) }
          diffs[i] = d
        }
        if differs { res.rowsDiffering += 1 }
        a = try src.next(); b = try rec.next()
      }
    }
    res.sourceRows = src.rows
    res.recoveredRows = rec.rows
    res.sourceDistinctKeys = src.rows - src.duplicates
    res.recoveredDistinctKeys = rec.rows - rec.duplicates
    res.columnDifferences = diffs.compactMap { $0 }
    res.sourceProblems = s.problems()
    res.sourceDamaged = s.damaged()
    if res.missingKeys > 0 { res.failures.append("\(res.missingKeys) key(s) in SOURCE missing from RECOVERED") }
    if res.rowsDiffering > 0 {
      res.failures.append("\(res.rowsDiffering) shared row(s) differ (" + res.columnDifferences.map { "\($0.column): \($0.rows)" }.joined(separator: ", ") + ")")
    }
    if rec.duplicates > 0 { res.failures.append("\(rec.duplicates) duplicate primary key(s) in RECOVERED") }
    if !res.columnsOnlyInSource.isEmpty { res.failures.append("column(s) missing from RECOVERED: \(res.columnsOnlyInSource.joined(separator: ", "))") }
    if !res.sourceProblems.isEmpty { res.failures.append("\(res.sourceProblems.count) SOURCE row(s) could not be decoded") }
    if !res.sourceDamaged.isEmpty { res.failures.append("\(res.sourceDamaged.count) damaged SOURCE data file(s) or block(s) skipped: their keys are not compared") }
    return res
  }
}

/// A worker body handed to threads that are all joined before it goes out of scope.
private struct Unchecked: @unchecked Sendable {
  let body: () -> Void
  init(_ body: @escaping () -> Void) { self.body = body }
}
