import CockroachKV

/// Everything a recovery found, for `report.json` and the terminal summary.
public struct RecoveryReport: Sendable {
  public struct TableStats: Sendable {
    public var table: String
    public var tableID: UInt32
    public var rows = 0
    public var deletedKeys = 0
    public var rowProblems = 0
    public var lostSpans: [String] = []
    /// Rows left out on purpose by `--keep-latest` (not lost).
    public var filteredOut = 0
    /// Of `rows`, those read from the backup (`--fill-from`).
    public var filledRows = 0
    /// Of `rows`, those rebuilt from secondary indexes (`--rebuild-from-indexes`), and the
    /// indexes that gave rows (here or in `<table>.partial.csv`).
    public var rebuiltRows = 0
    public var rebuiltIndexes: [String] = []
    /// Rows rebuilt into `<table>.partial.csv`: with some column unknown, and full ones
    /// (every column known) that only `--rebuild-from-indexes` puts into the table.
    public var partialRows = 0
    /// Of `rows`, those read from obsolete carved files (`--use-obsolete`).
    public var obsoleteRows = 0
    public var fullRowsAside = 0
  }

  /// A span read from the backup: lost on every replica, or of a table taken whole
  /// (`--tables-from-backup`).
  public struct FilledSpan: Sendable, Equatable {
    public var table: String
    public var span: String
    public var start: [UInt8]
    public var end: [UInt8]
    public var rows: Int
    public var lost: Bool
    /// Where the rows came from: `fromBackup`, or `fromObsolete` with the carved files.
    public var from = FilledSpan.fromBackup
    public var obsoleteFiles: [ObsoleteCarvedData.File] = []
    public static let fromBackup = "backup"
    public static let fromObsolete = "obsolete carved table"
  }

  public struct Intent: Codable, Sendable, Equatable {
    public var key: String
    public var keyHex: String
    public var txnID: String
    public var timestamp: String
    enum CodingKeys: String, CodingKey { case key, keyHex = "key_hex", txnID = "txn_id", timestamp }
  }

  public struct DamagedSpan: Sendable {
    public var rangeID: Int64
    public var span: String
    public var start: [UInt8]
    public var end: [UInt8]
    public var store: String
    public var readFrom: String?
  }

  public var stores: [String] = []
  public var asOf: String = "newest"
  public var tables: [TableStats] = []
  public var lostSpans: [LostSpan] = []
  /// `--fill-from`: the backup's end time (its rows are as of then) and the spans it filled.
  public var backupEndTime: String?
  public var filledSpans: [FilledSpan] = []
  /// Per range: its key span and which store was read (label; nil: lost), for the report and
  /// its keyspace map.
  public var rangeSources: [RangeSource] = []
  /// Disk images carved into stores for this recovery (`--disk-image`).
  public var carved: [CarvedImageSummary] = []
  /// Per store: label, engine and version, table bytes (the report's store list).
  public var storeInfo: [StoreInfo] = []
  public var intents: [Intent] = []
  /// Key spans of a range's chosen replica that sit in damaged blocks, and which replica
  /// was read there instead (nil: none was intact there; the span is lost).
  public var damagedSpans: [DamagedSpan] = []
  /// Live WALs missing from a store: the writes they held (after the last flush) are lost.
  public var lostWALs: [LostWAL] = []
  public var problems: [Problem] = []
  /// Decisions worth knowing that are not problems (e.g. a --schema file replacing a descriptor).
  public var notices: [String] = []
  /// Table IDs with data but no schema (their rows are not exported).
  public var unnamedTables: [UnnamedTable] = []
  /// Secondary tenants (virtual clusters) whose keys the stores hold: not exported.
  public var unrecoveredTenants: [UnrecoveredTenant] = []
  public var bytesRead: Int64 = 0
  /// The index check: surviving rows and index entries that disagree (the first
  /// `RecoveryRun.inconsistencyListLimit`), and how many in all.
  public var indexCheckRan = false
  /// The precise pass ran (`--check-indexes`, or for tables whose digests differ); the
  /// default check's result per index (IndexDigest.swift).
  public var indexCheckPrecise = false
  public var indexDigests: [IndexDigestResult] = []
  public var indexInconsistencies: [IndexInconsistency] = []
  public var indexInconsistencyCount = 0
  /// Per range: committed Raft entries replayed onto the chosen replica (issue 17), and
  /// whether replay was turned off (`--no-raft-replay`).
  public var raftReplay: [RangeReplay] = []
  public var raftReplayOff = false
  /// Acknowledged writes recovered from Raft logs: commands whose write batch was applied.
  public var raftWrites: Int { raftReplay.reduce(0) { $0 + $1.writes } }
  /// Readable chunks (key spans read from one store), and how many an earlier run had finished.
  public var spans = 0
  public var spansReused = 0
  public var seconds: Double = 0

  public struct RangeSource: Sendable, Equatable {
    public var rangeID: Int64
    public var span: String
    public var start: [UInt8]
    public var end: [UInt8]
    public var store: String?
  }

  public struct StoreInfo: Sendable, Equatable {
    public var path: String
    /// `s1 (n1)` when the store's ident was read, else the path (as `RangeSource.store`).
    public var label: String
    /// `pebble` or `rocksdb`, and the engine version its OPTIONS file names.
    public var engine: String?
    public var engineVersion: String?
    public var formatMajorVersion: Int?
    /// Bytes of the store's live table files (what a recovery reads).
    public var tableBytes: Int64
  }

  public struct LostWAL: Sendable, Equatable {
    public var store: String
    public var file: String
    public var meaning: String
  }

  /// Whether anything that existed could not be recovered.
  public var somethingLost: Bool { !lostSpans.isEmpty || !lostWALs.isEmpty || tables.contains { !$0.lostSpans.isEmpty } }
}
