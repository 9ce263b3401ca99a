import ArgumentParser
import CockroachKV
import CockroachSQL
import Foundation
import Recovery

/// `salvage schema DIR...`: databases, tables, row estimates and the DDL, from the descriptors.
struct Schema: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "List the databases and tables the stores' descriptors define, with row estimates and DDL.")
  @Argument(help: "Store directories.") var stores: [String]
  @Option(name: .long, parsing: .upToNextOption, help: "Only tables matching db.table patterns (* wildcard).") var tables: [String] = []
  @Flag(name: .long, help: "Print only the DDL (schema.sql).") var ddlOnly = false
  @OptionGroup var schemaOptions: SchemaOptions

  func run() throws {
    var options = RecoveryOptions(storePaths: stores)
    options.tablePatterns = tables
    options.verifyBlocks = .off  // descriptors only: no need to check the data blocks
    try schemaOptions.apply(to: &options)
    let run = RecoveryRun(options: options)
    let p: RecoveryRun.Prepared
    do { p = try run.prepare() } catch {
      printError("salvage: \(error)")
      throw ExitCode(ReadStatus.failed)
    }
    let o = Output()
    if !ddlOnly {
      var databases: [String: [Int]] = [:]
      for (i, t) in p.tables.enumerated() { databases[t.database, default: []].append(i) }
      if p.tables.isEmpty {
        o.write(tables.isEmpty ? "no user tables in the descriptors\n" : "no table matches \(tables.joined(separator: " "))\n")
      }
      for db in p.emptyDatabases { o.write("database \(db): no tables\n") }
      for db in databases.keys.sorted() {
        o.write("database \(db)\n")
        for i in databases[db]! {
          let t = p.tables[i]
          let (rows, partial) = p.estimatedRows(i)
          let lost = p.chunks.filter { $0.table == i && $0.store == nil }.count
          o.write("  table \(t.qualifiedName[1]).\(t.name) (id \(t.descriptor.id)): \(t.columns.count) columns, ~\(rows)\(partial ? "+" : "") rows")
          if lost > 0 { o.write(", \(lost) span(s) with no surviving replica") }
          if t.descriptor.state != .public { o.write(", state \(t.descriptor.state)") }
          o.endLine()
        }
      }
      o.write("\n")
    }
    for t in p.tables { o.write(t.ddl + (t.ddl.hasSuffix(";") ? "\n\n" : ";\n\n")) }
    o.flush()
    printNotices(run.notices, seeAll: "(salvage recover lists them all in report.json)")
    let problems = run.problems
    TerminalList.lines(problems, "problems", indent: "salvage: ", seeAll: "(salvage recover lists them all in report.json)") { $0.description }
      .forEach(printError)
    try ReadStatus.finish(damaged: !problems.isEmpty)
  }
}

/// `salvage rows DIR... --table DB.TABLE`: one table's rows on stdout, as CSV or JSON lines.
struct Rows: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Print one table's recovered rows (newest committed version as of --as-of) as CSV or JSON lines.")
  @Argument(help: "Store directories.") var stores: [String]
  @Option(name: .long, help: "db.table") var table: String
  @Option(name: .customLong("as-of"), help: AsOf.help) var asOf: String?
  @Option(name: .long, help: "csv (IMPORT INTO dialect) or jsonl (one object per row).") var format: RowFormat = .csv

  @OptionGroup var schemaOptions: SchemaOptions

  enum RowFormat: String, ExpressibleByArgument { case csv, jsonl }

  func run() throws {
    var options = RecoveryOptions(storePaths: stores)
    options.tablePatterns = [table]
    try schemaOptions.apply(to: &options)
    if let asOf {
      options.readTimestamp = try AsOf.parse(asOf)
    }
    let sink = RowPrinter(format: format)
    let report: RecoveryReport
    do { report = try RecoveryRun(options: options).run(sink: sink) } catch {
      printError("salvage: \(error)")
      throw ExitCode(ReadStatus.failed)
    }
    guard !report.tables.isEmpty else {
      printNotices(report.notices, seeAll: "(salvage recover lists them all in report.json)")
      report.problems.forEach { printError("salvage: \($0)") }
      printError("salvage: no table \(table) in the descriptors or --schema files")
      throw ExitCode(ReadStatus.failed)
    }
    sink.flush()
    printNotices(report.notices, seeAll: "(salvage recover lists them all in report.json)")
    report.problems.forEach { printError("salvage: \($0)") }
    for w in report.lostWALs { printError("salvage: \(w.store): \(w.meaning)") }
    for t in report.tables where !t.lostSpans.isEmpty {
      printError("salvage: \(t.table): LOST " + TerminalList.inline(t.lostSpans, "spans", seeAll: "(salvage recover's report.json lists them all)"))
    }
    try ReadStatus.finish(damaged: report.somethingLost || !report.problems.isEmpty)
  }
}

/// Prints rows in key order: chunks arrive from parallel store readers, so each chunk's
/// lines are held until every chunk before it has been printed.
final class RowPrinter: RecoveredRowSink, @unchecked Sendable {
  let format: Rows.RowFormat
  let csv = CSVWriter()
  let out = Output()
  var tables: [RecoveredTable] = []
  var pending: [Int: String] = [:]
  var order: [Int] = []
  var next = 0
  var problems: [String] = []

  init(format: Rows.RowFormat) { self.format = format }

  func begin(tables: [RecoveredTable], chunks: [RecoveryChunk]) throws {
    self.tables = tables
    order = chunks.sorted { ($0.table, $0.index) < ($1.table, $1.index) }.map { $0.table << 32 | $0.index }
  }

  func chunk(_ chunk: RecoveryChunk, rows: RowBatch) throws {
    let columns = tables[chunk.table].columns
    let ordinals = columns.map { rows.layout.ordinal(of: $0.id) }
    var text = ""
    var line = ByteSink(capacity: 256)
    for r in 0..<rows.count {
      switch format {
      case .csv:
        line.removeAll()
        csv.write(rows, row: r, ordinals: ordinals.map { $0 ?? -1 }, into: &line, problems: &problems)
        text += String(decoding: line.bytes, as: UTF8.self)
      case .jsonl:
        let fields = zip(columns, ordinals).map { c, o -> String in
          let d = o.map { rows.datum(r, $0) } ?? .null
          let v = SQLText.render(d, type: c.type, problems: &problems).map(jsonString) ?? "null"
          return jsonString(c.name) + ":" + v
        }
        text += "{" + fields.joined(separator: ",") + "}\n"
      }
    }
    pending[chunk.table << 32 | chunk.index, default: ""] += text
  }

  func finish(_ report: RecoveryReport) throws {}

  func flush() {
    for key in order { if let t = pending[key] { out.write(t) } }
    out.flush()
  }
}
