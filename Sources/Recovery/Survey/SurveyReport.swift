/// What `salvage survey` found: the stores, the tables, which store each range is read
/// from, what is lost, and how long and how much space a recovery will take. Encoded as
/// the `--format json` object (keys in snake case, see README "Surveying before recovering").
public struct SurveyReport: Codable, Sendable, Equatable {
  public struct StoreInfo: Codable, Sendable, Equatable {
    public var path: String
    /// `s1 (n1)`, or the path when no store ident was found.
    public var label: String
    public var storeID: Int32?
    public var nodeID: Int32?
    public var clusterID: String?
    /// `pebble` / `rocksdb`, with the version its OPTIONS file names.
    public var engine: String?
    public var engineVersion: String?
    public var formatMajorVersion: Int?
    /// Distinct formats of its live tables (`Pebblev4`, `RocksDBv2`…).
    public var tableFormats: [String]
    public var cockroachVersion: String?
    /// Where `cockroachVersion` comes from.
    public var cockroachVersionSource: String?
    public var tableFiles: Int
    public var tableBytes: Int64
    public var liveWALs: Int
    public var missingWALs: [String]
    /// Ranges whose chosen replica is on this store, and the data-block bytes read from it.
    public var rangesRead: Int
    public var bytesToRead: Int64
    enum CodingKeys: String, CodingKey {
      case path, label, storeID = "store_id", nodeID = "node_id", clusterID = "cluster_id", engine
      case engineVersion = "engine_version", formatMajorVersion = "format_major_version", tableFormats = "table_formats"
      case cockroachVersion = "cockroach_version", cockroachVersionSource = "cockroach_version_source"
      case tableFiles = "table_files", tableBytes = "table_bytes", liveWALs = "live_wals", missingWALs = "missing_wals"
      case rangesRead = "ranges_read", bytesToRead = "bytes_to_read"
    }
  }

  public struct TableInfo: Codable, Sendable, Equatable {
    /// `db.table`.
    public var table: String
    public var tableID: UInt32
    /// From the MVCC stats of the ranges wholly inside the table; `rowsPartial`: some
    /// range straddles the table's bounds or has no stats, so the figure undercounts.
    public var estimatedRows: Int64
    public var rowsPartial: Bool
    /// `mvcc-stats`, or `sample` (rows per byte of the sample) where the stats fall short.
    public var rowsFrom: String
    /// Data-block bytes of its readable key spans on their chosen stores.
    public var estimatedBytes: Int64
    /// Readable key spans (one store each) and the spans no store holds.
    public var spans: Int
    public var lostSpans: [String]
    /// Labels of the stores it is read from.
    public var stores: [String]
    enum CodingKeys: String, CodingKey {
      case table, tableID = "table_id", estimatedRows = "estimated_rows", rowsPartial = "rows_partial", rowsFrom = "rows_from"
      case estimatedBytes = "estimated_bytes", spans, lostSpans = "lost_spans", stores
    }
  }

  public struct RangeInfo: Codable, Sendable, Equatable {
    public var rangeID: Int64
    public var span: String
    /// Label of the store read; nil: no surviving replica.
    public var store: String?
    enum CodingKeys: String, CodingKey { case rangeID = "range_id", span, store }
  }

  public struct LostSpanInfo: Codable, Sendable, Equatable {
    public var span: String
    public var rangeIDs: [Int64]
    /// `db.table: index` for every index of a known table with keys there.
    public var indexes: [String]
    enum CodingKeys: String, CodingKey { case span, rangeIDs = "range_ids", indexes }
  }

  /// With `--verify`: a damaged block's key span on a range's chosen store, and the replica
  /// read there instead (nil: none intact; the span is lost).
  public struct DamagedSpanInfo: Codable, Sendable, Equatable {
    public var rangeID: Int64
    public var span: String
    public var store: String
    public var readFrom: String?
    enum CodingKeys: String, CodingKey { case rangeID = "range_id", span, store, readFrom = "read_from" }
  }

  /// The timed sample: key spans read through the recovery's own read path into a sink
  /// that renders CSV and throws it away.
  public struct Sample: Codable, Sendable, Equatable {
    public var spans: Int
    public var bytes: Int64
    public var seconds: Double
    /// CPU seconds of the reading thread, and its share of a core (CPU / wall time: below 1
    /// when other work shares the machine).
    public var cpuSeconds: Double
    public var coreShare: Double
    public var rows: Int
    public var csvBytes: Int64
    /// Data-block bytes per CPU second on one core.
    public var bytesPerSecond: Double
    /// Block checksums verified per second on one core (what `recover` does first).
    public var checkBytesPerSecond: Double
    /// A 32 MiB test file: written into the page cache, and then onto the disk.
    public var writeBytesPerSecond: Double
    public var diskWriteBytesPerSecond: Double
    enum CodingKeys: String, CodingKey {
      case spans, bytes, seconds, cpuSeconds = "cpu_seconds", coreShare = "core_share", rows, csvBytes = "csv_bytes", bytesPerSecond = "bytes_per_second"
      case checkBytesPerSecond = "check_bytes_per_second", writeBytesPerSecond = "write_bytes_per_second"
      case diskWriteBytesPerSecond = "disk_write_bytes_per_second"
    }
  }

  /// One estimated recovery time, by phase.
  public struct Estimate: Codable, Sendable, Equatable {
    public var machines: Int
    public var coresPerMachine: Int
    public var jobs: Int
    public var seconds: Double
    /// Opening the stores and planning, checking every block, reading, writing the output.
    public var planSeconds: Double
    public var checkSeconds: Double
    public var readSeconds: Double
    public var writeSeconds: Double
    enum CodingKeys: String, CodingKey {
      case machines, coresPerMachine = "cores_per_machine", jobs, seconds, planSeconds = "plan_seconds"
      case checkSeconds = "check_seconds", readSeconds = "read_seconds", writeSeconds = "write_seconds"
    }
  }

  public var format = "salvage-survey/1"
  public var stores: [StoreInfo] = []
  public var tables: [TableInfo] = []
  public var ranges: [RangeInfo] = []
  public var lostSpans: [LostSpanInfo] = []
  public var damagedSpans: [DamagedSpanInfo] = []
  /// Data-block bytes to read (every readable span on its chosen store).
  public var bytesToRead: Int64 = 0
  /// CSV bytes the recovery will write (sampled CSV bytes per data-block byte × bytes to read).
  public var estimatedCSVBytes: Int64 = 0
  public var sample: Sample?
  /// On this machine (`--jobs`, default every core) and, with --machines, on that cluster.
  public var estimates: [Estimate] = []
  /// How the estimates were made (parallel efficiency, what is not measured).
  public var method: String = ""
  public var problems: [String] = []
  public var notices: [String] = []
  public var surveySeconds: Double = 0

  public init() {}

  enum CodingKeys: String, CodingKey {
    case format, stores, tables, ranges, lostSpans = "lost_spans", damagedSpans = "damaged_spans", bytesToRead = "bytes_to_read"
    case estimatedCSVBytes = "estimated_csv_bytes", sample, estimates, method, problems, notices
    case surveySeconds = "survey_seconds"
  }
}
