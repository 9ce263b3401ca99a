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
}

/// What the row sink receives: one chunk's rows, rendered by the caller as it needs.
public protocol RecoveredRowSink: AnyObject, Sendable {
  func begin(tables: [RecoveredTable], chunks: [RecoveryChunk]) throws
  /// Called once per chunk (from worker threads; implementations serialise as needed).
  func chunk(_ chunk: RecoveryChunk, rows: [TableRowDecoder.Row]) throws
  func finish(_ report: RecoveryReport) throws
}
