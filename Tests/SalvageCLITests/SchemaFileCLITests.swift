import Foundation
import Testing

/// `--schema FILE.sql` when the descriptors are lost (issue 6): a simulated dead cluster read
/// with `--ignore-descriptors` and the schema.sql of a normal recovery gives the same CSVs, on
/// one machine and sharded; missing schemas and IDs are reported.
struct SchemaFileCLITests {
  static func stores(_ dir: String) throws -> [String] { try RecoverCLITests.stores(dir) }
  static func text(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }
  static func lines(_ path: String) throws -> Int { try text(path).filter { $0 == "\n" }.count }

  @Test func schemaFileReplacesLostDescriptors() throws {
    let dir = try RecoverCLITests.makeCluster(seed: 42)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let one = try CLI.run(["recover"] + Self.stores(dir) + ["--out", dir + "/one", "--no-sqlite"])
    #expect(one.status == 2, "\(one.stderr)")
    let schema = dir + "/one/schema.sql"
    // Compared with a sharded run below: no rebuild from indexes, no index check (ShardCLITests.oneMachine).
    let file = try CLI.run(["recover"] + Self.stores(dir) + ["--out", dir + "/file", "--no-sqlite", "--ignore-descriptors", "--schema", schema]
                           + ShardCLITests.oneMachine)
    #expect(file.status == 2, "\(file.stderr)")   // the same lost spans as with descriptors
    for (db, t) in RecoverCLITests.tables {
      let want = try Self.text(dir + "/one/\(db)/\(t).csv")
      #expect(!want.isEmpty)
      #expect(try Self.text(dir + "/file/\(db)/\(t).csv") == want, "\(t).csv differs without descriptors")
    }
    // IDs came from the surviving system.namespace, and the output says where the schema came from.
    #expect(file.stderr.contains("salvage: note: system.descriptor not read (--ignore-descriptors)"))
    for (id, t) in [(53, "users"), (54, "events"), (55, "snapshots")] {
      #expect(file.stderr.contains("salvage: note: table \(id): game.\(t) from \(schema):"), "\(file.stderr)")
    }
    let report = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/file/report.json"))) as! [String: Any]
    #expect((report["tables"] as! [[String: Any]]).map { $0["table_id"] as! Int } == [53, 54, 55, 57])
    #expect((report["unnamed_tables"] as! [Any]).isEmpty)
    #expect((report["problems"] as! [String]).filter { $0.contains("schema") || $0.contains("table ID") }.isEmpty)

    // With the descriptors read too, the file still wins and says so.
    let both = try CLI.run(["recover"] + Self.stores(dir) + ["--out", dir + "/both", "--no-sqlite", "--schema", schema])
    #expect(both.stderr.contains("salvage: note: table 53: the CREATE TABLE of game.users at \(schema):"))
    #expect(both.stderr.contains("replaces the stored descriptor of game.public.users (a --schema file wins)"))
    #expect(try Self.text(dir + "/both/game/users.csv") == Self.text(dir + "/one/game/users.csv"))

    // rows and schema take the same options.
    let rows = try CLI.run(["rows"] + Self.stores(dir) + ["--table", "game.events", "--ignore-descriptors", "--schema", schema])
    #expect(rows.stdout == (try Self.text(dir + "/one/game/events.csv")))
    let listing = try CLI.run(["schema"] + Self.stores(dir) + ["--ignore-descriptors", "--schema", schema])
    #expect(listing.stdout.contains("table public.snapshots (id 55): 3 columns"), "\(listing.stdout)")

    // Sharded: the plan carries the schema, and finish gives what one machine gives.
    let plan = try ShardCLITests.runShards(dir, n: 3, out: dir + "/sharded", extra: ["--ignore-descriptors", "--schema", schema])
    #expect(try Self.text(plan).contains("\"schema_files\""))
    let f = try CLI.run(["finish", dir + "/sharded", "--no-sqlite"])
    #expect(f.status == 2, "\(f.stderr)")
    try ShardCLITests.expectSameOutput(dir + "/file", dir + "/sharded")
  }

  @Test func missingSchemasAndIDsAreReported() throws {
    let dir = try RecoverCLITests.makeCluster(seed: 7)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let expected = dir + "/expected"
    // users as the simulator made it; events under a name system.namespace does not know; no snapshots.
    let sql = dir + "/partial.sql"
    try """
      CREATE TABLE game.public.users (id INT8 NOT NULL, name STRING NOT NULL, email STRING NULL, balance DECIMAL NULL,
        created TIMESTAMPTZ NULL, active BOOL NULL, CONSTRAINT "primary" PRIMARY KEY (id ASC),
        FAMILY f1 (id, name, email), FAMILY f2 (balance, created, active));
      CREATE TABLE game.public.events_renamed (user_id INT8 NOT NULL, seq INT8 NOT NULL, kind STRING, body BYTES,
        at TIMESTAMP, PRIMARY KEY (user_id ASC, seq DESC));
      """.write(toFile: sql, atomically: true, encoding: .utf8)
    let r = try CLI.run(["recover"] + Self.stores(dir) + ["--out", dir + "/out", "--no-sqlite", "--ignore-descriptors",
                                                          "--schema", sql, "--table-id", "game.nosuch=70"])
    #expect(r.status == 2)
    #expect(try Self.text(dir + "/out/game/users.csv") == RecoverCLITests.normalized(try Self.text(expected + "/users.csv")))
    #expect(!FileManager.default.fileExists(atPath: dir + "/out/game/events_renamed.csv"))
    let report = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/out/report.json"))) as! [String: Any]
    let problems = report["problems"] as! [String]
    #expect(problems.contains("game.events_renamed (\(sql):4): no table ID: system.namespace does not name it; give --table-id game.events_renamed=ID or a `-- salvage: table_id=ID` line before its CREATE TABLE"))
    #expect(problems.contains("--table-id game.nosuch=70: no CREATE TABLE game.nosuch in the --schema files"))
    // events (54) and snapshots (55) have data and no schema: listed with live key counts (one
    // KV per row: a single family) and a sample key, with the hint.
    let unnamed = report["unnamed_tables"] as! [[String: Any]]
    #expect(unnamed.map { $0["table_id"] as! Int } == [54, 55, 57])
    // snapshots: one KV per row (one family, no secondary index); events also has
    // events_kind_at_idx entries, counted too (the whole table span).
    let eventRows = try Self.lines(expected + "/events.csv")
    #expect(unnamed[0]["keys"] as! Int > eventRows)
    #expect(unnamed[1]["keys"] as! Int == (try Self.lines(expected + "/snapshots.csv")))
    // shop.items (57) has six column families: at least one KV per row.
    let itemRows = try Self.lines(expected + "/items.csv")
    #expect(unnamed.count == 3 && unnamed[2]["keys"] as! Int >= itemRows)
    #expect((unnamed[0]["sample_key"] as! String).hasPrefix("/Table/54/1/"))
    #expect(r.stdout.contains("table IDs with data but no schema (not exported; give --schema FILE.sql and --table-id db.table=ID):"))
    #expect(problems.contains { $0.hasPrefix("table 55: \(unnamed[1]["keys"]!) live key(s) but no schema (e.g. /Table/55/1/") && $0.hasSuffix("--table-id db.table=55") })
    // Bad option values are refused before anything is read.
    let bad = try CLI.run(["recover"] + Self.stores(dir) + ["--out", dir + "/bad", "--table-id", "users=53"])
    #expect(bad.status != 0 && bad.stderr.contains("--table-id: expected db.table=ID, got \"users=53\""), "\(bad.stderr)")
  }
}
