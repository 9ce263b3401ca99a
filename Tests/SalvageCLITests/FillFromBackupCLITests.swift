import Foundation
import Testing
import SalvageTestSupport

/// `salvage recover --fill-from BACKUP` (issue 19): the spans no replica holds come from a
/// backup of the cluster (contrib/simulator/make_backup.py, each layout it writes), marked
/// in report.json, in `<table>.from-backup.keys` and in the summary; nothing else changes.
struct FillFromBackupCLITests {
  static func lines(_ path: String) throws -> Set<String> {
    Set(try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init))
  }

  /// First primary-key column bounds of a pretty span over one table's primary index
  /// (`[/Table/54/1, /Table/54/1/4)`: ..<4; `[/Table/53/1/70, /Table/53/2)`: 70...).
  static func bounds(_ span: String) -> (lo: Int?, hi: Int?) {
    let ends = span.dropFirst().dropLast().components(separatedBy: ", ")
    func key(_ s: String) -> Int? {
      let p = s.split(separator: "/")   // Table, id, index, [first column]
      return p.count >= 4 && p[2] == "1" ? Int(p[3]) : nil
    }
    return (key(ends[0]), key(ends[1]))
  }

  /// 23.2: Pebble data files with elided table prefixes and range tombstones (BackupLayoutTests).
  @Test(arguments: [("plain", "19.1"), ("collection", "19.1"), ("revision", "19.1"), ("locality", "19.1"), ("slim", "19.1"),
                    ("collection", "23.2"), ("revision", "23.2")])
  func lostSpansAreFilledWithTheBackupsRows(_ layout: String, _ version: String) throws {
    let dir = try Simulator.makeCluster(seed: 42, version: version)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try Simulator.run("make_backup.py", [dir, "--seed", "42", "--version", version, "--layout", layout])
    let stores = try RecoverCLITests.stores(dir)
    let backup = [dir + "/backup"] + (layout == "locality" ? [dir + "/backup-east"] : [])
    let plain = try CLI.run(["recover"] + stores + ["--out", dir + "/plain", "--no-sqlite"])
    let filled = try CLI.run(["recover"] + stores + ["--out", dir + "/filled", "--no-sqlite", "--fill-from"] + backup)
    #expect(plain.status == 2 && filled.status == 2, "\(filled.stderr)")   // the spans are still lost on every replica
    let before = try ShardCLITests.json(dir + "/plain/report.json"), after = try ShardCLITests.json(dir + "/filled/report.json")
    let tablesBefore = before["tables"] as! [[String: Any]], tablesAfter = after["tables"] as! [[String: Any]]
    let spans = after["filled_spans"] as! [[String: Any]]
    #expect(after["backup_end_time"] is String)
    var filledTables = 0
    for (b, a) in zip(tablesBefore, tablesAfter) {
      let name = a["table"] as! String
      let lost = b["lost_spans"] as! [String]
      let mine = spans.filter { $0["table"] as? String == name }
      // The lost-span report shrinks by exactly the filled spans.
      #expect(mine.map { $0["span"] as! String } == lost, "\(name)")
      #expect((a["lost_spans"] as! [String]).isEmpty, "\(name)")
      #expect(mine.allSatisfy { $0["lost"] as? Bool == true })
      guard !lost.isEmpty else {
        #expect(a["filled_rows"] as? Int == 0 && a["rows"] as? Int == b["rows"] as? Int)
        continue
      }
      filledTables += 1
      // The filled rows are the backup's (= the rows before the disaster) inside the spans.
      let short = name.split(separator: ".").last!
      let file = (name.hasPrefix("shop.") ? "shop/" : "game/") + short + ".csv"
      let added = try Self.lines(dir + "/filled/" + file).subtracting(Self.lines(dir + "/plain/" + file))
      let truth = try Self.lines(dir + "/expected/all_rows_before_disaster/\(short).csv").map(RecoverCLITests.normalized)
      let wanted = Set(truth.filter { row in
        let first = Int(row.split(separator: ",")[0])!
        return mine.contains { s in
          let (lo, hi) = Self.bounds(s["span"] as! String)
          return (lo.map { first >= $0 } ?? true) && (hi.map { first < $0 } ?? true)
        }
      })
      #expect(!wanted.isEmpty && added == wanted, "\(name): \(added.symmetricDifference(wanted).sorted().prefix(4))")
      #expect(a["filled_rows"] as? Int == wanted.count && mine.reduce(0) { $0 + ($1["rows"] as! Int) } == wanted.count)
      #expect(a["rows"] as? Int == (b["rows"] as! Int) + wanted.count)
      let keys = try String(contentsOfFile: dir + "/filled/" + file.dropLast(4) + ".from-backup.keys", encoding: .utf8)
        .split(separator: "\n")
      #expect(keys.count == wanted.count && keys.allSatisfy { $0.contains("\t/Table/") })
      #expect(filled.stdout.contains("of which \(wanted.count) rows from the backup of"), "\(filled.stdout)")
    }
    #expect(filledTables == 2)
  }

  /// `--tables-from-backup` takes a whole table from the backup (its spans are not lost:
  /// marked so), and nothing comes from a backup without `--fill-from`.
  @Test func wholeTablesComeFromTheBackupOnlyWhenAsked() throws {
    let dir = try RecoverCLITests.makeCluster(seed: 42)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try Simulator.run("make_backup.py", [dir, "--seed", "42"])
    let stores = try RecoverCLITests.stores(dir)
    let r = try CLI.run(["recover"] + stores + ["--out", dir + "/out", "--no-sqlite", "--fill-from", dir + "/backup",
                                                "--tables-from-backup", "shop.items"])
    #expect(r.status == 2, "\(r.stderr)")
    let items = try Self.lines(dir + "/out/shop/items.csv")
    let truth = Set(try Self.lines(dir + "/expected/all_rows_before_disaster/items.csv").map(RecoverCLITests.normalized))
    #expect(items.count > 10 && items == truth)
    let report = try ShardCLITests.json(dir + "/out/report.json")
    let spans = (report["filled_spans"] as! [[String: Any]]).filter { $0["table"] as? String == "shop.public.items" }
    #expect(!spans.isEmpty && spans.allSatisfy { $0["lost"] as? Bool == false })
    #expect(r.stdout.contains("taken whole (--tables-from-backup)"))
    let refused = try CLI.run(["recover"] + stores + ["--out", dir + "/x", "--tables-from-backup", "shop.items"])
    #expect(refused.status != 0 && refused.stderr.contains("--tables-from-backup needs --fill-from"))
    let plain = try CLI.run(["recover"] + stores + ["--out", dir + "/plain", "--no-sqlite"])
    #expect(plain.status == 2)
    #expect(try ShardCLITests.json(dir + "/plain/report.json")["filled_spans"] == nil)
    #expect(!FileManager.default.fileExists(atPath: dir + "/plain/game/events.from-backup.keys"))
  }
}
