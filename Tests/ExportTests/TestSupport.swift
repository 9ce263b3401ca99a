import Foundation
@testable import Export
import SalvageTestSupport

/// A fresh directory under the system temp dir, removed by the caller's `defer`.
func makeTempDirectory(_ label: String = #function) throws -> String {
  let clean = label.filter { $0.isLetter || $0.isNumber }
  let path = NSTemporaryDirectory() + "salvage-export-\(clean)-\(UUID().uuidString.prefix(8))"
  try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  return path
}

func removeDirectory(_ path: String) { try? FileManager.default.removeItem(atPath: path) }

func readBytes(_ path: String) throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: path))) }

/// Runs a program to completion (SalvageTestSupport.runProgram).
@discardableResult
func run(_ executable: String, _ arguments: [String], stdin: Data? = nil) throws -> (Int32, Data, String) {
  try runProgram(executable, arguments, stdin: stdin)
}

/// A table with one column of each value kind the writers treat differently.
let mixedTable = ExportTable(
  database: "shop", name: "items",
  columns: [
    ExportColumn("id", "INT8", nullable: false),
    ExportColumn("name", "STRING"),
    ExportColumn("price", "DECIMAL"),
    ExportColumn("ratio", "FLOAT8"),
    ExportColumn("blob", "BYTES"),
    ExportColumn("at", "TIMESTAMPTZ"),
    ExportColumn("ok", "BOOL"),
    ExportColumn("tags", "STRING[]"),
  ],
  primaryKey: [ExportKeyColumn("id")])

let mixedRows: [ExportRow] = [
  [.int(1), .text("plain"), .decimal("10.50"), .float(0.5), .bytes([0x00, 0xff, 0x22]),
   .timestamp("2024-01-02T03:04:05.123456Z"), .bool(true), .other(text: "{a,b}")],
  [.int(2), .text(""), .decimal("-0.00"), .float(-1e300), .bytes([]),
   .timestamp("1970-01-01T00:00:00Z"), .bool(false), .other(text: "{}")],
  [.int(3), .null, .null, .null, .null, .null, .null, .null],
  [.int(4), .text("say \"hi\", then\nleave\r\n"), .decimal("123456789012345678901234567890.12"),
   .float(.nan), .bytes(Array("\\x".utf8)), .timestamp("2024-06-30T23:59:59.999999Z"), .bool(true),
   .other(text: "{\"q,\",NULL}")],
  [.int(5), .text("\\N"), .decimal("NaN"), .float(.infinity), .bytes([0x5c]), .null, .null,
   .other(text: "{\"\",NULL}")],
  [.int(-9223372036854775808), .text("héllo ✓ 日本"), .decimal("1E+5"), .float(-.infinity),
   .bytes([1, 2, 3]), .null, .null, .null],
]
