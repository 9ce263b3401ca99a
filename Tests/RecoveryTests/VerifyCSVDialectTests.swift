import Foundation
import Testing
@testable import Recovery

/// Issue 14, item 5: a CSV SOURCE written by other tools — a header line, PostgreSQL's CSV
/// NULL (unquoted empty field), RFC 3339 timestamps — compares equal to recover's output.
struct VerifyCSVDialectTests {
  static let schema = """
    CREATE TABLE app.public.logins (id INT8 NOT NULL, name STRING NULL, at TIMESTAMP NULL,
      CONSTRAINT "primary" PRIMARY KEY (id ASC));
    """
  /// As recover writes it: no header, `\N`, CockroachDB's timestamp text.
  static let recovered = "1,ann,2025-03-07 12:16:37.337142\n2,\\N,\\N\n3,,2025-03-07 12:00:00\n"
  /// As `COPY … TO … WITH CSV HEADER` writes it.
  static let copied = "id,name,at\n1,ann,2025-03-07T12:16:37.337142Z\n2,,\n3,\"\",2025-03-07T13:00:00+01:00\n"

  static func write(_ root: String, _ name: String, csv: String, recovery: Bool) throws -> String {
    let d = root + "/" + name
    try FileManager.default.createDirectory(atPath: d + "/app", withIntermediateDirectories: true)
    try schema.write(toFile: d + "/schema.sql", atomically: true, encoding: .utf8)
    if recovery { try "{}".write(toFile: d + "/report.json", atomically: true, encoding: .utf8) }
    try csv.write(toFile: d + "/app/logins.csv", atomically: true, encoding: .utf8)
    return d
  }

  static func verify(_ source: String, header: CSVDialect.Header = .auto, null: String = "\\N") throws -> VerifyReport.TableResult {
    let root = try VerifyTests.temp(); defer { try? FileManager.default.removeItem(atPath: root) }
    let rec = try write(root, "rec", csv: recovered, recovery: true)
    let src = try write(root, "src", csv: source, recovery: false)
    var o = VerifyOptions()
    o.csv = CSVDialect(header: header, null: null)
    return try Verification(recovered: rec, source: src, options: o, work: root + "/work").run().tables[0]
  }

  @Test func copyCSVWithHeaderAndEmptyNullsPasses() throws {
    let t = try Self.verify(Self.copied, null: "")
    #expect(t.sourceRows == 3 && t.recoveredRows == 3)
    #expect(t.missingKeys == 0 && t.extraKeys == 0 && t.rowsDiffering == 0, "\(t.columnDifferences)")
    #expect(t.passed)
  }

  /// Without --csv-null '' the empty fields are empty strings, not NULL: row 2 differs.
  @Test func defaultNullIsBackslashN() throws {
    let t = try Self.verify(Self.copied)
    #expect(t.sourceRows == 3)
    #expect(t.rowsDiffering == 1)
  }

  /// The header is detected by its column names; `no` keeps it as a row, `yes` drops a
  /// first line whatever it says.
  @Test func headerDetection() throws {
    let dialect = CSVDialect(header: .auto)
    #expect(dialect.isHeader(["id", "Name", " at"], columns: ["id", "name", "at"]))
    #expect(!dialect.isHeader(["1", "ann", "x"], columns: ["id", "name", "at"]))
    #expect(CSVDialect(header: .yes).isHeader(["1", "ann", "x"], columns: ["id", "name", "at"]))
    #expect(!CSVDialect(header: .no).isHeader(["id", "name", "at"], columns: ["id", "name", "at"]))
    let kept = try Self.verify(Self.copied, header: .no, null: "")
    #expect(kept.sourceRows == 4)
    let noHeader = try Self.verify(String(Self.copied.drop { $0 != "\n" }.dropFirst()), header: .yes, null: "")
    #expect(noHeader.sourceRows == 2)
  }

  @Test func timestampSpellingsCompareAsInstants() {
    let same = [("2025-03-07T12:16:37.337142Z", "2025-03-07 12:16:37.337142"),
                ("2025-03-07 12:16:37.337142+00:00", "2025-03-07 12:16:37.3371420"),
                ("2025-03-07T13:00:00+01:00", "2025-03-07 12:00:00")]
    for (a, b) in same { #expect(VerifyTable.same(a, b, .timestamp), "\(a) vs \(b)") }
    #expect(!VerifyTable.same("2025-03-07T12:16:37Z", "2025-03-07 12:16:38", .timestamp))
    // Byte order of the normal form is time order (sorting SOURCE rows by a timestamp key).
    #expect(VerifyTable.compare("2025-03-07 12:16:37", "2025-03-07T12:16:37.5Z", .timestamp) < 0)
    #expect(VerifyTable.compare("2025-03-07T13:00:00+02:00", "2025-03-07 12:00:00", .timestamp) < 0)
  }
}
