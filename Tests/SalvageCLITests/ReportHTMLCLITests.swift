import Foundation
import SalvageTestSupport
import Testing

/// report.html of the quick start's cluster, as Debian's Chromium renders it (headless): the
/// DOM it builds, and a screenshot. Also the progress line without a terminal, and --quiet.
struct ReportHTMLCLITests {
  /// Debian's `chromium`; the test fails without it (`.ci/run` installs it).
  static let chromium: String? = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first {
    FileManager.default.isExecutableFile(atPath: $0)
  }

  static func recoverExample(_ extra: [String] = [], environment: [String: String] = [:]) throws -> (out: String, run: (status: Int32, stdout: String, stderr: String)) {
    let stores = try RecoverCLITests.stores(Simulator.repo + "/examples/dead-cluster")
    let out = NSTemporaryDirectory() + "salvage-html-\(UUID().uuidString)"
    return (out, try CLI.run(["recover"] + stores + ["--out", out, "--no-sqlite"] + extra, environment: environment))
  }

  /// Runs headless Chromium on `file` with `args`; its own profile directory, removed after.
  static func browse(_ chromium: String, _ args: [String], _ file: String) throws -> (Int32, String, String) {
    let profile = NSTemporaryDirectory() + "salvage-chromium-\(UUID().uuidString)"
    defer { try? FileManager.default.removeItem(atPath: profile) }
    let (status, out, err) = try runProgram(chromium, ["--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=" + profile]
      + args + ["file://" + file])
    return (status, String(decoding: out, as: UTF8.self), err)
  }

  /// `[/Table/ID, /Table/ID+1)` as lower-case hex (CockroachDB's ascending uvarint).
  static func tableSpanHex(_ id: Int) -> (String, String) {
    func uvarint(_ v: Int) -> String {
      if v <= 109 { return String(format: "%02x", 0x88 + v) }
      var bytes: [UInt8] = []
      var x = v
      while x > 0 { bytes.insert(UInt8(x & 0xff), at: 0); x >>= 8 }
      return String(format: "%02x", 0xf5 + bytes.count) + bytes.map { String(format: "%02x", $0) }.joined()
    }
    return (uvarint(id), uvarint(id + 1))
  }

  /// The `<svg class="keymap" data-table="T">…</svg>` element of the DOM for `table`.
  static func map(of table: String, in dom: String) -> Substring? {
    guard let start = dom.range(of: "<svg class=\"keymap\" data-table=\"\(table)\""),
          let end = dom.range(of: "</svg>", range: start.upperBound..<dom.endIndex) else { return nil }
    return dom[start.lowerBound..<end.upperBound]
  }

  /// Each `<rect class="seg" …>` opening tag of a map.
  static func segments(_ svg: Substring) -> [Substring] {
    svg.components(separatedBy: "<rect class=\"seg\"").dropFirst().map { $0.prefix { $0 != ">" } }
  }

  static func attribute(_ name: String, _ tag: Substring) -> String? {
    guard let r = tag.range(of: " \(name)=\"") else { return nil }
    return String(tag[r.upperBound...].prefix { $0 != "\"" })
  }

  @Test func exampleReportRendersInChromium() throws {
    guard let chromium = Self.chromium else {
      Issue.record("chromium is not installed: `apt-get install chromium` (.ci/run installs it); report.html is tested in a real browser")
      return
    }
    let (out, r) = try Self.recoverExample()
    defer { try? FileManager.default.removeItem(atPath: out) }
    #expect(r.status == 2, "\(r.stderr)")   // spans were lost with the destroyed disks
    let html = out + "/report.html"
    let report = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/report.json"))) as! [String: Any]
    let tables = report["tables"] as! [[String: Any]]
    let ranges = report["ranges"] as! [[String: Any]]
    let lost = report["lost_spans"] as! [[String: Any]]
    #expect(tables.count == 4 && lost.count == 2)

    let (status, dom, err) = try Self.browse(chromium, ["--dump-dom"], html)
    #expect(status == 0, "\(err)")
    #expect(dom.contains("<h1>Salvage recovery report</h1>"))
    var lostSegments = 0
    for t in tables {
      let name = t["table"] as! String, id = t["table_id"] as! Int
      // The table's row: its name and rows recovered.
      let row = dom.range(of: "<tr data-table=\"\(name)\">").map { dom[$0.lowerBound...].prefix { $0 != "\n" } }
      #expect(row?.contains("<td>\(name)</td><td class=\"num\">\(t["rows"] as! Int)</td>") == true, "\(name)")
      // One segment per range that overlaps the table's key space, in key order.
      let (lo, hi) = Self.tableSpanHex(id)
      let want = ranges.filter { ($0["start_hex"] as! String) < hi && lo < ($0["end_hex"] as! String) }
      guard let svg = Self.map(of: name, in: dom) else { Issue.record("no map for \(name)"); continue }
      let segs = Self.segments(svg).filter { Self.attribute("data-range", $0) != nil }
      #expect(segs.count == want.count, "\(name)")
      #expect(segs.compactMap { Self.attribute("data-range", $0) } == want.map { String($0["range_id"] as! Int) }, "\(name)")
      for (seg, range) in zip(segs, want) {
        #expect(Self.attribute("data-store", seg) == range["store"] as? String, "\(name) \(seg)")
      }
      lostSegments += segs.filter { Self.attribute("data-state", $0) == "lost" }.count
    }
    // Each lost span's ranges are drawn lost in their table's map.
    let lostRanges = lost.flatMap { $0["range_ids"] as! [Int] }
    #expect(lostRanges == [6, 11] && lostSegments == 2)
    let users = Self.segments(Self.map(of: "game.public.users", in: dom) ?? "")
    #expect(users.contains { Self.attribute("data-range", $0) == "6" && Self.attribute("data-state", $0) == "lost" })
    // The damaged block of range 12 had no intact replica.
    let events = Self.segments(Self.map(of: "game.public.events", in: dom) ?? "")
    #expect(events.contains { Self.attribute("data-range", $0) == "12" && Self.attribute("data-state", $0) == "partly-lost" })
    #expect(dom.contains("[/Table/53/1/31, /Table/53/1/74) (ranges 6) — game.users: primary"))

    // A screenshot: a PNG of the window's size with real content (not one colour).
    let png = out + "/report.png"
    let (shotStatus, _, shotErr) = try Self.browse(chromium, ["--screenshot=" + png, "--window-size=1200,1600", "--hide-scrollbars"], html)
    #expect(shotStatus == 0, "\(shotErr)")
    let bytes = Array((try? Data(contentsOf: URL(fileURLWithPath: png))) ?? Data())
    #expect(bytes.count > 20_000, "screenshot of \(bytes.count) bytes")
    #expect(bytes.starts(with: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
    if bytes.count >= 24 {
      let be32 = { (i: Int) in bytes[i..<i + 4].reduce(0) { $0 << 8 | Int($1) } }
      #expect(be32(16) == 1200 && be32(20) == 1600)
    }
  }

  /// `salvage report OUT` renders the same page from OUT/report.json.
  @Test func reportCommandRendersTheSamePage() throws {
    let (out, r) = try Self.recoverExample()
    defer { try? FileManager.default.removeItem(atPath: out) }
    #expect(r.status == 2)
    let first = try String(contentsOfFile: out + "/report.html", encoding: .utf8)
    try FileManager.default.removeItem(atPath: out + "/report.html")
    let again = try CLI.run(["report", out])
    #expect(again.status == 0 && again.stdout == "report: \(out)/report.html\n", "\(again.stderr)")
    #expect(try String(contentsOfFile: out + "/report.html", encoding: .utf8) == first)
    let missing = try CLI.run(["report", out + "/nowhere"])
    #expect(missing.status == 1 && missing.stderr.hasPrefix("salvage: "))
  }

  /// `salvage verify` beside a recovery's report.json renders its results into report.html.
  @Test func verifyAddsItsResultsToThePage() throws {
    let (out, r) = try Self.recoverExample()
    defer { try? FileManager.default.removeItem(atPath: out) }
    #expect(r.status == 2)
    #expect(!(try String(contentsOfFile: out + "/report.html", encoding: .utf8)).contains("<section id=\"verify\">"))
    let v = try CLI.run(["verify", out, "--against", out])
    #expect(v.status == 0, "\(v.stdout)\(v.stderr)")
    #expect(v.stdout.contains("report: \(out)/verify.json\nreport: \(out)/report.html\n"))
    let html = try String(contentsOfFile: out + "/report.html", encoding: .utf8)
    #expect(html.contains("<section id=\"verify\">") && html.contains("PASS — against \(out)"))
    #expect(html.components(separatedBy: "<td class=\"good\">ok</td>").count - 1 == 4)
  }

  /// Without a terminal: plain progress lines (SALVAGE_PROGRESS_SECONDS shortens the 10 s).
  @Test func progressLinesWithoutATerminal() throws {
    let (out, r) = try Self.recoverExample(environment: ["SALVAGE_PROGRESS_SECONDS": "0.005"])
    defer { try? FileManager.default.removeItem(atPath: out) }
    #expect(r.status == 2)
    let planning = #/^salvage: reading metadata and planning, \d+:\d\d so far$/#
    let reading = #/^salvage: \d+% of \d+\.\d\d MB( \(\d+\.\d MB/s\))?, [\d,]+ rows, [\d,]+ keys, stores \d/3 done(, ETA \d+:\d\d)?(, reading n\d(, n\d)*)?$/#
    let lines = r.stderr.split(separator: "\n").map(String.init)
    let progress = lines.filter { $0.wholeMatch(of: planning) != nil || $0.wholeMatch(of: reading) != nil }
    #expect(!progress.isEmpty, "\(r.stderr)")
    // Every line is a progress line or a message; no terminal escapes.
    let messages = lines.filter { !progress.contains($0) }
    #expect(messages.allSatisfy { $0.hasPrefix("salvage: ") && !$0.contains("\u{1B}") && !$0.contains("%") }, "\(messages)")
    #expect(messages.contains("salvage: schema: 4 table(s) to recover"))
  }

  @Test func quietPrintsNoProgress() throws {
    let (out, r) = try Self.recoverExample(["--quiet"], environment: ["SALVAGE_PROGRESS_SECONDS": "0.005"])
    defer { try? FileManager.default.removeItem(atPath: out) }
    #expect(r.status == 2)
    #expect(r.stderr == "", "\(r.stderr)")
    #expect(r.stdout.contains("recovered 4 table(s) from 3 store(s)"))
  }
}
