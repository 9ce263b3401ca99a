import Foundation
import Recovery

/// The PostgreSQL copy written in the recovery's own pass (`recover --postgres`):
/// `ChunkSequencer` hands it each table's typed rows in key order.
typealias PostgresRowCopy = ChunkSequencer<PostgresTables>

extension ChunkSequencer where Destination == PostgresTables {
  /// Connects now (a bad URL or an unreachable server fails here, before the pass).
  convenience init(url: String, inputs: [String]) throws {
    self.init(try PostgresTables(url: url, source: inputs.joined(separator: ", ")))
  }
}

/// PostgreSQL as a `ChunkDestination`: the steps of `PostgresSink.load`, spread over the pass.
/// Every table gets its staging table at `begin`; rows become COPY text lines on the calling
/// thread and go to the staging table in COPYs of about `flushBytes`; at `finish` each table
/// is created and filled from its staging table in its own transaction (as `load` does).
final class PostgresTables: ChunkDestination {
  let worker: PostgresWorker
  var recovered: [RecoveredTable] = []
  var tables: [ExportTable] = []
  var arrays: [[Bool]] = []
  var rowsRead: [Int] = []
  /// COPY lines of table `pendingTable` not yet handed to the worker.
  var pending: [UInt8] = []
  var pendingTable = 0
  let flushBytes = 1 << 20

  init(url: String, source: String) throws { worker = try PostgresWorker(url: url, source: source) }

  deinit { worker.close() }

  var workExtension: String { "pgrows" }

  func error(_ message: String) -> ExportError.Kind { .postgres(message) }

  static func staging(_ t: Int) -> String { "salvage_copy_\(t)" }

  func begin(tables recovered: [RecoveredTable]) throws {
    self.recovered = recovered
    tables = recovered.map(RecoveredDatabase.exportTable)
    arrays = tables.map(PostgresTypes.arrayColumns)
    rowsRead = Array(repeating: 0, count: tables.count)
    for (t, table) in tables.enumerated() {
      try worker.run { try await $0.stage(table, as: Self.staging(t)) }
    }
  }

  func insert(_ rows: SQLiteRows, table t: Int) throws {
    try switchTo(t)
    for r in 0..<rows.count { PostgresTypes.appendCopyLine(rows, r, arrays: arrays[t], to: &pending) }
    rowsRead[t] += rows.count
    if pending.count >= flushBytes { try flush() }
  }

  func insertPart(_ path: String, table t: Int) throws {
    try switchTo(t)
    var source = try RecoveredCSVRows(path: path, table: recovered[t])
    while let row = try source.next() {
      PostgresTypes.appendCopyLine(row, arrays: arrays[t], to: &pending)
      rowsRead[t] += 1
      if pending.count >= flushBytes { try flush() }
    }
  }

  /// One table's lines at a time: its rows must reach the staging table in order.
  func switchTo(_ t: Int) throws {
    if t != pendingTable { try flush() }
    pendingTable = t
  }

  func flush() throws {
    guard !pending.isEmpty else { return }
    let lines = pending, staging = Self.staging(pendingTable), table = tables[pendingTable]
    pending = []
    pending.reserveCapacity(flushBytes + 4096)
    try worker.enqueue(cost: lines.count) { try await $0.copy(lines, into: staging, table: table) }
  }

  func finish() throws -> [TableLoadReport] {
    try flush()
    var reports: [TableLoadReport] = []
    for (t, table) in tables.enumerated() {
      let read = rowsRead[t]
      reports.append(try worker.run { try await $0.complete(table, staging: Self.staging(t), rowsRead: read) })
    }
    worker.close()
    return reports
  }
}

/// The one thread that owns the PostgreSQL connection. The recovery's threads hand it jobs
/// through a queue bounded in bytes (`enqueue` waits while it is full, so memory stays
/// bounded); the thread runs them one at a time, each as a task it waits for, so no event
/// loop is ever blocked. After a failed job the rest are dropped and every later call
/// throws that failure.
final class PostgresWorker: @unchecked Sendable {
  typealias Job = (PostgresSink) async throws -> Void
  struct Entry { var cost: Int; var job: Job }

  let sink: PostgresSink
  let limit: Int
  let condition = NSCondition()
  var jobs: [Entry] = []
  var head = 0
  var queuedBytes = 0
  var busy = false
  var failure: Error?
  var closing = false
  let stopped = DispatchSemaphore(value: 0)

  init(url: String, source: String, limit: Int = 16 << 20) throws {
    let box = Box<PostgresSink>()
    try Self.blocking { box.value = try await PostgresSink.connect(url: url, source: source) }
    sink = box.value!
    self.limit = limit
    let thread = Thread { [self] in main() }
    thread.name = "salvage-postgres"
    thread.start()
  }

  final class Box<T>: @unchecked Sendable { var value: T? }

  /// Runs `body` as a task and waits for it (on a thread that is no event loop's).
  static func blocking(_ body: @escaping () async throws -> Void) throws {
    let done = DispatchSemaphore(value: 0)
    let error = Box<Error>()
    Task {
      do { try await body() } catch let e { error.value = e }
      done.signal()
    }
    done.wait()
    if let e = error.value { throw e }
  }

  func main() {
    while true {
      condition.lock()
      while head == jobs.count && !closing { condition.wait() }
      if head == jobs.count {
        condition.unlock()
        break
      }
      let entry = jobs[head]
      jobs[head].job = { _ in }   // let the job's bytes go
      head += 1
      if head == jobs.count { jobs.removeAll(keepingCapacity: true); head = 0 }
      busy = true
      let skip = failure != nil
      condition.unlock()
      var error: Error?
      if !skip {
        let sink = sink
        do { try Self.blocking { try await entry.job(sink) } } catch let e { error = e }
      }
      condition.lock()
      queuedBytes -= entry.cost
      busy = false
      if failure == nil { failure = error }
      condition.broadcast()
      condition.unlock()
    }
    let sink = sink
    try? Self.blocking { await sink.close() }
    stopped.signal()
  }

  /// Queues `job` (holding about `cost` bytes); waits while the queue is full.
  func enqueue(cost: Int, _ job: @escaping Job) throws {
    condition.lock(); defer { condition.unlock() }
    while failure == nil && head < jobs.count && queuedBytes + cost > limit { condition.wait() }
    if let failure { throw failure }
    precondition(!closing, "PostgreSQL copy used after close")
    jobs.append(Entry(cost: cost, job: job))
    queuedBytes += cost
    condition.broadcast()
  }

  /// Runs `body` after every queued job and returns its result.
  func run<T>(_ body: @escaping (PostgresSink) async throws -> T) throws -> T {
    let box = Box<T>()
    try enqueue(cost: 0) { box.value = try await body($0) }
    condition.lock(); defer { condition.unlock() }
    while head < jobs.count || busy { condition.wait() }
    if let failure { throw failure }
    return box.value!
  }

  /// Ends the thread once the queue is done and closes the connection (once).
  func close() {
    condition.lock()
    let first = !closing
    closing = true
    condition.broadcast()
    condition.unlock()
    if first { stopped.wait() }
  }
}
