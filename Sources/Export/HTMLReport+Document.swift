import Foundation

/// `report.json` as the HTML report reads it (`ReportJSON` writes it). Every field an older
/// salvage did not write is optional, and so are those later issues add (`filled_rows`,
/// `rebuilt_rows`, `filled_spans`, `verify`): the page shows 0 or — for them.
struct ReportDocument: Decodable {
  struct Table: Decodable {
    var table: String
    var tableID: UInt32
    var rows: Int
    var deletedKeys: Int?
    var rowProblems: Int?
    var lostSpans: [String]?
    var filteredOut: Int?
    /// Rows taken from a backup (issue 19) and rebuilt from secondary indexes (issue 18).
    var filledRows: Int?
    var rebuiltRows: Int?
    /// Rows rebuilt from indexes into `<table>.partial.csv`: some columns unknown, and full
    /// ones (without --rebuild-from-indexes).
    var partialRows: Int?
    var fullRowsAside: Int?
  }

  struct LostSpan: Decodable {
    struct Index: Decodable { var table: String; var index: String }
    var span: String
    var startHex: String?
    var endHex: String?
    var rangeIDs: [Int64]?
    /// What the span held: rows (primary) or entries of secondary indexes, per table.
    var indexes: [Index]?
  }

  struct Range: Decodable {
    var rangeID: Int64
    var span: String
    var startHex: String?
    var endHex: String?
    var store: String?
  }

  struct DamagedSpan: Decodable {
    var rangeID: Int64
    var span: String
    var startHex: String?
    var endHex: String?
    var store: String
    var readFrom: String?
  }

  /// A lost span filled from a backup (issue 19), or from obsolete carved tables (`from`).
  struct FilledSpan: Decodable {
    var from: String?
    var span: String?
    var startHex: String?
    var endHex: String?
    var rows: Int?
  }

  struct Intent: Decodable { var key: String; var txnID: String; var timestamp: String }
  struct LostWAL: Decodable { var store: String; var file: String; var meaning: String }
  struct UnnamedTable: Decodable { var tableID: UInt32; var keys: Int; var sampleKey: String }
  struct UnrecoveredTenant: Decodable {
    var tenantID: UInt64
    var ranges: Int
    var rangesLost: Int
    var keys: Int?
    var sampleKey: String?
    var tables: [String]?
  }
  struct StoreInfo: Decodable {
    var path: String
    var label: String
    var engine: String?
    var engineVersion: String?
    var formatMajorVersion: Int?
    var tableBytes: Int64?
  }

  var stores: [String]
  var asOf: String?
  var seconds: Double?
  var bytesRead: Int64?
  var somethingLost: Bool?
  var tables: [Table]
  var lostSpans: [LostSpan]?
  var ranges: [Range]?
  var damagedSpans: [DamagedSpan]?
  var filledSpans: [FilledSpan]?
  var intents: [Intent]?
  var lostWals: [LostWAL]?
  var problems: [String]?
  var notices: [String]?
  var unnamedTables: [UnnamedTable]?
  var unrecoveredTenants: [UnrecoveredTenant]?
  var storeInfo: [StoreInfo]?
  /// `salvage verify`'s report, when report.json carries it or verify.json sits beside it.
  var verify: VerifyDocument?

  static func decode(_ data: Data) throws -> ReportDocument {
    let d = JSONDecoder()
    d.keyDecodingStrategy = .convertFromSnakeCase
    return try d.decode(ReportDocument.self, from: data)
  }
}

// snake_case → camelCase gives `tableId`, `rangeIds`, `txnId`: name those keys outright.
extension ReportDocument.Table {
  enum CodingKeys: String, CodingKey {
    case table, tableID = "tableId", rows, deletedKeys, rowProblems, lostSpans, filteredOut, filledRows, rebuiltRows, partialRows
    case fullRowsAside
  }
}
extension ReportDocument.LostSpan { enum CodingKeys: String, CodingKey { case span, startHex, endHex, rangeIDs = "rangeIds", indexes } }
extension ReportDocument.Range { enum CodingKeys: String, CodingKey { case rangeID = "rangeId", span, startHex, endHex, store } }
extension ReportDocument.DamagedSpan {
  enum CodingKeys: String, CodingKey { case rangeID = "rangeId", span, startHex, endHex, store, readFrom }
}
extension ReportDocument.Intent { enum CodingKeys: String, CodingKey { case key, txnID = "txnId", timestamp } }
extension ReportDocument.UnnamedTable { enum CodingKeys: String, CodingKey { case tableID = "tableId", keys, sampleKey } }
extension ReportDocument.UnrecoveredTenant {
  enum CodingKeys: String, CodingKey { case tenantID = "tenantId", ranges, rangesLost, keys, sampleKey, tables }
}

/// The parts of `salvage verify`'s JSON (`VerifyReport`) the page shows.
struct VerifyDocument: Decodable {
  struct Table: Decodable {
    var table: String
    var sourceRows: Int
    var recoveredRows: Int
    var missingKeys: Int
    var extraKeys: Int
    var rowsDiffering: Int
    var passed: Bool
  }
  var source: String
  var sourceKind: String
  var tables: [Table]
  var tablesMissingFromRecovered: [String]?
  var failures: [String]
  var passed: Bool

  static func decode(_ data: Data) throws -> VerifyDocument {
    let d = JSONDecoder()
    d.keyDecodingStrategy = .convertFromSnakeCase
    return try d.decode(VerifyDocument.self, from: data)
  }
}
