import Foundation
import Testing
@testable import Recovery
import SalvageTestSupport

/// The BACKUP reader on the simulator's BACKUP-like directory (contrib/simulator/make_backup.py:
/// hand-encoded BACKUP_MANIFEST, SSTs written by the real RocksDB engine). No real CockroachDB
/// BACKUP files are in ../shared/fixtures, so this layout is what the reader is tested on.
struct VerifyBackupTests {
  /// The simulator's truth before the disaster as a CSV source with DDL.
  static func ddl(_ descriptors: String) -> String {
    let enumCol = descriptors == "23.2" ? ", status status" : ""
    return (descriptors == "23.2" ? "CREATE TYPE shop.status AS ENUM ('new', 'shipped', 'lost');\n" : "") + """
    CREATE TABLE game.users (id INT8 PRIMARY KEY, name STRING NOT NULL, email STRING, balance DECIMAL,
      created TIMESTAMPTZ, active BOOL, FAMILY f1 (id, name, email), FAMILY f2 (balance, created, active));
    CREATE TABLE game.events (user_id INT8, seq INT8, kind STRING, body BYTES, at TIMESTAMP,
      PRIMARY KEY (user_id, seq DESC));
    CREATE TABLE game.snapshots (user_id INT8, version INT8, state JSONB, PRIMARY KEY (user_id, version));
    CREATE TABLE shop.items (sku STRING, made DATE, uid UUID, flag BOOL, small INT2, medium INT4, big INT8,
      ratio FLOAT4, score FLOAT8, price DECIMAL, cost DECIMAL(10,2), label STRING, code VARCHAR(10),
      grade CHAR(3), blob BYTES, on_day DATE, at_time TIME, stamp TIMESTAMP, stamp_tz TIMESTAMPTZ,
      dur INTERVAL, ref UUID, addr INET, doc JSONB, tags STRING[], nums INT8[], flags4 BIT(4),
      vbits VARBIT, obj OID, note STRING\(enumCol), PRIMARY KEY (sku, made DESC, uid),
      FAMILY "primary" (sku, made, uid, flag, small, medium, big\(enumCol.isEmpty ? "" : ", status")), FAMILY nums (ratio, score, price, cost),
      FAMILY texts (label, code, grade, blob), FAMILY times (on_day, at_time, stamp, stamp_tz, dur),
      FAMILY misc (ref, addr, doc, tags, nums, flags4, vbits, obj), FAMILY note (note));
    """
  }
  static let tables = [("game", "users"), ("game", "events"), ("game", "snapshots"), ("shop", "items")]

  /// Seed 42 keeps the schema out of the manifest: it is read from system.descriptor rows.
  /// "23.2": types.T descriptors, public schema descriptors, an ENUM column.
  @Test(arguments: [(7, false, "19.1"), (42, true, "19.1"), (7, false, "23.2"), (42, true, "23.2")])
  func backupReadsExactlyThePreDisasterTruth(_ seed: Int, _ descriptorsInData: Bool, _ descriptors: String) throws {
    let dir = NSTemporaryDirectory() + "salvage-backup-\(UUID().uuidString)"
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try Simulator.run("make_dead_cluster.py", [dir, "--seed", String(seed), "--descriptors", descriptors])
    try Simulator.run("make_backup.py", [dir, "--seed", String(seed), "--descriptors", descriptors]
                    + (descriptorsInData ? ["--descriptors-in-data"] : []))
    let manifest = try BackupManifest(path: dir + "/backup/BACKUP_MANIFEST")
    #expect(manifest.files.map(\.path) == (descriptorsInData ? ["data/000.sst"] : []) + ["data/001.sst", "data/002.sst", "data/003.sst", "data/004.sst"])
    #expect(manifest.tables.map { "\($0.database).\($0.descriptor.name)" } == Self.tables.map { "\($0.0).\($0.1)" })
    #expect(manifest.endTime < .max)
    let truth = dir + "/truth"
    try FileManager.default.createDirectory(atPath: truth, withIntermediateDirectories: true)
    try Self.ddl(descriptors).write(toFile: truth + "/schema.sql", atomically: true, encoding: .utf8)
    for (db, t) in Self.tables {
      try FileManager.default.createDirectory(atPath: truth + "/" + db, withIntermediateDirectories: true)
      try FileManager.default.copyItem(atPath: dir + "/expected/all_rows_before_disaster/\(t).csv", toPath: truth + "/\(db)/\(t).csv")
    }
    // BACKUP as RECOVERED is not allowed, so compare truth (as "recovered", sorted like recover
    // writes) against the backup: every key, every value.
    try "{}".write(toFile: truth + "/report.json", atomically: true, encoding: .utf8)
    var o = VerifyOptions()
    o.runLimit = 50   // spill: the sort runs and their merge are part of what is tested
    let r = try Verification(recovered: truth, source: dir + "/backup", options: o, work: dir + "/work").run()
    #expect(r.sourceKind == "backup")
    #expect(r.passed, "\(r.failures)")
    let counts = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/expected/cluster.json"))) as! [String: Any]
    let before = (counts["row_counts"] as! [String: [String: Int]]).mapValues { $0["before_disaster"]! }
    for t in r.tables {
      #expect(t.sourceRows == before[t.table], "\(t.table)")
      #expect(t.sharedKeys == t.sourceRows && t.extraKeys == 0 && t.rowsDiffering == 0)
    }
  }

  @Test func damagedManifestIsNamed() throws {
    let dir = NSTemporaryDirectory() + "salvage-backup-\(UUID().uuidString)"
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    try Data([0x22, 0xFF]).write(to: URL(fileURLWithPath: dir + "/BACKUP_MANIFEST"))
    #expect { try BackupManifest(path: dir + "/BACKUP_MANIFEST") } throws: { "\($0)".contains("BACKUP_MANIFEST: unreadable BackupManifest") }
    try Data([0x1F, 0x8B, 0x08]).write(to: URL(fileURLWithPath: dir + "/BACKUP_MANIFEST"))
    #expect { try BackupManifest(path: dir + "/BACKUP_MANIFEST") } throws: { "\($0)".contains("gzip") }
  }
}
