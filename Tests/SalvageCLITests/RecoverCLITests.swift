import Foundation
import Testing
import SalvageTestSupport

/// `salvage recover` on a simulated dead cluster (contrib/simulator: 7 RocksDB stores written
/// by the real engine, 4 destroyed) gives exactly the simulator's ground truth.
struct RecoverCLITests {
  static let repo = Simulator.repo

  static func makeCluster(seed: Int) throws -> String { try Simulator.makeCluster(seed: seed) }

  static func stores(_ dir: String) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: dir + "/stores").sorted().map { dir + "/stores/" + $0 }
  }

  /// The simulator writes RFC 3339 `T`; CockroachDB (and Salvage) print a space. IMPORT accepts both.
  static func normalized(_ csv: String) -> String {
    csv.replacingOccurrences(of: #"(\d{4}-\d{2}-\d{2})T(\d{2}:)"#, with: "$1 $2", options: .regularExpression)
  }

  /// Tables of the simulated schema and where `recover` writes them.
  static let tables = [("game", "users"), ("game", "events"), ("game", "snapshots"), ("shop", "items")]

  /// Seed 3 loses the ranges holding both secondary indexes (and the rows next to them).
  @Test(arguments: [(7, "19.1"), (3, "19.1"), (42, "23.2"), (3, "23.2")])
  func recoveryEqualsGroundTruth(_ seed: Int, _ descriptors: String) throws {
    let dir = try Simulator.makeCluster(seed: seed, descriptors: descriptors)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let out = dir + "/recovered"
    let r = try CLI.run(["recover"] + Self.stores(dir) + ["--out", out])
    // Some ranges had every replica on a destroyed store: the exit status says so.
    #expect(r.status == 2, "\(r.stderr)")
    // Every column type (shop.items), secondary-index KVs never taken for rows.
    for (db, table) in Self.tables {
      let want = try String(contentsOfFile: dir + "/expected/\(table).csv", encoding: .utf8)
      let got = try String(contentsOfFile: out + "/\(db)/\(table).csv", encoding: .utf8)
      #expect(got == Self.normalized(want), "\(table).csv differs from the ground truth")
      if got != Self.normalized(want) {
        let g = got.split(separator: "\n"), w = Self.normalized(want).split(separator: "\n")
        for (a, b) in zip(g, w) where a != b { print("got:  \(a)\nwant: \(b)"); break }
        print("rows got \(g.count) want \(w.count)")
      }
    }
    let report = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/report.json"))) as! [String: Any]
    let lost = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/expected/lost_spans.json"))) as! [[String: Any]]
    let gotLost = report["lost_spans"] as! [[String: Any]]
    #expect(gotLost.map { "\($0["start_hex"]!)-\($0["end_hex"]!)" } == lost.map { "\($0["start_key_hex"]!)-\($0["end_key_hex"]!)" })
    // Each lost span names the table indexes (rows or index entries) it held.
    #expect(gotLost.map { l in (l["indexes"] as! [[String: Any]]).map { "\($0["table"]!)/\($0["index"]!)" } }
            == lost.map { l in (l["tables"] as! [[String: Any]]).flatMap { t in (t["indexes"] as! [String]).map { "\(t["table"]!)/\($0)" } } })
    // Salvage reads primary indexes only, so it reports the intents found there.
    let intents = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/expected/intents.json"))) as! [[String: Any]]
    #expect(Set((report["intents"] as! [[String: Any]]).map { $0["key_hex"] as! String })
            == Set(intents.filter { $0["index_id"] as? Int == 1 }.map { $0["key_hex"] as! String }))
    #expect(report["something_lost"] as? Bool == true)
    let schema = try String(contentsOfFile: out + "/schema.sql", encoding: .utf8)
    #expect(schema.contains("FAMILY f2 (balance, created, active)"))
    #expect(schema.contains("UNIQUE INDEX users_email_key (email ASC)"), "\(schema)")
    #expect(schema.contains("INDEX events_kind_at_idx (kind ASC, at DESC) STORING (body)"))
    #expect(schema.contains("CONSTRAINT \"primary\" PRIMARY KEY (sku ASC, made DESC, uid ASC)"))
    #expect(schema.contains("FAMILY note (note)"))
    if descriptors == "23.2" {
      #expect(schema.contains("AS ENUM ('new', 'shipped', 'lost');"), "\(schema)")
    }
    // The SQLite copy (default) holds the same rows, typed.
    let sqlite = try Self.python("""
      import sqlite3, sys
      c = sqlite3.connect(sys.argv[1])
      print(*[c.execute("select count(*) from " + t).fetchone()[0] for t in ("game_users", "game_events", "game_snapshots", "shop_items")],
            c.execute("select typeof(body) from game_events where body is not null limit 1").fetchone()[0],
            c.execute("select typeof(balance) from game_users where balance is not null limit 1").fetchone()[0])
      """, out + "/salvage.sqlite")
    let cluster = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/expected/cluster.json"))) as! [String: Any]
    let recoverable = (cluster["row_counts"] as! [String: [String: Int]]).mapValues { $0["recoverable"]! }
    let counts = Self.tables.map { db, t in recoverable["\(db).\(t)"]! }
    #expect(counts.allSatisfy { $0 > 0 })
    #expect(sqlite == counts.map(String.init).joined(separator: " ") + " blob text\n")
    let imports = try String(contentsOfFile: out + "/import.sql", encoding: .utf8)
    #expect(imports.contains("IMPORT INTO game.events (user_id, seq, kind, body, at) CSV DATA ('nodelocal://1/game/events.csv') WITH nullif = '\\N';"))
  }

  static func python(_ script: String, _ args: String...) throws -> String {
    String(decoding: try runProgram("/usr/bin/env", ["python3", "-c", script] + args).1, as: UTF8.self)
  }

  @Test func outputIsTheSameWhateverTheParallelism() throws {
    let dir = try Self.makeCluster(seed: 3)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    _ = try CLI.run(["recover"] + Self.stores(dir) + ["--out", dir + "/a", "--jobs", "1"])
    _ = try CLI.run(["recover"] + Self.stores(dir) + ["--out", dir + "/b", "--jobs", "3", "--no-sqlite"])
    #expect(!FileManager.default.fileExists(atPath: dir + "/b/salvage.sqlite"))
    #expect(FileManager.default.fileExists(atPath: dir + "/a/salvage.sqlite"))
    for t in ["users", "events", "snapshots"] {
      let a = try Data(contentsOf: URL(fileURLWithPath: dir + "/a/game/\(t).csv"))
      let b = try Data(contentsOf: URL(fileURLWithPath: dir + "/b/game/\(t).csv"))
      #expect(a == b && !a.isEmpty)
    }
  }

  /// The 2021 rule "last N journal rows per user": per user_id the N greatest seq, in
  /// primary-key order; other tables untouched.
  @Test func keepLatestRowsPerPartition() throws {
    let dir = try Self.makeCluster(seed: 7)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let r = try CLI.run(["recover"] + Self.stores(dir) + ["--out", dir + "/r", "--keep-latest", "3", "--partition-by", "user_id", "--order-by", "seq"])
    #expect(r.status == 2)
    let truth = Self.normalized(try String(contentsOfFile: dir + "/expected/events.csv", encoding: .utf8))
    var perUser: [String: [(seq: Int, line: Substring)]] = [:]
    var order: [Substring] = []
    for line in truth.split(separator: "\n") {
      let f = line.split(separator: ",", maxSplits: 2)
      perUser[String(f[0]), default: []].append((Int(f[1])!, line))
      order.append(line)
    }
    let keep = Set(perUser.values.flatMap { $0.sorted { $0.seq > $1.seq }.prefix(3).map(\.line) })
    let want = order.filter { keep.contains($0) }.map { $0 + "\n" }.joined()
    #expect(try String(contentsOfFile: dir + "/r/game/events.csv", encoding: .utf8) == want)
    #expect(try String(contentsOfFile: dir + "/r/game/users.csv", encoding: .utf8)
            == Self.normalized(try String(contentsOfFile: dir + "/expected/users.csv", encoding: .utf8)))
    let bad = try CLI.run(["recover"] + Self.stores(dir) + ["--out", dir + "/x", "--keep-latest", "3"])
    #expect(bad.status == 64 && bad.stderr.contains("go together"))
  }

  @Test func neverWritesInsideAnInputDirectory() throws {
    let dir = try Self.makeCluster(seed: 1)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let stores = try Self.stores(dir)
    let before = try FileManager.default.contentsOfDirectory(atPath: stores[0]).sorted()
    let r = try CLI.run(["recover"] + stores + ["--out", stores[0] + "/out"])
    #expect(r.status == 1)
    #expect(r.stderr.contains("overlaps the input directory"))
    #expect(try FileManager.default.contentsOfDirectory(atPath: stores[0]).sorted() == before)
  }
}

/// `recover --postgres URL` loads the tables into a real PostgreSQL server (Debian's
/// postgresql, started here on a loopback port as the postgres user).
struct RecoverPostgresTests {
  @Test func loadsIntoPostgres() throws {
    let pg = try PostgresServer()
    defer { pg.stop() }
    try pg.psql("create database recovered")
    let cluster = try RecoverCLITests.makeCluster(seed: 11)
    defer { try? FileManager.default.removeItem(atPath: cluster) }
    let r = try CLI.run(["recover"] + RecoverCLITests.stores(cluster)
                        + ["--out", cluster + "/r", "--no-sqlite", "--postgres", pg.url + "/recovered"])
    #expect(r.stdout.contains("postgres: "), "\(r.stdout)\(r.stderr)")
    #expect(!r.stdout.contains("FAILED"), "\(r.stdout)")
    // Every table, shop.items too (arrays, JSONB, INTERVAL, BIT, strings with newlines…).
    let report = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: cluster + "/r/report.json"))) as! [String: Any]
    let rows = Dictionary(uniqueKeysWithValues: (report["tables"] as! [[String: Any]]).map { ($0["table"] as! String, $0["rows"] as! Int) })
    for (db, table) in RecoverCLITests.tables {
      let want = try #require(rows["\(db).public.\(table)"])
      #expect(want > 0)
      #expect(try pg.psql("select count(*) from \(db).\(table)", database: "recovered") == "\(want)\n")
    }
  }
}

/// `salvage schema` and `salvage rows` on a simulated dead cluster.
struct SchemaRowsCLITests {
  @Test func schemaListsTablesAndDDL() throws {
    let dir = try RecoverCLITests.makeCluster(seed: 5)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let r = try CLI.run(["schema"] + RecoverCLITests.stores(dir))
    #expect(r.stdout.contains("database game\n"))
    #expect(r.stdout.contains("  table public.events (id 54): 5 columns"))
    #expect(r.stdout.contains("CREATE TABLE game.public.users (\n\tid INT8 NOT NULL,\n\tname STRING NOT NULL,"))
    #expect(r.stdout.contains("CONSTRAINT \"primary\" PRIMARY KEY (user_id ASC, seq DESC)"))
  }

  @Test func rowsPrintsOneTableLikeRecover() throws {
    let dir = try RecoverCLITests.makeCluster(seed: 5)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let csv = try CLI.run(["rows"] + RecoverCLITests.stores(dir) + ["--table", "game.events"])
    let want = RecoverCLITests.normalized(try String(contentsOfFile: dir + "/expected/events.csv", encoding: .utf8))
    #expect(csv.stdout == want)
    let jsonl = try CLI.run(["rows"] + RecoverCLITests.stores(dir) + ["--table", "game.users", "--format", "jsonl"])
    let first = try JSONSerialization.jsonObject(with: Data(jsonl.stdout.split(separator: "\n")[0].utf8)) as! [String: Any]
    #expect(Set(first.keys) == ["id", "name", "email", "balance", "created", "active"])
    let missing = try CLI.run(["rows"] + RecoverCLITests.stores(dir) + ["--table", "game.nope"])
    #expect(missing.status == 1 && missing.stderr.contains("no table game.nope"))
  }
}
