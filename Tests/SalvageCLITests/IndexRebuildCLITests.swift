import Foundation
import Recovery
import Testing
import SalvageTestSupport

/// Rows from the indexes (issue 18), on clusters whose lost spans hit primary ranges while
/// the index ranges survive (`make_dead_cluster.py --index-ranges`, both descriptor layouts):
/// game.events' only index (non-unique, DESC, STORING) covers every column, so its lost rows
/// are rebuilt whole; game.users' two (unique with NULLs; DESC composite DECIMAL STORING a column
/// of each family: one KV per family in the 23.2 layout) give all but `created`: partial rows.
struct IndexRebuildCLITests {
  static func records(_ path: String) throws -> [[String?]] {
    let r = try CSVRecordReader(path: path)
    var out: [[String?]] = []
    while let rec = try r.next() { out.append(rec) }
    return out
  }

  static func truth(_ dir: String) throws -> [String: Any] {
    try ShardCLITests.json(dir + "/expected/index_rebuild.json")
  }

  /// Columns of the ground truth's CSV (`expected/tables.json`).
  static func columns(_ dir: String, _ table: String) throws -> [String] {
    let data = try Data(contentsOf: URL(fileURLWithPath: dir + "/expected/tables.json"))
    let tables = try JSONSerialization.jsonObject(with: data) as! [[String: Any]]
    return tables.first { $0["table"] as? String == table }!["csv_columns"] as! [String]
  }

  static func lines(_ path: String) throws -> [String] {
    try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map { RecoverCLITests.normalized(String($0)) }
  }

  @Test(arguments: ["19.1", "23.2"])
  func rebuiltRowsEqualTheGroundTruth(_ descriptors: String) throws {
    let dir = try Simulator.makeCluster(seed: 42, descriptors: descriptors, extraArgs: ["--index-ranges"])
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let stores = try RecoverCLITests.stores(dir)
    let truth = try Self.truth(dir)
    let tables = truth["tables"] as! [String: [String: Any]]
    let eventsTruth = try Self.lines(dir + "/expected/index_rebuild/events.csv")
    #expect(eventsTruth.count == tables["game.events"]!["rows"] as? Int && eventsTruth.count > 10)

    // Without the flag the table's CSV holds the surviving rows only; the rebuilt full rows
    // are beside it, in events.partial.csv with every column known.
    let plain = try CLI.run(["recover"] + stores + ["--out", dir + "/plain", "--no-sqlite", "--check-indexes"])
    #expect(plain.status == 2, "\(plain.stderr)")
    let expectedEvents = try Self.lines(dir + "/expected/events.csv")
    #expect(try Self.lines(dir + "/plain/game/events.csv") == expectedEvents)
    let eventColumns = try Self.columns(dir, "events")
    let aside = try Self.records(dir + "/plain/game/events.partial.csv")
    #expect(aside.count == eventsTruth.count)
    #expect(aside.allSatisfy { $0.last == eventColumns.joined(separator: " ") })
    let suffix = ",\"" + eventColumns.joined(separator: " ") + "\""
    let asideLines = try String(contentsOfFile: dir + "/plain/game/events.partial.csv", encoding: .utf8).split(separator: "\n")
      .map { RecoverCLITests.normalized(String($0.dropLast(suffix.count))) }
    #expect(Set(asideLines) == Set(eventsTruth) && asideLines.count == eventsTruth.count)
    let plainStats = try ShardCLITests.json(dir + "/plain/report.json")["tables"] as! [[String: Any]]
    let plainEvents = plainStats.first { $0["table"] as? String == "game.public.events" }!
    #expect(plainEvents["rebuilt_rows"] as? Int == 0 && plainEvents["full_rows_aside"] as? Int == eventsTruth.count)
    #expect(plainEvents["rows"] as? Int == expectedEvents.count && plainEvents["partial_rows"] as? Int == 0)
    #expect(plain.stdout.contains("\(eventsTruth.count) rows rebuilt from indexes (events_kind_at_idx) are in events.partial.csv (not in the table: --rebuild-from-indexes puts full ones there)"), "\(plain.stdout)")

    // report.html shows them per table: rows in .partial.csv, of which full.
    let html = try String(contentsOfFile: dir + "/plain/report.html", encoding: .utf8)
    #expect(html.contains("Rebuilt into .partial.csv") && html.contains(">\(eventsTruth.count) (\(eventsTruth.count) full)<"))

    // --no-index-rebuild: the replicas only, no side files.
    let bare = try CLI.run(["recover"] + stores + ["--out", dir + "/bare", "--no-sqlite", "--no-index-rebuild"])
    #expect(bare.status == 2, "\(bare.stderr)")
    #expect(try Self.lines(dir + "/bare/game/events.csv") == expectedEvents)
    let files = try FileManager.default.contentsOfDirectory(atPath: dir + "/bare/game")
    #expect(!files.contains { $0.hasSuffix(".partial.csv") })
    #expect(!bare.stdout.contains("rebuilt from indexes"))

    // With it: the full rows join the table's CSV, in key order, counted and named.
    let r = try CLI.run(["recover"] + stores + ["--out", dir + "/out", "--rebuild-from-indexes", "--check-indexes-precise"])
    #expect(r.status == 2, "\(r.stderr)")
    let events = try Self.lines(dir + "/out/game/events.csv")
    #expect(Set(events) == Set(expectedEvents).union(eventsTruth), "\(Set(events).symmetricDifference(Set(expectedEvents).union(eventsTruth)).sorted().prefix(3))")
    #expect(events.count == expectedEvents.count + eventsTruth.count)
    #expect(!FileManager.default.fileExists(atPath: dir + "/out/game/events.partial.csv"))
    let report = try ShardCLITests.json(dir + "/out/report.json")
    let stats = Dictionary(uniqueKeysWithValues: (report["tables"] as! [[String: Any]]).map { ($0["table"] as! String, $0) })
    let ev = stats["game.public.events"]!, users = stats["game.public.users"]!
    #expect(ev["rebuilt_rows"] as? Int == eventsTruth.count)
    #expect(ev["rebuilt_from_indexes"] as? [String] == ["events_kind_at_idx"])
    #expect(r.stdout.contains("of which \(eventsTruth.count) rows rebuilt from indexes (events_kind_at_idx)"), "\(r.stdout)")
    // The SQLite copy holds them too (every row of every table's CSV).
    let total = stats.values.reduce(0) { $0 + ($1["rows"] as! Int) }
    #expect(r.stdout.contains("salvage.sqlite: \(total) rows loaded"), "\(r.stdout)")

    // game.users: partial rows, equal to the ground truth in the columns the indexes hold.
    let usersTruth = try Self.records(dir + "/expected/index_rebuild/users.csv")
    let cols = try Self.columns(dir, "users")
    let known = tables["game.users"]!["known_columns"] as! [String]
    #expect(known == ["id", "name", "email", "balance", "active"] && tables["game.users"]!["full"] as? Bool == false)
    let partial = try Self.records(dir + "/out/game/users.partial.csv")
    #expect(users["rebuilt_rows"] as? Int == 0 && users["partial_rows"] as? Int == usersTruth.count && !usersTruth.isEmpty)
    #expect(r.stdout.contains("\(usersTruth.count) rows rebuilt from indexes (users_balance_idx, users_email_key) are in users.partial.csv (not in the table: some of their columns are unknown)"), "\(r.stdout)")
    #expect(partial.count == usersTruth.count)
    // The cases worth covering are there: a NULL in an indexed column, a composite DECIMAL (1.50).
    #expect(usersTruth.contains { $0[2] == nil || $0[3] == nil })
    #expect(usersTruth.contains { $0[3]?.hasSuffix("0") == true })
    for (got, want) in zip(partial, usersTruth) {
      #expect(got.last == known.joined(separator: " "))
      for (i, c) in cols.enumerated() where known.contains(c) {
        #expect(got[i] == want[i], "\(c): \(got) vs \(want)")
      }
      for (i, c) in cols.enumerated() where !known.contains(c) { #expect(got[i] == nil) }   // unknown: \N
    }
    let importSQL = try String(contentsOfFile: dir + "/out/import.sql", encoding: .utf8)
    #expect(importSQL.contains("game/users.partial.csv: rows of lost spans rebuilt from secondary indexes"))
    #expect(!importSQL.contains("events.partial.csv"))

    // The cross-check finds exactly the planted mismatches: with --check-indexes-precise
    // (every table's precise pass), and with --check-indexes (digests differ → the precise pass for them).
    try Self.expectPlanted(truth, report)
    #expect(report["index_check"] as? String == "precise")
    let plainReport = try ShardCLITests.json(dir + "/plain/report.json")
    try Self.expectPlanted(truth, plainReport)
    #expect(plainReport["index_check"] as? String == "digest, precise where digests differ")
    let digests = plainReport["index_digests"] as! [[String: Any]]
    let plantedIndexes = Set((truth["mismatches"] as! [[String: Any]]).map { "\($0["index"]!)" })
    #expect(!digests.isEmpty && digests.allSatisfy { ($0["consistent"] as? Bool) == !plantedIndexes.contains($0["index"] as! String) },
            "\(digests)")
    #expect(plain.stdout.contains("index check: 4 row/index inconsistencies (digests of \(digests.count) indexes, then the precise pass where they differ)"), "\(plain.stdout)")
  }

  /// report.json's inconsistencies are exactly the simulator's planted mismatches.
  static func expectPlanted(_ truth: [String: Any], _ report: [String: Any]) throws {
    let planted = truth["mismatches"] as! [[String: Any]]
    let found = try #require(report["index_inconsistencies"] as? [[String: Any]])
    func key(_ m: [String: Any], _ kind: String) -> String {
      "\(m["table"]!) \(m["index"]!) \(m["primary_key_hex"]!) \(kind)"
    }
    let want = Set(planted.map { key($0, $0["kind"] as! String) })
    let got = Set(found.map { f in
      let what = f["what"] as! String
      return key(["table": (f["table"] as! String).replacingOccurrences(of: ".public.", with: "."), "index": f["index"]!,
                  "primary_key_hex": f["primary_key_hex"]!], String(what.prefix { $0 != ":" }))
    })
    #expect(planted.count == 4 && got == want, "\(got.symmetricDifference(want))")
    #expect(report["index_inconsistency_count"] as? Int == planted.count)
  }

  /// Indexes and rows that agree: the cross-check is empty (and says so).
  @Test func healthyClusterHasNoInconsistencies() throws {
    let dir = try Simulator.makeCluster(seed: 7, descriptors: "23.2", extraArgs: ["--index-ranges", "--no-planted-mismatches"])
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let r = try CLI.run(["recover"] + (try RecoverCLITests.stores(dir)) + ["--out", dir + "/out", "--no-sqlite", "--check-indexes-precise"])
    #expect(r.status == 2, "\(r.stderr)")
    let report = try ShardCLITests.json(dir + "/out/report.json")
    #expect(report["index_inconsistency_count"] as? Int == 0)
    #expect((report["index_inconsistencies"] as? [Any])?.isEmpty == true)
    #expect(r.stdout.contains("index check: every surviving row matches its index entries"))
    // --check-indexes: one digest per index, all equal, so no precise pass.
    let plain = try CLI.run(["recover"] + (try RecoverCLITests.stores(dir)) + ["--out", dir + "/plain", "--no-sqlite", "--check-indexes"])
    let d = try ShardCLITests.json(dir + "/plain/report.json")
    #expect(d["index_check"] as? String == "digest" && d["index_inconsistency_count"] as? Int == 0, "\(plain.stderr)")
    let digests = d["index_digests"] as! [[String: Any]]
    #expect(Set(digests.map { "\($0["table"]!) \($0["index"]!)" })
            == ["game.public.users users_email_key", "game.public.users users_balance_idx", "game.public.events events_kind_at_idx"])
    for x in digests {
      #expect(x["consistent"] as? Bool == true && (x["row_entries"] as! Int) > 0 && x["row_entries"] as? Int == x["index_entries"] as? Int, "\(x)")
    }
    #expect(plain.stdout.contains("index check: every surviving row matches its index entries (digests of 3 indexes)"), "\(plain.stdout)")
    // Unasked: nothing is checked, nothing claimed.
    _ = try CLI.run(["recover"] + (try RecoverCLITests.stores(dir)) + ["--out", dir + "/none", "--no-sqlite"])
    #expect(try ShardCLITests.json(dir + "/none/report.json")["index_inconsistencies"] == nil)
  }

  /// A resumed run restores what the chunks rebuilt from indexes counted (partial and full
  /// rows, indexes used) and the index check's row side, so its output equals a clean run's.
  @Test func resumedRunKeepsRebuiltRowsAndDigests() throws {
    let dir = try Simulator.makeCluster(seed: 42, extraArgs: ["--index-ranges"])
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let stores = try RecoverCLITests.stores(dir)
    #expect(try ResumeCLITests.recover(stores, dir + "/clean", ["--jobs", "1", "--check-indexes"]).status == 2)
    let clean = try ShardCLITests.json(dir + "/clean/report.json")
    let spans = try #require(clean["spans"] as? Int)
    // Stopped before its last span (a table without indexes), every rebuilt chunk is reused.
    #expect(try ResumeCLITests.recover(stores, dir + "/resumed", ["--jobs", "1", "--check-indexes"], stopAfter: spans - 1).status == 1)
    #expect(try ResumeCLITests.recover(stores, dir + "/resumed", ["--jobs", "1", "--check-indexes"]).status == 2)
    let resumed = try ShardCLITests.json(dir + "/resumed/report.json")
    #expect(resumed["spans_reused"] as? Int == spans - 1)
    func rebuilt(_ r: [String: Any]) -> [String] {
      (r["tables"] as! [[String: Any]]).map { "\($0["table"]!) \($0["partial_rows"]!) \($0["full_rows_aside"]!) \($0["rebuilt_from_indexes"]!)" }
    }
    #expect(rebuilt(resumed) == rebuilt(clean))
    #expect(rebuilt(clean).contains { $0.hasPrefix("game.public.events 0 ") && !$0.hasPrefix("game.public.events 0 0") })
    for f in ["game/events.partial.csv", "game/users.partial.csv"] {
      #expect(try ShardCLITests.data(dir + "/clean/" + f) == ShardCLITests.data(dir + "/resumed/" + f), "\(f)")
    }
    let digests = { (r: [String: Any]) in (r["index_digests"] as! [[String: Any]]).map { "\($0["index"]!) \($0["row_entries"]!) \($0["consistent"]!)" } }
    #expect(digests(resumed) == digests(clean) && !digests(clean).isEmpty)
  }

  /// The window of rows held shrinks to one chunk at a time (SALVAGE_INDEX_HOLD_ROWS=1): the
  /// same rows and inconsistencies, found in more passes.
  @Test func boundedWindowGivesTheSameResults() throws {
    let dir = try Simulator.makeCluster(seed: 42, extraArgs: ["--index-ranges"])
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let stores = try RecoverCLITests.stores(dir)
    let args = ["--no-sqlite", "--rebuild-from-indexes", "--check-indexes-precise"]
    let a = try CLI.run(["recover"] + stores + ["--out", dir + "/a"] + args)
    let b = try CLI.run(["recover"] + stores + ["--out", dir + "/b"] + args, environment: ["SALVAGE_INDEX_HOLD_ROWS": "1"])
    #expect(a.status == 2 && b.status == 2, "\(b.stderr)")
    for f in ["game/events.csv", "game/users.partial.csv"] {
      let x = try String(contentsOfFile: dir + "/a/" + f, encoding: .utf8), y = try String(contentsOfFile: dir + "/b/" + f, encoding: .utf8)
      #expect(x == y && x.count > 100, "\(f)")
    }
    let x = try ShardCLITests.json(dir + "/a/report.json"), y = try ShardCLITests.json(dir + "/b/report.json")
    let ix = (x["index_inconsistencies"] as! [[String: Any]]).map { "\($0["index"]!) \($0["primary_key_hex"]!) \($0["what"]!)" }
    let iy = (y["index_inconsistencies"] as! [[String: Any]]).map { "\($0["index"]!) \($0["primary_key_hex"]!) \($0["what"]!)" }
    #expect(ix.count == 4 && Set(ix) == Set(iy))
  }
}
