import Foundation
import Testing
import SalvageTestSupport

/// `salvage survey` on the committed example cluster, in text and JSON, against what
/// `salvage recover` of the same stores reports and writes.
struct SurveyCLITests {
  static let example = Simulator.repo + "/examples/dead-cluster"

  /// Recovers the example (report.json and the CSV bytes written).
  static func recovered(verifyBlocks: Bool) throws -> (report: [String: Any], csvBytes: Int64) {
    let out = NSTemporaryDirectory() + "salvage-survey-\(UUID().uuidString)"
    defer { try? FileManager.default.removeItem(atPath: out) }
    let r = try CLI.run(["recover"] + RecoverCLITests.stores(example) + ["--out", out, "--no-sqlite"] + (verifyBlocks ? [] : ["--no-verify-blocks"]))
    #expect(r.status == 2, "\(r.stderr)")
    let report = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/report.json"))) as! [String: Any]
    var csv: Int64 = 0
    for db in ["game", "shop"] {
      // The tables' CSVs (not the rows rebuilt from indexes beside them, which the survey does not estimate).
      for f in try FileManager.default.contentsOfDirectory(atPath: out + "/" + db) where f.hasSuffix(".csv") && !f.hasSuffix(".partial.csv") {
        csv += (try FileManager.default.attributesOfItem(atPath: out + "/\(db)/\(f)")[.size] as! NSNumber).int64Value
      }
    }
    return (report, csv)
  }

  /// Without --verify, the survey plans as `recover --no-verify-blocks` does.
  @Test func jsonMatchesTheRecovery() throws {
    let (report, csvBytes) = try Self.recovered(verifyBlocks: false)
    let r = try CLI.run(["survey"] + RecoverCLITests.stores(Self.example) + ["--format", "json", "--machines", "4", "--cores", "8"])
    #expect(r.status == 2, "\(r.stderr)")   // key spans are lost
    let s = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
    #expect(s["format"] as? String == "salvage-survey/1")
    let stores = s["stores"] as! [[String: Any]]
    #expect(stores.map { $0["label"] as! String } == ["s1 (n1)", "s6 (n6)", "s7 (n7)"])
    #expect(stores.map { $0["path"] as! String } == (report["stores"] as! [String]))
    #expect(stores.allSatisfy { $0["engine"] as? String == "pebble" && $0["cockroach_version"] as? String == "23.2" })
    let tables = s["tables"] as! [[String: Any]], recovered = report["tables"] as! [[String: Any]]
    #expect(tables.map { $0["table"] as! String } == recovered.map { $0["table"] as! String })
    #expect(tables.map { $0["lost_spans"] as! [String] } == recovered.map { $0["lost_spans"] as! [String] })
    // The example is sampled whole: rows and CSV bytes are what the recovery wrote.
    #expect(tables.map { ($0["estimated_rows"] as! NSNumber).intValue } == recovered.map { ($0["rows"] as! NSNumber).intValue })
    #expect((s["estimated_csv_bytes"] as! NSNumber).int64Value == csvBytes)
    let lost = s["lost_spans"] as! [[String: Any]], reportLost = report["lost_spans"] as! [[String: Any]]
    #expect(lost.map { $0["span"] as! String } == reportLost.map { $0["span"] as! String })
    #expect(lost.map { $0["range_ids"] as! [Int] } == reportLost.map { $0["range_ids"] as! [Int] })
    let ranges = s["ranges"] as! [[String: Any]], reportRanges = report["ranges"] as! [[String: Any]]
    #expect(ranges.map { $0["range_id"] as! Int } == reportRanges.map { $0["range_id"] as! Int })
    #expect(ranges.map { $0["store"] as? String } == reportRanges.map { $0["store"] as? String })
    let estimates = s["estimates"] as! [[String: Any]]
    #expect(estimates.map { $0["machines"] as! Int } == [1, 4])
    #expect(estimates[1]["cores_per_machine"] as? Int == 8)
    #expect(estimates.allSatisfy { ($0["seconds"] as! NSNumber).doubleValue >= 0 })
    #expect((s["damaged_spans"] as! [Any]).isEmpty)
    #expect((s["problems"] as! [String]) == (report["problems"] as! [String]))
  }

  /// With --verify, as `recover` plans (the damaged block's span is lost: no replica has it intact).
  @Test func textNamesStoresTablesAndLostSpans() throws {
    let (report, _) = try Self.recovered(verifyBlocks: true)
    let r = try CLI.run(["survey"] + RecoverCLITests.stores(Self.example) + ["--verify"])
    #expect(r.status == 2, "\(r.stderr)")
    let lines = r.stdout.split(separator: "\n").map(String.init)
    #expect(lines.first == "stores:")
    #expect(lines.filter { $0.contains("CockroachDB 23.2 (from Pebble format major version 16)") }.count == 3)
    for t in report["tables"] as! [[String: Any]] {
      let name = t["table"] as! String, rows = (t["rows"] as! NSNumber).intValue
      let line = try #require(lines.first { $0.hasPrefix("  " + name + " ") }, "\(name)")
      #expect(line.contains(" ~\(rows) rows (from the sample)"), "\(line)")
      for span in t["lost_spans"] as! [String] { #expect(line.contains("LOST: ") && line.contains(span), "\(line)") }
    }
    let lostAt = try #require(lines.firstIndex(of: "key spans with no surviving replica:"))
    let listed = lines[(lostAt + 1)...].prefix { $0.hasPrefix("  [") }.map { String($0.dropFirst(2).prefix { $0 != "(" }).trimmingCharacters(in: .whitespaces) }
    #expect(listed == (report["lost_spans"] as! [[String: Any]]).map { $0["span"] as! String })
    #expect(lines.contains("  s1 (n1): 8 range(s): r1 r2 r3 r5 r8 r9 r13 r16"))
    let damaged = try #require(lines.firstIndex(of: "damaged blocks (their key spans read from another replica where one was intact):"))
    #expect(lines[damaged + 1].hasSuffix(": LOST") && (report["damaged_spans"] as! [Any]).count == 1)
    #expect(lines.contains("1 problem(s):") && lines.contains { $0.contains("block checksum mismatch") })
    #expect(lines.contains { $0.hasPrefix("  this machine, recover --jobs ") })
    #expect(lines.last?.hasPrefix("surveyed in ") == true)
  }
}
