import Foundation
import Testing
import SalvageTestSupport

/// Issue 14 ("Trustworthy on real stores"), items 2–6, end to end: missing live WALs, the
/// wal_dir false alarm, one exit status rule, `--as-of` spellings, CSV sources, messages.
struct HonestCLITests {
  /// A copy of a fixture store without `without`.
  static func copy(_ fixture: String, without: Set<String> = []) throws -> String {
    let dst = try makeTempDir("honest")
    for name in try FileManager.default.contentsOfDirectory(atPath: Fixtures.path(fixture)) where !without.contains(name) {
      try FileManager.default.copyItem(atPath: Fixtures.path(fixture) + "/" + name, toPath: dst + "/" + name)
    }
    return dst
  }

  static func logs(_ dir: String) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".log") }.sorted()
  }

  /// Sets `wal_dir` in the newest OPTIONS file, as CockroachDB did (the store's own
  /// original absolute path, which a copied store no longer has).
  static func setWalDir(_ dir: String, _ walDir: String) throws {
    let name = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix("OPTIONS-") }.sorted().last!
    let text = try String(contentsOfFile: dir + "/" + name, encoding: .utf8)
    let patched = text.replacingOccurrences(of: "[DBOptions]\n", with: "[DBOptions]\n  wal_dir=\(walDir)\n")
    #expect(patched != text)
    try FileManager.default.removeItem(atPath: dir + "/" + name)
    try patched.write(toFile: dir + "/" + name, atomically: false, encoding: .utf8)
  }

  /// A CockroachDB-shaped RocksDB store (ldb) holding table 54's rows, with wal_dir set.
  static func walDirStore() throws -> String {
    var s = StoreSpec()
    s.put(Enc.unversioned(Enc.storeIdentKey), Enc.storeIdent(cluster: ClusterScenario.clusterID, node: 1, store: 1))
    s.put(Enc.mvcc(Enc.row(54, 1), wallSeconds: 10), Enc.intValue(1))
    s.put(Enc.mvcc(Enc.row(54, 2), wallSeconds: 20), Enc.intValue(2))
    let dir = try makeTempDir("waldir") + "/s1"
    try s.write(to: dir)
    try setWalDir(dir, "/mnt/data1/cockroach")
    return dir
  }

  @Test func storeInfoReportsMissingPebbleWAL() throws {
    let dir = try Self.copy("pebble-gen/store", without: ["000012.log"])
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let (out, err, status) = try runSalvage(["store", "info", "--format", "jsonl", dir])
    #expect(status == 2)
    let info = try JSONSerialization.jsonObject(with: Data(out.utf8)) as! [String: Any]
    #expect(info["live_wals"] as? [String] == [])
    #expect(info["missing"] as? [String] == ["000012.log"])
    #expect(err.contains("MANIFEST-000001 names 000012.log as the oldest WAL not yet flushed to a table, and it is not in the directory: the writes it held (made after the last flush) are lost"), "\(err)")
  }

  /// wal_dir naming the store's original path is normal: every command exits 0 and none
  /// warns; without the WAL every command says so and exits 2, naming wal_dir.
  @Test func walDirIsNoAlarmAndAMissingWALIsDamageEverywhere() throws {
    let dir = try Self.walDirStore()
    defer { try? FileManager.default.removeItem(atPath: (dir as NSString).deletingLastPathComponent) }
    #expect(try !Self.logs(dir).isEmpty)
    for args in [["kv", "scan", dir], ["store", "info", dir], ["store", "scan", dir], ["kv", "ranges", dir]] {
      let (_, err, status) = try runSalvage(args)
      #expect(!err.contains("wal_dir"), "\(args): \(err)")
      if args != ["kv", "ranges", dir] { #expect(status == 0, "\(args): \(err)") }
    }
    for l in try Self.logs(dir) { try FileManager.default.removeItem(atPath: dir + "/" + l) }
    for args in [["kv", "scan", dir], ["store", "info", dir], ["store", "scan", dir], ["kv", "ranges", dir]] {
      let (_, err, status) = try runSalvage(args)
      #expect(status == 2, "\(args): \(err)")
      #expect(err.contains("are lost") && err.contains("OPTIONS sets wal_dir=/mnt/data1/cockroach"), "\(args): \(err)")
    }
  }

  /// Every spelling of one instant gives the same view as the seconds form.
  @Test func asOfAcceptsRFC3339AndDecimal() throws {
    let dir = try Self.walDirStore()
    defer { try? FileManager.default.removeItem(atPath: (dir as NSString).deletingLastPathComponent) }
    let (want, _, s0) = try runSalvage(["kv", "scan", "--pretty", "--as-of", "15", dir])
    #expect(s0 == 0 && want.contains("/Table/54/1/1/0 @10.000000000,0 value INT 1") && !want.contains("/Table/54/1/2/0"))
    for ts in ["1970-01-01T00:00:15Z", "1970-01-01T00:00:15.000000000Z", "1970-01-01T01:00:15+01:00",
               "15000000000.0000000000", "15000000000"] {
      let (got, err, status) = try runSalvage(["kv", "scan", "--pretty", "--as-of", ts, dir])
      #expect(status == 0, "\(ts): \(err)")
      #expect(got == want, "\(ts)")
    }
  }

  /// recover on a whole cluster (nothing lost: exit 0) with one store's WAL removed: the
  /// summary and report.json name it, exit 2.
  @Test func recoverReportsMissingWAL() throws {
    let dir = try Simulator.makeCluster(seed: 7)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let all = try RecoverCLITests.stores(dir) + FileManager.default.contentsOfDirectory(atPath: dir + "/destroyed").sorted().map { dir + "/destroyed/" + $0 }
    let victim = all[0]
    let removed = try Self.logs(victim)
    #expect(!removed.isEmpty)
    for l in removed { try FileManager.default.removeItem(atPath: victim + "/" + l) }
    let r = try CLI.run(["recover"] + all + ["--out", dir + "/out", "--no-sqlite"])
    #expect(r.status == 2, "\(r.stderr)")
    #expect(r.stdout.contains("live WALs missing (the writes made after each store's last flush are lost):\n  \(victim): "), "\(r.stdout)")
    let report = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/out/report.json"))) as! [String: Any]
    let lost = report["lost_wals"] as! [[String: Any]]
    #expect(lost.count == 1 && lost[0]["store"] as? String == victim)
    #expect((lost[0]["meaning"] as? String ?? "").contains("are lost"))
    #expect(report["something_lost"] as? Bool == true)

    // schema: the empty databases are listed; a pattern matching nothing says so.
    let s = try CLI.run(["schema"] + all + ["--tables", "nomatch.*"])
    #expect(s.stdout.hasPrefix("no table matches nomatch.*\ndatabase defaultdb: no tables\ndatabase postgres: no tables\n"), "\(s.stdout)")
  }

  /// Terminal lists stop at 20 lines and say how many more there are and where.
  @Test func terminalListsAreCapped() throws {
    var s = StoreSpec()
    s.put(Enc.unversioned(Enc.storeIdentKey), Enc.storeIdent(cluster: ClusterScenario.clusterID, node: 1, store: 1))
    // 25 local keys whose last byte announces a version longer than the key: not engine keys.
    for i in 0..<25 { s.put([0x01, 0x7a, UInt8(i), 0x30], [0x00]) }
    let dir = try makeTempDir("capped") + "/s1"
    defer { try? FileManager.default.removeItem(atPath: (dir as NSString).deletingLastPathComponent) }
    try s.write(to: dir)
    let (_, err, status) = try runSalvage(["kv", "ranges", dir])
    #expect(status == 2)
    let lines = err.split(separator: "\n")
    #expect(lines.filter { $0.contains("is not a CockroachDB engine key") }.count == 20, "\(err)")
    #expect(lines.last == "salvage: … and 5 more problems (salvage recover lists them all in report.json)", "\(err)")
  }

  /// A table file that is a Git LFS pointer is named as such, not as "bad magic".
  @Test func gitLFSPointerTable() throws {
    let dir = try makeTempDir("lfs")
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let pointer = "version https://git-lfs.github.com/spec/v1\noid sha256:a0b62e14\nsize 4194304\n"
    try pointer.write(toFile: dir + "/000451.sst", atomically: false, encoding: .utf8)
    let (_, err, status) = try runSalvage(["sst", "scan", dir + "/000451.sst"])
    #expect(status == 1)
    #expect(err.contains("this is a Git LFS pointer file, not the file itself (sha256:a0b62e14, size 4194304 bytes): fetch the object (git lfs pull)"), "\(err)")
    #expect(!err.contains("bad magic"))
  }
}
