import Foundation
import Testing
import SalvageTestSupport

/// Dead disks whose largest table lies in two extents (make_dead_disks.py --split-table):
/// the carver finds the moved blocks and the recovery is as from the stores themselves.
struct CarveSplitCLITests {
  @Test func splitTablesAreReassembled() throws {
    let dir = try Simulator.makeCluster(seed: 3, version: "23.2")
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try Simulator.run("make_dead_disks.py", [dir, "--split-table"])
    let survivors = try RecoverCLITests.stores(dir)
    let destroyed = try FileManager.default.contentsOfDirectory(atPath: dir + "/destroyed").sorted()
    let images = destroyed.map { dir + "/disks/\($0).img" }
    let before = try images.map { try Data(contentsOf: URL(fileURLWithPath: $0)) }

    let b = try CLI.run(["recover"] + survivors + destroyed.map { dir + "/destroyed/" + $0 } + ["--out", dir + "/b", "--quiet"])
    #expect(b.status == 0, "\(b.stderr)")
    let c = try CLI.run(["recover"] + survivors + ["--disk-image"] + images + ["--out", dir + "/c"])
    #expect(c.status == 0, "\(c.stderr)")
    #expect(try CarveCLITests.csvs(dir + "/c") == CarveCLITests.csvs(dir + "/b"))
    // n1 and n6 have a table of 3 or more 4 KiB blocks: split, found, carved whole.
    #expect(c.stderr.components(separatedBy: "1 table(s) reassembled from pieces across the image").count - 1 == 2, "\(c.stderr)")
    let carved = try #require(CarveCLITests.report(dir + "/c")["carved"] as? [[String: Any]])
    #expect(carved.allSatisfy { ($0["live_tables_missing"] as? [Any])?.isEmpty == true && $0["unconfirmed_footers"] as? Int == 0 })
    for (i, s) in destroyed.enumerated() where s == "n1" || s == "n6" {
      #expect(try Data(contentsOf: URL(fileURLWithPath: dir + "/c/.salvage-carved/\(i)/000005.sst"))
              == Data(contentsOf: URL(fileURLWithPath: dir + "/destroyed/\(s)/000005.sst")), "\(s)")
    }
    #expect(try images.map { try Data(contentsOf: URL(fileURLWithPath: $0)) } == before)
  }
}
