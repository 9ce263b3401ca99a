import CockroachSQL
import Foundation
import GRDB
import Recovery

/// The SQLite copy written in the recovery's own pass (issue 16): each chunk's typed rows go
/// into SQLite as they are assembled, with no CSV read back. A table's rows go in in key
/// order (the CSV's order, so row ids and the first-of-duplicates rule do not depend on
/// `--jobs`): rows of a chunk that is not its table's next one wait in a typed work file
/// (`.salvage-work/<table>/<chunk>.sqlrows`) and go in when its turn comes. Chunks an
/// interrupted run finished (resume) are read from their CSV parts.
///
/// Every call is serialised by one lock: SQLite has one writer anyway.
public final class SQLiteRowCopy: @unchecked Sendable {
  let sink: SQLiteSink
  let lock = NSLock()
  var fills: [SQLiteSink.TableFill] = []
  var tables: [RecoveredTable] = []
  var families: [[TypeFamily?]] = []
  /// Per table: its chunks' indexes in key order, and how many are in.
  var order: [[Int]] = []
  var next: [Int] = []
  struct ChunkKey: Hashable { var table: Int; var index: Int }
  var finished: Set<ChunkKey> = []
  /// Chunks to take from their CSV part (finished by an earlier run), by part path.
  var reused: [ChunkKey: String] = [:]
  /// Chunks whose rows wait in a work file, by its path.
  var waiting: [ChunkKey: String] = [:]
  var workDirectory = ""
  var rowsInTransaction = 0
  /// The first error: the copy stops there (the CSVs go on) and `finish` reports it.
  var failure: Error?

  init(path: String, inputs: [String]) throws {
    sink = try SQLiteSink(path: path, source: inputs.joined(separator: ", "), guard: OutputGuard(forbiddenDirectories: inputs))
  }

  func begin(tables: [RecoveredTable], chunks: [RecoveryChunk], workDirectory: String) throws {
    lock.lock(); defer { lock.unlock() }
    self.tables = tables
    self.workDirectory = workDirectory
    fills = try tables.map { try sink.createTable(RecoveredDatabase.exportTable($0)) }
    families = tables.map { $0.columns.map(\.type.family) }
    order = tables.indices.map { t in chunks.filter { $0.table == t }.map(\.index).sorted() }
    next = Array(repeating: 0, count: tables.count)
    // Lost spans have no rows: they are finished from the start.
    for c in chunks where c.store == nil { finished.insert(ChunkKey(table: c.table, index: c.index)) }
  }

  /// A chunk an earlier run finished: its rows come from its CSV part.
  func reuse(_ c: RecoveryChunk, part: String) {
    lock.lock(); defer { lock.unlock() }
    let k = ChunkKey(table: c.table, index: c.index)
    reused[k] = part
    finished.insert(k)
  }

  func isNext(_ k: ChunkKey) -> Bool { next[k.table] < order[k.table].count && order[k.table][next[k.table]] == k.index }

  /// Rows of chunk `c` (in key order within the chunk, batches in order).
  func add(_ batch: RowBatch, of c: RecoveryChunk, ordinals: [Int]) {
    guard !failed else { return }
    let rows = SQLiteRows(batch, ordinals: ordinals, families: families[c.table])   // outside the lock
    lock.lock(); defer { lock.unlock() }
    let k = ChunkKey(table: c.table, index: c.index)
    attempt {
      if isNext(k) && waiting[k] == nil { try insert(rows, table: c.table) } else { try wait(rows, k) }
    }
  }

  /// Every row of chunk `c` has been added.
  func chunkDone(_ c: RecoveryChunk) {
    lock.lock(); defer { lock.unlock() }
    finished.insert(ChunkKey(table: c.table, index: c.index))
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
      if let part = reused.removeValue(forKey: k) { try insertPart(part, table: t) }
      guard finished.contains(k) else { return }
      next[t] += 1
    }
  }

  func wait(_ rows: SQLiteRows, _ k: ChunkKey) throws {
    let path = waiting[k] ?? workDirectory + "/\(tables[k.table].descriptor.id)/" + String(format: "%08d.sqlrows", k.index)
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
    while let rows = try SQLiteRows.read(from: fd) { try insert(rows, table: t) }
  }

  func insertPart(_ part: String, table t: Int) throws {
    guard FileManager.default.fileExists(atPath: part) else { return }
    var source = try RecoveredCSVRows(path: part, table: tables[t])
    let fill = fills[t]
    try sink.write(fill) { db in
      if !db.isInsideTransaction { try db.beginTransaction() }
      while let row = try source.next() { try sink.insert(fill, row: row, in: db) }
    }
  }

  func insert(_ rows: SQLiteRows, table t: Int) throws {
    let fill = fills[t]
    try sink.write(fill) { db in
      if !db.isInsideTransaction { try db.beginTransaction() }
      for r in 0..<rows.count {
        try sink.insert(fill, in: db, bind: { rows.bind(r, $0) }, key: { fill.table.keyDescription(rows.row(r)) })
      }
      rowsInTransaction += rows.count
      if rowsInTransaction >= sink.transactionRows {
        try db.commit()
        rowsInTransaction = 0
      }
    }
  }

  /// After the last chunk: every table's meta line, the file made durable and renamed.
  func finish() throws -> [TableLoadReport] {
    lock.lock(); defer { lock.unlock() }
    if let failure { throw failure }
    for t in tables.indices {
      try advance(t)
      guard next[t] == order[t].count else {
        throw ExportError(.sqlite("chunk \(order[t][next[t]]) of \(tables[t].name) never finished"), table: fills[t].table.qualifiedName)
      }
    }
    try sink.write(nil) { db in
      if !db.isInsideTransaction { try db.beginTransaction() }
      for f in fills { try sink.recordMeta(f, in: db) }
      try db.commit()
    }
    for f in fills { f.insert = nil }   // finalized before the database closes
    try sink.finish()
    return fills.map(\.report)
  }
}

extension SQLiteRowCopy {
  /// One table's batches into a new SQLite file at `path`, the way a recovery's copy inserts
  /// them (for `salvage-bench rows` and tests).
  public static func load(_ batches: [RowBatch], of table: RecoveredTable, into path: String) throws -> TableLoadReport {
    let copy = try SQLiteRowCopy(path: path, inputs: [])
    let chunk = RecoveryChunk(table: 0, index: 0, span: table.primarySpan, rangeID: nil, store: 0)
    try copy.begin(tables: [table], chunks: [chunk], workDirectory: (path as NSString).deletingLastPathComponent)
    for b in batches {
      copy.add(b, of: chunk, ordinals: table.columns.map { b.layout.ordinal(of: $0.id) ?? -1 })
    }
    copy.chunkDone(chunk)
    return try copy.finish()[0]
  }
}
