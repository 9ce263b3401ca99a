import CockroachKV
import CockroachSQL
import Foundation
import LSMStore

/// Options of `salvage recover`.
public struct RecoveryOptions: Sendable {
  public var storePaths: [String]
  public var readTimestamp: MVCCTimestamp = .max
  /// `db.table` patterns with `*` wildcards; empty = every table.
  public var tablePatterns: [String] = []
  public var jobs: Int = ProcessInfo.processInfo.activeProcessorCount
  /// When blocks are checked against their checksums, so that a damaged block's key span is
  /// read from the next replica instead of silently missing (`BlockCheck`).
  public var verifyBlocks = BlockCheck.whileReading
  /// `--schema` files: CREATE TABLE statements merged over the stored descriptors (they win).
  public var schemaFiles: [SchemaFileText] = []
  /// `--table-id db.table=N`: IDs of tables in the schema files.
  public var tableIDs: [String: UInt32] = [:]
  /// `--ignore-descriptors`: do not read system.descriptor (damaged or misleading descriptors).
  public var ignoreStoredDescriptors = false
  /// Chunks weighing more data-block bytes than this are cut into pieces at row boundaries
  /// (`cutLargeChunks`); 0 keeps one chunk per range and table. SALVAGE_PIECE_BYTES sets it
  /// (benchmarks compare with cutting off).
  public var pieceBytes: Int64 = ProcessInfo.processInfo.environment["SALVAGE_PIECE_BYTES"].flatMap { Int64($0) }
    ?? RecoveryRun.defaultPieceBytes
  /// `--fill-from DIR...`: a backup (its directory, then locality directories) that fills the
  /// spans no replica holds; `--tables-from-backup`: `db.table` patterns taken whole from it.
  public var fillFrom: [String] = []
  public var tablesFromBackup: [String] = []
  /// `--disk-image`: images carved into stores (their paths are in `storePaths` too).
  public var carved: [CarvedImageSummary] = []
  /// `--use-obsolete`: obsolete files carved from the images, for spans nothing else holds.
  public var obsolete: ObsoleteCarvedData?
  /// The index scan for lost primary spans (IndexRebuild.swift; on in `salvage recover`,
  /// `--no-index-rebuild` turns it off): rebuilt rows go to `<table>.partial.csv`, full ones
  /// too unless `rebuildFromIndexes` (`--rebuild-from-indexes`, implies the scan) puts them
  /// into the tables' CSVs.
  public var indexRebuild = false
  public var rebuildFromIndexes = false
  public var checkIndexes = false
  /// The index check by digests (IndexDigest.swift; `--check-indexes`): one more read of every
  /// index span, so not done unasked. `checkIndexes` (`--check-indexes-precise`): the precise
  /// pass on every indexed table.
  public var indexCheck = false
  /// Replay committed Raft log entries the chosen replicas had not applied (issue 17);
  /// `--no-raft-replay` turns it off.
  public var raftReplay = true
  public init(storePaths: [String]) { self.storePaths = storePaths }
}

/// When a recovery checks blocks.
public enum BlockCheck: Sendable {
  /// Each unit's data blocks just before it reads them (`BlockChecks`): only what is read.
  case whileReading
  /// Every block of every live table, before planning (the survey's `--verify`).
  case beforePlanning
  /// Never: damaged blocks are only skipped and reported while reading.
  case off
}

/// The whole recovery over the surviving stores: cluster view → replica plan → schema from
/// system.descriptor → per table and range, rows of the chosen replica resolved as of the
/// read timestamp → the sink. Stores are read in parallel, each in one pass.
public final class RecoveryRun: @unchecked Sendable {
  public let options: RecoveryOptions
  let lock = NSLock()
  var report = RecoveryReport()
  var workerError: Error?
  /// Live counters for the progress line (guarded by `lock`).
  public private(set) var rowsSoFar = 0
  public private(set) var keysSoFar = 0
  public private(set) var storesDone = 0
  public private(set) var storesToRead = 0
  /// Table bytes of the chunks already read, and of all stores to read (for a rate and ETA):
  /// each store's table bytes are shared among its chunks by their weight (`chunkBytes`).
  public private(set) var bytesDone: Int64 = 0
  public private(set) var bytesTotal: Int64 = 0
  var chunkBytes: [ChunkKey: Int64] = [:]
  /// `--fill-from`: the backup chain, and the chunks filled from it that no replica held.
  var backup: BackupChain?
  var lostBeforeFill = Set<ChunkKey>()
  /// `--use-obsolete`: the obsolete carved files opened as one store (ObsoleteFill.swift).
  var obsoleteStore: Store?
  /// Store index → its work units not finished yet, and paths of the stores being read now.
  var unitsLeft: [Int: Int] = [:]
  var reading: [String: Int] = [:]
  /// Per store, the counts of its finished units (its progress line when all are done).
  var storeStats: [Int: SpanScanStats] = [:]
  /// The replica plan (`prepare`): where index spans are read (IndexRebuild.swift).
  var rangePlans: [RangePlan] = []
  /// Blocks checked while reading (`BlockCheck.whileReading`): the checks, each range's span
  /// and replicas in the planner's order, and the stores' labels for the report.
  var blockChecks: BlockChecks?
  var replicaOrder: [Int64: (span: KeySpan, stores: [Int])] = [:]
  var storeLabels: [String] = []
  /// What those checks found, from the chunks' results (`settleDamage` puts it in the report).
  var damagedWhileReading: [ChunkResult.Damaged] = []
  var lostWhileReading: [LostPart] = []
  /// The index check's row side (IndexDigest.swift): per table and index, what the data
  /// pass's rows expect; and per table position, which indexes it folds.
  var rowDigests: [IndexDigestKey: IndexDigest] = [:]
  var digestSources: [[DigestSource]] = []

  typealias ChunkKey = RecoveryChunk.Key

  /// The progress line's figures (`counters()`).
  public struct Counters: Sendable {
    public var rows = 0
    public var keys = 0
    public var storesDone = 0
    public var stores = 0
    public var bytesDone: Int64 = 0
    public var bytesTotal: Int64 = 0
    /// Paths of the stores being read now, sorted.
    public var reading: [String] = []
    public init() {}
  }

  /// Problems noted so far (metadata, schema, rows).
  public var problems: [Problem] {
    lock.lock(); defer { lock.unlock() }
    return report.problems
  }

  /// Notices noted so far (which schema came from where).
  public var notices: [String] {
    lock.lock(); defer { lock.unlock() }
    return report.notices
  }

  /// A consistent snapshot of the counters, for a progress line.
  public func counters() -> Counters {
    lock.lock(); defer { lock.unlock() }
    var c = Counters()
    (c.rows, c.keys, c.storesDone, c.stores, c.bytesDone, c.bytesTotal) = (rowsSoFar, keysSoFar, storesDone, storesToRead, bytesDone, bytesTotal)
    c.reading = reading.keys.sorted()
    return c
  }

  /// Test hook: SALVAGE_STOP_AFTER_CHUNKS=K fails the run once K chunks are finished, as a
  /// kill would, so resuming can be tested.
  let stopAfterChunks = ProcessInfo.processInfo.environment["SALVAGE_STOP_AFTER_CHUNKS"].flatMap { Int($0) }
  var chunksFinished = 0

  public init(options: RecoveryOptions) { self.options = options }

  /// What a run works on once the metadata is read: shared by `run` and by sharded runs
  /// (`ShardPlan`), so both cut the work the same way.
  public struct Prepared: @unchecked Sendable {
    public var stores: [Store]
    public var tables: [RecoveredTable]
    public var chunks: [RecoveryChunk]
    /// Per store, what its metadata says (for estimates and listings).
    public var catalogs: [StoreCatalog] = []
    /// User databases the descriptors define that hold no table (`defaultdb`, `postgres`…).
    public var emptyDatabases: [String] = []
  }

  public func run(sink: RecoveredRowSink, progress: @escaping @Sendable (String) -> Void = { _ in }) throws -> RecoveryReport {
    let started = Date()
    let p = try prepare(progress: progress)
    let global = report.problems.count
    try sink.begin(tables: p.tables, chunks: p.chunks)
    // Chunks an interrupted run with the same inputs and options finished are not read again.
    let resumed = try sink.resume(fingerprint: resumeFingerprint(p))
    if let note = resumed.note { progress(note) }
    var todo: [RecoveryChunk] = []
    digestSources = digestPlan(p.tables)
    for (i, c) in p.chunks.enumerated() where c.store != nil {
      if let r = resumed.done[i] { add(r, of: c) } else { todo.append(c) }
    }
    report.spansReused = p.chunks.count - todo.count - p.chunks.filter { $0.store == nil }.count
    try read(p, chunks: todo, sink: sink, progress: progress)
    if options.checkIndexes { try checkIndexes(p) } else if options.indexCheck { try digestCheck(p) }
    settleDamage(p.chunks)
    // Chunks finish in any order (parallel stores, reused work): sort what they added.
    report.intents.sort { ($0.keyHex, $0.timestamp) < ($1.keyHex, $1.timestamp) }
    report.filledSpans.sort { $0.table != $1.table ? $0.table < $1.table : $0.start.lexicographicallyPrecedes($1.start) }
    report.problems[global...].sort()
    // A store read in several units reports its store-wide problems (WAL, range keys) once per unit.
    var seen = Set<Problem>()
    report.problems = Array(report.problems[..<global]) + report.problems[global...].filter { seen.insert($0).inserted }
    report.bytesRead = Self.bytesOfTables(p.stores)
    report.seconds = Date().timeIntervalSince(started)
    try sink.finish(report)
    return report
  }

  /// A chunk read whole (caller holds `lock`): its figures into the report and the progress,
  /// the sink told; the test hook SALVAGE_STOP_AFTER_CHUNKS stops the run here.
  func chunkDone(_ c: RecoveryChunk, result r: ChunkResult, sink: RecoveredRowSink) throws {
    add(r, of: c)
    bytesDone += chunkBytes[c.key] ?? 0
    try sink.chunkDone(c, result: r)
    chunksFinished += 1
    if let k = stopAfterChunks, chunksFinished >= k {
      throw RecoveryError("stopped after \(k) chunk(s) on purpose (SALVAGE_STOP_AFTER_CHUNKS is set)")
    }
  }

  /// Adds a finished chunk's figures to the report (caller holds `lock` or runs alone).
  func add(_ r: ChunkResult, of c: RecoveryChunk) {
    if c.source == .backup { addFilled(r, of: c) }
    if c.source == .obsolete { addObsolete(r, of: c) }
    if c.source == .indexes {
      report.tables[c.table].rebuiltRows += r.rows
      report.tables[c.table].partialRows += r.partialRows
      report.tables[c.table].fullRowsAside += r.fullRowsAside
      let used = Set(report.tables[c.table].rebuiltIndexes).union(r.indexes)
      report.tables[c.table].rebuiltIndexes = used.sorted()
    }
    report.tables[c.table].rows += r.rows
    report.tables[c.table].deletedKeys += r.deletedKeys
    report.tables[c.table].rowProblems += r.rowProblems
    for (index, d) in r.digests { rowDigests[IndexDigestKey(table: c.table, index: index), default: IndexDigest()].add(d) }
    report.intents += r.intents
    report.problems += r.problems
    addDamage(r, of: c)
  }

  /// Opens the stores and plans the work: replicas, schema, tables, chunks; fills the
  /// report's global parts (stores, lost spans, ranges, metadata problems, lost chunks).
  /// `findUnnamed`: when the schema may be incomplete (--schema given, descriptors ignored,
  /// lost or damaged), scan the keys outside every known table (one more pass over the stores)
  /// to list table IDs that hold data but have no schema, and count the live keys of
  /// secondary tenants (`findTenants`). Shard workers and survey skip both: planning and
  /// `finish` list them.
  public func prepare(findUnnamed: Bool = true, progress: @escaping @Sendable (String) -> Void = { _ in }) throws -> Prepared {
    report.stores = options.storePaths
    report.carved = options.carved
    report.asOf = options.readTimestamp == .max ? "newest" : options.readTimestamp.description
    var stores: [Store] = []
    for p in options.storePaths {
      do { stores.append(try Store(path: p)) } catch { throw RecoveryError("cannot open store \(error)") }   // the error starts with the path
    }
    report.lostWALs = stores.flatMap { s in s.missingWALs.map { RecoveryReport.LostWAL(store: s.path, file: $0.file, meaning: $0.meaning) } }
    progress("opened \(stores.count) store(s); reading cluster metadata")
    // A damaged block must be known before its keys are read: skipping it could otherwise
    // expose older versions (or nothing) where the replica's newest data was. Checked before
    // planning, the plan reads its span elsewhere; checked while reading, the chunk does.
    let upfront = options.verifyBlocks == .beforePlanning
    if upfront { progress("checking every block of \(stores.count) store(s)") }
    let catalogs = Self.catalogs(of: stores, verifyTables: upfront, jobs: max(1, options.jobs))
    let view = ClusterView(catalogs)
    var plans = ReplicaPlanner.plan(view, catalogs: catalogs)
    storeLabels = stores.indices.map { view.stores.indices.contains($0) ? view.stores[$0].label : stores[$0].path }
    if options.verifyBlocks == .whileReading {
      blockChecks = BlockChecks(stores: stores, known: catalogs.map(\.damagedSpans))
      for r in view.ranges where !r.superseded && !r.replicas.isEmpty && replicaOrder[r.rangeID] == nil {
        replicaOrder[r.rangeID] = (r.span, r.replicas.map(\.store))
      }
    }
    report.problems += view.problems
    if options.raftReplay {
      report.raftReplay = RaftReplayPass.run(stores: stores, view: view, plans: plans, logs: catalogs.map(\.raftLogs))
      report.problems += report.raftReplay.flatMap(\.problems)
    }
    report.raftReplayOff = !options.raftReplay
    let readWhole = plans.isEmpty
    if readWhole {
      guard stores.count == 1 else {
        throw RecoveryError("no range descriptor was found on any store, so replicas cannot be told apart; recover one store at a time")
      }
      report.problems.append(Problem(.missing, "no range descriptors found: the whole store is read as one range, and what it no longer holds cannot be told"))
      plans = [RangePlan(rangeID: 0, span: .everything, chosenStore: 0, fallbacks: [])]
    }
    // Read whole, the store covers every key: nothing is lost for want of a replica (what
    // lacked a descriptor is said above), so neither the index check nor the rebuild treats
    // its spans as lost.
    report.lostSpans = readWhole ? [] : view.lost
    rangePlans = plans
    report.rangeSources = plans.map { p in
      .init(rangeID: p.rangeID, span: p.span.pretty, start: p.span.start, end: p.span.end,
            store: p.chosenStore.map { view.stores[$0].label })
    }
    report.storeInfo = stores.indices.map { i in
      let o = stores[i].options
      return .init(path: stores[i].path, label: storeLabels[i],
                   engine: o?.engine?.rawValue, engineVersion: o?.engineVersion, formatMajorVersion: o?.formatMajorVersion,
                   tableBytes: stores[i].tables.reduce(Int64(0)) { $0 + Self.fileSize($1.path) })
    }
    report.damagedSpans = plans.flatMap { p in
      p.fallbacks.map { f in
        RecoveryReport.DamagedSpan(rangeID: p.rangeID, span: f.span.pretty, start: f.span.start, end: f.span.end,
                                   store: p.chosenStore.map { view.stores[$0].label } ?? "",
                                   readFrom: f.store.map { view.stores[$0].label })
      }
    }

    let supplying = !options.schemaFiles.isEmpty || !options.tableIDs.isEmpty
    var catalog = SchemaCatalog()
    // Whether some table may hold data with no schema: worth a pass over the stores then.
    var incomplete = supplying || options.ignoreStoredDescriptors
    if options.ignoreStoredDescriptors {
      report.notices.append("system.descriptor not read (--ignore-descriptors)")
    } else {
      let schema = try discoverSchema(stores: stores, plans: plans, supplied: supplying)
      report.problems += schema.problems
      catalog = schema.catalog
      incomplete = incomplete || !schema.problems.isEmpty || schema.catalog.tables.isEmpty
    }
    if supplying {
      let merged = try mergeSuppliedSchema(catalog, stores: stores, plans: plans)
      catalog = merged.catalog
      report.notices += merged.notices
      report.problems += merged.problems.map { Problem(.schema, $0) }
    }
    if findUnnamed && incomplete {
      report.unnamedTables = findUnnamedTables(catalog, stores: stores, plans: plans)
      report.problems += report.unnamedTables.map(\.problem)
    }
    report.unrecoveredTenants = findTenants(stores: stores, plans: plans, countKeys: findUnnamed)
    report.problems += report.unrecoveredTenants.map(\.problem)
    // Name what each lost span held: rows (the primary index) or secondary-index entries.
    let known = catalog.dataTables.map { t -> (id: UInt32, name: String, indexes: [(id: UInt32, name: String)]) in
      let q = catalog.qualifiedName(of: t)
      return (t.id, q[0] + "." + q[2], ([t.primaryIndex] + t.indexes).map { ($0.id, $0.name) })
    }
    for i in report.lostSpans.indices {
      report.lostSpans[i].indexes = Coverage.indexes(overlapping: report.lostSpans[i].span, tables: known)
    }
    let tables = selectTables(catalog)
    progress("schema: \(tables.count) table(s) to recover")
    var chunks = Self.cutLargeChunks(makeChunks(tables: tables, plans: plans), stores: stores, pieceBytes: options.pieceBytes,
                                         jobs: max(1, options.jobs))
    try planFill(&chunks, stores: stores, tables: tables)
    try planObsolete(&chunks, stores: stores)
    report.tables = tables.map { RecoveryReport.TableStats(table: $0.qualifiedName.joined(separator: "."), tableID: $0.descriptor.id) }
    for c in chunks where c.store == nil {
      report.tables[c.table].lostSpans.append(c.span.pretty)
    }
    planRebuild(&chunks, stores: stores, tables: tables)
    if !options.indexRebuild && !options.rebuildFromIndexes,
       tables.indices.contains(where: { !report.tables[$0].lostSpans.isEmpty && !tables[$0].descriptor.indexes.isEmpty }) {
      // Never silent: rows an index could have given back are left out.
      report.notices.append("rows of lost spans were not rebuilt from secondary indexes (--no-index-rebuild, or a sharded run: those do not rebuild yet)")
    }
    report.spans = chunks.filter { $0.store != nil }.count
    let withTables = Set(catalog.dataTables.filter { $0.state != .drop }.map(\.parentID))
    let empty = catalog.databases.values.filter { $0.state != .drop && $0.id != 1 && !withTables.contains($0.id) }.map(\.name).sorted()
    return Prepared(stores: stores, tables: tables, chunks: chunks, catalogs: catalogs, emptyDatabases: empty)
  }

  /// Reads the given chunks (lost ones are skipped) in work units (`workUnits`), up to
  /// --jobs at a time.
  func read(_ p: Prepared, chunks: [RecoveryChunk], sink: RecoveredRowSink, progress: @escaping @Sendable (String) -> Void) throws {
    let stores = p.stores
    let readable = chunks.filter { $0.store != nil }
    // Progress advances per finished chunk: its share of its store's table bytes.
    var shares: [ChunkKey: Int64] = [:]
    var total: Int64 = 0
    for (s, cs) in Dictionary(grouping: readable, by: { $0.store! }) where stores.indices.contains(s) {
      let bytes = stores[s].tables.reduce(Int64(0)) { $0 + Self.fileSize($1.path) }
      total += bytes
      for (c, b) in zip(cs, Self.shares(of: bytes, weights: cs.map { Self.weight($0, store: s, catalogs: p.catalogs) })) {
        shares[c.key] = b
      }
    }
    let units = Self.workUnits(readable, catalogs: p.catalogs, jobs: max(1, options.jobs), balance: options.pieceBytes > 0)
    lock.lock()
    storeStats = [:]
    // Stores only: the backup's and the index rebuild's units are not a store read.
    unitsLeft = Dictionary(grouping: units.filter { stores.indices.contains($0.store) }, by: \.store).mapValues(\.count)
    storesToRead = unitsLeft.count
    bytesTotal = total
    chunkBytes = shares
    lock.unlock()
    // Units are taken in key order, so each table's chunks mostly finish in turn and go
    // straight into its file (RecoveryFiles' TableStream).
    let gate = DispatchSemaphore(value: max(1, options.jobs))
    let group = DispatchGroup()
    let tables = p.tables
    for unit in units {
      gate.wait()
      // After a failure no further unit is started (a resumed run redoes only what is missing).
      lock.lock(); let failed = workerError != nil; lock.unlock()
      if failed { gate.signal(); break }
      group.enter()
      let source = unit.chunks.first?.source ?? .replica
      guard source == .replica else {
        // The other sources' spans, in key order, on this worker.
        let obsolete = obsoleteStore
        DispatchQueue.global().async {
          defer { gate.signal(); group.leave() }
          do {
            switch source {
            case .backup: try self.readBackup(unit.chunks, tables: tables, sink: sink)
            case .indexes: try self.readRebuilt(unit.chunks, tables: tables, stores: stores, sink: sink)
            case .obsolete:
              guard let obsolete else { throw RecoveryError("internal: obsolete chunks without the obsolete files") }
              try self.read(store: 0, of: [obsolete], chunks: unit.chunks, tables: tables, sink: sink, checked: false)
            case .replica: break
            }
          } catch {
            self.lock.lock(); if self.workerError == nil { self.workerError = error }; self.lock.unlock()
          }
        }
        continue
      }
      let store = stores[unit.store]
      DispatchQueue.global().async {
        defer { gate.signal(); group.leave() }
        self.lock.lock(); self.reading[store.path, default: 0] += 1; self.lock.unlock()
        defer {
          self.lock.lock()
          self.reading[store.path, default: 1] -= 1
          if self.reading[store.path] == 0 { self.reading[store.path] = nil }
          self.lock.unlock()
        }
        do {
          let stats = try self.read(store: unit.store, of: stores, chunks: unit.chunks, tables: tables, sink: sink)
          // A store is done when all of its units are (they finish in any order).
          self.lock.lock()
          self.storeStats[unit.store, default: SpanScanStats()].add(stats)
          self.unitsLeft[unit.store, default: 1] -= 1
          let storeDone = self.unitsLeft[unit.store] == 0
          if storeDone { self.storesDone += 1 }
          let all = self.storeStats[unit.store]!
          self.lock.unlock()
          if storeDone { progress("\(store.path): \(all.keys) keys, \(all.values) live, \(all.intents) intents") }
        } catch {
          self.lock.lock(); if self.workerError == nil { self.workerError = error }; self.lock.unlock()
        }
      }
    }
    group.wait()
    if let workerError { throw workerError }
  }

  /// The stores' catalogs, read on up to `jobs` threads: with `verifyTables` each one reads
  /// every block of its store, which would otherwise run one store after another.
  static func catalogs(of stores: [Store], verifyTables: Bool, jobs: Int) -> [StoreCatalog] {
    var out = [StoreCatalog?](repeating: nil, count: stores.count)
    var next = 0
    let lock = NSLock()
    DispatchQueue.concurrentPerform(iterations: min(jobs, max(1, stores.count))) { _ in
      while true {
        lock.lock(); let i = next; next += 1; lock.unlock()
        guard i < stores.count else { return }
        let c = StoreCatalog(store: stores[i], verifyTables: verifyTables)
        lock.lock(); out[i] = c; lock.unlock()
      }
    }
    return out.map { $0! }
  }

  /// Largest unit (data-block bytes) when several jobs read.
  static let unitBytesWithJobs: Int64 = 32 << 20

  struct WorkUnit {
    var store: Int
    var chunks: [RecoveryChunk]
  }

  /// The chunks in key order (a table's chunks, then the next table's), cut into units: runs
  /// of consecutive chunks on the same store, each a pass over that store that skips the
  /// tables and data blocks outside it (`SpanScanner.skipsUnwantedBlocks`). With one job a
  /// run is as long as the store allows; with more, runs stop at about 1/(8 × jobs) of the
  /// weight, and at 32 MiB (data-block bytes planning measured, else the MVCC live bytes of the ranges), so
  /// the workers finish together even when one range holds most of the data (cut into
  /// pieces). Output does not depend on the cut. `balance` false: runs are never cut by
  /// weight (benchmarks compare with chunks kept whole).
  static func workUnits(_ chunks: [RecoveryChunk], catalogs: [StoreCatalog], jobs: Int, balance: Bool = true) -> [WorkUnit] {
    let ordered = chunks.filter { $0.store != nil }.sorted { $0.span < $1.span }
    let weights = ordered.map { weight($0, store: $0.store!, catalogs: catalogs) }
    // With several jobs a unit is also kept small enough that its rows, read while the unit
    // before it is still being read, wait in memory (TableStream's budget) rather than in parts.
    let cap = jobs > 1 && balance ? max(1, min(weights.reduce(0, +) / Int64(8 * jobs), Self.unitBytesWithJobs)) : Int64.max
    var units: [WorkUnit] = []
    var unitWeight: Int64 = 0
    for (c, w) in zip(ordered, weights) {
      if let last = units.last, last.store == c.store!, unitWeight + w <= cap {
        units[units.count - 1].chunks.append(c)
        unitWeight += w
      } else {
        units.append(WorkUnit(store: c.store!, chunks: [c]))
        unitWeight = w
      }
    }
    return units
  }

  /// A chunk's weight: the data-block bytes planning measured, else its range's MVCC live bytes.
  static func weight(_ c: RecoveryChunk, store: Int, catalogs: [StoreCatalog]) -> Int64 {
    if let b = c.estimatedBytes { return max(1, b) }
    let stats = c.rangeID.flatMap { catalogs.indices.contains(store) ? catalogs[store].replicas[$0]?.appliedState?.stats : nil }
    return max(1, stats?.liveBytes ?? 1)
  }

  /// `bytes` shared in proportion to `weights`; the shares add up to `bytes` exactly.
  static func shares(of bytes: Int64, weights: [Int64]) -> [Int64] {
    let total = Double(weights.reduce(0, +))
    guard total > 0 else { return weights.map { _ in 0 } }
    var out: [Int64] = []
    var sum = 0.0, given: Int64 = 0
    for w in weights {
      sum += Double(w)
      let upTo = Int64((Double(bytes) * sum / total).rounded())
      out.append(upTo - given)
      given = upTo
    }
    return out
  }

  /// Bytes of every table file of the stores (the report's `bytes_read`).
  static func bytesOfTables(_ stores: [Store]) -> Int64 {
    stores.reduce(0) { total, s in total + s.tables.reduce(Int64(0)) { $0 + fileSize($1.path) } }
  }

  static func fileSize(_ path: String) -> Int64 {
    ((try? FileManager.default.attributesOfItem(atPath: path)[.size]) as? NSNumber)?.int64Value ?? 0
  }

  /// Rows of one store's chunks, in one pass; rows are grouped by row prefix (all column
  /// families of a primary key are adjacent) and handed to the sink in batches. Each chunk is
  /// reported finished (`sink.chunkDone`) as soon as the scan has passed it.
  /// With blocks checked while reading, each chunk's blocks are checked as the pass reaches
  /// it (`CheckedPass`); `checked` false reads without (the obsolete carved files: there is
  /// no other copy to read a damaged block's keys from).
  @discardableResult
  func read(store s: Int, of stores: [Store], chunks: [RecoveryChunk], tables: [RecoveredTable], sink: RecoveredRowSink,
            checked: Bool = true) throws -> SpanScanStats {
    // The scanner numbers spans in key order; keep the chunks in the same order.
    let chunks = chunks.sorted { $0.span < $1.span }
    // Blocks of other units, system ranges and other tables are passed over (skipsUnwantedBlocks).
    let scanner = SpanScanner(store: stores[s], spans: chunks.map(\.span), readTimestamp: options.readTimestamp)
    guard checked, let checks = blockChecks else {
      return try read(chunks, source: stores[s].path, tables: tables, sink: sink) { try scanner.runBorrowed($0) }
    }
    let checked = CheckedPass(checks: checks, store: s, stores: stores, chunks: chunks, readTimestamp: options.readTimestamp,
                              replicas: { c in self.replicas(of: c, readFrom: s) })
    return try read(chunks, source: stores[s].path, tables: tables, sink: sink, notes: { checked.notes[$0] }) { visit in
      try checked.run(scanner, visit)
    }
  }

  /// Rows of `chunks` (in key order) from `pass`, which hands out each resolved key with the
  /// index of its chunk; `source` names where problems were met.
  /// `notes`: what the pass found about a chunk besides its keys (damaged blocks), added to
  /// its result when it is finished.
  func read(_ chunks: [RecoveryChunk], source: String, tables: [RecoveredTable], sink: RecoveredRowSink,
            notes: @escaping (Int) -> ChunkResult? = { _ in nil },
            pass: ((Int, ResolvedView) throws -> Void) throws -> SpanScanStats) throws -> SpanScanStats {
    // One assembler (and row batch) per table: rows go straight from KVs into typed slots.
    let assemblers = tables.map { RowAssembler(decoder: TableRowDecoder(table: $0.descriptor, catalog: $0.types)) }
    var rowStarted = false       // a row (or a run of keys with no row prefix) began in this chunk
    var rowOpen = false          // assemblers[chunks[current].table] holds an open row
    var rowFailed = false        // the row's first key did not decode: its other KVs are skipped
    var current = -1
    var result = ChunkResult()   // of chunks[current]
    var finished = 0             // chunks[..<finished] are handed to chunkDone
    var keysRead = 0
    var pendingRows = 0
    // The resolved key and value are borrowed: copied into these two buffers (no allocation
    // once warm), and the row prefix into a third when a row starts.
    var keyBytes: [UInt8] = []
    var valueBytes: [UInt8] = []
    var prefixBytes: [UInt8] = []
    var hasPrefix = false        // prefixBytes holds the current row's prefix (else: none decodable)
    var filledKeys: [[UInt8]] = []   // row keys of a chunk filled from the backup, for the sink

    func endRow() {
      guard rowOpen, current >= 0 else { return }
      let a = assemblers[chunks[current].table]
      a.end()
      if a.batch.problemCounts[a.batch.count - 1] > 0 { result.rowProblems += 1 }
      result.rows += 1
      pendingRows += 1
      rowOpen = false
      if chunks[current].source == .backup || chunks[current].source == .obsolete { filledKeys.append(hasPrefix ? prefixBytes : keyBytes) }
    }
    /// Hands over the current chunk's last rows and marks chunks up to `last` finished
    /// (those before the current one had no keys); `storeProblems` go with the very last.
    func finish(through last: Int, storeProblems: [Problem] = []) throws {
      endRow()
      if current >= 0 { try handOver(chunks[current]) }
      lock.lock(); defer { lock.unlock() }
      while finished <= last {
        var r = finished == current ? result : ChunkResult()
        if let n = notes(finished) {
          r.problems += n.problems
          r.damaged += n.damaged
          r.lost += n.lost
        }
        if finished == chunks.count - 1 { r.problems += storeProblems }
        let c = chunks[finished]
        finished += 1
        try chunkDone(c, result: r, sink: sink)
      }
      result = ChunkResult()
    }

    /// Gives the sink the rows assembled for `c` so far (none: nothing to do).
    func handOver(_ c: RecoveryChunk) throws {
      let a = assemblers[c.table]
      guard a.batch.count > 0 else { return }
      defer { a.batch.removeAll(); filledKeys.removeAll() }
      // Only the replicas' rows: the index side skips the spans other sources gave.
      if c.source == .replica, digestSources.indices.contains(c.table), !digestSources[c.table].isEmpty {
        Self.foldRows(a.batch, sources: digestSources[c.table], into: &result.digests)
      }
      if sink.acceptsConcurrentChunks {
        if !filledKeys.isEmpty { try sink.chunkKeys(c, keys: filledKeys) }
        return try sink.chunk(c, rows: a.batch)
      }
      lock.lock(); defer { lock.unlock() }
      if !filledKeys.isEmpty { try sink.chunkKeys(c, keys: filledKeys) }
      try sink.chunk(c, rows: a.batch)
    }

    let scanStats = try pass { spanIndex, r in
      if spanIndex != current {
        if current >= 0 { try finish(through: current) }
        current = spanIndex
        rowStarted = false
        hasPrefix = false
        rowFailed = false
      }
      let chunk = chunks[spanIndex]
      for i in r.intents where i.isIntent {
        result.intents.append(.init(key: Keyspace.prettyPrint(i.key), keyHex: i.key.hex,
                                    txnID: i.txnID?.description ?? "?", timestamp: i.timestamp.description))
      }
      keysRead += 1
      if keysRead & 0x3FFF == 0 {
        lock.lock(); keysSoFar += 0x4000; rowsSoFar += pendingRows; lock.unlock()
        pendingRows = 0
      }
      guard r.kind == .value else {
        if r.kind == .deleted || r.kind == .deletedByRangeTombstone { result.deletedKeys += 1 }
        return
      }
      keyBytes.removeAll(keepingCapacity: true)
      keyBytes.append(contentsOf: r.roachKey)
      // The row is the key without its column-family suffix (cheap; the key columns are
      // decoded once per row by the assembler).
      let prefix = (try? SQLKeyPrefix.splitFamily(keyBytes[...]))?.row
      let sameRow = prefix.map { p in hasPrefix && p.elementsEqual(prefixBytes) } ?? (!hasPrefix && rowStarted)
      if !sameRow {
        endRow()
        hasPrefix = prefix != nil
        prefixBytes.removeAll(keepingCapacity: true)
        if let prefix { prefixBytes.append(contentsOf: prefix) }
        rowStarted = true
        rowFailed = false
        let batch = assemblers[chunk.table].batch
        if batch.count >= 10_000 || batch.byteCount >= 8 << 20 { try handOver(chunk) }
      }
      // An empty value is a tombstone, a shorter one than its header has no row data.
      guard !rowFailed, r.roachValue.count >= RoachValue.headerLength else { return }
      valueBytes.removeAll(keepingCapacity: true)
      valueBytes.append(contentsOf: r.roachValue)
      guard let sv = try? SQLValue(roachValue: valueBytes) else { return }
      let a = assemblers[chunk.table]
      if !rowOpen {
        do {
          try a.begin(rowKey: keyBytes)
          rowOpen = true
        } catch {
          rowFailed = true
          result.rowProblems += 1
          result.problems.append(Problem(.undecodable, subject: tables[chunk.table].qualifiedName.joined(separator: "."), key: keyBytes,
                                          "row at \(Keyspace.prettyPrint(keyBytes)): \(error)"))
          return
        }
      }
      a.add(key: keyBytes, value: sv)
    }
    try finish(through: chunks.count - 1, storeProblems: scanStats.problems.map { $0.inStore(source) })
    lock.lock()
    keysSoFar += keysRead & 0x3FFF
    rowsSoFar += pendingRows
    lock.unlock()
    return scanStats
  }
}

public struct RecoveryError: Error, CustomStringConvertible {
  public var description: String
  public init(_ d: String) { description = d }
}

