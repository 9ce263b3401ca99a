import ArgumentParser
import CockroachKV
import Export
import Foundation
import Recovery

/// `salvage plan`: cuts a recovery into shards for Spark or Kubernetes (contrib/spark).
struct Plan: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "plan",
    abstract: "Cut a recovery into N shards of about equal bytes (for Spark or Kubernetes Indexed Jobs).",
    discussion: """
      Writes PLAN.json: the tables, the lost chunks and, per shard, its chunks (table, index, span,
      store). Then run `salvage recover --plan PLAN.json --shard I --out DIR` for every I (in any
      order, anywhere the stores and DIR are reachable) and `salvage finish DIR`: the output is the
      one `salvage recover STORES --out DIR` writes. Same stores and options give the same PLAN.json.
      """)

  @Argument(help: "Surviving store directories.") var stores: [String]
  @Option(name: .long, help: "Number of shards.") var shards: Int
  @Option(name: .long, help: "Plan file to write.") var out: String
  @Option(name: .customLong("as-of"), help: AsOf.help) var asOf: String?
  @Option(name: .long, parsing: .upToNextOption, help: "Only tables matching db.table patterns (* wildcard).")
  var tables: [String] = []
  @Option(name: .long, help: "Keep only the latest N rows per partition (see recover).") var keepLatest: Int?
  @Option(name: .long, help: "Partition column for --keep-latest.") var partitionBy: String?
  @Option(name: .long, help: "Order column for --keep-latest.") var orderBy: String?
  @OptionGroup var schemaOptions: SchemaOptions

  func validate() throws {
    if shards < 1 { throw ValidationError("--shards must be at least 1") }
    let given = [keepLatest != nil, partitionBy != nil, orderBy != nil]
    if given.contains(true) && given.contains(false) {
      throw ValidationError("--keep-latest, --partition-by and --order-by go together")
    }
  }

  func run() throws {
    // Absolute paths: shards run elsewhere, from other working directories.
    var options = RecoveryOptions(storePaths: stores.map { URL(fileURLWithPath: $0).standardizedFileURL.path })
    options.tablePatterns = tables
    try schemaOptions.apply(to: &options)
    if let asOf {
      options.readTimestamp = try AsOf.parse(asOf)
    }
    var keep: ShardPlan.KeepLatestOption?
    if let n = keepLatest, let p = partitionBy, let o = orderBy { keep = .init(count: n, partitionBy: p, orderBy: o) }
    do {
      let run = RecoveryRun(options: options)
      let prepared = try run.prepare { printError("salvage: \($0)") }
      printNotices(run.notices, seeAll: "(salvage finish lists them all in report.json)")
      run.problems.forEach { printError("salvage: \($0)") }
      let plan = ShardPlan.make(prepared, options: options, shards: shards, keepLatest: keep)
      let tmp = out + ".tmp"
      try plan.encoded().write(to: URL(fileURLWithPath: tmp))
      _ = try? FileManager.default.removeItem(atPath: out)
      try FileManager.default.moveItem(atPath: tmp, toPath: out)
      let o = Output()
      o.write("planned \(shards) shard(s) over \(prepared.chunks.count) chunk(s) of \(plan.tables.count) table(s), \(plan.lostChunks.count) lost; bytes estimated from \(plan.estimate)\n")
      for s in plan.shards { o.write("  shard \(s.shard): \(s.chunks.count) chunk(s), ~\(s.bytes) bytes\n") }
      o.write("plan: \(out)\n")
      o.flush()
    } catch {
      printError("salvage: plan failed: \(error)")
      throw ExitCode(ReadStatus.failed)
    }
  }
}

/// `salvage recover --plan PLAN.json --shard I --out DIR`. Exit 0 once the shard is complete
/// (lost spans and problems are reported by `finish`), 1 on error, so a task runner retries
/// only real failures.
func recoverShard(planPath: String, shard: Int, out: String, jobs: Int?, stores: [String], quiet: Bool = false) throws {
  do {
    let plan = try ShardPlan.load(path: planPath)
    let given = stores.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
    if !given.isEmpty && given != plan.stores {
      throw RecoveryError("shard \(shard): the stores given differ from the plan's (\(plan.stores.joined(separator: " ")))")
    }
    let (r, reused) = try ShardFiles.runShard(plan: plan, shard: shard, out: out, jobs: jobs) { if !quiet { printError("salvage: shard \(shard): \($0)") } }
    let o = Output()
    o.write(reused ? "shard \(shard) of \(r.shards) already complete: kept\n"
                   : "shard \(shard) of \(r.shards): \(r.chunks) chunk(s), \(r.rows) rows in \(String(format: "%.2f", r.seconds)) s\n")
    o.write("output: \(ShardFiles.shardsDir(out))/\(shard)\n")
    o.flush()
  } catch {
    printError("salvage: recover shard \(shard) failed: \(error)")
    throw ExitCode(ReadStatus.failed)
  }
}

/// `salvage finish DIR`: assembles the shards.
struct Finish: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "finish",
    abstract: "Assemble the shards in DIR/shards into the output `salvage recover` writes.",
    discussion: """
      Refuses (exit 1) while any shard of the plan is missing or incomplete. Exit status otherwise
      as for recover: 0, or 2 when some key span was lost or something was skipped (report.json).
      """)

  @Argument(help: "The --out directory of the shards.") var dir: String
  @Option(name: .long, help: "Plan file (default: DIR/shards/plan.json, copied there by the shards).") var plan: String?
  @Flag(name: .long, help: "Remove DIR/shards once the output is written.") var removeShards = false
  @OptionGroup var database: DatabaseOptions

  func run() throws {
    let files: RecoveryFiles
    let report: RecoveryReport
    do {
      (files, report) = try ShardFiles.finish(out: dir, planPath: plan, keepShards: !removeShards) { printError("salvage: \($0)") }
    } catch {
      printError("salvage: finish failed: \(error)")
      throw ExitCode(ReadStatus.failed)
    }
    printNotices(report.notices)
    let o = Output()
    o.write("assembled \(report.tables.count) table(s) from the shards\n")
    writeRecoverySummary(report, files, o)
    let loaded = database.load(files, inputs: report.stores, o)
    o.write("output: \(files.directory)\n")
    o.flush()
    try ReadStatus.finish(damaged: report.somethingLost || !report.problems.isEmpty || !loaded)
  }
}
