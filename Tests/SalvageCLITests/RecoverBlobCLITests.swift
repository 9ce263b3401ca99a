import Foundation
import Testing
import SalvageTestSupport

/// `salvage recover --jobs 4` on simulated CockroachDB 25.4 clusters (contrib/simulator
/// `--version 25.4`: Pebblev7 columnar tables whose large values live in blob files) gives
/// the same output on every run and exactly the simulator's ground truth (issue 14, defect 1:
/// worker threads shared one blob resolver and crashed).
struct RecoverBlobCLITests {
  /// Every row of every table, in rowid order; salvage_meta without its `exported_at` time.
  static let sqliteDump = """
    import sqlite3, sys
    c = sqlite3.connect(sys.argv[1])
    for (t,) in c.execute("select name from sqlite_master where type = 'table' order by name"):
        cols = [r[1] for r in c.execute('pragma table_info("%s")' % t) if r[1] != "exported_at"]
        q = 'select %s from "%s" order by rowid' % (", ".join('"%s"' % x for x in cols), t)
        for row in c.execute(q):
            print(t, repr(row))
    """

  /// Every file under `dir` (relative path → bytes): report.json without its `seconds`,
  /// salvage.sqlite as the rows it holds.
  static func outputFiles(_ dir: String) throws -> [String: Data] {
    var files: [String: Data] = [:]
    let e = FileManager.default.enumerator(atPath: dir)!
    while let rel = e.nextObject() as? String {
      var isDir: ObjCBool = false
      guard FileManager.default.fileExists(atPath: dir + "/" + rel, isDirectory: &isDir), !isDir.boolValue else { continue }
      var data = try Data(contentsOf: URL(fileURLWithPath: dir + "/" + rel))
      if rel == "salvage.sqlite" {
        // The file's pages depend on timing; its rows must not (salvage_meta.exported_at apart).
        data = Data(try RecoverCLITests.python(Self.sqliteDump, dir + "/" + rel).utf8)
        #expect(data.count > 1000)
      }
      if rel == "report.json" {
        var report = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        #expect(report.removeValue(forKey: "seconds") != nil)
        data = try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys])
      }
      if rel == "report.html" {
        // report.json's text: the run's seconds apart.
        let page = String(decoding: data, as: UTF8.self)
        let seconds = #/<div class="card" data-card="Seconds"><div class="value">[0-9.]+</div>/#
        #expect(page.contains(seconds))
        data = Data(page.replacing(seconds, with: "").utf8)
      }
      files[rel] = data
    }
    return files
  }

  /// Before every iterator owned its blob resolver such runs crashed now and then (timing:
  /// seed 7 `mid`, ~3 500 rows, in 1 of 17 runs here; a medium cluster in 6 of 6). The race
  /// itself is caught by the concurrent LSMStore/Recovery tests and by scripts/tsan.sh, which
  /// runs this test under ThreadSanitizer. Seed 42 at `small` adds a second history.
  @Test(arguments: [(7, "mid"), (42, "small")])
  func parallelRecoveryIsStableAndEqualsGroundTruth(_ seed: Int, _ scale: String) throws {
    let dir = try Simulator.makeCluster(seed: seed, version: "25.4", extraArgs: ["--scale", scale])
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let stores = try RecoverCLITests.stores(dir)
    #expect(stores.count == 3)
    for s in stores {
      let blobs = try FileManager.default.contentsOfDirectory(atPath: s).filter { $0.hasSuffix(".blob") }
      #expect(blobs.count >= 2, "\(s) has blob files \(blobs)")
    }

    var first: [String: Data]?
    for run in 1...4 {
      let out = dir + "/recovered-\(run)"
      let r = try CLI.run(["recover"] + stores + ["--out", out, "--jobs", "4"])
      #expect(r.status == 2, "run \(run): \(r.stderr)")   // spans were lost with the destroyed disks
      let files = try Self.outputFiles(out)
      #expect(files["game/events.csv"] != nil && files["shop/items.csv"] != nil)
      if let first {
        #expect(files.keys.sorted() == first.keys.sorted(), "run \(run)")
        for (name, data) in first where files[name] != data {
          Issue.record("run \(run): \(name) differs from run 1")
        }
      } else {
        first = files
      }
    }

    let out = dir + "/recovered-1"
    for (db, table) in RecoverCLITests.tables {
      let want = try String(contentsOfFile: dir + "/expected/\(table).csv", encoding: .utf8)
      let got = try String(contentsOfFile: out + "/\(db)/\(table).csv", encoding: .utf8)
      #expect(got == RecoverCLITests.normalized(want), "\(table).csv differs from the ground truth")
    }
    // Values of 300-2000 bytes (separated into blob files: the threshold is 256) are in the
    // output: BYTES bodies (hex, so > 600 characters) and JSONB states with a long journal.
    let events = try String(contentsOfFile: out + "/game/events.csv", encoding: .utf8)
    let longBodies = events.split(separator: "\n").filter { $0.split(separator: ",").contains { $0.count > 600 } }
    #expect(longBodies.count >= 15, "\(longBodies.count) events with a blob-sized body")
    let snapshots = try String(contentsOfFile: out + "/game/snapshots.csv", encoding: .utf8)
    #expect(snapshots.split(separator: "\n").filter { $0.count > 600 }.count >= 5)
  }
}
