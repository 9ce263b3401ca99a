import CockroachSQL
import Foundation
import Recovery

/// Where a database copy made in the recovery's own pass puts rows (SQLite, PostgreSQL).
/// `ChunkSequencer` calls it with its lock held, one table's rows in key order.
protocol ChunkDestination: AnyObject {
  /// Extension of the work files holding rows that wait for their turn (`sqlrows`, `pgrows`).
  var workExtension: String { get }
  /// Tables are about to come (create them, or what stands in for them).
  func begin(tables: [RecoveredTable]) throws
  /// Rows of table `table`, next in its key order.
  func insert(_ rows: SQLiteRows, table: Int) throws
  /// The rows of a CSV part (a chunk an earlier run finished), next in its table's key order.
  func insertPart(_ path: String, table: Int) throws
  /// Every table is complete: finish the copy.
  func finish() throws -> [TableLoadReport]
  /// This destination's kind of error, for a failure the sequencer finds.
  func error(_ message: String) -> ExportError.Kind
}

/// A database copy written in the recovery's own pass (issue 16): each chunk's typed rows go
/// into the destination as they are assembled, with no CSV read back. A table's rows go in in
/// key order (the CSV's order, so row ids and the first-of-duplicates rule do not depend on
/// `--jobs`): rows of a chunk that is not its table's next one wait in a typed work file
/// (`.salvage-work/<table>/<chunk>.<workExtension>`) and go in when its turn comes. Chunks an
/// interrupted run finished (resume) are read from their CSV parts.
///
/// Every call is serialised by one lock: the destinations have one writer anyway.
final class ChunkSequencer<Destination: ChunkDestination>: @unchecked Sendable {
  let destination: Destination
  let lock = NSLock()
  var tables: [RecoveredTable] = []
  var families: [[TypeFamily?]] = []
  /// Per table: its chunks' indexes in key order, and how many are in.
  var order: [[Int]] = []
  var next: [Int] = []
  typealias ChunkKey = RecoveryChunk.Key
  var finished: Set<ChunkKey> = []
  /// Chunks to take from their CSV part (finished by an earlier run), by part path.
  var reused: [ChunkKey: String] = [:]
  /// Chunks whose rows wait in a work file, by its path.
  var waiting: [ChunkKey: String] = [:]
  var workDirectory = ""
  /// The first error: the copy stops there (the CSVs go on) and `finish` reports it.
  var failure: Error?

  init(_ destination: Destination) { self.destination = destination }

  func begin(tables: [RecoveredTable], chunks: [RecoveryChunk], workDirectory: String) throws {
    lock.lock(); defer { lock.unlock() }
    self.tables = tables
    self.workDirectory = workDirectory
    try destination.begin(tables: tables)
    families = tables.map { $0.columns.map(\.type.family) }
    order = tables.indices.map { t in chunks.filter { $0.table == t }.map(\.index).sorted() }
    next = Array(repeating: 0, count: tables.count)
    // Lost spans have no rows: they are finished from the start.
    for c in chunks where c.store == nil { finished.insert(c.key) }
  }

  /// A chunk an earlier run finished: its rows come from its CSV part.
  func reuse(_ c: RecoveryChunk, part: String) {
    lock.lock(); defer { lock.unlock() }
    let k = c.key
    reused[k] = part
    finished.insert(k)
  }

  func isNext(_ k: ChunkKey) -> Bool { next[k.table] < order[k.table].count && order[k.table][next[k.table]] == k.index }

  /// Rows of chunk `c` (in key order within the chunk, batches in order).
  func add(_ batch: RowBatch, of c: RecoveryChunk, ordinals: [Int]) {
    guard !failed else { return }
    add(SQLiteRows(batch, ordinals: ordinals, families: families[c.table]), of: c)   // outside the lock
  }

  /// Rows of chunk `c` already typed (one conversion serves every copy).
  func add(_ rows: SQLiteRows, of c: RecoveryChunk) {
    lock.lock(); defer { lock.unlock() }
    let k = c.key
    attempt {
      if isNext(k) && waiting[k] == nil { try destination.insert(rows, table: c.table) } else { try wait(rows, k) }
    }
  }

  /// Every row of chunk `c` has been added.
  func chunkDone(_ c: RecoveryChunk) {
    lock.lock(); defer { lock.unlock() }
    finished.insert(c.key)
    attempt { try advance(c.table) }
  }

  var failed: Bool {
    lock.lock(); defer { lock.unlock() }
    return failure != nil
  }

  /// Runs `body` unless the copy already failed; its error stops the copy (lock held).
  func attempt(_ body: () throws -> Void) {
    guard failure == nil else { return }
    do { try body() } catch { failure = error }
  }

  /// Moves table `t` past its finished chunks, inserting what waited for them, and lets the
  /// next chunk's waiting rows in (its later rows then go in directly).
  func advance(_ t: Int) throws {
    while next[t] < order[t].count {
      let k = ChunkKey(table: t, index: order[t][next[t]])
      if let path = waiting.removeValue(forKey: k) { try insertWaiting(path, table: t) }
      if let part = reused.removeValue(forKey: k) {
        if FileManager.default.fileExists(atPath: part) { try destination.insertPart(part, table: t) }
      }
      guard finished.contains(k) else { return }
      next[t] += 1
    }
  }

  func wait(_ rows: SQLiteRows, _ k: ChunkKey) throws {
    let path = waiting[k] ?? workDirectory + "/\(tables[k.table].descriptor.id)/"
      + String(format: "%08d.", k.index) + destination.workExtension
    // The first rows of this run truncate what an interrupted run may have left.
    let fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | (waiting[k] == nil ? O_TRUNC : O_APPEND), 0o644)
    guard fd >= 0 else { throw ExportError(.io(operation: "open", errno: errno), file: path) }
    defer { close(fd) }
    try rows.write(to: fd)
    waiting[k] = path
  }

  func insertWaiting(_ path: String, table t: Int) throws {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw ExportError(.io(operation: "open", errno: errno), file: path) }
    defer { close(fd); unlink(path) }
    while let rows = try SQLiteRows.read(from: fd) { try destination.insert(rows, table: t) }
  }

  /// After the last chunk: every table complete, then the destination's own finish.
  func finish() throws -> [TableLoadReport] {
    lock.lock(); defer { lock.unlock() }
    if let failure { throw failure }
    for t in tables.indices {
      try advance(t)
      guard next[t] == order[t].count else {
        throw ExportError(destination.error("chunk \(order[t][next[t]]) of \(tables[t].name) never finished"),
                          table: RecoveredDatabase.exportTable(tables[t]).qualifiedName)
      }
    }
    return try destination.finish()
  }
}
