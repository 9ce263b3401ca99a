import ArgumentParser
import Export
import Foundation
import Recovery

struct Verify: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "verify",
    abstract: "Prove a recovery against a backup: missing keys, changed values, journal gaps, stale snapshots.",
    discussion: """
      RECOVERED is a `salvage recover` output, its SQLite file or a postgres:// URL. SOURCE is a CockroachDB BACKUP
      directory or collection (read directly, docs/backup-format.md: LATEST, incrementals applied in
      order, gzip and checksummed manifests, localities given as more --against directories; --as-of
      reads it at a backup's end time or inside revision history), another recover output, a
      directory of CSVs (<db>/<table>.csv or <table>.csv) with their CREATE TABLE statements in
      *.sql, a SQLite file (found by its header) or a postgres:// URL; database tables are matched
      to RECOVERED's by name (db.t = SQLite db_t, PostgreSQL "db"."t") and take its primary key.
      Tables are compared --jobs at a time; the report is the same for any --jobs.
      Per table: row and distinct-key counts, keys missing from RECOVERED (must be none), keys only
      in RECOVERED (newer rows: reported), and per column the shared rows whose values differ.
      --sequence/--partition-by check each partition's journal for gaps (not also in SOURCE) and
      duplicates; --snapshot-table/--snapshot-version add the replay precondition: the latest
      snapshot of each partition is not older than its oldest kept journal row minus one.
      A CSV SOURCE may start with a header line (detected when the first record is the column
      names; --csv-header yes|no forces it) and may spell NULL otherwise: --csv-null '' for
      PostgreSQL's `COPY … TO … WITH CSV` (unquoted empty = NULL, quoted "" = empty string),
      --csv-null NULL for tools that print the word.
      Exit status: 0 every check passed, 2 some check failed (see the report), 1 error.
      """)

  @Argument(help: "A salvage recover output directory, its SQLite file, or a postgres:// URL it was loaded into.") var recovered: String
  @Option(name: .long, help: "BACKUP directory or collection, recover output, CSV directory with DDL, SQLite file or postgres:// URL; again for each other locality directory of a locality-aware backup.")
  var against: [String]
  @Option(name: .long, help: AsOf.help) var asOf: String?
  @Option(name: .long, help: "Write the JSON report here (default: RECOVERED/verify.json, beside a SQLite file, ./verify.json for a URL; - for stdout).") var report: String?
  @Option(name: .long, help: "Sequence column of the journal (e.g. seq).") var sequence: String?
  @Option(name: .long, help: "Partition column of the journal (e.g. user_id).") var partitionBy: String?
  @Option(name: .long, help: "Journal table db.table (default: every table having both columns).") var journalTable: String?
  @Option(name: .long, help: "Snapshot table db.table for the replay check.") var snapshotTable: String?
  @Option(name: .long, help: "Version column of the snapshot table (in the journal's sequence space).") var snapshotVersion: String?
  @Option(name: .long, help: "Partition column of the snapshot table (default: --partition-by).") var snapshotPartitionBy: String?
  @Option(name: .long, help: "Keys listed per table in the report (counts are always exact).") var listLimit = 1000
  @Option(name: .long, help: "Rows held in memory per sort run (per table being compared).") var sortRunRows = 200_000
  @Option(name: .long, help: "Tables compared at once (default: all cores).") var jobs = ProcessInfo.processInfo.activeProcessorCount
  @Option(name: .long, help: "CSV SOURCE: whether each file starts with a header line (auto: when its first record is the column names).")
  var csvHeader: CSVDialect.Header = .auto
  @Option(name: .long, help: "CSV SOURCE: the unquoted text that is NULL ('' for PostgreSQL's CSV: then quoted \"\" is an empty string).")
  var csvNull = "\\N"

  func validate() throws {
    if (sequence == nil) != (partitionBy == nil) { throw ValidationError("--sequence and --partition-by go together") }
    if (snapshotTable == nil) != (snapshotVersion == nil) { throw ValidationError("--snapshot-table and --snapshot-version go together") }
    if snapshotTable != nil && sequence == nil { throw ValidationError("--snapshot-table needs --sequence and --partition-by") }
    if jobs < 1 { throw ValidationError("--jobs must be at least 1") }
    if against.isEmpty { throw ValidationError("--against SOURCE is required") }
    if let t = asOf { _ = try AsOf.parse(t) }
  }

  func run() throws {
    var options = VerifyOptions()
    options.sequence = sequence
    options.partitionBy = partitionBy
    options.journalTable = journalTable
    options.snapshotTable = snapshotTable
    options.snapshotVersion = snapshotVersion
    options.snapshotPartitionBy = snapshotPartitionBy
    options.listLimit = max(0, listLimit)
    options.runLimit = max(1, sortRunRows)
    options.jobs = jobs
    options.csv = CSVDialect(header: csvHeader, null: csvNull)
    options.backupLocalities = Array(against.dropFirst())
    options.asOf = try asOf.map(AsOf.parse)
    let work = NSTemporaryDirectory() + "salvage-verify-\(getpid())-\(UUID().uuidString)"
    defer { try? FileManager.default.removeItem(atPath: work) }
    let r: VerifyReport
    do {
      r = try VerifyInputs.verification(recovered: recovered, source: against[0], options: options, work: work).run { printError("salvage: \($0)") }
    } catch {
      printError("salvage: verify failed: \(error)")
      throw ExitCode(ReadStatus.failed)
    }
    let o = Output()
    o.write("verify \(r.recovered) against \(r.source) (\(r.sourceKind))\n")
    for t in r.tables {
      o.write("  \(t.passed ? "ok  " : "FAIL") \(padRight(t.table, 24)) rows \(t.sourceRows) → \(t.recoveredRows), keys \(t.sourceDistinctKeys) → \(t.recoveredDistinctKeys)")
      o.write(", missing \(t.missingKeys), only recovered \(t.extraKeys), differing \(t.rowsDiffering)")
      o.endLine()
      if t.missingKeys > 0 { o.write("       missing: \(t.missingKeysListed.prefix(10).joined(separator: " "))\(t.missingKeys > 10 ? " …" : "")\n") }
      for d in t.columnDifferences {
        o.write("       \(d.column) differs in \(d.rows) row(s), e.g. key \(d.samples.first?.key ?? ""): \(d.samples.first?.source ?? "NULL") → \(d.samples.first?.recovered ?? "NULL")\n")
      }
    }
    for name in r.tablesMissingFromRecovered { o.write("  FAIL \(name): table missing from RECOVERED\n") }
    for s in r.sequences {
      o.write("  \(s.passed ? "ok  " : "FAIL") \(padRight(s.table, 24)) \(s.partitions) partitions of \(s.sequence) by \(s.partitionBy): \(s.gaps) gap(s) (\(s.missingValues) values), \(s.duplicates) duplicate(s); \(s.gapsAlsoInSource) gap(s) also in SOURCE\n")
      for g in s.gapsListed.prefix(10) { o.write("       gap in \(g.partition): \(g.from)…\(g.to)\n") }
    }
    for s in r.snapshots {
      o.write("  \(s.passed ? "ok  " : "FAIL") \(padRight(s.snapshotTable, 24)) \(s.partitionsChecked) partitions: \(s.stale) with a snapshot older than the oldest kept \(s.journalTable) row\n")
      for x in s.staleListed.prefix(10) { o.write("       \(x.partition): latest snapshot \(x.latestSnapshot.map(String.init) ?? "none"), oldest journal row \(x.oldestJournal)\n") }
    }
    let json = try r.json()
    if report == "-" { o.write(json) } else {
      let path = report ?? VerifyInputs.defaultReport(recovered: recovered)
      do { try Data(json.utf8).write(to: URL(fileURLWithPath: path)) } catch {
        printError("salvage: cannot write \(path): \(error)")
        throw ExitCode(ReadStatus.failed)
      }
      o.write("report: \(path)\n")
      // Beside a recovery's report.json: its report.html shows the results too.
      let dir = (path as NSString).deletingLastPathComponent
      if (path as NSString).lastPathComponent == "verify.json", FileManager.default.fileExists(atPath: dir + "/report.json"),
         let html = try? HTMLReport.write(directory: dir) {
        o.write("report: \(html)\n")
      }
    }
    o.write(r.passed ? "PASS\n" : "FAIL: \(r.failures.count) check(s) failed\n")
    o.flush()
    try ReadStatus.finish(damaged: !r.passed)
  }
}

extension CSVDialect.Header: ExpressibleByArgument {}
