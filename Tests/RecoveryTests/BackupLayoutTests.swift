import CockroachKV
import Foundation
import Testing
@testable import Recovery
import SalvageTestSupport

/// Every backup layout the simulator writes (contrib/simulator/make_backup.py --layout, facts in
/// docs/backup-format.md), read and verified: against the pre-disaster truth (clean), with a
/// planted difference, as of earlier times, and damaged or refused.
struct BackupLayoutTests {
  /// A cluster's truth directory and a backup of `layout`; `backup-truth.json` beside it.
  static func setUp(_ layout: String, seed: Int = 7, version: String = "19.1", descriptorsInData: Bool = false) throws -> String {
    let dir = NSTemporaryDirectory() + "salvage-layout-\(UUID().uuidString)"
    try Simulator.run("make_dead_cluster.py", [dir, "--seed", String(seed), "--version", version])
    try Simulator.run("make_backup.py", [dir, "--seed", String(seed), "--version", version, "--layout", layout] + (descriptorsInData ? ["--descriptors-in-data"] : []))
    let truth = dir + "/truth"
    try FileManager.default.createDirectory(atPath: truth, withIntermediateDirectories: true)
    try VerifyBackupTests.ddl(version == "19.1" ? "19.1" : "23.2").write(toFile: truth + "/schema.sql", atomically: true, encoding: .utf8)
    for (db, t) in VerifyBackupTests.tables {
      try FileManager.default.createDirectory(atPath: truth + "/" + db, withIntermediateDirectories: true)
      try FileManager.default.copyItem(atPath: dir + "/expected/all_rows_before_disaster/\(t).csv", toPath: truth + "/\(db)/\(t).csv")
    }
    try "{}".write(toFile: truth + "/report.json", atomically: true, encoding: .utf8)
    return dir
  }

  static func truth(_ dir: String) throws -> (times: [String: Int64], rows: [String: [String: Int]]) {
    let j = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/backup-truth.json"))) as! [String: Any]
    return ((j["times"] as! [String: NSNumber]).mapValues(\.int64Value), j["rows"] as! [String: [String: Int]])
  }

  static func verify(_ dir: String, recovered: String? = nil, localities: [String] = [], asOf: MVCCTimestamp? = nil) throws -> VerifyReport {
    var o = VerifyOptions()
    o.runLimit = 50
    o.backupLocalities = localities
    o.asOf = asOf
    return try Verification(recovered: recovered ?? dir + "/truth", source: dir + "/backup", options: o, work: dir + "/work-\(UUID().uuidString)").run()
  }

  /// Rows per table of a backup read as of `asOf`.
  static func counts(_ dir: String, localities: [String] = [], asOf: MVCCTimestamp?) throws -> [String: Int] {
    let s = try VerifySource(directory: dir + "/backup", runLimit: 50, localities: localities, asOf: asOf)
    var out: [String: Int] = [:]
    for e in s.tables {
      let rows = try e.open(dir + "/count-\(UUID().uuidString)")
      var n = 0
      while try rows.next() != nil { n += 1 }
      out[e.table.qualifiedName] = n
    }
    return out
  }

  @Test(arguments: ["plain", "collection", "revision", "locality", "slim"])
  func cleanPairPassesAndAPlantedDifferenceIsCaught(_ layout: String) throws {
    let dir = try Self.setUp(layout)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let loc = layout == "locality" ? [dir + "/backup-east"] : []
    let (_, rows) = try Self.truth(dir)
    let r = try Self.verify(dir, localities: loc)
    #expect(r.passed, "\(r.failures)")
    for t in r.tables {
      #expect(t.sourceRows == rows[t.table]?["end"], "\(t.table)")
      #expect(t.sharedKeys == t.sourceRows && t.extraKeys == 0 && t.rowsDiffering == 0, "\(t.table)")
    }
    // Plant in events.csv (no quoted newlines: safe to edit by line): one row removed from
    // the "recovered" side, another row's kind changed.
    let p = dir + "/truth/game/events.csv"
    var lines = try String(contentsOfFile: p, encoding: .utf8).split(separator: "\n").map(String.init)
    lines.remove(at: 1)
    var f = lines[0].split(separator: ",", maxSplits: 3, omittingEmptySubsequences: false).map(String.init)
    f[2] = "planted"
    lines[0] = f.joined(separator: ",")
    try (lines.joined(separator: "\n") + "\n").write(toFile: p, atomically: true, encoding: .utf8)
    let bad = try Self.verify(dir, localities: loc)
    #expect(!bad.passed)
    let ev = bad.tables.first { $0.table == "game.events" }!
    #expect(ev.missingKeys == 1 && ev.rowsDiffering == 1 && ev.columnDifferences.map(\.column) == ["kind"])
    #expect(bad.tables.filter { !$0.passed }.map(\.table) == ["game.events"])
  }

  /// Collection: LATEST picks the newest full backup and its incrementals (the older full
  /// backup beside it ends at `load`); as of the first incremental's end = the truth then.
  /// Revision history: as of any earlier time inside it; a time between backups is refused
  /// in a backup without revision history.
  @Test(arguments: ["collection", "revision"])
  func asOfEarlierTimesReadsTheTruthThen(_ layout: String) throws {
    let dir = try Self.setUp(layout)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let (times, rows) = try Self.truth(dir)
    for phase in ["load", "update1", "end"] {
      let got = try Self.counts(dir, asOf: MVCCTimestamp(wallTime: times[phase]!))
      #expect(got == rows.mapValues { $0[phase]! }, "\(phase)")
    }
    let between = MVCCTimestamp(wallTime: (times["load"]! + times["update1"]!) / 2)
    if layout == "collection" {
      #expect { try Self.counts(dir, asOf: between) } throws: { "\($0)".contains("has no revision history") }
    } else {
      #expect(try Self.counts(dir, asOf: between).values.reduce(0, +) > 0)
    }
    #expect { try Self.counts(dir, asOf: MVCCTimestamp(wallTime: times["end"]! + 1)) } throws: { "\($0)".contains("after the backup's end time") }
  }

  /// 23.2 backups as CockroachDB writes them: data files from MakeBackupSSTWriter (Pebblev2,
  /// cockroach_comparator, 128 KiB blocks), and the journals the simulator deletes by span
  /// (MVCC range tombstones, after `update1`) exported as range keys (`has_range_keys`) by
  /// the incremental and the revision-history backup. Read, they hide exactly the deleted
  /// rows: ignoring them would bring back the full backup's (or the older versions') rows.
  @Test(arguments: ["plain", "collection", "revision"])
  func pebbleDataFilesAndRangeTombstones(_ layout: String) throws {
    let dir = try Self.setUp(layout, version: "23.2")
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let (times, rows) = try Self.truth(dir)
    let r = try Self.verify(dir)
    #expect(r.passed, "\(r.failures)")
    for t in r.tables { #expect(t.sourceRows == rows[t.table]?["end"], "\(t.table)") }
    let chain = try BackupLocation.open([dir + "/backup"])
    let withRangeKeys = chain.layers.flatMap(\.manifest.files).filter(\.hasRangeKeys)
    #expect(layout == "plain" ? withRangeKeys.isEmpty : withRangeKeys.count == 1, "\(withRangeKeys.map(\.path))")
    if layout != "plain" {
      for phase in ["load", "update1", "end"] {
        #expect(try Self.counts(dir, asOf: MVCCTimestamp(wallTime: times[phase]!)) == rows.mapValues { $0[phase]! }, "\(phase)")
      }
    }
  }

  /// One data file behind several Files (22.2+ writers put several export responses in one
  /// SST, each with its own File and span): the file is read once, its keys counted once.
  @Test func dataFileSharedByTwoFilesIsReadOnce() throws {
    let dir = try Self.setUp("plain", version: "23.2")
    defer { try? FileManager.default.removeItem(atPath: dir) }
    var m = try BackupManifest(path: dir + "/backup/BACKUP_MANIFEST")
    func keys(_ m: BackupManifest) throws -> [[UInt8]] {
      var problems: [Problem] = []
      var out: [[UInt8]] = []
      try BackupChain(layers: [.init(manifest: m)]).scan(.everything, problems: &problems) { k, _ in out.append(k) }
      #expect(problems.isEmpty, "\(problems)")
      return out
    }
    let whole = try keys(m)
    let i = try #require(m.files.firstIndex { $0.path == "data/002.sst" })
    var (left, right) = (m.files[i], m.files[i])
    let mid = try #require(whole.filter { $0.starts(with: left.start) }.dropFirst(10).first)
    (left.end, right.start) = (mid, mid)
    m.files[i] = left
    m.files.append(right)
    #expect(m.files.filter { $0.path == "data/002.sst" }.count == 2)
    let split = try keys(m)
    #expect(split == whole && whole.count > 10)
  }

  @Test func incrementalDeletionsWinOverTheFullBackup() throws {
    let dir = try Self.setUp("collection")
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let (_, rows) = try Self.truth(dir)
    // The simulator deletes users after `load`: fewer rows at the end than in the full backup.
    #expect(rows["game.users"]!["end"]! < rows["game.users"]!["load"]!)
    #expect(try Self.counts(dir, asOf: nil)["game.users"] == rows["game.users"]!["end"])
  }

  @Test func localityPartsMustAllBeGiven() throws {
    let dir = try Self.setUp("locality")
    defer { try? FileManager.default.removeItem(atPath: dir) }
    #expect { try Self.verify(dir) } throws: { "\($0)".contains("BACKUP_PART_1_region=east") && "\($0)".contains("--against") }
  }

  @Test func checksumMismatchNamesTheFile() throws {
    let dir = try Self.setUp("collection")
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let sum = dir + "/backup/2025/03/07-000000.00/BACKUP_MANIFEST-CHECKSUM"
    var b = [UInt8](try Data(contentsOf: URL(fileURLWithPath: sum)))
    b[0] ^= 1
    try Data(b).write(to: URL(fileURLWithPath: sum))
    #expect { try Self.verify(dir) } throws: { "\($0)".contains("07-000000.00/BACKUP_MANIFEST: checksum mismatch") }
  }

  @Test func encryptedAndUnknownVersionManifestsAreRefused() throws {
    let dir = try Self.setUp("plain")
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let m = dir + "/backup/BACKUP_MANIFEST"
    let original = try Data(contentsOf: URL(fileURLWithPath: m))
    // format_version (field 8) 2: appended fields override earlier ones in protobuf.
    try (original + Data([0x40, 0x02])).write(to: URL(fileURLWithPath: m))
    #expect { try Self.verify(dir) } throws: { "\($0)".contains("format_version 2") }
    // elided_prefix (field 28) 3: no such mode.
    try (original + Data([0xE0, 0x01, 0x03])).write(to: URL(fileURLWithPath: m))
    #expect { try Self.verify(dir) } throws: { "\($0)".contains("elided_prefix 3 is not a mode salvage knows") }
    try (Data("encrypt".utf8) + Data([2]) + original).write(to: URL(fileURLWithPath: m))
    #expect { try Self.verify(dir) } throws: { "\($0)".contains("BACKUP_MANIFEST: encrypted backup") }
    try original.write(to: URL(fileURLWithPath: m))
    try Data([1, 2]).write(to: URL(fileURLWithPath: dir + "/backup/ENCRYPTION-INFO"))
    #expect { try Self.verify(dir) } throws: { "\($0)".contains("ENCRYPTION-INFO: encrypted backup") }
  }

  /// A damaged data block: its keys are skipped and reported; the other tables still pass.
  @Test func damagedDataFileIsSkippedAndReported() throws {
    let dir = try Self.setUp("plain")
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let f = dir + "/backup/data/002.sst"   // game.events
    var b = [UInt8](try Data(contentsOf: URL(fileURLWithPath: f)))
    for i in 100..<140 { b[i] ^= 0x5A }
    try Data(b).write(to: URL(fileURLWithPath: f))
    let r = try Self.verify(dir)
    let ev = r.tables.first { $0.table == "game.events" }!
    #expect(!ev.passed && ev.sourceDamaged.count == 1 && ev.sourceDamaged[0].description.contains("002.sst") && ev.sourceDamaged[0].kind == .damage, "\(ev.sourceDamaged)")
    #expect(ev.failures.contains { $0.contains("damaged SOURCE data file") })
    #expect(ev.sourceRows < ev.recoveredRows)
    #expect(r.tables.filter { $0.table != "game.events" && !$0.passed }.isEmpty)
  }

  @Test func gzipAndChecksumUnitFacts() throws {
    // SHA-256 test vector (FIPS 180-2 "abc").
    #expect(BackupMetadataFile.hex(SHA256.hash(Array("abc".utf8))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    #expect(SHA256.hash([]).prefix(4) == [0xe3, 0xb0, 0xc4, 0x42])
  }
}
