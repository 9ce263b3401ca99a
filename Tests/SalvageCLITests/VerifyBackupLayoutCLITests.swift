import Foundation
import Testing
import SalvageTestSupport

/// `salvage verify --against` on backup layouts (contrib/simulator/make_backup.py --layout):
/// several --against directories for a locality-aware backup, --as-of, and one-line refusals.
struct VerifyBackupLayoutCLITests {
  /// A simulated cluster's pre-disaster truth as a recover-like CSV directory, and a backup.
  static func setUp(_ layout: String) throws -> String {
    let dir = NSTemporaryDirectory() + "salvage-cli-layout-\(UUID().uuidString)"
    try Simulator.run("make_dead_cluster.py", [dir, "--seed", "7"])
    try Simulator.run("make_backup.py", [dir, "--seed", "7", "--layout", layout])
    let truth = dir + "/truth"
    let fm = FileManager.default
    try fm.createDirectory(atPath: truth, withIntermediateDirectories: true)
    // No DDL for a recover output: the backup gives the schema; copy it from the test truth.
    try """
    CREATE TABLE game.users (id INT8 PRIMARY KEY, name STRING NOT NULL, email STRING, balance DECIMAL,
      created TIMESTAMPTZ, active BOOL);
    CREATE TABLE game.events (user_id INT8, seq INT8, kind STRING, body BYTES, at TIMESTAMP, PRIMARY KEY (user_id, seq DESC));
    CREATE TABLE game.snapshots (user_id INT8, version INT8, state JSONB, PRIMARY KEY (user_id, version));
    """.write(toFile: truth + "/schema.sql", atomically: true, encoding: .utf8)
    for t in ["users", "events", "snapshots"] {
      try fm.createDirectory(atPath: truth + "/game", withIntermediateDirectories: true)
      try fm.copyItem(atPath: dir + "/expected/all_rows_before_disaster/\(t).csv", toPath: truth + "/game/\(t).csv")
    }
    try "{}".write(toFile: truth + "/report.json", atomically: true, encoding: .utf8)
    return dir
  }

  @Test func localityDirectoriesAreGivenAsMoreAgainst() throws {
    let dir = try Self.setUp("locality")
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let one = try CLI.run(["verify", dir + "/truth", "--against", dir + "/backup", "--report", "-"])
    #expect(one.status == 1 && one.stderr.contains("BACKUP_PART_1_region=east"), "\(one.stderr)")
    #expect(one.stderr.split(separator: "\n").count == 1)
    let two = try CLI.run(["verify", dir + "/truth", "--against", dir + "/backup", "--against", dir + "/backup-east", "--report", dir + "/v.json"])
    // shop.items is only in the backup: reported missing from RECOVERED (this truth has 3 tables).
    #expect(two.stdout.contains("ok   game.events") && two.stdout.contains("ok   game.snapshots"), "\(two.stdout)\(two.stderr)")
    #expect(two.stdout.contains("shop.items: table missing from RECOVERED"))
  }

  @Test func encryptedBackupIsOneLineAndExitOne() throws {
    let dir = try Self.setUp("plain")
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try Data([1]).write(to: URL(fileURLWithPath: dir + "/backup/ENCRYPTION-INFO"))
    let r = try CLI.run(["verify", dir + "/truth", "--against", dir + "/backup"])
    #expect(r.status == 1)
    #expect(r.stderr == "salvage: verify failed: \(dir)/backup/ENCRYPTION-INFO: encrypted backup; salvage does not decrypt backups\n", "\(r.stderr)")
  }

  @Test func asOfBetweenBackupsWithoutRevisionHistoryIsRefused() throws {
    let dir = try Self.setUp("collection")
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let r = try CLI.run(["verify", dir + "/truth", "--against", dir + "/backup", "--as-of", "1559390400,0"])
    #expect(r.status == 1 && r.stderr.contains("has no revision history"), "\(r.stderr)")
  }
}
