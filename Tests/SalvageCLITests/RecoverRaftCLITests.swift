import Foundation
import Testing
import SalvageTestSupport

/// `salvage recover` on a simulated cluster whose lone lagging survivors keep committed Raft
/// log tails (`make_dead_cluster.py --raft-logs`, contrib/simulator/sim_raft.py), and whose
/// snapshots range has a deposed leader (the chosen replica, with a diverged term-2 tail)
/// beside a follower holding the committed term-3 entries, a sideloaded AddSSTable among them:
/// exactly the acknowledged writes come back — nothing committed missing, no rejected
/// reproposal, stale-lease command, diverged entry or entry past the commit index applied
/// (each would delete a row), nothing twice. `--no-raft-replay` gives the applied-state-only truth.
struct RecoverRaftCLITests {
  static let tables = [("game", "users"), ("game", "events"), ("game", "snapshots"), ("shop", "items")]

  static func json(_ path: String) throws -> Any {
    try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path)))
  }

  static func compare(_ out: String, _ expected: String) throws {
    for (db, table) in tables {
      let want = RecoverCLITests.normalized(try String(contentsOfFile: expected + "/\(table).csv", encoding: .utf8))
      let got = try String(contentsOfFile: out + "/\(db)/\(table).csv", encoding: .utf8)
      #expect(got == want, "\(table).csv differs from \(expected)")
    }
  }

  /// Both layouts: 19.1 RocksDB stores (ldb) and Pebble stores (23.2 row tables, 25.4 columnar),
  /// whose logged batches hold lock-table intents and single deletes.
  @Test(arguments: ["19.1", "23.2", "25.4"])
  func replaysExactlyTheAcknowledgedWrites(_ version: String) throws {
    let dir = try Simulator.makeCluster(seed: 7, version: version, extraArgs: ["--raft-logs"])
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let stores = try RecoverCLITests.stores(dir)
    let truth = try Self.json(dir + "/expected/raft_replay.json") as! [[String: Any]]
    #expect(truth.map { $0["case"] as? String } == ["lagging_survivor", "deposed_leader"])

    let r = try CLI.run(["recover"] + stores + ["--out", dir + "/on"])
    #expect(r.status == 2, "\(r.stderr)")
    try Self.compare(dir + "/on", dir + "/expected")
    let report = try Self.json(dir + "/on/report.json") as! [String: Any]
    let replay = report["raft_replay"] as! [String: Any]
    let ranges = replay["ranges"] as! [[String: Any]]
    let total = truth.reduce(0) { $0 + ($1["acknowledged_writes"] as! Int) }
    #expect(replay["acknowledged_writes"] as? Int == total)
    #expect(r.stdout.contains("\(total) acknowledged writes from Raft logs"), "\(r.stdout)")
    for want in truth {
      let got = try #require(ranges.first { $0["range_id"] as? Int == want["range_id"] as? Int })
      #expect(got["writes"] as? Int == want["acknowledged_writes"] as? Int)
      #expect(got["commit_index"] as? Int == want["commit_index"] as? Int)
      // The commit (and the entries) come from the log that knows it: the follower's for the deposed leader.
      let logStore = want["commit_store_id"] as! Int
      #expect(got["commit_from_store"] as? Int == stores.firstIndex { $0.hasSuffix("/n\(logStore)") })
      #expect(got["applied_index"] as? Int == want["applied_index"] as? Int)
      #expect((got["rejected"] as! [[String: Any]]).map { $0["index"] as! Int } == want["rejected"] as! [Int])
      #expect(got["beyond_commit"] as? Int == want["beyond_commit"] as? Int)
      #expect(got["empty_entries"] as? Int == want["empty_entries"] as? Int)
      #expect(got["conf_changes"] as? Int == want["conf_changes"] as? Int)
      #expect(got["lease_check_skipped"] as? Bool == false)
      #expect(got["stopped"] is NSNull)
    }

    // Intents written by replayed commands are reported like stored ones.
    let intents = try Self.json(dir + "/expected/intents.json") as! [[String: Any]]
    #expect(Set((report["intents"] as! [[String: Any]]).map { $0["key_hex"] as! String })
            == Set(intents.filter { $0["index_id"] as? Int == 1 }.map { $0["key_hex"] as! String }))

    let off = try CLI.run(["recover"] + stores + ["--out", dir + "/off", "--no-raft-replay"])
    #expect(off.status == 2, "\(off.stderr)")
    try Self.compare(dir + "/off", dir + "/expected/without_raft_replay")
    let offReport = try Self.json(dir + "/off/report.json") as! [String: Any]
    #expect((offReport["raft_replay"] as! [String: Any])["enabled"] as? Bool == false)

    // kv ranges shows what replay would do, without applying it.
    let kv = try CLI.run(["kv", "ranges"] + stores)
    let first = truth[0]
    #expect(kv.stdout.contains("raft: commit \(first["commit_index"]!)"), "\(kv.stdout)")
    #expect(kv.stdout.contains("\(first["acknowledged_writes"]!) acknowledged writes to replay, 2 rejected, 1 past commit (never applied)"))
  }
}
