import Foundation
import Testing
import SalvageTestSupport

/// A secondary tenant's keyspace (`make_dead_cluster.py --tenant 5`: a range of its own
/// under /Tenant/5 that every survivor holds, with its own descriptors of game.public.users
/// and 5 row keys) is named, its tables too, never passed over:
/// recover (one machine and sharded) lists it in report.json, the summary and the problems
/// (exit 2), survey names it from the range descriptors alone, and the system tenant's
/// tables are the ground truth.
struct RecoverTenantCLITests {
  static func report(_ dir: String) throws -> [String: Any] {
    try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/report.json"))) as! [String: Any]
  }

  @Test(arguments: ["19.1", "23.2"])
  func tenantDataIsReportedNotSkipped(_ version: String) throws {
    let plain = try Simulator.makeCluster(seed: 3, version: version)
    let dir = try Simulator.makeCluster(seed: 3, version: version, extraArgs: ["--tenant", "5"])
    defer { for d in [plain, dir] { try? FileManager.default.removeItem(atPath: d) } }
    let stores = try RecoverCLITests.stores(dir)
    let r = try CLI.run(["recover"] + stores + ["--out", dir + "/out", "--no-sqlite"])
    #expect(r.status == 2, "\(r.stderr)")
    // Descriptors of the database and the table, and in the 23.2 layout of the public schema; 5 rows.
    let keys = version == "19.1" ? 7 : 8
    let line = "tenant 5: a virtual cluster under /Tenant/5: \(keys) live key(s) in 1 range(s) held by the surviving stores; "
      + "its tables (game.public.users) are not recovered (Salvage exports the system tenant's tables only)"
    #expect(r.stdout.contains("  /Tenant/5: \(keys) live key(s) in 1 range(s) held by the surviving stores, e.g. /Tenant/5/Table/3/1/52/2/1; tables: game.public.users\n"), "\(r.stdout)")
    let report = try Self.report(dir + "/out")
    let tenants = report["unrecovered_tenants"] as! [[String: Any]]
    #expect(tenants.count == 1)
    #expect(tenants.first?["tenant_id"] as? Int == 5 && tenants.first?["keys"] as? Int == keys)
    #expect(tenants.first?["tables"] as? [String] == ["game.public.users"])
    #expect(tenants.first?["ranges"] as? Int == 1 && tenants.first?["ranges_lost"] as? Int == 0)
    #expect(tenants.first?["sample_key"] as? String == "/Tenant/5/Table/3/1/52/2/1")
    #expect((report["problems"] as! [String]).filter { $0 == line }.count == 1)
    #expect(try String(contentsOfFile: dir + "/out/report.html", encoding: .utf8).contains("Tenants (virtual clusters) with data (not exported) (1)"))

    // The system tenant's tables are the ground truth, and the lost spans those the simulator lost.
    for (db, t) in RecoverCLITests.tables {
      let want = RecoverCLITests.normalized(try String(contentsOfFile: dir + "/expected/\(t).csv", encoding: .utf8))
      #expect(!want.isEmpty)
      #expect(try String(contentsOfFile: dir + "/out/\(db)/\(t).csv", encoding: .utf8) == want, "\(db).\(t)")
    }
    let lost = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/expected/lost_spans.json"))) as! [[String: Any]]
    #expect((report["lost_spans"] as! [[String: Any]]).map { "\($0["start_hex"]!)-\($0["end_hex"]!)" }
            == lost.map { "\($0["start_key_hex"]!)-\($0["end_key_hex"]!)" })
    // Without a tenant, nothing is said of one.
    let without = try CLI.run(["recover"] + RecoverCLITests.stores(plain) + ["--out", plain + "/out", "--no-sqlite"])
    #expect(without.status == 2 && !(without.stdout + without.stderr).contains("Tenant"), "\(without.stdout)")
    #expect(((try Self.report(plain + "/out"))["unrecovered_tenants"] as? [Any])?.isEmpty == true)

    // Survey names it from the range descriptors (no keys read).
    let s = try CLI.run(["survey"] + stores)
    #expect(s.stdout.contains("tenant 5: a virtual cluster under /Tenant/5: 1 range(s) held by the surviving stores; its tables are not recovered"), "\(s.stdout)")

    // Sharded: finish reports it once, as one machine does.
    _ = try ShardCLITests.runShards(dir, n: 2, out: dir + "/sharded")
    let f = try CLI.run(["finish", dir + "/sharded", "--no-sqlite"])
    #expect(f.status == 2, "\(f.stderr)")
    let sharded = try Self.report(dir + "/sharded")
    #expect((sharded["unrecovered_tenants"] as? [[String: Any]])?.map { $0["keys"] as? Int } == [keys])
    #expect((sharded["problems"] as! [String]).filter { $0 == line }.count == 1)
  }
}
