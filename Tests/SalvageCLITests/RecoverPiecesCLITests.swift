import Foundation
import Testing
import SalvageTestSupport

/// Work units inside a range (issue 15): a chunk larger than the piece size is cut at row
/// boundaries next to data-block boundaries. The output must not depend on the cut, on --jobs,
/// or on sharding. SALVAGE_PIECE_BYTES sets the piece size (0: no cutting, as before).
struct RecoverPiecesCLITests {
  /// A mid-scale cluster grown by 20 000 bulk events rows, not split: one range holds most rows.
  static func makeCluster() throws -> String {
    let dir = NSTemporaryDirectory() + "salvage-pieces-\(UUID().uuidString)"
    try Simulator.run("make_large_cluster.py", [dir, "--gb", "0.001", "--batch", "20000", "--range-mb", "0",
                                                "--seed", "3", "--", "--scale", "mid"])
    return dir
  }

  static let files = ["game/users.csv", "game/events.csv", "game/snapshots.csv", "shop/items.csv", "schema.sql", "import.sql"]

  static func plannedChunks(_ dir: String, pieceBytes: Int) throws -> [String: Int] {
    let plan = dir + "/plan-\(pieceBytes).json"
    let p = try CLI.run(["plan"] + RecoverCLITests.stores(dir) + ["--shards", "2", "--out", plan],
                        environment: ["SALVAGE_PIECE_BYTES": String(pieceBytes)])
    #expect(p.status == 0, "\(p.stderr)")
    let tables = try ShardCLITests.json(plan)["tables"] as! [[String: Any]]
    return Dictionary(uniqueKeysWithValues: tables.map { ($0["name"] as! String, $0["chunks"] as! Int) })
  }

  @Test func cutChunksGiveTheSameOutputWhateverTheJobs() throws {
    let dir = try Self.makeCluster()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let stores = try RecoverCLITests.stores(dir)
    func recover(_ name: String, jobs: Int, pieceBytes: Int, holdBytes: Int? = nil) throws -> String {
      let out = dir + "/" + name
      var env = ["SALVAGE_PIECE_BYTES": String(pieceBytes)]
      if let holdBytes { env["SALVAGE_HOLD_BYTES"] = String(holdBytes) }
      // Compared with a sharded run too: no rebuild from indexes, no index check (ShardCLITests.oneMachine).
      let r = try CLI.run(["recover"] + stores + ["--out", out, "--jobs", String(jobs), "--no-sqlite"] + ShardCLITests.oneMachine, environment: env)
      #expect(r.status == 2, "\(r.stderr)")   // some ranges are lost
      return out
    }
    let whole = try recover("whole", jobs: 1, pieceBytes: 0)
    // Every recoverable row: the simulated ones and the bulk rows.
    let bulk = try ShardCLITests.json(dir + "/expected/bulk.json")["recoverable_rows"] as! Int
    let events = try String(contentsOfFile: dir + "/expected/events.csv", encoding: .utf8).split(separator: "\n").count
    #expect(try String(contentsOfFile: whole + "/game/events.csv", encoding: .utf8).split(separator: "\n").count == events + bulk)
    #expect(bulk == 20_000)

    // 4 KiB pieces: the bulk range and the multi-family tables (users: 2 families, items: 6)
    // are cut; default pieces (8 MiB) leave this cluster whole.
    let cut = try Self.plannedChunks(dir, pieceBytes: 4 << 10)
    let plain = try Self.plannedChunks(dir, pieceBytes: 0)
    #expect(try Self.plannedChunks(dir, pieceBytes: 8 << 20) == plain)
    for t in ["game.public.events", "game.public.users", "shop.public.items"] {
      #expect(cut[t]! > plain[t]! + 2, "\(t): \(cut[t]!) chunks cut, \(plain[t]!) whole")
    }
    // Chunks finished out of turn wait in memory (default), in part files (no memory), or
    // both (a little memory: later batches spill).
    for (jobs, hold) in [(1, nil), (2, nil), (4, nil), (4, 0), (2, 20_000)] as [(Int, Int?)] {
      let out = try recover("cut-\(jobs)-\(hold ?? -1)", jobs: jobs, pieceBytes: 4 << 10, holdBytes: hold)
      for f in Self.files {
        let a = try ShardCLITests.data(whole + "/" + f), b = try ShardCLITests.data(out + "/" + f)
        #expect(a == b && !a.isEmpty, "--jobs \(jobs): \(f) differs from the uncut run")
      }
      var ra = try ShardCLITests.json(whole + "/report.json"), rb = try ShardCLITests.json(out + "/report.json")
      for k in ["seconds", "spans", "intents"] { ra[k] = nil; rb[k] = nil }
      #expect(try JSONSerialization.data(withJSONObject: ra, options: [.sortedKeys])
              == JSONSerialization.data(withJSONObject: rb, options: [.sortedKeys]), "--jobs \(jobs): report.json differs")
    }
    // Sharded runs cut the same way (the plan and the shards prepare alike).
    let env = ["SALVAGE_PIECE_BYTES": String(4 << 10)]
    let p = try CLI.run(["plan"] + stores + ["--shards", "3", "--out", dir + "/plan.json"], environment: env)
    #expect(p.status == 0, "\(p.stderr)")
    for i in [2, 0, 1] {
      let r = try CLI.run(["recover", "--plan", dir + "/plan.json", "--shard", String(i), "--out", dir + "/sharded"], environment: env)
      #expect(r.status == 0, "shard \(i): \(r.stderr)")
    }
    let f = try CLI.run(["finish", dir + "/sharded"], environment: env)
    #expect(f.status == 2, "\(f.stderr)")
    for f in Self.files { #expect(try ShardCLITests.data(whole + "/" + f) == ShardCLITests.data(dir + "/sharded/" + f), "sharded: \(f)") }
  }
}
