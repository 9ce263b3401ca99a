import Foundation
import Testing
import SalvageTestSupport

/// `salvage verify` end to end: a simulated dead cluster, its BACKUP-like directory
/// (contrib/simulator/make_backup.py; no real BACKUP files exist in ../shared/fixtures) and
/// recoveries of it, clean and with planted defects.
struct VerifyCLITests {
  static let checks = ["--sequence", "seq", "--partition-by", "user_id", "--snapshot-table", "game.snapshots", "--snapshot-version", "version"]

  /// Cluster + backup for a seed, and a recovery of all 7 stores (destroyed ones included):
  /// that recovery holds exactly what the backup holds.
  static func setUp(seed: Int) throws -> (dir: String, clean: String) {
    let dir = try RecoverCLITests.makeCluster(seed: seed)
    try Simulator.run("make_backup.py", [dir, "--seed", String(seed)])
    let all = try RecoverCLITests.stores(dir) + FileManager.default.contentsOfDirectory(atPath: dir + "/destroyed").sorted().map { dir + "/destroyed/" + $0 }
    let r = try CLI.run(["recover"] + all + ["--out", dir + "/clean"])
    #expect(r.status == 0, "\(r.stderr)")
    return (dir, dir + "/clean")
  }

  static func report(_ path: String) throws -> [String: Any] {
    try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
  }
  static func table(_ r: [String: Any], _ name: String) -> [String: Any] {
    (r["tables"] as! [[String: Any]]).first { $0["table"] as? String == name }!
  }

  /// A copy of a recovery with `events.csv` (no quoted newlines: safe to edit by line) edited.
  static func plant(_ from: String, _ to: String, events edit: (inout [String]) -> Void) throws {
    try FileManager.default.copyItem(atPath: from, toPath: to)
    let path = to + "/game/events.csv"
    var lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
    edit(&lines)
    try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
  }

  static func fields(_ line: String) -> (user: Int, seq: Int) {
    let f = line.split(separator: ",", maxSplits: 2)
    return (Int(f[0])!, Int(f[1])!)
  }

  @Test func cleanRecoveryPassesAndSurvivorsOnlyFailWithTheLostKeysNamed() throws {
    let (dir, clean) = try Self.setUp(seed: 7)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let ok = try CLI.run(["verify", clean, "--against", dir + "/backup"] + Self.checks)
    #expect(ok.status == 0, "\(ok.stdout)\(ok.stderr)")
    #expect(ok.stdout.contains("PASS"))
    #expect(try Self.report(clean + "/verify.json")["passed"] as? Bool == true)

    _ = try CLI.run(["recover"] + RecoverCLITests.stores(dir) + ["--out", dir + "/survivors"])
    let bad = try CLI.run(["verify", dir + "/survivors", "--against", dir + "/backup", "--report", dir + "/s.json"] + Self.checks)
    #expect(bad.status == 2)
    #expect(bad.stdout.contains("FAIL game.events") && bad.stdout.contains("FAIL game.users"))
    // Missing = the pre-disaster truth minus what the survivors could give.
    func keys(_ f: String) throws -> Set<String> {
      Set(try String(contentsOfFile: f, encoding: .utf8).split(separator: "\n").map { l in let x = Self.fields(String(l)); return "\(x.user)/\(x.seq)" })
    }
    let lost = try keys(dir + "/expected/all_rows_before_disaster/events.csv").subtracting(keys(dir + "/expected/events.csv"))
    let ev = Self.table(try Self.report(dir + "/s.json"), "game.events")
    #expect(Set(ev["missing_keys_listed"] as! [String]) == lost && ev["missing_keys"] as? Int == lost.count)
  }

  @Test func eachPlantedDefectIsCaughtNamedAndCounted() throws {
    let (dir, clean) = try Self.setUp(seed: 42)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let backup = dir + "/backup"
    let lines = try String(contentsOfFile: clean + "/game/events.csv", encoding: .utf8).split(separator: "\n").map(String.init)

    // A changed value.
    try Self.plant(clean, dir + "/changed") { l in
      var f = l[3].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
      f[2] = "tampered"
      l[3] = f.joined(separator: ",")
    }
    var r = try CLI.run(["verify", dir + "/changed", "--against", backup] + Self.checks)
    #expect(r.status == 2)
    var t = Self.table(try Self.report(dir + "/changed/verify.json"), "game.events")
    #expect(t["rows_differing"] as? Int == 1 && t["missing_keys"] as? Int == 0)
    let d = (t["column_differences"] as! [[String: Any]])
    #expect(d.count == 1 && d[0]["column"] as? String == "kind" && d[0]["rows"] as? Int == 1)
    #expect((d[0]["samples"] as! [[String: Any]])[0]["recovered"] as? String == "tampered")

    // A missing journal row between two kept ones: a missing key and a sequence gap.
    let mid = (1..<(lines.count - 1)).first { i in
      let (a, b, c) = (Self.fields(lines[i - 1]), Self.fields(lines[i]), Self.fields(lines[i + 1]))
      return a.user == b.user && b.user == c.user && a.seq == b.seq + 1 && c.seq == b.seq - 1
    }!
    let gone = Self.fields(lines[mid])
    try Self.plant(clean, dir + "/gap") { $0.remove(at: mid) }
    r = try CLI.run(["verify", dir + "/gap", "--against", backup] + Self.checks)
    #expect(r.status == 2)
    let g = try Self.report(dir + "/gap/verify.json")
    t = Self.table(g, "game.events")
    #expect(t["missing_keys"] as? Int == 1 && t["missing_keys_listed"] as? [String] == ["\(gone.user)/\(gone.seq)"])
    let s = (g["sequences"] as! [[String: Any]])[0]
    #expect(s["gaps"] as? Int == 1)
    let gap = (s["gaps_listed"] as! [[String: Any]])[0]
    #expect(gap["partition"] as? String == String(gone.user) && gap["from"] as? Int == gone.seq && gap["to"] as? Int == gone.seq)
    #expect(r.stdout.contains("gap in \(gone.user): \(gone.seq)…\(gone.seq)"))

    // A stale snapshot: the journal rows up to just after a user's latest snapshot are gone,
    // in SOURCE (another recover output) and RECOVERED alike, so only the replay check fails.
    var latest: [Int: Int] = [:]
    for l in try String(contentsOfFile: clean + "/game/snapshots.csv", encoding: .utf8).split(separator: "\n") {
      let f = l.split(separator: ",", maxSplits: 2)
      if let u = Int(f[0]), let v = Int(f[1]) { latest[u] = max(latest[u] ?? 0, v) }
    }
    let maxSeq = Dictionary(lines.map { (Self.fields($0).user, Self.fields($0).seq) }, uniquingKeysWith: max)
    let user = maxSeq.keys.sorted().first { u in latest[u].map { maxSeq[u]! > $0 + 2 } ?? false }!
    let cut: (inout [String]) -> Void = { l in l.removeAll { let f = Self.fields($0); return f.user == user && f.seq <= latest[user]! + 1 } }
    try Self.plant(clean, dir + "/stale-src", events: cut)
    try Self.plant(clean, dir + "/stale", events: cut)
    r = try CLI.run(["verify", dir + "/stale", "--against", dir + "/stale-src"] + Self.checks)
    #expect(r.status == 2, "\(r.stdout)")
    let st = try Self.report(dir + "/stale/verify.json")
    #expect(st["source_kind"] as? String == "recovery")
    #expect(st["failures"] as? [String] == ["game.snapshots: 1 partition(s) with a snapshot older than the oldest kept row of game.events"])
    let stale = ((st["snapshots"] as! [[String: Any]])[0]["stale_listed"] as! [[String: Any]])[0]
    #expect(stale["partition"] as? String == String(user) && stale["latest_snapshot"] as? Int == latest[user]
            && stale["oldest_journal"] as? Int == latest[user]! + 2)
  }

  @Test func usageErrors() throws {
    let r = try CLI.run(["verify", "/nonexistent", "--against", "/nonexistent2", "--sequence", "seq"])
    #expect(r.status == 64 && r.stderr.contains("go together"))
    let e = try CLI.run(["verify", "/nonexistent", "--against", "/nonexistent2"])
    #expect(e.status == 1 && e.stderr.contains("/nonexistent is not a directory"))
  }
}
