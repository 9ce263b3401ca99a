import Foundation
import Testing

/// `salvage recover` re-run into the same --out keeps the chunks an interrupted run finished
/// (issue 7), gives the output of a clean run byte for byte, and starts over when the inputs
/// or the options changed.
struct ResumeCLITests {
  static let stop = "SALVAGE_STOP_AFTER_CHUNKS"

  static func recover(_ stores: [String], _ out: String, _ extra: [String] = [], stopAfter: Int? = nil) throws -> (status: Int32, stdout: String, stderr: String) {
    try CLI.run(["recover"] + stores + ["--out", out, "--no-sqlite"] + extra,
                environment: stopAfter.map { [stop: String($0)] } ?? [:])
  }

  /// Chunk records (finished chunks) in OUT/.salvage-work.
  static func finishedChunks(_ out: String) -> Int {
    let work = out + "/.salvage-work"
    let all = FileManager.default.enumerator(atPath: work)?.allObjects as? [String] ?? []
    return all.filter { $0.hasSuffix(".json") && $0 != "manifest.json" }.count
  }

  @Test(arguments: [1, 2])
  func interruptedRunResumes(_ jobs: Int) throws {
    let dir = try RecoverCLITests.makeCluster(seed: 42)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let stores = try RecoverCLITests.stores(dir)
    let j = ["--jobs", String(jobs)]
    #expect(try Self.recover(stores, dir + "/clean", j).status == 2)
    let out = dir + "/resumed"
    let cut = try Self.recover(stores, out, j, stopAfter: 3)
    #expect(cut.status == 1, "\(cut.stderr)")
    #expect(cut.stderr.contains("stopped after 3 chunk(s) on purpose"))
    #expect(!FileManager.default.fileExists(atPath: out + "/report.json"))
    let done = Self.finishedChunks(out)
    // With two workers the other one may finish its chunk before it sees the stop.
    #expect(done >= 3 && done <= 2 + jobs)
    let again = try Self.recover(stores, out, j)
    #expect(again.status == 2, "\(again.stderr)")
    let report = try ShardCLITests.json(out + "/report.json")
    let spans = try #require(report["spans"] as? Int)
    #expect(report["spans_reused"] as? Int == done)
    #expect(again.stderr.contains("resuming: \(done) of \(spans) span(s) were finished by an earlier run"))
    #expect(again.stdout.contains("\(done) of \(spans) span(s) reused from an earlier run"))
    #expect(spans > done)
    #expect(!FileManager.default.fileExists(atPath: out + "/.salvage-work"))
    try ShardCLITests.expectSameOutput(dir + "/clean", out)
    // The clean run reused nothing.
    #expect(try ShardCLITests.json(dir + "/clean/report.json")["spans_reused"] as? Int == 0)
  }

  /// Nothing is fsynced per chunk: a resumed run trusts a finished chunk's bytes only when
  /// their CRC-32C matches its record. Bytes flipped in the table files an interrupted run
  /// left (as a crash could leave them) are read again, and the output is a clean run's.
  @Test func tornBytesAreReadAgain() throws {
    let dir = try RecoverCLITests.makeCluster(seed: 42)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let stores = try RecoverCLITests.stores(dir)
    let j = ["--jobs", "1"]
    #expect(try Self.recover(stores, dir + "/clean", j).status == 2)
    let out = dir + "/resumed"
    #expect(try Self.recover(stores, out, j, stopAfter: 4).status == 1)
    let done = Self.finishedChunks(out)
    let work = out + "/.salvage-work"
    let written = (FileManager.default.enumerator(atPath: work)?.allObjects as? [String] ?? [])
      .filter { $0.hasSuffix("/table.csv") && (try? Data(contentsOf: URL(fileURLWithPath: work + "/" + $0)).count) ?? 0 > 0 }
    try #require(!written.isEmpty, "the interrupted run wrote no table file")
    for name in written {
      let url = URL(fileURLWithPath: work + "/" + name)
      var bytes = try Data(contentsOf: url)
      bytes[bytes.count / 2] ^= 0x20   // a letter changes case, a digit becomes another byte
      try bytes.write(to: url)
    }
    let again = try Self.recover(stores, out, j)
    #expect(again.status == 2, "\(again.stderr)")
    let reused = try #require(try ShardCLITests.json(out + "/report.json")["spans_reused"] as? Int)
    #expect(reused < done)
    try ShardCLITests.expectSameOutput(dir + "/clean", out)
  }

  /// The SQLite copy is written during the run from the typed rows; a resumed run takes the
  /// chunks it reuses from their CSV parts and must end with the same database.
  @Test(arguments: [1, 2])
  func interruptedRunResumesItsSQLiteCopy(_ jobs: Int) throws {
    let dir = try RecoverCLITests.makeCluster(seed: 42)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let stores = try RecoverCLITests.stores(dir)
    func run(_ out: String, stopAfter: Int? = nil) throws -> Int32 {
      let r = try CLI.run(["recover"] + stores + ["--out", out, "--jobs", String(jobs)],
                          environment: stopAfter.map { [Self.stop: String($0)] } ?? [:])
      if r.status != 2 && stopAfter == nil || r.status != 1 && stopAfter != nil { Issue.record("\(r.status): \(r.stderr)") }
      return r.status
    }
    #expect(try run(dir + "/clean") == 2)
    #expect(try run(dir + "/resumed", stopAfter: 3) == 1)
    #expect(try run(dir + "/resumed") == 2)
    let clean = try RecoverCLITests.python(RecoverBlobCLITests.sqliteDump, dir + "/clean/salvage.sqlite")
    let resumed = try RecoverCLITests.python(RecoverBlobCLITests.sqliteDump, dir + "/resumed/salvage.sqlite")
    #expect(clean.count > 1000 && clean == resumed)
    // The same rows as the tables' CSVs hold: one line per row (rows rebuilt from indexes
    // into <table>.partial.csv are not in the table, nor in its copy).
    let csvRows = try FileManager.default.contentsOfDirectory(atPath: dir + "/clean/game").filter { !$0.hasSuffix(".partial.csv") }.reduce(0) { n, f in
      n + (try String(contentsOfFile: dir + "/clean/game/" + f, encoding: .utf8)).filter { $0 == "\n" }.count
    }
    let sqliteGameRows = clean.split(separator: "\n").filter { $0.hasPrefix("game_") }.count
    #expect(sqliteGameRows == csvRows)
  }

  @Test func resumeKeepsKeepLatestOutput() throws {
    let dir = try RecoverCLITests.makeCluster(seed: 7)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let stores = try RecoverCLITests.stores(dir)
    let keep = ["--keep-latest", "3", "--partition-by", "user_id", "--order-by", "seq", "--jobs", "1"]
    #expect(try Self.recover(stores, dir + "/clean", keep).status == 2)
    #expect(try Self.recover(stores, dir + "/resumed", keep, stopAfter: 4).status == 1)
    let again = try Self.recover(stores, dir + "/resumed", keep)
    #expect(again.status == 2)
    #expect(try ShardCLITests.json(dir + "/resumed/report.json")["spans_reused"] as? Int == 4)
    try ShardCLITests.expectSameOutput(dir + "/clean", dir + "/resumed")
  }

  @Test func changedOptionsOrInputsStartOver() throws {
    let dir = try RecoverCLITests.makeCluster(seed: 3)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let stores = try RecoverCLITests.stores(dir)
    let out = dir + "/out"
    let asOf = ["--as-of", "1559390500.000000000", "--jobs", "1"]
    #expect(try Self.recover(stores, dir + "/clean", asOf).status == 2)
    // Work done without --as-of is not reused for a run with it.
    #expect(try Self.recover(stores, out, ["--jobs", "1"], stopAfter: 3).status == 1)
    #expect(Self.finishedChunks(out) == 3)
    let other = try Self.recover(stores, out, asOf)
    #expect(other.status == 2)
    #expect(other.stderr.contains("held unfinished work of a run with other inputs or options: discarded, starting over"))
    #expect(try ShardCLITests.json(out + "/report.json")["spans_reused"] as? Int == 0)
    try ShardCLITests.expectSameOutput(dir + "/clean", out)
    // Same options, but a store file changed (touched) since: start over too.
    #expect(try Self.recover(stores, out, asOf, stopAfter: 2).status == 1)
    let sst = try #require(try FileManager.default.contentsOfDirectory(atPath: stores[0]).first { $0.hasSuffix(".sst") })
    try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -3600)], ofItemAtPath: stores[0] + "/" + sst)
    let touched = try Self.recover(stores, out, asOf)
    #expect(touched.status == 2)
    #expect(touched.stderr.contains("discarded, starting over"))
    #expect(try ShardCLITests.json(out + "/report.json")["spans_reused"] as? Int == 0)
    try ShardCLITests.expectSameOutput(dir + "/clean", out)
  }
}
