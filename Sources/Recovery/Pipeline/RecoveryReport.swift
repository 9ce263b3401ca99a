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
  }

  public struct Intent: Codable, Sendable, Equatable {
    public var key: String
    public var keyHex: String
    public var txnID: String
    public var timestamp: String
    enum CodingKeys: String, CodingKey { case key, keyHex = "key_hex", txnID = "txn_id", timestamp }
  }

  public var stores: [String] = []
  public var asOf: String = "newest"
  public var tables: [TableStats] = []
  public var lostSpans: [LostSpan] = []
  /// Per range: which store was read (label), for the report.
  public var rangeSources: [(rangeID: Int64, span: String, store: String?)] = []
  public var intents: [Intent] = []
  public var problems: [String] = []
  public var bytesRead: Int64 = 0
  /// Readable chunks (key spans read from one store), and how many an earlier run had finished.
  public var spans = 0
  public var spansReused = 0
  public var seconds: Double = 0

  /// Whether anything that existed could not be recovered.
  public var somethingLost: Bool { !lostSpans.isEmpty || tables.contains { !$0.lostSpans.isEmpty } }
}
