import CockroachSQL
import Foundation
import GRDB
import Recovery

/// The SQLite copy written in the recovery's own pass: `ChunkSequencer` hands it each table's
/// typed rows in key order; they go in through one prepared statement per table inside large
/// transactions.
typealias SQLiteRowCopy = ChunkSequencer<SQLiteTables>

extension ChunkSequencer where Destination == SQLiteTables {
  convenience init(path: String, inputs: [String]) throws {
    self.init(SQLiteTables(try SQLiteSink(path: path, source: inputs.joined(separator: ", "),
                                          guard: OutputGuard(forbiddenDirectories: inputs))))
  }
}

/// SQLite as a `ChunkDestination`. The inserts run on their own thread (`SerialWorker`, at
/// most 64 MiB of rows queued), so the pass that reads and renders rows does not wait for
/// SQLite; every use of the database is on that thread.
final class SQLiteTables: ChunkDestination {
  let sink: SQLiteSink
  let worker = SerialWorker(name: "salvage-sqlite", limit: 64 << 20)
  var tables: [RecoveredTable] = []
  var fills: [SQLiteSink.TableFill] = []
  /// Only the worker's jobs touch it.
  var rowsInTransaction = 0

  init(_ sink: SQLiteSink) { self.sink = sink }

  deinit { worker.close() }

  var workExtension: String { "sqlrows" }

  func error(_ message: String) -> ExportError.Kind { .sqlite(message) }

  func begin(tables: [RecoveredTable]) throws {
    self.tables = tables
    let sink = sink
    fills = try worker.run { try tables.map { try sink.createTable(RecoveredDatabase.exportTable($0)) } }
  }

  /// Waits for the queue: a part is read while it is there.
  func insertPart(_ part: String, table t: Int) throws {
    let sink = sink, fill = fills[t], table = tables[t]
    try worker.run {
      var source = try RecoveredCSVRows(path: part, table: table)
      try sink.write(fill) { db in
        if !db.isInsideTransaction { try db.beginTransaction() }
        while let row = try source.next() { try sink.insert(fill, row: row, in: db) }
      }
    }
  }

  func insert(_ rows: SQLiteRows, table t: Int) throws {
    let fill = fills[t]
    try worker.enqueue(cost: rows.byteCount) { [self] in try write(rows, fill) }
  }

  /// On the worker: the rows through the table's prepared statement, committed every
  /// `transactionRows` rows.
  func write(_ rows: SQLiteRows, _ fill: SQLiteSink.TableFill) throws {
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

  /// Every table's meta line, the file made durable and renamed.
  func finish() throws -> [TableLoadReport] {
    let sink = sink, fills = fills
    try worker.run {
      try sink.write(nil) { db in
        if !db.isInsideTransaction { try db.beginTransaction() }
        for f in fills { try sink.recordMeta(f, in: db) }
        try db.commit()
      }
      for f in fills { f.insert = nil }   // finalized before the database closes
      try sink.finish()
    }
    worker.close()
    return fills.map(\.report)
  }
}

extension RecoveredDatabase {
  /// One table's batches into a new SQLite file at `path`, the way a recovery's copy inserts
  /// them (for `salvage-bench rows` and tests).
  public static func loadSQLite(_ batches: [RowBatch], of table: RecoveredTable, into path: String) throws -> TableLoadReport {
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
