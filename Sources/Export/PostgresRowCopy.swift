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

/// The PostgreSQL connection's writer: jobs run one at a time on a `SerialWorker` thread, each
/// as a task it waits for, so no event loop is ever blocked.
final class PostgresWorker: @unchecked Sendable {
  typealias Job = (PostgresSink) async throws -> Void

  let sink: PostgresSink
  let serial: SerialWorker

  init(url: String, source: String, limit: Int = 16 << 20) throws {
    let box = SerialWorker.Box<PostgresSink>()
    try Self.blocking { box.value = try await PostgresSink.connect(url: url, source: source) }
    let sink = box.value!
    self.sink = sink
    serial = SerialWorker(name: "salvage-postgres", limit: limit) { try? Self.blocking { await sink.close() } }
  }

  /// Runs `body` as a task and waits for it (on a thread that is no event loop's).
  static func blocking(_ body: @escaping () async throws -> Void) throws {
    let done = DispatchSemaphore(value: 0)
    let error = SerialWorker.Box<Error>()
    Task {
      do { try await body() } catch let e { error.value = e }
      done.signal()
    }
    done.wait()
    if let e = error.value { throw e }
  }

  /// Queues `job` (holding about `cost` bytes); waits while the queue is full.
  func enqueue(cost: Int, _ job: @escaping Job) throws {
    let sink = sink
    try serial.enqueue(cost: cost) { try Self.blocking { try await job(sink) } }
  }

  /// Runs `body` after every queued job and returns its result.
  func run<T>(_ body: @escaping (PostgresSink) async throws -> T) throws -> T {
    let sink = sink
    return try serial.run {
      let box = SerialWorker.Box<T>()
      try Self.blocking { box.value = try await body(sink) }
      return box.value!
    }
  }

  /// Ends the thread once the queue is done and closes the connection (once).
  func close() { serial.close() }
}
