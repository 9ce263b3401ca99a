import Foundation
import Testing
import SalvageTestSupport

/// `salvage recover --disk-image` on a simulated dead cluster whose four destroyed stores are
/// ext4 images with their first 4 MiB zeroed (the 2021 ballast): the ranges whose only
/// replicas were there come back exactly as from the stores themselves.
struct CarveCLITests {
  /// An ext4 image of `store` (mke2fs -d), the files in `deleting` then removed with debugfs
  /// (their bytes stay in free space), first `ballast` bytes then zeroed.
  static func deadDisk(_ store: String, deleting: [String] = [], ballast: Int = 4 << 20) throws -> String {
    let img = NSTemporaryDirectory() + "salvage-disk-\(UUID().uuidString).img"
    #expect(FileManager.default.createFile(atPath: img, contents: nil))
    let h = try FileHandle(forWritingTo: URL(fileURLWithPath: img))
    try h.truncate(atOffset: 16 << 20)
    try h.close()
    let (rc, _, err) = try runProgram("/usr/sbin/mke2fs", ["-q", "-F", "-t", "ext4", "-b", "4096", "-d", store, img])
    #expect(rc == 0, "mke2fs: \(err)")
    for name in deleting {
      let (rc, _, err) = try runProgram("/usr/sbin/debugfs", ["-w", "-R", "rm " + name, img])
      #expect(rc == 0 && !err.contains("File not found"), "debugfs: \(err)")
    }
    let w = try FileHandle(forWritingTo: URL(fileURLWithPath: img))
    try w.write(contentsOf: Data(count: ballast))
    try w.close()
    return img
  }

  static func csvs(_ out: String) throws -> [String] {
    try RecoverCLITests.tables.map { db, t in try String(contentsOfFile: out + "/\(db)/\(t).csv", encoding: .utf8) }
  }

  static func report(_ out: String) throws -> [String: Any] {
    try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/report.json"))) as! [String: Any]
  }

  @Test(arguments: ["19.1", "23.2"])
  func destroyedStoresFromDiskImages(_ version: String) throws {
    let dir = try Simulator.makeCluster(seed: 3, version: version)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let survivors = try RecoverCLITests.stores(dir)
    let destroyed = try FileManager.default.contentsOfDirectory(atPath: dir + "/destroyed").sorted().map { dir + "/destroyed/" + $0 }
    // contrib/simulator/make_dead_disks.py: ext4 images, first 4 MiB zeroed, and the other
    // destroyed stores' tables deleted in each image's free space (obsolete: never used).
    try Simulator.run("make_dead_disks.py", [dir, "--obsolete"])
    let images = destroyed.map { dir + "/disks/" + ($0 as NSString).lastPathComponent + ".img" }
    let before = try images.map { try Data(contentsOf: URL(fileURLWithPath: $0)) }

    // Survivors alone lose ranges; with the destroyed stores' directories nothing is lost.
    let a = try CLI.run(["recover"] + survivors + ["--out", dir + "/a", "--quiet"])
    #expect(a.status == 2, "\(a.stderr)")
    let lostWithout = (try Self.report(dir + "/a")["lost_spans"] as! [Any]).count
    #expect(lostWithout > 0)
    let b = try CLI.run(["recover"] + survivors + destroyed + ["--out", dir + "/b", "--quiet"])
    #expect(b.status == 0, "\(b.stderr)")

    let c = try CLI.run(["recover"] + survivors + ["--disk-image"] + images + ["--out", dir + "/c"])
    #expect(c.status == 0, "\(c.stderr)")
    #expect(try Self.csvs(dir + "/c") == Self.csvs(dir + "/b"))
    #expect(try Self.csvs(dir + "/c") != Self.csvs(dir + "/a"))
    let rc = try Self.report(dir + "/c")
    #expect((rc["lost_spans"] as! [Any]).isEmpty)
    let carved = try #require(rc["carved"] as? [[String: Any]])
    #expect(carved.count == 4)
    #expect(carved.allSatisfy { ($0["manifest_found"] as? Bool) == true && ($0["live_tables_missing"] as? [Any])?.isEmpty == true })
    #expect(carved.allSatisfy { ($0["tables_live"] as? Int ?? 0) > 0 })
    // Each image's free space holds the other three destroyed stores' tables: found, kept apart.
    let tablesPerStore = try destroyed.map { try FileManager.default.contentsOfDirectory(atPath: $0).filter { $0.hasSuffix(".sst") }.count }
    let total = tablesPerStore.reduce(0, +)
    #expect(carved.map { $0["tables_obsolete"] as? Int } == tablesPerStore.map { total - $0 })
    // Ranges lost without the images are read from them.
    #expect(carved.map { ($0["spans"] as! [Any]).count }.reduce(0, +) >= lostWithout)
    #expect(c.stderr.contains("salvage: carved "))
    #expect(c.stdout.contains("range(s) read from it (report.json: carved)"), "\(c.stdout)")
    #expect(try images.map { try Data(contentsOf: URL(fileURLWithPath: $0)) } == before)
  }

  /// `salvage carve` writes a directory that `salvage store` reads; exit 0 when every live table was found.
  @Test func carveWritesAStore() throws {
    let dir = try Simulator.makeCluster(seed: 7)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let store = try FileManager.default.contentsOfDirectory(atPath: dir + "/destroyed").sorted().map { dir + "/destroyed/" + $0 }[0]
    let img = try Self.deadDisk(store)
    defer { try? FileManager.default.removeItem(atPath: img) }
    let r = try CLI.run(["carve", img, "--out", dir + "/carved", "--quiet"])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout.contains("tables: 2 live, 0 obsolete"), "\(r.stdout)")
    #expect(r.stdout.contains("0 not found"))
    let original = try CLI.run(["store", "scan", store])
    let carved = try CLI.run(["store", "scan", dir + "/carved"])
    #expect(original.status == 0)
    #expect(carved.stdout == original.stdout)
    #expect(carved.stdout.count > 1000)
    // An output directory that is not empty is refused (nothing mixed into an existing store).
    let again = try CLI.run(["carve", img, "--out", dir + "/carved", "--quiet"])
    #expect(again.status != 0 && again.stderr.contains("is not empty"), "\(again.stderr)")
  }
}
