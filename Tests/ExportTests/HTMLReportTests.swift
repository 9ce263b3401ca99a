import Foundation
import Recovery
import Testing
@testable import Export

/// report.html from report.json texts: escaping, the keyspace map's segments, capped lists,
/// older report.json files, verify results. (The browser test of the real page is
/// `ReportHTMLCLITests`.)
struct HTMLReportTests {
  /// Table 60 (key prefix c4) in four ranges and a part no descriptor covers:
  /// r1 [/Table/60, /Table/60/1/5) on s1, r2 [/Table/60/1/5, /Table/60/1/9) lost,
  /// [/Table/60/1/9, /Table/60/1/12) no descriptor, r3 [/Table/60/1/12, /Table/61) on s2 with
  /// a damaged block read from s1, r4 [/Table/61, /Max) on s1 (another table).
  static func report(table: String = "db.public.t", problems: Int = 1, extra: String = "") -> Data {
    let problemList = (0..<problems).map { "\"problem \($0)\"" }.joined(separator: ",")
    return Data("""
      {"stores": ["/d/n1", "/d/n2"], "as_of": "newest", "seconds": 1.5, "bytes_read": 2000000, "something_lost": true,
       "tables": [{"table": \(json(table)), "table_id": 60, "rows": 1234, "deleted_keys": 3, "row_problems": 0,
                   "lost_spans": ["[/Table/60/1/5, /Table/60/1/12)"], "filtered_out": 0}],
       "lost_spans": [{"span": "[/Table/60/1/5, /Table/60/1/12)", "start_hex": "c4898d", "end_hex": "c48994", "range_ids": [2],
                       "table_ids": [60], "indexes": [{"table": "db.t", "table_id": 60, "index_id": 1, "index": "primary"}]}],
       "ranges": [{"range_id": 1, "span": "a", "start_hex": "c4", "end_hex": "c4898d", "store": "s1 (n1)"},
                  {"range_id": 2, "span": "b", "start_hex": "c4898d", "end_hex": "c48991", "store": null},
                  {"range_id": 3, "span": "c", "start_hex": "c48994", "end_hex": "c5", "store": "s2 (n2)"},
                  {"range_id": 4, "span": "d", "start_hex": "c5", "end_hex": "ffff", "store": "s1 (n1)"}],
       "damaged_spans": [{"range_id": 3, "span": "[/Table/60/1/20, /Table/60/1/30)", "start_hex": "c4899c", "end_hex": "c489a6",
                          "store": "s2 (n2)", "read_from": "s1 (n1)"}],
       "store_info": [{"path": "/d/n1", "label": "s1 (n1)", "engine": "pebble", "engine_version": "0.1", "format_major_version": 16, "table_bytes": 1500000},
                      {"path": "/d/n2", "label": "s2 (n2)", "engine": "pebble", "engine_version": "0.1", "format_major_version": 16, "table_bytes": 500000}],
       "intents": [], "lost_wals": [], "notices": [], "unnamed_tables": [], "spans": 3, "spans_reused": 0,
       "problems": [\(problemList)]\(extra)}
      """.utf8)
  }

  static func json(_ s: String) -> String { String(decoding: try! JSONSerialization.data(withJSONObject: s, options: .fragmentsAllowed), as: UTF8.self) }

  @Test func mapSegmentsFollowTheRangesOfTheTable() throws {
    let doc = try ReportDocument.decode(Self.report())
    let map = KeyspaceMap(table: doc.tables[0], report: doc)
    #expect(map.placed)
    #expect(map.segments.map(\.rangeID) == [1, 2, nil, 3])
    #expect(map.segments.map(\.state) == [.read, .lost, .lost, .damaged])
    #expect(map.segments.map(\.store) == ["s1 (n1)", nil, nil, "s2 (n2)"])
    #expect(map.segments[2].span == KeySpan(start: [0xc4, 0x89, 0x91], end: [0xc4, 0x89, 0x94]))
    #expect(map.segments[3].notes == ["damaged [/Table/60/1/20, /Table/60/1/30): read from s1 (n1)"])
  }

  @Test func damagedBlockWithoutIntactReplicaIsPartlyLostAndBackupFillsLostSegments() throws {
    var text = String(decoding: Self.report(extra: """
      , "filled_spans": [{"span": "x", "start_hex": "c4898d", "end_hex": "c48991", "rows": 7}]
      """), as: UTF8.self)
    text = text.replacingOccurrences(of: "\"read_from\": \"s1 (n1)\"", with: "\"read_from\": null")
    let doc = try ReportDocument.decode(Data(text.utf8))
    #expect(KeyspaceMap(table: doc.tables[0], report: doc).segments.map(\.state) == [.read, .filled, .lost, .partlyLost])
  }

  /// A span filled from obsolete carved tables (`--use-obsolete`, best effort) is still lost
  /// on the map: only a backup's rows make a segment "filled".
  @Test func obsoleteCarvedFillLeavesTheSegmentLost() throws {
    let doc = try ReportDocument.decode(Self.report(extra: """
      , "filled_spans": [{"span": "x", "start_hex": "c4898d", "end_hex": "c48991", "rows": 7, "from": "obsolete carved table"}]
      """))
    #expect(KeyspaceMap(table: doc.tables[0], report: doc).segments.map(\.state) == [.read, .lost, .lost, .damaged])
  }

  @Test func pageHasOneSegmentPerRangeAndEscapesTheData() throws {
    let hostile = "<script>alert(1)</script>&amp;\"x'"
    let html = try HTMLReport.render(reportJSON: Self.report(table: hostile))
    #expect(!html.contains("<script"))
    #expect(!html.contains("http://") && !html.contains("https://") && !html.contains("src="))
    let escaped = "&lt;script&gt;alert(1)&lt;/script&gt;&amp;amp;&quot;x&#39;"
    #expect(html.contains("<tr data-table=\"\(escaped)\">"))
    #expect(html.contains("<svg class=\"keymap\" data-table=\"\(escaped)\""))
    #expect(html.components(separatedBy: "<rect class=\"seg\"").count - 1 == 4)
    #expect(html.contains("<rect class=\"seg\" data-range=\"2\" data-state=\"lost\""))
    #expect(html.contains("<rect class=\"seg\" data-state=\"lost\""))   // the part no descriptor covers
    #expect(html.contains("<td class=\"num\">1,234</td>"))
    #expect(html.contains("<td>pebble 0.1</td>"))
  }

  @Test func listsAreCappedWithACountOfTheRest() throws {
    let html = try HTMLReport.render(reportJSON: Self.report(problems: 75))
    #expect(html.contains("<li>problem 49</li>") && !html.contains("<li>problem 50</li>"))
    #expect(html.contains("… 25 more problems in report.json"))
  }

  @Test func olderReportJSONRendersWithoutTheMap() throws {
    // As salvage wrote it before ranges had key bounds and stores their details.
    let old = """
      {"stores": ["/d/n1"], "as_of": "newest", "seconds": 0.5, "bytes_read": 10, "something_lost": false, "spans": 1, "spans_reused": 0,
       "tables": [{"table": "db.public.t", "table_id": 60, "rows": 5, "deleted_keys": 0, "row_problems": 0, "lost_spans": [], "filtered_out": 0}],
       "lost_spans": [], "ranges": [{"range_id": 1, "span": "a", "store": "s1 (n1)"}], "damaged_spans": [], "intents": [],
       "lost_wals": [], "problems": [], "notices": [], "unnamed_tables": []}
      """
    let html = try HTMLReport.render(reportJSON: Data(old.utf8))
    #expect(html.contains("no key bounds per range"))
    #expect(html.contains("<tr data-table=\"db.public.t\">"))
    #expect(html.contains("<td><code>/d/n1</code></td>"))
  }

  @Test func notAReportIsATypedError() {
    #expect(throws: ExportError.self) { try HTMLReport.render(reportJSON: Data("[1]".utf8)) }
  }

  @Test func verifyResultsShowWhenPresent() throws {
    let verify = """
      {"recovered": "/out", "source": "/backup", "source_kind": "backup", "passed": false, "failures": ["db.public.t: 2 keys missing"],
       "tables": [{"table": "db.public.t", "source_rows": 10, "recovered_rows": 8, "missing_keys": 2, "extra_keys": 0,
                   "rows_differing": 0, "passed": false}],
       "tables_missing_from_recovered": [], "tables_only_in_recovered": [], "sequences": [], "snapshots": []}
      """
    let without = try HTMLReport.render(reportJSON: Self.report())
    #expect(!without.contains("id=\"verify\""))
    let html = try HTMLReport.render(reportJSON: Self.report(), verifyJSON: Data(verify.utf8))
    #expect(html.contains("<section id=\"verify\">"))
    #expect(html.contains("FAIL — against /backup"))
    #expect(html.contains("<li>db.public.t: 2 keys missing</li>"))
  }

  @Test func escapeCoversMarkupQuotesAndControlCharacters() {
    #expect(HTMLEscape.text("a<b>&\"'\u{1}\tz") == "a&lt;b&gt;&amp;&quot;&#39;\u{FFFD}\tz")
  }
}

/// The progress line's text for fixed counters.
struct ProgressTextTests {
  static var counters: RecoveryRun.Counters {
    var c = RecoveryRun.Counters()
    c.rows = 1_234_567; c.keys = 2_000_000; c.storesDone = 1; c.stores = 3
    c.bytesDone = 42_000_000; c.bytesTotal = 100_000_000
    c.reading = ["/d/stores/n6", "/d/stores/n7"]
    return c
  }

  @Test func plainLineForLogs() {
    let t = ProgressText(Self.counters, elapsed: 30, reading: 10)
    #expect(t.plainLine == "salvage: 42% of 100.00 MB (4.2 MB/s), 1,234,567 rows, 2,000,000 keys, stores 1/3 done, ETA 0:14, reading n6, n7")
    #expect(ProgressText(RecoveryRun.Counters(), elapsed: 75, reading: nil).plainLine == "salvage: reading metadata and planning, 1:15 so far")
  }

  @Test func barForATerminal() {
    let t = ProgressText(Self.counters, elapsed: 30, reading: 10)
    #expect(t.bar(columns: 120) == "[########            ]  42%  4.2 MB/s  1,234,567 rows  ETA 0:14  reading n6, n7")
    // Cut to the terminal's width (a wrapped line cannot be rewritten in place).
    #expect(t.bar(columns: 40) == "[########            ]  42%  4.2 MB/s …")
    #expect(t.bar(columns: 40).count == 39)
    #expect(ProgressText(RecoveryRun.Counters(), elapsed: 4000, reading: nil).bar(columns: 80) == "[                    ]  planning  1:06:40")
  }

  @Test func manyStoresAreCounted() {
    var c = Self.counters
    c.reading = (1...7).map { "/s/n\($0)" }
    #expect(ProgressText(c, elapsed: 1, reading: 1).plainLine.hasSuffix("reading n1, n2, n3 +4"))
  }
}
