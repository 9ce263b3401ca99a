import Foundation
import Testing
import SalvageTestSupport

/// `salvage recover` on simulated CockroachDB 23.2 clusters (contrib/simulator `--version
/// 23.2`: Pebble stores, separated intents, MVCC range tombstones in an L0 table and in a
/// WAL, two damaged data blocks) gives exactly the simulator's ground truth.
struct RecoverPebbleCLITests {
  static func json(_ path: String) throws -> Any {
    try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path)))
  }

  static func csvKeys(_ csv: String) -> Set<String> {
    Set(csv.split(separator: "\n").map { $0.split(separator: ",").prefix(2).joined(separator: ",") })
  }

  @Test(arguments: [7, 42])
  func recoveryEqualsGroundTruth(_ seed: Int) throws {
    let dir = try Simulator.makeCluster(seed: seed, version: "23.2", extraArgs: ["--damage", "2"])
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let out = dir + "/recovered"
    let r = try CLI.run(["recover"] + RecoverCLITests.stores(dir) + ["--out", out, "--no-sqlite"])
    #expect(r.status == 2, "\(r.stderr)")
    for (db, table) in RecoverCLITests.tables {
      let want = try String(contentsOfFile: dir + "/expected/\(table).csv", encoding: .utf8)
      let got = try String(contentsOfFile: out + "/\(db)/\(table).csv", encoding: .utf8)
      #expect(got == RecoverCLITests.normalized(want), "\(table).csv differs from the ground truth")
    }
    let report = try Self.json(out + "/report.json") as! [String: Any]
    let lost = try Self.json(dir + "/expected/lost_spans.json") as! [[String: Any]]
    let gotLost = (report["lost_spans"] as! [[String: Any]]).map { "\($0["start_hex"]!)-\($0["end_hex"]!)" }
    #expect(gotLost == lost.map { "\($0["start_key_hex"]!)-\($0["end_key_hex"]!)" })
    let intents = try Self.json(dir + "/expected/intents.json") as! [[String: Any]]
    // Salvage reads primary indexes only, so it reports the intents found there.
    let rowIntents = intents.filter { $0["index_id"] as? Int == 1 }
    #expect(rowIntents.count == 3)
    #expect(Set((report["intents"] as! [[String: Any]]).map { $0["key_hex"] as! String }) == Set(rowIntents.map { $0["key_hex"] as! String }))

    // Damaged blocks: each one's key span is named, and read from the replica the truth says.
    let damaged = try Self.json(dir + "/expected/damaged_blocks.json") as! [[String: Any]]
    #expect(damaged.count == 2)
    let want = damaged.map { d -> String in
      let span = d["damaged_span"] as! [String: Any]
      let from = (d["fallback_store"] as? Int).map { "s\($0) (n\($0))" } ?? "lost"
      return "\(span["start_key_hex"]!)-\(span["end_key_hex"]!) s\(d["store_id"]!) (n\(d["store_id"]!)) -> \(from)"
    }
    let got = (report["damaged_spans"] as! [[String: Any]]).map {
      "\($0["start_hex"]!)-\($0["end_hex"]!) \($0["store"]!) -> \(($0["read_from"] as? String) ?? "lost")"
    }
    #expect(Set(got) == Set(want))
    #expect((report["problems"] as! [String]).filter { $0.contains("checksum mismatch") }.count >= 2)
    #expect(damaged.allSatisfy { ($0["rows_in_span_on_damaged_replica"] as! Int) > 0 })

    // MVCC range tombstones: rows they deleted on the replica that was read are absent.
    let purges = try Self.json(dir + "/expected/range_tombstones.json") as! [[String: Any]]
    #expect(purges.count == 2 && purges.allSatisfy { ($0["rows_deleted"] as! Int) > 0 })
    let events = Self.csvKeys(try String(contentsOfFile: out + "/game/events.csv", encoding: .utf8))
    let replicas = try Self.json(dir + "/expected/replicas.json") as! [[String: Any]]
    var checked = 0
    for p in purges {
      let rg = replicas.first { ($0["range_id"] as! Int) == (p["range_id"] as! Int) }!
      guard let best = rg["most_advanced_store"] as? Int, (p["surviving_stores_holding_it"] as! [Int]).contains(best) else { continue }
      for pk in p["deleted_primary_keys"] as! [[Int]] {
        #expect(!events.contains("\(pk[0]),\(pk[1])"), "row \(pk) deleted by a range tombstone was exported")
        checked += 1
      }
    }
    #expect(checked > 0)
  }

  /// Without the block check a damaged block is only skipped and reported: the rows it held go
  /// missing (or older versions show through), so the output differs from the ground truth.
  @Test func skippingTheBlockCheckLosesTheDamagedRows() throws {
    let dir = try Simulator.makeCluster(seed: 7, version: "23.2", extraArgs: ["--damage", "2"])
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let out = dir + "/recovered"
    let r = try CLI.run(["recover"] + RecoverCLITests.stores(dir) + ["--out", out, "--no-sqlite", "--no-verify-blocks"])
    #expect(r.status == 2, "\(r.stderr)")
    let report = try Self.json(out + "/report.json") as! [String: Any]
    #expect((report["damaged_spans"] as! [Any]).isEmpty)
    // Skipped, but never silently: every damaged block the pass met is a problem.
    let problems = report["problems"] as! [String]
    #expect(problems.filter { $0.contains("checksum mismatch") }.count >= 2, "\(problems)")
    var differing = 0
    for table in ["events", "snapshots"] {
      let want = try String(contentsOfFile: dir + "/expected/\(table).csv", encoding: .utf8)
      let got = try String(contentsOfFile: out + "/game/\(table).csv", encoding: .utf8)
      if got != RecoverCLITests.normalized(want) { differing += 1 }
    }
    #expect(differing > 0)
  }

  /// The quick start's committed cluster (examples/dead-cluster) recovers to its own ground
  /// truth, and the evidence is left byte for byte as it was.
  @Test func committedExampleRecoversToItsTruth() throws {
    let example = Simulator.repo + "/examples/dead-cluster"
    let stores = try RecoverCLITests.stores(example)
    #expect(stores.count == 3)
    func snapshot() throws -> [String: Data] {
      var files: [String: Data] = [:]
      for s in stores { for f in try FileManager.default.contentsOfDirectory(atPath: s) { files[s + "/" + f] = try Data(contentsOf: URL(fileURLWithPath: s + "/" + f)) } }
      return files
    }
    let before = try snapshot()
    let out = NSTemporaryDirectory() + "salvage-example-\(UUID().uuidString)"
    defer { try? FileManager.default.removeItem(atPath: out) }
    let r = try CLI.run(["recover"] + stores + ["--out", out])
    #expect(r.status == 2, "\(r.stderr)")   // spans were lost with the destroyed disks
    for (db, table) in RecoverCLITests.tables {
      let want = try String(contentsOfFile: example + "/expected/\(table).csv", encoding: .utf8)
      #expect(try String(contentsOfFile: out + "/\(db)/\(table).csv", encoding: .utf8) == RecoverCLITests.normalized(want), "\(table)")
    }
    let damaged = try Self.json(example + "/expected/damaged_blocks.json") as! [[String: Any]]
    let report = try Self.json(out + "/report.json") as! [String: Any]
    #expect(damaged.count == 1 && (report["damaged_spans"] as! [Any]).count == 1)
    #expect(try snapshot() == before)
  }
}
