import CockroachKV
import Foundation
import LSMStore
import SSTable

/// Options of `salvage survey`.
public struct SurveyOptions: Sendable {
  /// The stores, tables, schema options of the recovery to survey (its `jobs` is the
  /// estimate's; blocks are not checked while surveying).
  public var recovery: RecoveryOptions
  /// `--machines N --cores C`: also estimate a sharded run on N machines of C cores.
  public var machines = 0
  public var coresPerMachine = 0
  /// Share of the bytes to read that the sample aims at, and the seconds it may take.
  public var sampleShare = 0.02
  public var sampleSeconds = 1.5
  public var minimumSampleBytes: Int64 = 4 << 20
  /// Speed-up per added core of a parallel read (0.8: two cores read 1.6 times as fast).
  public var parallelEfficiency = 0.8
  /// Check every block before planning (reads every store whole: not metadata cost), so
  /// damaged blocks are planned around and reported as recover's checks while reading find them.
  public var checkBlocks = false
  /// Where the recovery will write: the survey times a 32 MiB test write there (removed at
  /// once). Nil: the system's temporary directory.
  public var outputDirectory: String? = nil
  public init(recovery: RecoveryOptions) { self.recovery = recovery }
}

/// `salvage survey`: what a recovery will find and cost, from the stores' metadata
/// (MANIFESTs, OPTIONS, range descriptors, applied states, system.descriptor) and one timed
/// sample of data blocks read through the recovery's own read path.
public enum Survey {
  public static func run(_ o: SurveyOptions, progress: @escaping @Sendable (String) -> Void = { _ in }) throws -> SurveyReport {
    let started = Date()
    var options = o.recovery
    options.verifyBlocks = o.checkBlocks ? .beforePlanning : .off
    let run = RecoveryRun(options: options)
    // No pass over the stores for unnamed tables: the survey stays at metadata cost.
    let p = try run.prepare(findUnnamed: false, progress: progress)
    let planSeconds = Date().timeIntervalSince(started)
    let bytes = chunkBytes(p)
    var s = SurveyReport()
    s.stores = storeInfo(p, run: run, bytes: bytes)
    s.tables = tableInfo(p, bytes: bytes)
    s.ranges = run.report.rangeSources.map { .init(rangeID: $0.rangeID, span: $0.span, store: $0.store) }
    s.lostSpans = run.report.lostSpans.map { l in
      .init(span: l.pretty, rangeIDs: l.rangeIDs, indexes: l.indexes.map { "\($0.table): \($0.index)" })
    }
    s.damagedSpans = run.report.damagedSpans.map { .init(rangeID: $0.rangeID, span: $0.span, store: $0.store, readFrom: $0.readFrom) }
    s.bytesToRead = bytes.reduce(0, +)

    // The timed sample.
    progress("timing a sample of the data")
    // At least 4 MiB: small clusters are read whole (their figures are then exact).
    let target = max(Int64(Double(s.bytesToRead) * o.sampleShare), o.minimumSampleBytes)
    let chosen = SurveySample.choose(stores: p.chunks.map(\.store), tables: p.chunks.map(\.table), bytes: bytes, target: target)
    let sink = SurveySink(tables: p.tables)
    let timed = try SurveySample.read(run, p, chosen: chosen, bytes: bytes, sink: sink, budget: o.sampleSeconds)
    let t = timed.perTable.values
    let sampledBytes = t.reduce(Int64(0)) { $0 + $1.bytes }
    let sampledSeconds = t.reduce(0.0) { $0 + $1.seconds }, sampledCPU = t.reduce(0.0) { $0 + $1.cpuSeconds }
    let check = SurveySample.checkRate(p.stores, budget: o.sampleSeconds / 3)
    let writes = WriteProbe.measure(directory: o.outputDirectory ?? NSTemporaryDirectory())
    let rate = sampledCPU > 0 ? Double(sampledBytes) / sampledCPU : 0
    let share = sampledSeconds > 0 ? min(1, sampledCPU / sampledSeconds) : 1
    s.sample = .init(spans: timed.spans, bytes: sampledBytes, seconds: round3(sampledSeconds), cpuSeconds: round3(sampledCPU),
                     coreShare: round3(share), rows: sink.rows, csvBytes: sink.csvBytes, bytesPerSecond: rate.rounded(),
                     checkBytesPerSecond: (check ?? 0).rounded(), writeBytesPerSecond: (writes?.buffered ?? 0).rounded(),
                     diskWriteBytesPerSecond: (writes?.disk ?? 0).rounded())
    let csvPerByte = sampledBytes > 0 ? Double(sink.csvBytes) / Double(sampledBytes) : 0
    s.estimatedCSVBytes = Int64(csvPerByte * Double(s.bytesToRead))
    // Planning's problems, and what the sample met (damaged blocks among them).
    // (A missing live WAL is among them: the store reports it as damage.)
    s.problems = run.problems.map(\.description)
    s.notices = run.notices
    for (i, table) in s.tables.enumerated() where table.rowsPartial {
      // Stats missing or straddling ranges: rows per byte of the sample, where sampled.
      guard let st = timed.perTable[i], st.bytes > 0 else { continue }
      s.tables[i].estimatedRows = Int64((Double(st.rows) * Double(table.estimatedBytes) / Double(st.bytes)).rounded())
      s.tables[i].rowsFrom = "sample"
    }

    // Single-core CPU cost of each chunk: its table's sampled CPU seconds per byte, or the
    // whole sample's for a table not sampled.
    let cost = p.chunks.indices.map { i -> Double in
      guard p.chunks[i].store != nil else { return 0 }
      if let t = timed.perTable[p.chunks[i].table], t.bytes > 0 { return Double(bytes[i]) * t.cpuSeconds / Double(t.bytes) }
      return rate > 0 ? Double(bytes[i]) / rate : 0
    }
    // recover checks the blocks it reads as it reads them (`BlockChecks`).
    let checkCPU = (check ?? 0) > 0 ? Double(s.bytesToRead) / check! : 0
    let model = SurveyCost(planSeconds: planSeconds, checkCPUSeconds: checkCPU, readCPUSeconds: cost.reduce(0, +),
                           largestUnit: { jobs in largestUnit(p, cost: cost, jobs: jobs, balance: options.pieceBytes > 0) },
                           csvBytes: s.estimatedCSVBytes, bufferedWriteRate: writes?.buffered ?? 0,
                           diskWriteRate: writes?.disk ?? 0, efficiency: o.parallelEfficiency,
                           machineCores: ProcessInfo.processInfo.activeProcessorCount, coreShare: share)
    let jobs = max(1, o.recovery.jobs)
    s.estimates = [model.estimate(machines: 1, cores: jobs)]
    if o.machines > 0 && o.coresPerMachine > 0 {
      s.estimates.append(model.estimate(machines: o.machines, cores: o.coresPerMachine))
    }
    s.method = SurveyCost.method(efficiency: o.parallelEfficiency)
    s.surveySeconds = round3(Date().timeIntervalSince(started))
    return s
  }

  /// Data-block bytes of each readable chunk on its store: as planning measured them
  /// (`estimatedBytes`), else the share of the store's table files overlapping it.
  static func chunkBytes(_ p: RecoveryRun.Prepared) -> [Int64] {
    let (manifest, _) = ShardPlan.estimateBytes(p)
    return p.chunks.indices.map { i in p.chunks[i].store == nil ? 0 : (p.chunks[i].estimatedBytes ?? manifest[i]) }
  }

  /// The costliest work unit a run with `jobs` workers would form (its single-core seconds).
  static func largestUnit(_ p: RecoveryRun.Prepared, cost: [Double], jobs: Int, balance: Bool) -> Double {
    var position: [RecoveryChunk.Key: Int] = [:]
    for (i, c) in p.chunks.enumerated() { position[c.key] = i }
    let units = RecoveryRun.workUnits(p.chunks, catalogs: p.catalogs, jobs: jobs, balance: balance)
    return units.map { u in u.chunks.reduce(0.0) { $0 + cost[position[$1.key]!] } }.max() ?? 0
  }

  static func storeInfo(_ p: RecoveryRun.Prepared, run: RecoveryRun, bytes: [Int64]) -> [SurveyReport.StoreInfo] {
    p.stores.enumerated().map { i, store in
      let ident = p.catalogs[i].ident
      let label = StoreSummary(index: i, path: store.path, ident: ident).label
      let formats = Set(store.tables.filter { !$0.unreadable }.compactMap { (try? Table(path: $0.path))?.format.description })
      let release = CockroachRelease.of(store)
      return .init(path: store.path, label: label, storeID: ident?.storeID, nodeID: ident?.nodeID,
                   clusterID: ident?.clusterID.map { "\($0)" }, engine: store.options?.engine?.rawValue,
                   engineVersion: store.options?.engineVersion,
                   formatMajorVersion: store.directory.formatVersionMarker?.version ?? store.options?.formatMajorVersion,
                   tableFormats: formats.sorted(), cockroachVersion: release?.version, cockroachVersionSource: release?.source,
                   tableFiles: store.tables.count, tableBytes: RecoveryRun.bytesOfTables([store]),
                   liveWALs: store.liveLogs.count, missingWALs: store.missingWALs.map(\.file),
                   rangesRead: run.report.rangeSources.filter { $0.store == label }.count,
                   bytesToRead: p.chunks.indices.filter { p.chunks[$0].store == i }.reduce(Int64(0)) { $0 + bytes[$1] })
    }
  }

  static func tableInfo(_ p: RecoveryRun.Prepared, bytes: [Int64]) -> [SurveyReport.TableInfo] {
    p.tables.enumerated().map { t, table in
      let mine = p.chunks.indices.filter { p.chunks[$0].table == t }
      let (rows, partial) = p.estimatedRows(t)
      let stores = Set(mine.compactMap { p.chunks[$0].store }).sorted().map { i in
        StoreSummary(index: i, path: p.stores[i].path, ident: p.catalogs[i].ident).label
      }
      return .init(table: table.qualifiedName.joined(separator: "."), tableID: table.descriptor.id, estimatedRows: rows,
                   rowsPartial: partial, rowsFrom: "mvcc-stats", estimatedBytes: mine.reduce(Int64(0)) { $0 + bytes[$1] },
                   spans: mine.filter { p.chunks[$0].store != nil }.count,
                   lostSpans: mine.filter { p.chunks[$0].store == nil }.map { p.chunks[$0].span.pretty }, stores: stores)
    }
  }

  static func round3(_ x: Double) -> Double { (x * 1000).rounded() / 1000 }
}
