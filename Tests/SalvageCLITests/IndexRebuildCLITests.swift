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

    // Without the flag nothing is rebuilt: the table's CSV holds the surviving rows only.
    let plain = try CLI.run(["recover"] + stores + ["--out", dir + "/plain", "--no-sqlite"])
    #expect(plain.status == 2, "\(plain.stderr)")
    let expectedEvents = try Self.lines(dir + "/expected/events.csv")
    #expect(try Self.lines(dir + "/plain/game/events.csv") == expectedEvents)
    let files = try FileManager.default.contentsOfDirectory(atPath: dir + "/plain/game")
    #expect(!files.contains { $0.hasSuffix(".partial.csv") })
    #expect(!plain.stdout.contains("rebuilt from indexes"))

    // With it: the full rows join the table's CSV, in key order, counted and named.
    let r = try CLI.run(["recover"] + stores + ["--out", dir + "/out", "--rebuild-from-indexes", "--check-indexes"])
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

    // The cross-check finds exactly the planted mismatches.
    let planted = truth["mismatches"] as! [[String: Any]]
    let found = report["index_inconsistencies"] as! [[String: Any]]
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
    let r = try CLI.run(["recover"] + (try RecoverCLITests.stores(dir)) + ["--out", dir + "/out", "--no-sqlite", "--check-indexes"])
    #expect(r.status == 2, "\(r.stderr)")
    let report = try ShardCLITests.json(dir + "/out/report.json")
    #expect(report["index_inconsistency_count"] as? Int == 0)
    #expect((report["index_inconsistencies"] as? [Any])?.isEmpty == true)
    #expect(r.stdout.contains("index check: every surviving row matches its index entries"))
    // Without --check-indexes nothing is claimed.
    let plain = try CLI.run(["recover"] + (try RecoverCLITests.stores(dir)) + ["--out", dir + "/plain", "--no-sqlite"])
    #expect(try ShardCLITests.json(dir + "/plain/report.json")["index_inconsistencies"] == nil, "\(plain.stderr)")
  }

  /// The window of rows held shrinks to one chunk at a time (SALVAGE_INDEX_HOLD_ROWS=1): the
  /// same rows and inconsistencies, found in more passes.
  @Test func boundedWindowGivesTheSameResults() throws {
    let dir = try Simulator.makeCluster(seed: 42, extraArgs: ["--index-ranges"])
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let stores = try RecoverCLITests.stores(dir)
    let args = ["--no-sqlite", "--rebuild-from-indexes", "--check-indexes"]
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
