import Foundation
#if canImport(Glibc)
import Glibc
#endif
import LSMStore
import SSTable

/// Which readable chunks the survey times, and the timing itself.
enum SurveySample {
  /// Chunks to read, in reading order: a systematic sample by bytes over the chunks in
  /// (store, key) order — every `step` bytes one chunk, so each store and table is sampled
  /// in proportion to its bytes — aiming at `target` bytes, plus the smallest chunk of each
  /// table the systematic pass missed when it is at most `target / 4` (a small table costs
  /// per byte what it costs, not what the large ones do). Interleaved by store, so that a
  /// sample cut short by its time budget still spans the stores. A target of all the bytes
  /// or more takes every chunk.
  static func choose(stores: [Int?], tables: [Int], bytes: [Int64], target: Int64) -> [Int] {
    let readable = bytes.indices.filter { stores[$0] != nil && bytes[$0] > 0 }
    let total = readable.reduce(Int64(0)) { $0 + bytes[$1] }
    guard total > 0, target > 0 else { return [] }
    if target >= total { return interleaved(readable, stores: stores) }
    // A pick lands in a chunk with probability bytes/total: Σb²/total bytes per pick.
    let perPick = readable.reduce(0.0) { $0 + Double(bytes[$1]) * Double(bytes[$1]) } / Double(total)
    let picks = max(1, min(readable.count, Int((Double(target) / perPick).rounded(.up))))
    let step = Double(total) / Double(picks)
    let ordered = readable.sorted { (stores[$0]!, $0) < (stores[$1]!, $1) }
    var chosen: [Int] = []
    var before = 0.0
    var next = step / 2
    for i in ordered {
      let end = before + Double(bytes[i])
      if next < end {
        chosen.append(i)
        while next < end { next += step }
      }
      before = end
    }
    let sampled = Set(chosen.map { tables[$0] })
    var extra: [Int] = []
    for t in Set(readable.map { tables[$0] }).sorted() where !sampled.contains(t) {
      if let small = readable.filter({ tables[$0] == t }).min(by: { bytes[$0] < bytes[$1] }), bytes[small] <= target / 4 {
        extra.append(small)
      }
    }
    return interleaved(chosen + extra, stores: stores)
  }

  /// Round robin over stores (each store's chunks in chunk order).
  static func interleaved(_ picks: [Int], stores: [Int?]) -> [Int] {
    let byStore = Dictionary(grouping: picks, by: { stores[$0]! }).mapValues { $0.sorted() }
    var out: [Int] = []
    var round = 0
    while out.count < picks.count {
      for s in byStore.keys.sorted() where round < byStore[s]!.count { out.append(byStore[s]![round]) }
      round += 1
    }
    return out
  }

  /// Per table: sampled bytes and seconds.
  struct Timing: Equatable {
    var bytes: Int64 = 0
    var seconds: Double = 0
    /// CPU seconds of the reading thread: `seconds` minus the time other work took the core.
    var cpuSeconds: Double = 0
    var rows = 0
  }

  /// CPU time of the calling thread.
  static func threadCPUSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
  }

  /// Reads the chosen chunks, each in its own pass (a pass reads every block between its
  /// first and last span), into `sink`, until `budget` seconds have gone.
  static func read(_ run: RecoveryRun, _ p: RecoveryRun.Prepared, chosen: [Int], bytes: [Int64], sink: SurveySink,
                   budget: Double) throws -> (perTable: [Int: Timing], spans: Int) {
    var perTable: [Int: Timing] = [:]
    let started = Date()
    var done = 0
    for i in chosen {
      if done > 0 && Date().timeIntervalSince(started) > budget { break }
      let c = p.chunks[i]
      let t0 = Date(), cpu0 = threadCPUSeconds(), rows0 = sink.rows
      try run.read(store: c.store!, of: p.stores, chunks: [c], tables: p.tables, sink: sink)
      perTable[c.table, default: Timing()].seconds += Date().timeIntervalSince(t0)
      perTable[c.table, default: Timing()].cpuSeconds += threadCPUSeconds() - cpu0
      perTable[c.table, default: Timing()].rows += sink.rows - rows0
      perTable[c.table, default: Timing()].bytes += bytes[i]
      done += 1
    }
    return (perTable, done)
  }

  /// Block checksums verified per second on one core: the smallest live table of each store
  /// checked as `recover` checks every table before planning, until `budget` seconds.
  static func checkRate(_ stores: [Store], budget: Double) -> Double? {
    let smallest = stores.compactMap { s in
      s.tables.filter { !$0.unreadable }.map { ($0.path, RecoveryRun.fileSize($0.path)) }.min { $0.1 < $1.1 }
    }
    let started = Date()
    var bytes: Int64 = 0
    for (path, size) in smallest {
      if bytes > 0 && Date().timeIntervalSince(started) > budget { break }
      guard let t = try? Table(path: path) else { continue }
      _ = t.verify(checksumsOnly: true)
      bytes += size
    }
    let seconds = Date().timeIntervalSince(started)
    return bytes > 0 && seconds > 0 ? Double(bytes) / seconds : nil
  }
}
