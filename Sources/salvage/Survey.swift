import ArgumentParser
import Export
import Foundation
import Recovery

struct SurveyCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "survey",
    abstract: "Before recovering: the stores, tables, lost spans, output size and estimated recovery time.",
    discussion: """
      Reads the stores' metadata only (MANIFEST, OPTIONS, range descriptors, applied states, \
      system.descriptor; with --verify also every block's checksum) plus a timed sample of about 2 % of the data (at most ~1.5 s) read \
      through the recovery's own read path, and a 32 MiB test write (in --out, else the \
      temporary directory; removed at once). Prints each store's engine, formats and \
      CockroachDB version, the tables with estimated rows and bytes, which store each range \
      is read from, the key spans no store holds, the CSV output size and the estimated time \
      of `salvage recover --jobs N` here (and with --machines/--cores, of a sharded run). \
      Without --verify, damaged blocks are not known before reading (recover finds them with \
      its block check); those the sample met are listed as problems. \
      Exit status: 0 nothing lost, 2 some key span has no surviving replica or a store \
      lacks a live WAL, 1 on error.
      """)

  @Argument(help: "Surviving store directories.") var stores: [String]
  @Option(help: "text, or json (one object; see README).") var format: SurveyFormat = .text
  @Option(help: "Jobs of the recovery to estimate (default: this machine's cores).") var jobs: Int?
  @Option(help: "Also estimate a sharded run on this many machines (with --cores).") var machines: Int?
  @Option(help: "Cores per machine for --machines.") var cores: Int?
  @Option(name: .long, parsing: .upToNextOption, help: "Only tables matching db.table patterns (* wildcard).")
  var tables: [String] = []
  @Option(help: "Where the recovery will write (the test write goes there).") var out: String?
  @Flag(help: "Check every block first, as recover does (reads the stores whole), so damaged blocks are planned around and listed.")
  var verify = false
  @OptionGroup var schemaOptions: SchemaOptions

  enum SurveyFormat: String, ExpressibleByArgument { case text, json }

  func validate() throws {
    if stores.isEmpty { throw ValidationError("give the surviving store directories") }
    if (machines == nil) != (cores == nil) { throw ValidationError("--machines and --cores go together") }
    if let m = machines, m < 1 { throw ValidationError("--machines must be at least 1") }
    if let c = cores, c < 1 { throw ValidationError("--cores must be at least 1") }
    if let j = jobs, j < 1 { throw ValidationError("--jobs must be at least 1") }
  }

  func run() throws {
    var recovery = RecoveryOptions(storePaths: stores)
    recovery.tablePatterns = tables
    try schemaOptions.apply(to: &recovery)
    if let jobs { recovery.jobs = jobs }
    var options = SurveyOptions(recovery: recovery)
    options.machines = machines ?? 0
    options.coresPerMachine = cores ?? 0
    options.outputDirectory = out
    options.checkBlocks = verify
    let report: SurveyReport
    do { report = try Survey.run(options) } catch {
      printError("salvage: survey failed: \(error)")
      throw ExitCode(ReadStatus.failed)
    }
    let o = Output()
    if format == .json {
      let e = JSONEncoder()
      e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
      o.write(String(decoding: try e.encode(report), as: UTF8.self) + "\n")
    } else {
      SurveyText(report: report, out: o).write()
    }
    o.flush()
    printNotices(report.notices)
    try ReadStatus.finish(damaged: !report.lostSpans.isEmpty || report.stores.contains { !$0.missingWALs.isEmpty })
  }
}

/// The survey as text: every list capped (`TerminalList`), the JSON has them all.
struct SurveyText {
  let report: SurveyReport
  let out: Output
  let seeAll = "in --format json"

  func line(_ s: String) { out.write(s); out.endLine() }

  func write() {
    line("stores:")
    for s in report.stores {
      var head = "  \(s.label) \(s.path): \(s.engine ?? "unknown engine")\(s.engineVersion.map { " " + $0 } ?? "")"
      if let f = s.formatMajorVersion { head += ", format major version \(f)" }
      if !s.tableFormats.isEmpty { head += ", tables " + s.tableFormats.joined(separator: " ") }
      line(head)
      line("    CockroachDB \(s.cockroachVersion.map { "\($0) (from \(s.cockroachVersionSource ?? "?"))" } ?? "version unknown")"
        + "; \(s.tableFiles) table files, \(mb(s.tableBytes)); reads \(s.rangesRead) range(s), \(mb(s.bytesToRead))"
        + (s.missingWALs.isEmpty ? "" : "; live WALs MISSING: " + TerminalList.inline(s.missingWALs, "WALs", seeAll: seeAll)))
    }
    line("tables:")
    for t in report.tables {
      // "+": the MVCC stats cover only part of the table (an undercount).
      let rows = t.rowsFrom == "sample" ? " rows (from the sample)" : t.rowsPartial ? "+ rows" : " rows"
      var s = "  \(padRight(t.table, 28)) ~\(t.estimatedRows)\(rows), \(mb(t.estimatedBytes)) in \(t.spans) span(s)"
      if !t.stores.isEmpty { s += " from " + t.stores.joined(separator: ", ") }
      if !t.lostSpans.isEmpty { s += "; LOST: " + TerminalList.inline(t.lostSpans, "spans", seeAll: seeAll) }
      line(s)
    }
    line("ranges read from each store:")
    var byStore: [String: [Int64]] = [:]
    for r in report.ranges { byStore[r.store ?? "no surviving replica", default: []].append(r.rangeID) }
    for (store, ids) in byStore.sorted(by: { $0.key < $1.key }) {
      line("  \(store): \(ids.count) range(s): " + TerminalList.inline(ids.sorted().map { "r\($0)" }, "ranges", limit: 12, seeAll: seeAll))
    }
    if report.lostSpans.isEmpty {
      line("lost key spans: none")
    } else {
      line("key spans with no surviving replica:")
      TerminalList.lines(report.lostSpans, "spans", seeAll: seeAll) { l in
        "\(l.span) (" + (l.rangeIDs.isEmpty ? "no range descriptor" : "ranges " + l.rangeIDs.map(String.init).joined(separator: ","))
          + (l.indexes.isEmpty ? ")" : "; " + l.indexes.joined(separator: ", ") + ")")
      }.forEach(line)
    }
    if !report.damagedSpans.isEmpty {
      line("damaged blocks (their key spans read from another replica where one was intact):")
      TerminalList.lines(report.damagedSpans, "damaged spans", seeAll: seeAll) { d in
        "\(d.span) of range \(d.rangeID) on \(d.store): \(d.readFrom.map { "read from " + $0 } ?? "LOST")"
      }.forEach(line)
    }
    line("output: ~\(mb(report.estimatedCSVBytes)) of CSV for \(mb(report.bytesToRead)) of data blocks (plus the SQLite copy unless --no-sqlite)")
    if let s = report.sample {
      line("sample: \(s.spans) span(s), \(mb(s.bytes)) read in \(String(format: "%.2f", s.seconds)) s (\(mb(Int64(s.bytesPerSecond)))/s on one core), \(s.rows) rows, \(mb(s.csvBytes)) of CSV;"
        + " block check \(mb(Int64(s.checkBytesPerSecond)))/s; writes \(mb(Int64(s.writeBytesPerSecond)))/s, to disk \(mb(Int64(s.diskWriteBytesPerSecond)))/s")
    }
    line("estimated recovery time:")
    for e in report.estimates {
      let who = e.machines == 1 ? "this machine, recover --jobs \(e.jobs)" : "\(e.machines) machines × \(e.coresPerMachine) cores (salvage plan, shards, finish)"
      line("  \(who): \(duration(e.seconds)) (plan \(duration(e.planSeconds)), block check \(duration(e.checkSeconds)), read \(duration(e.readSeconds)), output \(duration(e.writeSeconds)))")
    }
    line("  how: " + report.method)
    if !report.problems.isEmpty {
      line("\(report.problems.count) problem(s):")
      TerminalList.lines(report.problems, "problems", seeAll: seeAll) { $0 }.forEach(line)
    }
    line("surveyed in \(String(format: "%.2f", report.surveySeconds)) s")
  }

  func mb(_ b: Int64) -> String {
    b >= 10_000_000_000 ? String(format: "%.1f GB", Double(b) / 1e9) : b >= 1_000_000 ? "\(b / 1_000_000) MB" : b >= 1000 ? "\(b / 1000) kB" : "\(b) B"
  }

  func duration(_ s: Double) -> String {
    if s < 60 { return String(format: "%.1f s", s) }
    let m = Int(s.rounded()) / 60
    return m < 120 ? "\(m) min \(Int(s.rounded()) % 60) s" : "\(m / 60) h \(m % 60) min"
  }
}
