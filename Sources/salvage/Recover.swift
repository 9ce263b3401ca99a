import ArgumentParser
import Carving
import CockroachKV
import Export
import Foundation
import Recovery

struct Recover: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "recover",
    abstract: "Recover every table from the surviving store directories of a dead cluster.",
    discussion: """
      Writes OUT/<db>/<table>.csv (IMPORT INTO CSV, NULL = unquoted \\N), OUT/schema.sql,
      OUT/import.sql and OUT/report.json. Re-run with the same --out after an interruption, it
      keeps the key spans already finished (when the stores and options are unchanged). Per range, all data comes from the most advanced surviving
      replica (see README). Exit status: 0 when everything known was recovered, 2 when some key
      span has no surviving replica, a store lacks a live WAL, or something was skipped (see
      report.json), 1 on error.
      """)

  @Argument(help: "Surviving store directories (with --plan: optional, the plan's).") var stores: [String] = []
  @Option(name: .customLong("disk-image"), parsing: .upToNextOption,
          help: "Disk images or block devices of nodes whose filesystem is gone: each is carved (docs/carving.md) into OUT/.salvage-carved/N and read as one more store.")
  var diskImages: [String] = []
  @Flag(name: .customLong("use-obsolete"),
        help: "With --disk-image: obsolete tables and WALs found on the images (compacted away, not yet overwritten) fill the key spans no replica and no live table holds, newest version first, marked as such (best effort: they may be older than the lost data).")
  var useObsolete = false
  @Flag(name: .customLong("loose-blocks"),
        help: "With --use-obsolete, last resort: a second pass over each image finds data blocks outside every carved file (a table whose footer is gone); they fill lost spans like obsolete tables.")
  var looseBlocks = false
  @Option(name: .long, help: "Output directory (must not overlap any store).") var out: String
  @Option(name: .customLong("as-of"), help: AsOf.help) var asOf: String?
  @Option(name: .long, parsing: .upToNextOption, help: "Only tables matching db.table patterns (* wildcard).")
  var tables: [String] = []
  @Option(name: .long, help: "Parallel store readers (default: all cores).") var jobs: Int?
  @OptionGroup var database: DatabaseOptions
  @OptionGroup var schemaOptions: SchemaOptions
  @Option(name: .long, help: "Keep only the latest N rows per partition (with --partition-by and --order-by), in every table having both columns.")
  var keepLatest: Int?
  @Option(name: .long, help: "Partition column for --keep-latest (e.g. user_id).") var partitionBy: String?
  @Option(name: .long, help: "Order column for --keep-latest; the greatest values are kept (e.g. seq).") var orderBy: String?
  @Option(name: .long, help: "Run one shard of a `salvage plan` (with --shard) into OUT/shards/I.") var plan: String?
  @Option(name: .long, help: "Shard number for --plan (0-based).") var shard: Int?
  @Flag(name: .long, help: "Write each table as <table>.csv.gz (import.sql tells IMPORT INTO to decompress it).")
  var gzip = false
  @Flag(name: .long, help: "Do not check blocks against their checksums as they are read (a damaged block is then only skipped, not read from another replica).")
  var noVerifyBlocks = false
  @Flag(name: .long, help: "No progress on stderr (errors and notes only).") var quiet = false
  @Flag(name: .long, help: "Do not replay committed Raft log entries that the chosen replica had not applied yet (read applied state only).")
  var noRaftReplay = false
  @Option(name: .customLong("fill-from"), parsing: .upToNextOption,
          help: "A backup of this cluster (its directory, then any locality directories): spans no replica holds are read from it, as of its end time, and marked as such.")
  var fillFrom: [String] = []
  @Option(name: .customLong("tables-from-backup"), parsing: .upToNextOption,
          help: "With --fill-from: tables (db.table patterns, * wildcard) taken whole from the backup instead of the replicas.")
  var tablesFromBackup: [String] = []
  @Flag(name: .customLong("rebuild-from-indexes"),
        help: "Rows of lost spans rebuilt from the table's surviving secondary indexes go into its CSV when the indexes give every column (without it they go to <table>.partial.csv, as partial ones always do).")
  var rebuildFromIndexes = false
  @Flag(name: .customLong("no-index-rebuild"),
        help: "Do not rebuild the rows of lost spans from surviving secondary indexes into <table>.partial.csv (the replicas' rows only).")
  var noIndexRebuild = false
  @Flag(name: .customLong("check-indexes"),
        help: "Check the surviving rows against their secondary indexes: a digest per index (one more read of every index span), the precise pass where they differ; report.json lists the inconsistencies.")
  var checkIndexes = false
  @Flag(name: .customLong("check-indexes-precise"),
        help: "Check every surviving row against its secondary-index entries precisely on every indexed table (a second pass over their rows and index spans).")
  var checkIndexesPrecise = false

  func validate() throws {
    let given = [keepLatest != nil, partitionBy != nil, orderBy != nil]
    if given.contains(true) && given.contains(false) {
      throw ValidationError("--keep-latest, --partition-by and --order-by go together")
    }
    if let n = keepLatest, n < 1 { throw ValidationError("--keep-latest must be at least 1") }
    if (plan == nil) != (shard == nil) { throw ValidationError("--plan and --shard go together") }
    if plan != nil && !diskImages.isEmpty { throw ValidationError("--disk-image is not supported with sharded runs (--plan) yet") }
    if plan == nil && stores.isEmpty && diskImages.isEmpty { throw ValidationError("give the surviving store directories") }
    if useObsolete && diskImages.isEmpty { throw ValidationError("--use-obsolete needs --disk-image") }
    if looseBlocks && !useObsolete { throw ValidationError("--loose-blocks needs --use-obsolete") }
    let schemaGiven = !schemaOptions.schema.isEmpty || !schemaOptions.tableId.isEmpty || schemaOptions.ignoreDescriptors
    if !tablesFromBackup.isEmpty && fillFrom.isEmpty { throw ValidationError("--tables-from-backup needs --fill-from BACKUP") }
    if plan != nil && !fillFrom.isEmpty { throw ValidationError("--fill-from is not supported with sharded runs (--plan) yet") }
    if rebuildFromIndexes && noIndexRebuild { throw ValidationError("--rebuild-from-indexes and --no-index-rebuild contradict each other") }
    if plan != nil && (rebuildFromIndexes || checkIndexes || checkIndexesPrecise) {
      throw ValidationError("--rebuild-from-indexes and --check-indexes are not supported with sharded runs (--plan) yet")
    }
    if plan != nil && (asOf != nil || !tables.isEmpty || given.contains(true) || schemaGiven) {
      throw ValidationError("with --plan, --as-of, --tables, --keep-latest and --schema come from the plan (give them to salvage plan)")
    }
  }

  func run() throws {
    if let plan, let shard { return try recoverShard(planPath: plan, shard: shard, out: out, jobs: jobs, stores: stores, quiet: quiet) }
    var options = RecoveryOptions(storePaths: stores)
    options.tablePatterns = tables
    try schemaOptions.apply(to: &options)
    if let jobs { options.jobs = jobs }
    options.verifyBlocks = noVerifyBlocks ? .off : .whileReading
    options.raftReplay = !noRaftReplay
    options.fillFrom = fillFrom
    options.tablesFromBackup = tablesFromBackup
    options.rebuildFromIndexes = rebuildFromIndexes
    options.indexRebuild = !noIndexRebuild
    options.indexCheck = checkIndexes
    options.checkIndexes = checkIndexesPrecise
    if let asOf {
      options.readTimestamp = try AsOf.parse(asOf)
    }
    let files: RecoveryFiles
    do { files = try RecoveryFiles(directory: out, inputs: stores + fillFrom) } catch {
      printError("salvage: \(error)")
      throw ExitCode(ReadStatus.failed)
    }
    if let n = keepLatest, let p = partitionBy, let o = orderBy { files.keepLatest = KeepLatest(count: n, partitionBy: p, orderBy: o) }
    files.gzip = gzip
    do { try carveImages(into: files.directory, &options) } catch {
      printError("salvage: \(error)")
      throw ExitCode(ReadStatus.failed)
    }
    database.prepare(files, inputs: stores)
    let report: RecoveryReport
    let run = RecoveryRun(options: options)
    let progress = ProgressLine(run: run, quiet: quiet)
    do {
      progress.start()
      defer { progress.stop() }
      report = try run.run(sink: files) { progress.note($0) }
    } catch {
      printError("salvage: recover failed: \(error)")
      throw ExitCode(ReadStatus.failed)
    }
    printNotices(report.notices)
    let o = Output()
    o.write("recovered \(report.tables.count) table(s) from \(report.stores.count) store(s) in \(String(format: "%.2f", report.seconds)) s, \(report.bytesRead / 1_000_000) MB of tables read\n")
    if report.spansReused > 0 { o.write("\(report.spansReused) of \(report.spans) span(s) reused from an earlier run into \(files.directory)\n") }
    writeRecoverySummary(report, files, o)
    for c in report.carved {
      let label = report.storeInfo.first { $0.path == c.storePath }?.label ?? c.storePath
      let ranges = report.rangeSources.filter { $0.store == label }.count
      o.write("disk image \(c.image): carved into store \(label), \(c.liveTables) live table(s)"
              + (c.missingLiveTables.isEmpty ? "" : " (\(c.missingLiveTables.count) live table(s) not found)")
              + "; \(ranges) range(s) read from it (report.json: carved)\n")
    }
    let loaded = database.load(files, inputs: stores, o)
    o.write("output: \(files.directory)\n")
    o.flush()
    try ReadStatus.finish(damaged: report.somethingLost || !report.problems.isEmpty || !loaded)
  }
}

extension Recover {
  /// Carves each `--disk-image` into OUT/.salvage-carved/N (live files only: the space it
  /// costs is the live tables' and WALs' size) and adds it as a store. Not under the work
  /// directory, which a run empties when it starts. `--use-obsolete`: the obsolete files of
  /// every image go to OUT/.salvage-carved/obsolete, a source for lost spans only.
  func carveImages(into out: String, _ options: inout RecoveryOptions) throws {
    let obsoleteDir = out + "/.salvage-carved/obsolete"
    if useObsolete {
      try? FileManager.default.removeItem(atPath: obsoleteDir)
      options.obsolete = ObsoleteCarvedData(storePath: obsoleteDir, files: [])
    }
    for (i, image) in diskImages.enumerated() {
      let dir = out + "/.salvage-carved/\(i)"
      try? FileManager.default.removeItem(atPath: dir)
      let progress = CarveProgress(quiet: quiet)
      let (store, written) = try CarvedStore.carve(image: image, into: dir, includeObsolete: false, looseBlocks: looseBlocks, progress: progress.report)
      if !quiet { for l in store.summaryLines { printError("salvage: carved " + l) } }
      options.storePaths.append(dir)
      options.carved.append(CarvedImageSummary(
        image: image, storePath: dir, liveTables: store.liveTables, obsoleteTables: store.obsoleteTables,
        liveWALs: store.liveWALs, obsoleteWALs: store.obsoleteWALs, missingLiveTables: store.liveTablesMissing,
        manifestFound: store.manifestOffset != nil, unconfirmedFooters: store.unconfirmedFooters.count,
        seconds: store.seconds, bytesWritten: written))
      guard useObsolete else { continue }
      options.carved[options.carved.count - 1].obsoleteUsed = true
      let copies = try store.writeObsolete(to: obsoleteDir, image: DiskImage(path: image), firstNumber: UInt64(i + 1) * 1_000_000)
      options.obsolete!.files += copies.map {
        ObsoleteCarvedData.File(image: image, name: $0.name, kind: $0.loose ? "loose data blocks" : $0.kind.rawValue, offset: $0.offset, length: $0.length,
                                smallestEngineKey: $0.smallestKey, largestEngineKey: $0.largestKey)
      }
    }
  }
}
