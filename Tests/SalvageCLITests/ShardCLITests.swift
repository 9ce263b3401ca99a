import Foundation
import Testing

/// `salvage plan` + `recover --plan --shard` + `finish` on a simulated dead cluster give what
/// one `salvage recover` gives, byte for byte (issue 9).
struct ShardCLITests {
  static func stores(_ dir: String) throws -> [String] { try RecoverCLITests.stores(dir) }

  static func data(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

  static func json(_ path: String) throws -> [String: Any] {
    try JSONSerialization.jsonObject(with: data(path)) as! [String: Any]
  }

  /// Plans `n` shards and runs them in the given order; returns the plan path.
  @discardableResult
  static func runShards(_ dir: String, n: Int, out: String, order: [Int]? = nil, extra: [String] = []) throws -> String {
    let plan = dir + "/plan-\(n).json"
    let p = try CLI.run(["plan"] + stores(dir) + ["--shards", String(n), "--out", plan] + extra)
    #expect(p.status == 0, "\(p.stderr)")
    for i in order ?? Array(0..<n) {
      let r = try CLI.run(["recover", "--plan", plan, "--shard", String(i), "--out", out])
      #expect(r.status == 0, "shard \(i): \(r.stderr)")
    }
    return plan
  }

  /// Every output file equal; report.json equal but for the run time, intents' order and
  /// how many spans an earlier run had done.
  /// Sharded runs do not rebuild rows from indexes yet: a one-machine run compared with them
  /// leaves it out (`oneMachine`).
  static let oneMachine = ["--no-index-rebuild"]

  static func expectSameOutput(_ a: String, _ b: String, tables: Int = 4) throws {
    for f in ["game/users.csv", "game/events.csv", "game/snapshots.csv", "schema.sql", "import.sql"] {
      let x = try data(a + "/" + f), y = try data(b + "/" + f)
      #expect(x == y, "\(f) differs")
    }
    var ra = try json(a + "/report.json"), rb = try json(b + "/report.json")
    for k in ["seconds", "intents", "spans_reused"] { ra[k] = nil; rb[k] = nil }
    let ja = try JSONSerialization.data(withJSONObject: ra, options: [.sortedKeys])
    let jb = try JSONSerialization.data(withJSONObject: rb, options: [.sortedKeys])
    #expect(ja == jb, "report.json differs: \(String(decoding: ja, as: UTF8.self)) vs \(String(decoding: jb, as: UTF8.self))")
    let ia = Set(((try json(a + "/report.json"))["intents"] as! [[String: Any]]).map { $0["key_hex"] as! String })
    let ib = Set(((try json(b + "/report.json"))["intents"] as! [[String: Any]]).map { $0["key_hex"] as! String })
    #expect(ia == ib && !ia.isEmpty)
    // report.html: `finish` writes it too, with the same keyspace maps.
    func maps(_ dir: String) throws -> [Substring] {
      try String(contentsOfFile: dir + "/report.html", encoding: .utf8).matches(of: #/(?s)<svg class="keymap".*?</svg>/#).map(\.output)
    }
    let ma = try maps(a), mb = try maps(b)
    #expect(ma.count == tables && ma == mb)
  }

  @Test(arguments: [(42, 4), (7, 20)])
  func shardedRunEqualsOneMachine(_ seed: Int, _ shards: Int) throws {
    let dir = try RecoverCLITests.makeCluster(seed: seed)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let one = try CLI.run(["recover"] + Self.stores(dir) + ["--out", dir + "/one"] + Self.oneMachine)
    #expect(one.status == 2)
    // Shards in reverse order: the result must not depend on it.
    let plan = try Self.runShards(dir, n: shards, out: dir + "/sharded", order: Array((0..<shards).reversed()))
    let f = try CLI.run(["finish", dir + "/sharded"])
    #expect(f.status == 2, "\(f.stderr)")   // as recover: some spans are lost
    try Self.expectSameOutput(dir + "/one", dir + "/sharded")
    // Same inputs, same plan bytes.
    let again = try CLI.run(["plan"] + Self.stores(dir) + ["--shards", String(shards), "--out", dir + "/again.json"])
    #expect(again.status == 0)
    #expect(try Self.data(plan) == Self.data(dir + "/again.json"))
    // Every readable chunk in exactly one shard; lost chunks in none.
    let p = try Self.json(plan)
    let inShards = (p["shards"] as! [[String: Any]]).flatMap { $0["chunks"] as! [[String: Any]] }.map { "\($0["table_id"]!)/\($0["index"]!)" }
    let lost = (p["lost_chunks"] as! [[String: Any]]).map { "\($0["table_id"]!)/\($0["index"]!)" }
    let total = (p["tables"] as! [[String: Any]]).reduce(0) { $0 + ($1["chunks"] as! Int) }
    #expect(Set(inShards).count == inShards.count && Set(inShards).isDisjoint(with: lost) && inShards.count + lost.count == total)
    #expect(!lost.isEmpty)
  }

  @Test func keepLatestThroughShards() throws {
    let dir = try RecoverCLITests.makeCluster(seed: 7)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let keep = ["--keep-latest", "3", "--partition-by", "user_id", "--order-by", "seq"]
    _ = try CLI.run(["recover"] + Self.stores(dir) + ["--out", dir + "/one"] + keep + Self.oneMachine)
    try Self.runShards(dir, n: 3, out: dir + "/sharded", extra: keep)
    #expect(try CLI.run(["finish", dir + "/sharded"]).status == 2)
    try Self.expectSameOutput(dir + "/one", dir + "/sharded")
  }

  @Test func finishRefusesWithAShardMissing() throws {
    let dir = try RecoverCLITests.makeCluster(seed: 3)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let out = dir + "/sharded"
    try Self.runShards(dir, n: 3, out: out, order: [0, 2])
    let f = try CLI.run(["finish", out])
    #expect(f.status == 1)
    #expect(f.stderr.contains("1 of 3 shard(s) missing") && f.stderr.contains("shards/1"), "\(f.stderr)")
    #expect(!FileManager.default.fileExists(atPath: out + "/report.json"))
    // Nothing planned at all.
    let none = try CLI.run(["finish", dir + "/nothing"])
    #expect(none.status == 1 && none.stderr.contains("no plan"))
  }

  @Test func shardRerunIsIdempotent() throws {
    let dir = try RecoverCLITests.makeCluster(seed: 5)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let out = dir + "/sharded"
    let plan = try Self.runShards(dir, n: 2, out: out)
    let shard1 = out + "/shards/1"
    let before = try Self.data(shard1 + "/shard.json")
    // A retried task finds the shard complete and keeps it.
    let again = try CLI.run(["recover", "--plan", plan, "--shard", "1", "--out", out])
    #expect(again.status == 0 && again.stdout.contains("already complete"), "\(again.stdout)\(again.stderr)")
    #expect(try Self.data(shard1 + "/shard.json") == before)
    // An attempt killed midway leaves only a temporary directory, which finish ignores and removes.
    try FileManager.default.createDirectory(atPath: out + "/shards/0.tmp-deadbeef/.salvage-work", withIntermediateDirectories: true)
    // An incomplete shard (no shard.json) is replaced whole.
    try FileManager.default.removeItem(atPath: shard1 + "/shard.json")
    let redo = try CLI.run(["recover", "--plan", plan, "--shard", "1", "--out", out])
    #expect(redo.status == 0 && !redo.stdout.contains("already complete"))
    #expect(FileManager.default.fileExists(atPath: shard1 + "/shard.json"))
    _ = try CLI.run(["recover"] + Self.stores(dir) + ["--out", dir + "/one"] + Self.oneMachine)
    #expect(try CLI.run(["finish", out]).status == 2)
    try Self.expectSameOutput(dir + "/one", out)
    // finish is re-runnable and gives the same files.
    let csv = try Self.data(out + "/game/events.csv")
    #expect(try CLI.run(["finish", out]).status == 2)
    #expect(try Self.data(out + "/game/events.csv") == csv)
    let left = try FileManager.default.contentsOfDirectory(atPath: out + "/shards").sorted()
    #expect(left == ["0", "1", "plan.json"])
    // A shard of another plan in the same directory is refused.
    let other = dir + "/other.json"
    _ = try CLI.run(["plan"] + Self.stores(dir) + ["--shards", "3", "--out", other])
    let clash = try CLI.run(["recover", "--plan", other, "--shard", "0", "--out", out])
    #expect(clash.status == 1 && clash.stderr.contains("another plan"), "\(clash.stderr)")
    // Options that shape the work belong to the plan.
    let stray = try CLI.run(["recover", "--plan", plan, "--shard", "0", "--out", out, "--tables", "game.users"])
    #expect(stray.status == 64 && stray.stderr.contains("come from the plan"), "\(stray.stderr)")
  }
}
