import CockroachSQL
import Foundation
import SalvageTestSupport
import Testing
@testable import Recovery

/// The progress counters (`RecoveryRun.counters()`): bytes advance chunk by chunk, a store
/// is done when all of its work units are, and the stores being read are named.
struct ProgressCountersTests {
  /// Looks at the counters while rows arrive (concurrent chunks are handed over outside the
  /// run's lock).
  final class Watcher: RecoveredRowSink, @unchecked Sendable {
    weak var run: RecoveryRun?
    let lock = NSLock()
    var seen: [RecoveryRun.Counters] = []
    var acceptsConcurrentChunks: Bool { true }
    func begin(tables: [RecoveredTable], chunks: [RecoveryChunk]) throws {}
    func chunk(_ chunk: RecoveryChunk, rows: RowBatch) throws {
      guard let c = run?.counters() else { return }
      lock.lock(); seen.append(c); lock.unlock()
    }
    func finish(_ report: RecoveryReport) throws {}
  }

  @Test func sharesAddUpToTheBytes() {
    #expect(RecoveryRun.shares(of: 100, weights: [1, 1, 1]) == [33, 34, 33])
    #expect(RecoveryRun.shares(of: 10, weights: [1, 3]) == [3, 7])
    #expect(RecoveryRun.shares(of: 7, weights: [5]) == [7])
    let big = RecoveryRun.shares(of: 9_000_000_000_000, weights: [Int64.max / 4, 1, Int64.max / 4])
    #expect(big.reduce(0, +) == 9_000_000_000_000)
  }

  @Test func bytesAdvancePerChunkOnTheExampleCluster() throws {
    let dir = Simulator.repo + "/examples/dead-cluster/stores"
    let stores = try FileManager.default.contentsOfDirectory(atPath: dir).sorted().map { dir + "/" + $0 }
    var options = RecoveryOptions(storePaths: stores)
    options.jobs = 1   // units in key order, one at a time
    let run = RecoveryRun(options: options)
    let watcher = Watcher()
    watcher.run = run
    _ = try run.run(sink: watcher)
    let end = run.counters()
    let total = stores.reduce(Int64(0)) { t, s in
      t + (try! FileManager.default.contentsOfDirectory(atPath: s)).filter { $0.hasSuffix(".sst") }
        .reduce(Int64(0)) { $0 + ((try! FileManager.default.attributesOfItem(atPath: s + "/" + $1)[.size] as! NSNumber).int64Value) }
    }
    #expect(end.bytesTotal == total && end.bytesDone == total)
    #expect(end.stores == 3 && end.storesDone == 3 && end.reading.isEmpty)
    // Before any store is done, finished chunks already count; one store is read at a time.
    let early = watcher.seen.filter { $0.storesDone == 0 }
    #expect(early.count > 2)
    #expect(early.contains { $0.bytesDone > 0 })
    #expect(watcher.seen.allSatisfy { $0.reading.count == 1 })
    #expect(Set(watcher.seen.flatMap(\.reading)) == Set(stores))
  }
}
