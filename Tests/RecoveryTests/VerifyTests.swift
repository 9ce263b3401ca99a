import Foundation
import Testing
@testable import Recovery

/// `verify` on small hand-written pairs: each planted defect is caught, named and counted; a
/// clean pair passes. The recovered side is laid out like `salvage recover` output.
struct VerifyTests {
  static let schema = """
    CREATE TABLE game.public.users (id INT8 NOT NULL, name STRING NULL, CONSTRAINT "primary" PRIMARY KEY (id ASC));
    CREATE TABLE game.public.events (user_id INT8 NOT NULL, seq INT8 NOT NULL, kind STRING NULL,
      CONSTRAINT "primary" PRIMARY KEY (user_id ASC, seq DESC));
    CREATE TABLE game.public.snapshots (user_id INT8 NOT NULL, version INT8 NOT NULL, state STRING NULL,
      CONSTRAINT "primary" PRIMARY KEY (user_id ASC, version ASC));
    """
  static let users = "1,ann\n2,\"b,\"\"o\"\"\nb\"\n10,\\N\n"
  static let events = "1,4,d\n1,3,c\n1,2,b\n1,1,a\n2,3,z\n2,2,y\n"
  static let snapshots = "1,2,s\n2,1,t\n"

  /// Writes a recover-like (report.json present) or CSV directory.
  static func dir(_ root: String, _ name: String, recovery: Bool, users: String = users, events: String = events,
                  snapshots: String = snapshots) throws -> String {
    let d = root + "/" + name
    try FileManager.default.createDirectory(atPath: d + "/game", withIntermediateDirectories: true)
    try schema.write(toFile: d + "/schema.sql", atomically: true, encoding: .utf8)
    if recovery { try "{}".write(toFile: d + "/report.json", atomically: true, encoding: .utf8) }
    try users.write(toFile: d + "/game/users.csv", atomically: true, encoding: .utf8)
    try events.write(toFile: d + "/game/events.csv", atomically: true, encoding: .utf8)
    try snapshots.write(toFile: d + "/game/snapshots.csv", atomically: true, encoding: .utf8)
    return d
  }

  static func run(_ rec: String, _ src: String, _ tweak: (inout VerifyOptions) -> Void = { _ in }) throws -> VerifyReport {
    var o = VerifyOptions()
    o.runLimit = 2   // force spills and merges even on tiny inputs
    o.sequence = "seq"; o.partitionBy = "user_id"
    o.snapshotTable = "game.snapshots"; o.snapshotVersion = "version"
    tweak(&o)
    return try Verification(recovered: rec, source: src, options: o, work: rec + "-work").run()
  }

  static func temp() throws -> String {
    let d = NSTemporaryDirectory() + "salvage-verify-test-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
    return d
  }

  func table(_ r: VerifyReport, _ name: String) -> VerifyReport.TableResult { r.tables.first { $0.table == "game." + name }! }

  @Test func csvReaderStreamsQuotedNewlinesAndNulls() throws {
    let root = try Self.temp(); defer { try? FileManager.default.removeItem(atPath: root) }
    let p = root + "/a.csv"
    try "1,\"x\ny\",\\N,\"\\N\",\n2,\"\"\"q\"\"\",,z".write(toFile: p, atomically: true, encoding: .utf8)
    let r = try CSVRecordReader(path: p)
    #expect(try r.next() == ["1", "x\ny", nil, "\\N", ""])
    #expect(try r.next() == ["2", "\"q\"", "", "z"])
    #expect(try r.next() == nil)
    #expect(CSVRecordReader.line(["a,b", nil, "\\N", ""]) == "\"a,b\",\\N,\"\\N\",\"\"\n")
  }

  @Test func externalSortSpillsAndMergesStably() throws {
    let root = try Self.temp(); defer { try? FileManager.default.removeItem(atPath: root) }
    let s = try ExternalSorter(directory: root, runLimit: 3) { VerifyTable.compare($0[0], $1[0], .integer) }
    for (i, k) in [5, 3, 9, 3, 1, 10, 2, 3].enumerated() { try s.add([String(k), String(i)]) }
    let out = try s.finish()
    var got: [String] = []
    while let r = try out.next() { got.append(r[0]! + ":" + r[1]!) }
    #expect(got == ["1:4", "2:6", "3:1", "3:3", "3:7", "5:0", "9:2", "10:5"])
  }

  @Test func cleanPairPasses() throws {
    let root = try Self.temp(); defer { try? FileManager.default.removeItem(atPath: root) }
    // SOURCE rows in any order (CSV directory): sorted externally.
    let src = try Self.dir(root, "src", recovery: false, events: "2,2,y\n1,1,a\n1,3,c\n2,3,z\n1,4,d\n1,2,b\n")
    let rec = try Self.dir(root, "rec", recovery: true, users: Self.users + "11,new\n")
    let r = try Self.run(rec, src)
    #expect(r.passed, "\(r.failures)")
    #expect(table(r, "users").extraKeys == 1 && table(r, "users").extraKeysListed == ["11"])
    #expect(table(r, "events").sharedKeys == 6)
    #expect(r.sequences.first?.partitions == 2 && r.snapshots.first?.partitionsChecked == 2)
  }

  @Test func missingKeyIsCaught() throws {
    let root = try Self.temp(); defer { try? FileManager.default.removeItem(atPath: root) }
    let src = try Self.dir(root, "src", recovery: true)
    let rec = try Self.dir(root, "rec", recovery: true, users: "1,ann\n10,\\N\n")
    let r = try Self.run(rec, src)
    #expect(!r.passed)
    #expect(table(r, "users").missingKeys == 1 && table(r, "users").missingKeysListed == ["2"])
    #expect(r.failures == ["game.users: 1 key(s) in SOURCE missing from RECOVERED"])
  }

  @Test func changedValueIsCaught() throws {
    let root = try Self.temp(); defer { try? FileManager.default.removeItem(atPath: root) }
    let src = try Self.dir(root, "src", recovery: true)
    let rec = try Self.dir(root, "rec", recovery: true, users: "1,ann\n2,bob\n10,x\n")
    let t = table(try Self.run(rec, src), "users")
    #expect(t.rowsDiffering == 2 && t.missingKeys == 0)
    #expect(t.columnDifferences.map(\.column) == ["name"] && t.columnDifferences[0].rows == 2)
    #expect(t.columnDifferences[0].samples.map(\.key) == ["2", "10"])
    #expect(t.columnDifferences[0].samples[1].source == nil && t.columnDifferences[0].samples[1].recovered == "x")
  }

  @Test func sequenceGapIsCaughtUnlessSourceHasItToo() throws {
    let root = try Self.temp(); defer { try? FileManager.default.removeItem(atPath: root) }
    let src = try Self.dir(root, "src", recovery: true)
    let rec = try Self.dir(root, "rec", recovery: true, events: "1,4,d\n1,1,a\n2,3,z\n2,2,y\n")
    let r = try Self.run(rec, src)
    let s = r.sequences[0]
    #expect(s.gaps == 1 && s.missingValues == 2)
    #expect(s.gapsListed.map { "\($0.partition):\($0.from)-\($0.to)" } == ["1:2-3"])
    #expect(table(r, "events").missingKeys == 2)
    // The same gap in SOURCE (deleted journal rows) is reported, not failed.
    let src2 = try Self.dir(root, "src2", recovery: true, events: "1,4,d\n1,1,a\n2,3,z\n2,2,y\n")
    let r2 = try Self.run(rec, src2)
    #expect(r2.passed && r2.sequences[0].gapsAlsoInSource == 1)
  }

  @Test func duplicateSequenceIsCaught() throws {
    let root = try Self.temp(); defer { try? FileManager.default.removeItem(atPath: root) }
    let src = try Self.dir(root, "src", recovery: true)
    let rec = try Self.dir(root, "rec", recovery: true, events: "1,4,d\n1,3,c\n1,3,c\n1,2,b\n1,1,a\n2,3,z\n2,2,y\n")
    let r = try Self.run(rec, src)
    #expect(r.sequences[0].duplicates == 1 && r.sequences[0].duplicatesListed.first?.count == 2)
    #expect(table(r, "events").recoveredRows == 7 && table(r, "events").recoveredDistinctKeys == 6)
    #expect(r.failures.contains("game.events: 1 duplicate primary key(s) in RECOVERED"))
  }

  @Test func staleSnapshotIsCaught() throws {
    let root = try Self.temp(); defer { try? FileManager.default.removeItem(atPath: root) }
    // User 1's latest snapshot is version 1, its oldest kept journal row 3: row 2 is gone.
    let ev = "1,4,d\n1,3,c\n2,3,z\n2,2,y\n"
    let src = try Self.dir(root, "src", recovery: true, events: ev, snapshots: "1,1,s\n2,1,t\n")
    let rec = try Self.dir(root, "rec", recovery: true, events: ev, snapshots: "1,1,s\n2,1,t\n")
    let r = try Self.run(rec, src)
    #expect(r.snapshots[0].stale == 1)
    #expect(r.snapshots[0].staleListed.map { "\($0.partition):\($0.latestSnapshot ?? -1)<\($0.oldestJournal)" } == ["1:1<3"])
    #expect(r.failures == ["game.snapshots: 1 partition(s) with a snapshot older than the oldest kept row of game.events"])
    // No snapshot at all: the journal must start at 1.
    let rec2 = try Self.dir(root, "rec2", recovery: true, events: ev, snapshots: "1,3,s\n")
    let src2 = try Self.dir(root, "src2", recovery: true, events: ev, snapshots: "1,3,s\n")
    let r2 = try Self.run(rec2, src2)
    #expect(r2.snapshots[0].staleListed.map { "\($0.partition):\($0.latestSnapshot.map(String.init) ?? "none")<\($0.oldestJournal)" } == ["2:none<2"])
  }

  @Test func unsortedRecoveryAndMissingTableAreNamed() throws {
    let root = try Self.temp(); defer { try? FileManager.default.removeItem(atPath: root) }
    let src = try Self.dir(root, "src", recovery: true)
    let rec = try Self.dir(root, "rec", recovery: true, users: "2,b\n1,ann\n")
    #expect { try Self.run(rec, src) { $0.sequence = nil; $0.snapshotTable = nil } } throws: {
      "\($0)".contains("game.users") && "\($0)".contains("users.csv is not sorted by primary key")
    }
    try FileManager.default.removeItem(atPath: root + "/rec/game/users.csv")
    #expect { try Self.run(rec, src) } throws: { "\($0)".contains("game.users: no CSV file") }
  }

  @Test func reportIsTheSameForAnyNumberOfJobs() throws {
    let root = try Self.temp(); defer { try? FileManager.default.removeItem(atPath: root) }
    let src = try Self.dir(root, "src", recovery: false, events: "2,2,y\n1,1,a\n1,3,c\n2,3,z\n1,4,d\n1,2,b\n")
    let rec = try Self.dir(root, "rec", recovery: true, users: "1,ann\n10,x\n11,new\n")
    var messages: [[String]] = []
    var reports: [String] = []
    for jobs in [1, 2, 3] {
      var o = VerifyOptions()
      o.runLimit = 2
      o.jobs = jobs
      var said: [String] = []
      let r = try Verification(recovered: rec, source: src, options: o, work: root + "/work\(jobs)").run { said.append($0) }
      reports.append(try r.json())
      messages.append(said)
    }
    #expect(reports[1] == reports[0] && reports[2] == reports[0])
    #expect(messages[0] == ["compared game.events", "compared game.snapshots", "compared game.users"] && messages[1] == messages[0])
    let t = try JSONSerialization.jsonObject(with: Data(reports[0].utf8)) as! [String: Any]
    #expect(t["failures"] as? [String] == ["game.users: 1 key(s) in SOURCE missing from RECOVERED", "game.users: 1 shared row(s) differ (name: 1)"])
  }

  @Test func spellingsOfOneValueAreTheSameValue() {
    #expect(VerifyTable.same("1e-05", "1e-5", .float) && VerifyTable.same("NaN", "NaN", .float) && !VerifyTable.same("0.5", "0.25", .float))
    #expect(VerifyTable.same("1.3E+3", "1300", .decimal) && VerifyTable.same("-1.5E-7", "-0.00000015", .decimal))
    #expect(!VerifyTable.same("1.50", "1.5", .decimal) && !VerifyTable.same("1.3E+3", "1300.0", .decimal))
    #expect(SQLDecimalText.plain("12.345E+1") == "123.45" && SQLDecimalText.plain("5E-3") == "0.005" && SQLDecimalText.plain("NaN") == "NaN")
    #expect(VerifyTable.same(#"{"b": [1, 2], "aa": null}"#, #"{"aa":null,"b":[1,2]}"#, .json))
    #expect(!VerifyTable.same(#"{"a": 1}"#, #"{"a": 2}"#, .json) && !VerifyTable.same("{}", nil, .json))
    #expect(VerifyTable.same("2024-01-02T03:04:05+00:00", "2024-01-02 03:04:05+00:00", .timestamp))
    #expect(!VerifyTable.same("", nil, .other) && !VerifyTable.same("a", "A", .other))
    #expect(VerifyTable.ValueKind(typeName: "double precision") == .float && VerifyTable.ValueKind(typeName: "DECIMAL(10,2)") == .decimal)
    #expect(VerifyTable.ValueKind(typeName: "timestamp with time zone") == .timestamp && VerifyTable.ValueKind(typeName: "INT8[]") == .other)
    #expect(VerifyTable.ValueKind(typeName: "bigint") == .integer && VerifyTable.ValueKind(typeName: "jsonb") == .json)
  }
}
