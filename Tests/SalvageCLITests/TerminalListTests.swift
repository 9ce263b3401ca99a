@testable import Recovery
@testable import salvage
import Testing

/// Every list the recover summary prints is capped, inside a line too (a lost span of four
/// whole tables once listed every range it covered).
struct TerminalListTests {
  static func lostSpan(ranges: Int, tables: Int) -> LostSpan {
    var l = LostSpan(start: [0xc4], end: [0xf0], pretty: "[/Table/60, /Table/100)", rangeIDs: (1...Int64(ranges)).map { $0 },
                     tableIDs: [], tablesOpenEnded: false)
    l.indexes = (0..<tables).map { LostIndex(tableID: UInt32(60 + $0), table: "db.t\($0)", indexID: 1, index: "primary") }
    return l
  }

  @Test func lostSpanLineCapsRangesAndTables() {
    var r = RecoveryReport()
    r.lostSpans = [Self.lostSpan(ranges: 400, tables: 30)]
    let lines = recoverySummary(r, filteredOut: [:])
    #expect(lines.count == 2)
    #expect(lines[1] == "  [/Table/60, /Table/100) (ranges 1,2,3,4,5 … and 395 more ranges in report.json; "
      + "db.t0: primary; db.t1: primary; db.t2: primary; db.t3: primary; db.t4: primary … and 25 more tables in report.json)")
  }

  @Test func shortLostSpanLineIsWhole() {
    var r = RecoveryReport()
    r.lostSpans = [Self.lostSpan(ranges: 2, tables: 1)]
    #expect(recoverySummary(r, filteredOut: [:])[1] == "  [/Table/60, /Table/100) (ranges 1,2; db.t0: primary)")
  }

  /// A gap no surviving descriptor covers has no range IDs: the line says so (was "(ranges )").
  @Test func lostSpanWithoutDescriptorSaysSo() {
    var r = RecoveryReport()
    var l = Self.lostSpan(ranges: 1, tables: 1)
    l.rangeIDs = []
    r.lostSpans = [l]
    #expect(recoverySummary(r, filteredOut: [:])[1] == "  [/Table/60, /Table/100) (no range descriptor; db.t0: primary)")
  }

  @Test func everyListOfTheSummaryIsCapped() {
    var r = RecoveryReport()
    r.problems = (0..<45).map { Problem(.damage, "problem \($0)") }
    r.lostSpans = (0..<30).map { _ in Self.lostSpan(ranges: 1, tables: 1) }
    r.lostWALs = (0..<25).map { .init(store: "s", file: "\($0).log", meaning: "") }
    r.damagedSpans = (0..<21).map { .init(rangeID: Int64($0), span: "x", start: [], end: [], store: "s", readFrom: nil) }
    r.intents = (0..<500).map { .init(key: "k\($0)", keyHex: "", txnID: "", timestamp: "") }
    let lines = recoverySummary(r, filteredOut: [:])
    #expect(lines.contains("  … and 25 more problems in report.json"))
    #expect(lines.contains("  … and 10 more spans in report.json"))
    #expect(lines.contains("  … and 5 more WALs in report.json"))
    #expect(lines.contains("  … and 1 more damaged spans in report.json"))
    #expect(lines.contains("500 uncommitted intent(s) not exported (report.json lists them)"))
    // 4 headings, 20 items and a closing line each for the four lists, and the intents line.
    #expect(lines.count == 4 * 22 + 1)
  }

  @Test func noticesAreCapped() {
    let lines = noticeLines((0..<30).map { "n\($0)" })
    #expect(lines.count == 21)
    #expect(lines.first == "salvage: note: n0")
    #expect(lines.last == "salvage: note: … and 10 more notices in report.json")
  }
}
