import Foundation
import Testing
import SalvageTestSupport

/// `salvage verify` with a database on one side: a simulated cluster recovered (all stores:
/// the whole truth) into its SQLite copy and a real PostgreSQL, verified clean, then with
/// planted defects in each database, and with RECOVERED given as the SQLite file or the URL.
struct VerifyDatabaseCLITests {
  static func report(_ json: String) throws -> [String: Any] {
    try JSONSerialization.jsonObject(with: Data(json.utf8)) as! [String: Any]
  }
  static func table(_ r: [String: Any], _ name: String) -> [String: Any] {
    (r["tables"] as! [[String: Any]]).first { $0["table"] as? String == name }!
  }
  /// The JSON report printed by `--report -` (everything from the first `{` line).
  static func json(_ stdout: String) throws -> [String: Any] {
    let start = stdout.range(of: "\n{")!.lowerBound
    let end = stdout.range(of: "\n}", options: .backwards)!.upperBound
    return try report(String(stdout[start..<end]))
  }

  /// Runs SQL on a SQLite file with python3's sqlite3 module (the sqlite3 shell is not a dependency).
  static func sqlite(_ path: String, _ sql: String) throws {
    let (status, _, err) = try runProgram("/usr/bin/env", ["python3", "-c",
      "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.executescript(sys.argv[2]); c.commit()", path, sql])
    #expect(status == 0, "\(err)")
  }

  /// The first events row of the recovery (key and kind) and a users row with an email.
  static func firstRow(_ csv: String) throws -> [String] {
    let line = try String(contentsOfFile: csv, encoding: .utf8).split(separator: "\n")[0]
    return line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
  }

  @Test func sqliteAndPostgresSourcesPassCleanAndCatchEachPlantedDefect() throws {
    let dir = try Simulator.makeCluster(seed: 7)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let pg = try PostgresServer()
    defer { pg.stop() }
    let stores = try RecoverCLITests.stores(dir) + FileManager.default.contentsOfDirectory(atPath: dir + "/destroyed").sorted().map { dir + "/destroyed/" + $0 }
    let clean = dir + "/clean"
    let rec = try CLI.run(["recover"] + stores + ["--out", clean, "--postgres", pg.url])
    #expect(rec.status == 0, "\(rec.stdout)\(rec.stderr)")
    let db = clean + "/salvage.sqlite"

    // Clean: the SQLite copy, PostgreSQL, and RECOVERED as the SQLite file, all pass; the
    // report and output do not depend on --jobs.
    var one = ""
    for (recovered, source) in [(clean, db), (clean, pg.url), (db, clean), (db, pg.url), (pg.url, clean), (pg.url, db)] {
      let r1 = try CLI.run(["verify", recovered, "--against", source, "--report", "-", "--jobs", "1"])
      #expect(r1.status == 0, "\(recovered) vs \(source): \(r1.stdout)\(r1.stderr)")
      let r2 = try CLI.run(["verify", recovered, "--against", source, "--report", "-", "--jobs", "2"])
      #expect(r2.stdout == r1.stdout && r2.status == 0)
      let j = try Self.json(r1.stdout)
      #expect(j["passed"] as? Bool == true)
      let events = Self.table(j, "game.events")
      #expect(events["shared_keys"] as? Int == events["source_rows"] as? Int && (events["source_rows"] as? Int ?? 0) > 0)
      #expect(events["missing_keys"] as? Int == 0 && events["extra_keys"] as? Int == 0 && events["rows_differing"] as? Int == 0)
      #expect((j["tables"] as! [[String: Any]]).map { $0["table"] as! String } == ["game.events", "game.snapshots", "game.users", "shop.items"])
      if source == db { one = r1.stdout }
    }
    #expect(one.contains("(sqlite)"))

    // Planted: one events row gone from SOURCE (reported: only in RECOVERED), one users
    // email changed (fails: differing), one users key added (fails: missing from RECOVERED).
    let ev = try Self.firstRow(clean + "/game/events.csv")
    let user = try Self.firstRow(clean + "/game/users.csv")
    let planted = dir + "/planted.sqlite"
    try FileManager.default.copyItem(atPath: db, toPath: planted)
    try Self.sqlite(planted, """
      DELETE FROM game_events WHERE user_id = \(ev[0]) AND seq = \(ev[1]);
      UPDATE game_users SET email = 'tampered@example.com' WHERE id = \(user[0]);
      INSERT INTO game_users (id, name) VALUES (999999, 'planted');
      """)
    _ = try pg.psql("""
      DELETE FROM game.events WHERE user_id = \(ev[0]) AND seq = \(ev[1]);
      UPDATE game.users SET email = 'tampered@example.com' WHERE id = \(user[0]);
      INSERT INTO game.users (id, name) VALUES (999999, 'planted');
      """, database: "postgres")
    for source in [planted, pg.url] {
      let r = try CLI.run(["verify", clean, "--against", source, "--report", "-"])
      #expect(r.status == 2, "\(source): \(r.stdout)\(r.stderr)")
      let j = try Self.json(r.stdout)
      let e = Self.table(j, "game.events"), u = Self.table(j, "game.users")
      #expect(e["extra_keys"] as? Int == 1 && e["extra_keys_listed"] as? [String] == ["\(ev[0])/\(ev[1])"])
      #expect(e["passed"] as? Bool == true)
      #expect(u["missing_keys"] as? Int == 1 && u["missing_keys_listed"] as? [String] == ["999999"])
      let d = u["column_differences"] as! [[String: Any]]
      #expect(d.count == 1 && d.first?["column"] as? String == "email" && d.first?["rows"] as? Int == 1)
      let sample = (d.first?["samples"] as? [[String: Any]])?.first
      #expect(sample?["key"] as? String == user[0] && sample?["source"] as? String == "tampered@example.com")
      #expect(sample?["recovered"] as? String == (user[2] == "\\N" ? nil : user[2]))
      #expect(j["failures"] as? [String] == ["game.users: 1 key(s) in SOURCE missing from RECOVERED",
                                             "game.users: 1 shared row(s) differ (email: 1)"])
      #expect(r.stdout.contains("FAIL game.users") && r.stdout.contains("missing: 999999"))
    }

    // The same databases as RECOVERED, the clean recovery as SOURCE: the deleted row is now
    // missing from RECOVERED (fails), the planted key only in RECOVERED (reported).
    for recovered in [planted, pg.url] {
      let r = try CLI.run(["verify", recovered, "--against", clean, "--report", "-", "--jobs", "2"])
      #expect(r.status == 2, "\(recovered): \(r.stdout)\(r.stderr)")
      let j = try Self.json(r.stdout)
      let e = Self.table(j, "game.events"), u = Self.table(j, "game.users")
      #expect(e["missing_keys"] as? Int == 1 && e["missing_keys_listed"] as? [String] == ["\(ev[0])/\(ev[1])"])
      #expect(u["extra_keys_listed"] as? [String] == ["999999"] && u["rows_differing"] as? Int == 1)
      #expect(j["failures"] as? [String] == ["game.events: 1 key(s) in SOURCE missing from RECOVERED",
                                             "game.users: 1 shared row(s) differ (email: 1)"])
    }
  }

  @Test func notADatabaseIsAClearError() throws {
    let dir = NSTemporaryDirectory() + "salvage-verify-db-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try "not sqlite".write(toFile: dir + "/x.db", atomically: true, encoding: .utf8)
    try #"CREATE TABLE d.public.t (id INT8 NOT NULL, CONSTRAINT "primary" PRIMARY KEY (id ASC));"#.write(toFile: dir + "/schema.sql", atomically: true, encoding: .utf8)
    try "1\n".write(toFile: dir + "/t.csv", atomically: true, encoding: .utf8)
    let r = try CLI.run(["verify", dir, "--against", dir + "/x.db"])
    #expect(r.status == 1 && r.stderr.contains("x.db is a file but not a SQLite database"))
    let p = try CLI.run(["verify", "postgres://u:secret@127.0.0.1:1/db", "--against", dir])
    #expect(p.status == 1 && p.stderr.contains("cannot connect to postgres://u:***@127.0.0.1:1/db") && !p.stderr.contains("secret"))
    let c = try CLI.run(["verify", dir + "/x.db", "--against", "postgres://u@127.0.0.1:1/db"])
    #expect(c.status == 1 && c.stderr.contains("x.db is a file but not a SQLite database"))
  }
}
