import Foundation
import Testing
import SalvageTestSupport

/// `recover --disk-image IMG --use-obsolete` (docs/carving.md §5.1): the obsolete tables on a
/// dead disk (another node's tables, deleted but not overwritten) fill the span no replica
/// holds, and nothing else.
struct CarveObsoleteCLITests {
  static func lines(_ path: String) throws -> [String] {
    try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
  }

  static func userID(_ row: String) -> Int? { Int(row.prefix { $0 != "," }) }

  /// Seed 3 (23.2): with the survivors and n2's image, users [34, 71) has no replica (its
  /// replicas were on n1, n6, n7), but n2's free space holds those nodes' tables. Filled from
  /// them, the span holds exactly what those replicas held at their last flush (the rows a
  /// recovery from their directories without WALs gives); every other row is as without
  /// --use-obsolete, and a row deleted in the live state that those obsolete tables still
  /// hold does not come back.
  @Test func obsoleteTablesFillOnlyTheLostSpan() throws {
    let dir = try Simulator.makeCluster(seed: 3, version: "23.2")
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try Simulator.run("make_dead_disks.py", [dir, "--obsolete"])
    let survivors = try RecoverCLITests.stores(dir)
    let img = dir + "/disks/n2.img"
    let before = try Data(contentsOf: URL(fileURLWithPath: img))

    let a = try CLI.run(["recover"] + survivors + ["--disk-image", img, "--out", dir + "/a", "--quiet"])
    #expect(a.status == 2)
    let lost = try #require(CarveCLITests.report(dir + "/a")["lost_spans"] as? [[String: Any]])
    #expect(lost.map { $0["span"] as? String } == ["[/Table/53/1/34, /Table/53/1/71)"])

    let c = try CLI.run(["recover"] + survivors + ["--disk-image", img, "--use-obsolete", "--out", dir + "/c"])
    #expect(c.status == 2, "\(c.stderr)")   // best effort: the span is still reported lost
    #expect(try Data(contentsOf: URL(fileURLWithPath: img)) == before)
    #expect(c.stdout.contains("of which 8 rows from obsolete carved tables in 1 lost span (best effort"), "\(c.stdout)")
    let rc = try CarveCLITests.report(dir + "/c")
    let filled = try #require(rc["filled_spans"] as? [[String: Any]])
    #expect(filled.count == 1)
    #expect(filled.first?["from"] as? String == "obsolete carved table")
    #expect(filled.first?["span"] as? String == "[/Table/53/1/34, /Table/53/1/71)")
    #expect(filled.first?["rows"] as? Int == 8)
    // The files named are obsolete tables of the image, at the offsets the carve found them.
    let files = try #require(filled.first?["files"] as? [[String: Any]])
    #expect(!files.isEmpty && files.allSatisfy { $0["image"] as? String == img && $0["kind"] as? String == "table" })
    #expect(try CLI.run(["carve", img, "--out", dir + "/carved", "--quiet"]).status == 0)
    let plan = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/carved/carve.json"))) as! [String: Any]
    let obsoleteOffsets = Set((plan["files"] as! [[String: Any]]).filter { $0["status"] as? String == "obsolete" }
      .map { ($0["file"] as! [String: Any])["offset"] as! Int })
    #expect(files.allSatisfy { obsoleteOffsets.contains($0["offset"] as! Int) })
    let users = try #require((rc["tables"] as? [[String: Any]])?.first { $0["table"] as? String == "game.public.users" })
    #expect(users["obsolete_rows"] as? Int == 8)
    let keys = try Self.lines(dir + "/c/game/users.from-obsolete.keys")
    #expect(keys.count == 8 && keys.allSatisfy { $0.contains("/Table/53/1/") })

    // The filled span: what the lost replicas' tables held (their directories without WALs).
    let nowal = dir + "/nowal"
    for n in ["n1", "n6", "n7"] {
      try FileManager.default.copyItem(atPath: dir + "/destroyed/" + n, toPath: nowal + "/" + n)
      try FileManager.default.removeItem(atPath: nowal + "/\(n)/000008.log")
    }
    _ = try CLI.run(["recover"] + survivors + [dir + "/destroyed/n2"] + ["n1", "n6", "n7"].map { nowal + "/" + $0 }
                    + ["--out", dir + "/d", "--quiet"])
    let inSpan = { (r: String) in Self.userID(r).map { (34..<71).contains($0) } ?? false }
    let cUsers = try Self.lines(dir + "/c/game/users.csv"), dUsers = try Self.lines(dir + "/d/game/users.csv")
    let aUsers = try Self.lines(dir + "/a/game/users.csv")
    #expect(cUsers.filter(inSpan) == dUsers.filter(inSpan))
    #expect(cUsers.filter(inSpan).count == 8)
    // Everything else as without --use-obsolete.
    #expect(cUsers.filter { !inSpan($0) } == aUsers)
    for (db, t) in RecoverCLITests.tables where t != "users" {
      #expect(try Self.lines(dir + "/c/\(db)/\(t).csv") == Self.lines(dir + "/a/\(db)/\(t).csv"), "\(t)")
    }

    // No resurrection: rows the obsolete tables hold outside the lost span that the live state
    // deleted (the truth: a recovery from every destroyed store) stay deleted.
    _ = try CLI.run(["recover", dir + "/c/.salvage-carved/obsolete", "--out", dir + "/o", "--quiet"])
    _ = try CLI.run(["recover"] + survivors + (try FileManager.default.contentsOfDirectory(atPath: dir + "/destroyed").map { dir + "/destroyed/" + $0 })
                    + ["--out", dir + "/b", "--quiet"])
    let truth = try Self.lines(dir + "/b/game/users.csv")
    let truthIDs = Set(truth.compactMap(Self.userID))
    let deletedButObsolete = try Self.lines(dir + "/o/game/users.csv").filter { r in
      guard let id = Self.userID(r) else { return false }
      return !inSpan(r) && !truthIDs.contains(id)
    }
    #expect(!deletedButObsolete.isEmpty)
    #expect(deletedButObsolete.allSatisfy { r in !cUsers.contains { Self.userID($0) == Self.userID(r) } })
    #expect(cUsers.filter { !inSpan($0) } == truth.filter { !inSpan($0) })
  }

  /// Without --disk-image there is nothing obsolete to use.
  @Test func useObsoleteNeedsDiskImages() throws {
    let r = try CLI.run(["recover", "/nonexistent", "--use-obsolete", "--out", NSTemporaryDirectory() + "salvage-x-\(UUID().uuidString)"])
    #expect(r.status != 0 && r.stderr.contains("--use-obsolete needs --disk-image"), "\(r.stderr)")
  }
}

extension CarveObsoleteCLITests {
  /// An obsolete WAL may hold any key, so the lost span is read from the obsolete files; when
  /// they hold nothing of it (here a WAL of another store, deleted on n2's disk) the span is
  /// still lost: listed under the table, no filled span, no summary line about obsolete rows.
  @Test func obsoleteDataWithNothingOfTheSpanLeavesItLost() throws {
    let dir = try Simulator.makeCluster(seed: 3, version: "23.2")
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let stage = dir + "/stage"
    try FileManager.default.copyItem(atPath: dir + "/destroyed/n2", toPath: stage)
    try FileManager.default.copyItem(atPath: Fixtures.path("pebble-gen/store/000005.log"), toPath: stage + "/000900.log")
    let img = try CarveCLITests.deadDisk(stage, deleting: ["000900.log"])
    defer { try? FileManager.default.removeItem(atPath: img) }
    let survivors = try RecoverCLITests.stores(dir)
    let c = try CLI.run(["recover"] + survivors + ["--disk-image", img, "--use-obsolete", "--out", dir + "/c"])
    #expect(c.status == 2, "\(c.stderr)")
    #expect(c.stderr.contains("WALs: 1 live, 1 obsolete"), "\(c.stderr)")
    #expect(!c.stdout.contains("obsolete carved tables"), "\(c.stdout)")
    let rc = try CarveCLITests.report(dir + "/c")
    #expect((rc["filled_spans"] as? [Any])?.isEmpty ?? true)
    let users = try #require((rc["tables"] as? [[String: Any]])?.first { $0["table"] as? String == "game.public.users" })
    #expect(users["lost_spans"] as? [String] == ["[/Table/53/1/34, /Table/53/1/71)"])
    #expect(users["obsolete_rows"] as? Int == 0)
  }
}

extension CarveObsoleteCLITests {
  /// n2's image with the index, meta blocks and footer of every obsolete table zeroed (their
  /// tails overwritten): no obsolete table is found and users [34, 71) stays lost with
  /// --use-obsolete alone; with --loose-blocks their data blocks (several tables' in one run
  /// of pages, split into one table per ascending run) fill it with the same rows as the
  /// intact obsolete tables do.
  @Test func looseBlocksFillTheLostSpanLikeTheirTables() throws {
    let dir = try Simulator.makeCluster(seed: 3, version: "23.2")
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try Simulator.run("make_dead_disks.py", [dir, "--obsolete"])
    let survivors = try RecoverCLITests.stores(dir)
    let img = dir + "/disks/n2.img"
    #expect(try CLI.run(["carve", img, "--out", dir + "/carved", "--quiet"]).status == 0)
    let plan = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/carved/carve.json"))) as! [String: Any]
    var bytes = try Data(contentsOf: URL(fileURLWithPath: img))
    var cut = 0
    for p in plan["files"] as! [[String: Any]] where p["status"] as? String == "obsolete" {
      let f = p["file"] as! [String: Any]
      guard f["kind"] as? String == "table" else { continue }
      let layout = try CLI.run(["sst", "layout", dir + "/carved/" + (p["name"] as! String)]).stdout
      let index = try #require(layout.split(separator: "\n").first { $0.split(separator: " ").dropFirst(2).first == "index" })
      let at = try #require(Int(index.split(separator: " ")[0]))
      let (offset, length) = (f["offset"] as! Int, f["length"] as! Int)
      bytes.replaceSubrange((offset + at)..<(offset + length), with: Data(count: length - at))
      cut += 1
    }
    #expect(cut == 6)
    let cutImg = dir + "/disks/n2-cut.img"
    try bytes.write(to: URL(fileURLWithPath: cutImg))
    let before = bytes

    let a = try CLI.run(["recover"] + survivors + ["--disk-image", cutImg, "--use-obsolete", "--out", dir + "/a", "--quiet"])
    #expect(a.status == 2)
    #expect(a.stdout.contains("game.public.users            15 rows, LOST: [/Table/53/1/34, /Table/53/1/71)"), "\(a.stdout)")
    let l = try CLI.run(["recover"] + survivors + ["--disk-image", cutImg, "--use-obsolete", "--loose-blocks", "--out", dir + "/l"])
    #expect(l.status == 2, "\(l.stderr)")
    #expect(l.stderr.contains("loose data blocks outside any table: 51 block(s)"), "\(l.stderr)")
    #expect(l.stdout.contains("of which 8 rows from obsolete carved tables in 1 lost span"), "\(l.stdout)")
    let filled = try #require(CarveCLITests.report(dir + "/l")["filled_spans"] as? [[String: Any]])
    #expect(filled.count == 1)
    let files = try #require(filled.first?["files"] as? [[String: Any]])
    #expect(!files.isEmpty && files.allSatisfy { $0["kind"] as? String == "loose data blocks" })
    let c = try CLI.run(["recover"] + survivors + ["--disk-image", img, "--use-obsolete", "--out", dir + "/c", "--quiet"])
    #expect(c.status == 2)
    for (db, t) in RecoverCLITests.tables {
      #expect(try Self.lines(dir + "/l/\(db)/\(t).csv") == Self.lines(dir + "/c/\(db)/\(t).csv"), "\(t)")
    }
    #expect(try Data(contentsOf: URL(fileURLWithPath: cutImg)) == before)
  }
}
