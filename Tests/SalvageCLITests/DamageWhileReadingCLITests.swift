import Foundation
import Testing
import SalvageTestSupport

/// Damaged blocks are found by the chunks that read them (blocks are checked as they are
/// read), so what a chunk found must outlive the run that read it: a resumed run does not read
/// those chunks again, and the shards of a sharded run each find their own.
struct DamageWhileReadingCLITests {
  @Test func resumedAndShardedRunsReportTheSameDamage() throws {
    let dir = try Simulator.makeCluster(seed: 7, version: "23.2", extraArgs: ["--damage", "2"])
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let stores = try RecoverCLITests.stores(dir)
    let one = try CLI.run(["recover"] + stores + ["--out", dir + "/one"] + ShardCLITests.oneMachine)
    #expect(one.status == 2, "\(one.stderr)")
    let report = try ShardCLITests.json(dir + "/one/report.json")
    #expect((report["damaged_spans"] as! [Any]).count == 2)

    // Two chunks per run until one finishes: every later run reuses what the earlier read.
    var runs = 0
    var last: (status: Int32, stdout: String, stderr: String)
    repeat {
      runs += 1
      last = try CLI.run(["recover"] + stores + ["--out", dir + "/resumed"] + ShardCLITests.oneMachine, environment: [ResumeCLITests.stop: "2"])
    } while last.status == 1 && runs < 100
    #expect(last.status == 2 && runs > 2, "\(runs) runs: \(last.stderr)")
    try ShardCLITests.expectSameOutput(dir + "/one", dir + "/resumed")

    try ShardCLITests.runShards(dir, n: 3, out: dir + "/sharded")
    let f = try CLI.run(["finish", dir + "/sharded"])
    #expect(f.status == 2, "\(f.stderr)")
    try ShardCLITests.expectSameOutput(dir + "/one", dir + "/sharded")
  }
}
