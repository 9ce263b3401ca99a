import Foundation
import SalvageTestSupport
import Testing

/// `recover --postgres` loads PostgreSQL in the recovery's own pass from the typed rows; the
/// database must hold what loading the finished CSVs gives (`salvage finish --postgres`, which
/// still reads them): for one job, two jobs (chunks out of turn wait in `.pgrows` work files),
/// and a run resumed after an interruption (kept chunks come from their CSV parts).
struct PostgresPassCLITests {
  /// Every table's rows (as row text, sorted) and the meta lines but for time and source.
  static func dump(_ pg: PostgresServer, _ database: String) throws -> String {
    let tables = try pg.psql("""
      select quote_ident(table_schema) || '.' || quote_ident(table_name) from information_schema.tables
      where table_schema not in ('pg_catalog', 'information_schema', 'public') and table_type = 'BASE TABLE' order by 1
      """, database: database).split(separator: "\n")
    var out = ""
    for t in tables {
      out += "== \(t)\n" + (try pg.psql("select x::text from \(t) x order by 1", database: database))
    }
    return out + (try pg.psql("""
      select source_table, target_table, rows_read, rows_inserted, rows_rejected from public.salvage_meta order by 1
      """, database: database))
  }

  @Test func sameContentsAsLoadingTheCSVs() throws {
    let pg = try PostgresServer()
    defer { pg.stop() }
    let dir = try RecoverCLITests.makeCluster(seed: 42)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let stores = try RecoverCLITests.stores(dir)
    for db in ["csv", "jobs1", "jobs2", "resumed"] { try pg.psql("create database \(db)") }

    // The reference: shards assembled by `finish`, which loads PostgreSQL from the CSVs.
    _ = try ShardCLITests.runShards(dir, n: 2, out: dir + "/sharded")
    let f = try CLI.run(["finish", dir + "/sharded", "--no-sqlite", "--postgres", pg.url + "/csv"])
    #expect(f.stdout.contains("postgres: ") && !f.stdout.contains("FAILED"), "\(f.stdout)\(f.stderr)")
    let want = try Self.dump(pg, "csv")
    let lines = want.split(separator: "\n")
    #expect(lines.filter { $0.hasPrefix("== ") }.map(String.init) == RecoverCLITests.tables.map { "== \($0).\($1)" }.sorted(), "\(lines.filter { $0.hasPrefix("==") })")
    #expect(lines.count > 200, "\(lines.count)")

    func recover(_ out: String, _ db: String, jobs: Int, stopAfter: Int? = nil) throws -> (status: Int32, stdout: String) {
      let r = try ResumeCLITests.recover(stores, dir + "/" + out, ["--jobs", String(jobs), "--postgres", pg.url + "/" + db],
                                         stopAfter: stopAfter)
      return (r.status, r.stdout + r.stderr)
    }
    for (db, jobs) in [("jobs1", 1), ("jobs2", 2)] {
      let r = try recover(db, db, jobs: jobs)
      #expect(r.status == 2 && r.stdout.contains("postgres: ") && !r.stdout.contains("FAILED"), "\(r.stdout)")
      #expect(try Self.dump(pg, db) == want, "\(db)")
    }
    // Interrupted: nothing reaches the database (tables are made at the end); resumed: all of it.
    #expect(try recover("resumed", "resumed", jobs: 2, stopAfter: 3).status == 1)
    let done = ResumeCLITests.finishedChunks(dir + "/resumed")
    #expect(done >= 3)
    #expect(try pg.psql("select count(*) from information_schema.tables where table_schema = 'game'", database: "resumed") == "0\n")
    let again = try recover("resumed", "resumed", jobs: 2)
    #expect(again.status == 2 && !again.stdout.contains("FAILED"), "\(again.stdout)")
    #expect(try ShardCLITests.json(dir + "/resumed/report.json")["spans_reused"] as? Int == done)
    #expect(try Self.dump(pg, "resumed") == want)
  }

  /// A value PostgreSQL rejects stops the copy (reported FAILED), never the CSVs.
  @Test func failureStopsTheCopyNotTheCSVs() throws {
    let pg = try PostgresServer()
    defer { pg.stop() }
    let dir = try RecoverCLITests.makeCluster(seed: 11)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try pg.psql("create database taken")
    // The target of game.users exists already: CREATE TABLE fails at the end of the pass.
    try pg.psql("create schema game; create table game.users (x int)", database: "taken")
    let r = try ResumeCLITests.recover(try RecoverCLITests.stores(dir), dir + "/out", ["--jobs", "2", "--postgres", pg.url + "/taken"])
    #expect(r.stdout.contains("postgres: FAILED: table game.public.users: PostgreSQL: relation \"users\" already exists"), "\(r.stdout)")
    #expect(r.status == 2)
    let csv = try String(contentsOfFile: dir + "/out/game/users.csv", encoding: .utf8)
    #expect(csv.split(separator: "\n").count > 10)
  }
}
