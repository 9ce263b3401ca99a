import Foundation
import SSTable

/// One table scanned on several threads (`sst scan --jobs`): runs of data blocks in index
/// order (`TableRuns`: the index walked once), each decoded and printed into memory by one
/// thread, then written out in order, a wave of runs at a time. Output is byte for byte what
/// one thread prints; memory holds one wave (jobs runs of at most 4 MiB of blocks, and their
/// printed lines).
///
/// A table read in salvage mode (blocks found by checksum) or with blob values (a resolver
/// per thread is not done here) is scanned by one thread.
struct ParallelTableScan {
  /// About this much of the file per run (`SALVAGE_SCAN_RUN_BYTES` sets it for tests); a
  /// table smaller than four runs is scanned by one thread.
  static let runBytes = ProcessInfo.processInfo.environment["SALVAGE_SCAN_RUN_BYTES"].flatMap(Int.init).map { max(1, $0) } ?? 4 << 20

  let table: Table
  let jobs: Int

  init?(_ opened: SalvagedTable, jobs: Int) {
    guard jobs > 1, opened.mode == .normal, opened.table.file.count >= 4 * Self.runBytes else { return nil }
    table = opened.table
    self.jobs = jobs
  }

  /// Scans with `print` (one iterator per run, printing into one of `jobs` collecting
  /// Outputs) and hands each run's Output to `write` in order. Returns the damages met, in
  /// the order one thread would meet them.
  func run(_ print: (TableIterator, Output) -> Void, write: (Output) -> Void) -> [Damage] {
    // Runs of about `runBytes` of the file's data blocks (the average block size).
    let blocks = max(1, Int(table.properties.numDataBlocks ?? 1))
    let dataSize = Int(table.properties.dataSize ?? UInt64(table.file.count))
    var runs = TableRuns(table, blocksPerRun: max(16, Self.runBytes / max(1, dataSize / blocks)))
    let outputs = (0..<jobs).map { _ in Output(collecting: ()) }
    var damages: [Damage] = []
    while true {
      var wave: [TableIterator] = []
      while wave.count < jobs, let it = runs.next() { wave.append(it) }
      if wave.isEmpty { break }
      // Run i prints into outputs[i] alone.
      DispatchQueue.concurrentPerform(iterations: wave.count) { i in
        outputs[i].reset()
        print(wave[i], outputs[i])
      }
      for (i, it) in wave.enumerated() {
        write(outputs[i])
        damages += it.damages
      }
    }
    return damages + runs.damages
  }
}
