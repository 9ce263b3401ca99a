import CockroachKV
import CockroachSQL

/// A table being recovered: its descriptor, names and the key span of its primary index.
public struct RecoveredTable: Sendable {
  public var descriptor: TableDescriptor
  /// database, schema, table.
  public var qualifiedName: [String]
  public var ddl: String
  public var primarySpan: KeySpan
  public var database: String { qualifiedName[0] }
  public var name: String { qualifiedName[2] }
  /// Output columns: the table's public, non-hidden stored columns, in descriptor order.
  public var columns: [ColumnDescriptor]
  /// User-defined types (ENUM labels) of the schema the table was found in.
  public var types = TypeCatalog()
}

/// One unit of work: the part of one table's primary index that one range covers, read
/// from one store. Chunks of a table are numbered in key order, so concatenating their
/// outputs in that order gives the table sorted by primary key, whatever order they finish in.
public struct RecoveryChunk: Sendable {
  public var table: Int
  public var index: Int
  public var span: KeySpan
  public var rangeID: Int64?
  /// Store index; nil when no surviving store holds the span (lost).
  public var store: Int?
  /// Data-block bytes of the span on its store, when planning measured them (`cutLargeChunks`).
  public var estimatedBytes: Int64? = nil
  /// Where the keys come from (`replica`: the store `store`).
  public var source = Source.replica

  /// A span no replica holds is read from one of the other sources, if asked: the backup
  /// (`--fill-from`), the secondary indexes (IndexRebuild.swift), obsolete carved files
  /// (`--use-obsolete`).
  public enum Source: Int, Sendable {
    case replica, backup, indexes, obsolete
  }

  /// Reads the chunk from `source` (not `.replica`). Work units group chunks by `store`: each
  /// other source gets a unit key of its own, past the `storeCount` stores.
  public mutating func read(from source: Source, storeCount: Int) {
    self.source = source
    store = storeCount + source.rawValue - 1
  }

  public init(table: Int, index: Int, span: KeySpan, rangeID: Int64?, store: Int?, estimatedBytes: Int64? = nil) {
    self.table = table
    self.index = index
    self.span = span
    self.rangeID = rangeID
    self.store = store
    self.estimatedBytes = estimatedBytes
  }
}

extension RecoveryChunk {
  /// A chunk's identity in a run: its table and its index (positions follow key order).
  public struct Key: Hashable, Sendable {
    public var table: Int
    public var index: Int
    public init(table: Int, index: Int) { self.table = table; self.index = index }
  }

  public var key: Key { Key(table: table, index: index) }
}

/// What reading one chunk added to the report; kept with a finished chunk so a resumed run
/// can report it without reading the chunk again.
public struct ChunkResult: Codable, Sendable, Equatable {
  public var rows = 0
  public var deletedKeys = 0
  public var rowProblems = 0
  public var intents: [RecoveryReport.Intent] = []
  public var problems: [Problem] = []
  /// Damaged blocks the chunk's read met (blocks are checked as they are read): the damaged
  /// spans of its range, each with the store read instead; and the parts of the chunk that
  /// no replica holds intact.
  public var damaged: [Damaged] = []
  public var lost: [Span] = []
  /// A chunk rebuilt from indexes: rows written to `<table>.partial.csv` (some columns
  /// unknown; full ones without `--rebuild-from-indexes`) and the indexes that gave rows.
  public var partialRows = 0
  public var fullRowsAside = 0
  public var indexes: [String] = []
  /// The index check's row side of the chunk's rows, by index ID (IndexDigest.swift).
  public var digests: [UInt32: IndexDigest] = [:]
  public init() {}
  enum CodingKeys: String, CodingKey {
    case rows, deletedKeys = "deleted_keys", rowProblems = "row_problems", intents, problems, damaged, lost
    case partialRows = "partial_rows", fullRowsAside = "full_rows_aside", indexes, digests = "index_digests"
  }

  public struct Span: Codable, Sendable, Equatable {
    public var start: [UInt8]
    public var end: [UInt8]
    init(_ s: KeySpan) { (start, end) = (s.start, s.end) }
    var keySpan: KeySpan { KeySpan(start: start, end: end) }
  }

  public struct Damaged: Codable, Sendable, Equatable {
    public var rangeID: Int64
    public var span: Span
    /// Store indexes: the damaged one, and the one read instead.
    public var store: Int
    public var readFrom: Int?
    enum CodingKeys: String, CodingKey { case rangeID = "range_id", span, store, readFrom = "read_from" }
  }

  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    rows = try c.decode(Int.self, forKey: .rows)
    deletedKeys = try c.decode(Int.self, forKey: .deletedKeys)
    rowProblems = try c.decode(Int.self, forKey: .rowProblems)
    intents = try c.decode([RecoveryReport.Intent].self, forKey: .intents)
    problems = try c.decode([Problem].self, forKey: .problems)
    damaged = try c.decodeIfPresent([Damaged].self, forKey: .damaged) ?? []
    lost = try c.decodeIfPresent([Span].self, forKey: .lost) ?? []
    // Absent in the state of runs before rows were rebuilt by default.
    partialRows = try c.decodeIfPresent(Int.self, forKey: .partialRows) ?? 0
    fullRowsAside = try c.decodeIfPresent(Int.self, forKey: .fullRowsAside) ?? 0
    indexes = try c.decodeIfPresent([String].self, forKey: .indexes) ?? []
    digests = try c.decodeIfPresent([UInt32: IndexDigest].self, forKey: .digests) ?? [:]
  }
}

/// What a sink kept from an earlier, unfinished run into the same place.
public struct ResumeState: Sendable {
  /// Finished chunks, by position in the run's chunk list.
  public var done: [Int: ChunkResult] = [:]
  /// A line for the user (work reused, or discarded because inputs or options changed).
  public var note: String?
  public init(done: [Int: ChunkResult] = [:], note: String? = nil) { self.done = done; self.note = note }
}

/// What the row sink receives: one chunk's rows, rendered by the caller as it needs.
/// Calls after `begin` are serialised by the run (one at a time, from worker threads), but
/// for `chunk` when `acceptsConcurrentChunks`.
public protocol RecoveredRowSink: AnyObject, Sendable {
  func begin(tables: [RecoveredTable], chunks: [RecoveryChunk]) throws
  /// Rows of a chunk, in key order; a chunk may arrive in several batches (all from one worker).
  /// The batch is reused once the call returns: render or copy what is kept.
  func chunk(_ chunk: RecoveryChunk, rows: RowBatch) throws
  /// The row keys of a batch of a chunk filled from a backup (source `.backup`), just before the
  /// batch; the same concurrency as `chunk`.
  func chunkKeys(_ chunk: RecoveryChunk, keys: [[UInt8]]) throws
  /// Rows of a lost chunk rebuilt from secondary indexes that stay out of the table's CSV
  /// (`<table>.partial.csv`): unset slots are unknown columns; `known` names the known ones
  /// per row. Same concurrency as `chunk`.
  func chunkPartialRows(_ chunk: RecoveryChunk, rows: RowBatch, known: [[String]]) throws
  /// Whether `chunk` may run on several workers at once (for different chunks): rendering
  /// rows is much of a run's time, so serialising it would stop the cores scaling.
  var acceptsConcurrentChunks: Bool { get }
  /// Every row of the chunk has been handed over (chunks without rows too).
  func chunkDone(_ chunk: RecoveryChunk, result: ChunkResult) throws
  /// After `begin`, before reading: chunks an earlier run with the same `fingerprint` finished.
  func resume(fingerprint: String) throws -> ResumeState
  func finish(_ report: RecoveryReport) throws
}

extension RecoveredRowSink {
  public func chunkKeys(_ chunk: RecoveryChunk, keys: [[UInt8]]) throws {}
  public func chunkPartialRows(_ chunk: RecoveryChunk, rows: RowBatch, known: [[String]]) throws {}
  public func chunkDone(_ chunk: RecoveryChunk, result: ChunkResult) throws {}
  public func resume(fingerprint: String) throws -> ResumeState { ResumeState() }
  public var acceptsConcurrentChunks: Bool { false }
}
