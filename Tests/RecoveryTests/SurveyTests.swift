import Foundation
import Testing
import SalvageTestSupport
@testable import Recovery

/// `salvage survey`'s parts: the sample choice, the cost model, the release inference, and
/// a survey of the committed example cluster against what its recovery reports.
struct SurveyTests {
  static let example = Simulator.repo + "/examples/dead-cluster/stores"
  static var exampleStores: [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: example)) ?? []).sorted().map { example + "/" + $0 }
  }

  /// The survey names what the recovery of the same stores reports: tables, lost spans per
  /// table and overall, the store each range is read from; the whole cluster is small enough
  /// to be sampled whole, so its row estimates are the recovered counts. Without checking
  /// every block, against a recovery that does not either; with, against one that does
  /// (the example has a damaged block no replica holds intact: one more lost span).
  @Test(arguments: [false, true]) func exampleSurveyMatchesItsRecovery(checkBlocks: Bool) throws {
    let stores = Self.exampleStores
    #expect(stores.count == 3)
    var options = SurveyOptions(recovery: RecoveryOptions(storePaths: stores))
    options.checkBlocks = checkBlocks
    let survey = try Survey.run(options)
    var recovery = RecoveryOptions(storePaths: stores)
    recovery.verifyBlocks = checkBlocks ? .whileReading : .off
    let run = RecoveryRun(options: recovery)
    let report = try run.run(sink: SurveySink(tables: []))

    #expect(survey.stores.map(\.path) == stores)
    #expect(survey.stores.map(\.label) == ["s1 (n1)", "s6 (n6)", "s7 (n7)"])
    #expect(survey.stores.allSatisfy { $0.engine == "pebble" && $0.formatMajorVersion == 16 && $0.cockroachVersion == "23.2" })
    #expect(survey.stores.allSatisfy { $0.tableFormats == ["Pebblev4"] && $0.missingWALs.isEmpty })
    #expect(survey.tables.map(\.table) == report.tables.map(\.table))
    #expect(survey.tables.map(\.tableID) == report.tables.map(\.tableID))
    #expect(survey.tables.map(\.lostSpans) == report.tables.map(\.lostSpans))
    #expect(survey.tables[1].lostSpans.count == (checkBlocks ? 2 : 1))
    #expect(survey.damagedSpans.count == (checkBlocks ? 1 : 0))
    #expect(survey.tables.map(\.estimatedRows) == report.tables.map { Int64($0.rows) })
    #expect(survey.tables.allSatisfy { $0.rowsFrom == "sample" })
    #expect(survey.lostSpans.map(\.span) == report.lostSpans.map(\.pretty))
    #expect(survey.lostSpans.map(\.span) == ["[/Table/53/1/31, /Table/53/1/74)", "[/Table/54/1/8, /Table/54/1/9)"])
    #expect(survey.lostSpans.map(\.indexes) == [["game.users: primary"], ["game.events: primary"]])
    #expect(survey.ranges.map(\.rangeID) == report.rangeSources.map(\.rangeID))
    #expect(survey.ranges.map(\.store) == report.rangeSources.map(\.store))
    #expect(survey.stores.map(\.rangesRead) == [8, 4, 2])
    #expect(survey.stores.reduce(0) { $0 + $1.bytesToRead } == survey.bytesToRead)
    // Read whole: the sample's rows are every recovered row.
    #expect(survey.sample?.bytes == survey.bytesToRead)
    #expect(survey.sample?.rows == report.tables.reduce(0) { $0 + $1.rows })
    #expect(survey.problems == report.problems.map(\.description), "\(survey.problems)")
    // The damaged block is named either way: found by the check, or met (and skipped) by the
    // sample, which reads this small cluster whole.
    #expect(survey.problems.contains { $0.contains("checksum mismatch") })
    #expect(survey.estimates.count == 1)
  }

  /// A systematic sample by bytes: every `total / picks` bytes one chunk, so large chunks
  /// are read in proportion; a table it misses gets its smallest chunk when small; picks
  /// alternate between stores.
  @Test func sampleIsSpreadByBytes() {
    // Store 0: table 0 in four 100-byte chunks; store 1: table 0 in four, table 1 in one of 10.
    let stores: [Int?] = [0, 0, 0, 0, 1, 1, 1, 1, 1, nil]
    let tables = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1]
    let bytes: [Int64] = [100, 100, 100, 100, 100, 100, 100, 100, 10, 0]
    // A pick reads Σb²/total ≈ 98.9 bytes: 190 bytes are 2 picks, 405 bytes apart, at bytes
    // 202.5 (chunk 2) and 607.5 (chunk 6); table 1's chunk (10 ≤ 190 / 4) is added.
    #expect(SurveySample.choose(stores: stores, tables: tables, bytes: bytes, target: 190) == [2, 6, 8])
    // One pick, at byte 405; table 1's only chunk is more than a quarter of the target.
    #expect(SurveySample.choose(stores: stores, tables: tables, bytes: bytes, target: 36) == [4])
    // Everything wanted: every readable chunk, alternating stores; lost chunks never.
    #expect(SurveySample.choose(stores: stores, tables: tables, bytes: bytes, target: 1000) == [0, 4, 1, 5, 2, 6, 3, 7, 8])
    #expect(SurveySample.choose(stores: [nil], tables: [0], bytes: [0], target: 10) == [])
  }

  static func model(coreShare: Double = 1, diskWriteRate: Double = 500) -> SurveyCost {
    SurveyCost(planSeconds: 2, checkCPUSeconds: 4, readCPUSeconds: 32,
               largestUnit: { jobs in 16 / Double(jobs) }, csvBytes: 4000, bufferedWriteRate: 1000, diskWriteRate: diskWriteRate,
               efficiency: 0.8, machineCores: 2, coreShare: coreShare)
  }

  /// plan + check + read / (jobs × 0.8) + what the disk needs beyond the read, on an idle and
  /// a busy machine, a slow disk, and a cluster.
  @Test func costModel() {
    let idle = Self.model()
    let one = idle.estimate(machines: 1, cores: 1)
    // check: 4 s of CPU; read: 32 + 4000/1000 s of CPU; the disk's 8 s fit in the read.
    #expect(one == .init(machines: 1, coresPerMachine: 1, jobs: 1, seconds: 2 + 4 + 36, planSeconds: 2,
                         checkSeconds: 4, readSeconds: 36, writeSeconds: 0))
    let two = idle.estimate(machines: 1, cores: 2)
    // check and read on two jobs at 0.8: 4 / 1.6 and 36 / 1.6 s.
    #expect(two.checkSeconds == 2.5 && two.readSeconds == 22.5 && two.seconds == 27)
    // A disk of 80 B/s needs 50 s: 10 s more than the check and the read (4 + 36 s).
    #expect(Self.model(diskWriteRate: 80).estimate(machines: 1, cores: 1).writeSeconds == 10)
    // Half a core while sampling: 2 / 0.5 − 1 = 3 other busy threads, so 2 jobs get 2/5 of a core each.
    let busy = Self.model(coreShare: 0.5)
    #expect(busy.otherThreads == 3)
    #expect(abs(busy.estimate(machines: 1, cores: 2).readSeconds - 36 / (2 * 0.4 * 0.8)) < 0.06)
    // 10 idle machines of 4 cores: planned twice at full speed (twice the busy sample's),
    // read on 32 effective cores, parts written on 10 disks during the read (0.8 s < 1.1 s),
    // then copied into the tables on one (8 s).
    let cluster = busy.estimate(machines: 10, cores: 4)
    #expect(cluster.planSeconds == 2 && cluster.checkSeconds == 0.1 && cluster.readSeconds == 1.1 && cluster.writeSeconds == 8)
  }

  /// The CockroachDB release from a Pebble format major version (sstable-format §1.7), and
  /// from the STORAGE_MIN_VERSION file of a real 25.2 store.
  @Test func cockroachRelease() throws {
    #expect(CockroachRelease.release(formatMajorVersion: 16) == "23.2")
    #expect(CockroachRelease.release(formatMajorVersion: 15) == "23.2 (upgrading)")
    #expect(CockroachRelease.release(formatMajorVersion: 1) == "20.1–21.1")
    #expect(CockroachRelease.release(formatMajorVersion: 30) == "25.4 or later")
    #expect(CockroachRelease.release(formatMajorVersion: 0) == nil)
    let real = Fixtures.path("crdb-real/sirsinexusapp-v25.2/store")
    #expect(FileManager.default.fileExists(atPath: real + "/STORAGE_MIN_VERSION"))
    #expect(CockroachRelease.storageMinVersion(real) == "25.2")
    #expect(CockroachRelease.storageMinVersion(Self.example + "/n1") == nil)
  }
}
