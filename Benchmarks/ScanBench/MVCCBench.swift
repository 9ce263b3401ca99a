// `salvage-bench mvcc STORE...`: the MVCC-resolved scan on one core, no SQL decoding (issue
// 15's own share of the recover figure). Every store is opened once, then
//   - "chosen replicas": what recover reads — each range's span from its chosen replica
//     (ReplicaPlanner, as recover plans), one borrowed SpanScanner per range;
//   - "every replica": every key of every store, borrowed, then copying.
// A pass touches each resolved key and value. MB/s counts all the stores' table bytes (the
// unit of recover's "MB/s of surviving store bytes"; for the every-replica passes that is
// also the bytes read); medians of BENCH_RUNS.
import CockroachKV
import Foundation
import LSMStore
import Recovery

/// Bytes of the SSTs a store reads (what "store table bytes" means in the figures).
func tableBytes(_ store: Store) -> Int {
  store.tables.reduce(0) { sum, t in
    sum + ((try? FileManager.default.attributesOfItem(atPath: t.path)[.size] as? Int) ?? 0)
  }
}

/// One pass over every store with the copying `run`: (resolved keys, checksum).
func mvccPassCopying(_ stores: [Store]) throws -> (keys: Int, sink: Int) {
  var keys = 0, sink = 0
  for s in stores {
    _ = SpanScanner(store: s, spans: [.everything]).run { _, r in
      keys += 1
      sink &+= r.roachKey.count
      if case .value(_, let v) = r.outcome { sink &+= v.value.rawBytes.count }
    }
  }
  return (keys, sink)
}

/// The same pass with `runBorrowed`: views of the key and the RoachValue bytes.
func mvccPassBorrowed(_ stores: [Store]) throws -> (keys: Int, sink: Int) {
  var keys = 0, sink = 0
  for s in stores {
    _ = SpanScanner(store: s, spans: [.everything]).runBorrowed { _, r in
      keys += 1
      sink &+= r.roachKey.count &+ r.roachValue.count
    }
  }
  return (keys, sink)
}

/// Each store's planned spans (ranges whose chosen replica it holds).
func chosenSpans(_ paths: [String]) throws -> [[KeySpan]] {
  let catalogs = try paths.map { try StoreCatalog.read(path: $0) }
  var spans = Array(repeating: [KeySpan](), count: paths.count)
  for p in ReplicaPlanner.plan(ClusterView(catalogs), catalogs: catalogs) {
    if let s = p.chosenStore { spans[s].append(p.span) }
  }
  return spans
}

/// The MVCC-resolved read of the chosen replicas: recover's data pass without rows.
func mvccPassChosen(_ stores: [Store], _ spans: [[KeySpan]]) throws -> (keys: Int, sink: Int) {
  var keys = 0, sink = 0
  // One scanner per range, as recover reads a chunk: it seeks to the span and stops at its end.
  for (s, mine) in zip(stores, spans) {
    for span in mine {
      _ = SpanScanner(store: s, spans: [span]).runBorrowed { _, r in
        keys += 1
        sink &+= r.roachKey.count &+ r.roachValue.count
      }
    }
  }
  return (keys, sink)
}

func mvccBench(_ paths: [String]) throws {
  let stores = try paths.map { try Store(path: $0) }
  let bytes = stores.reduce(0) { $0 + tableBytes($1) }
  let mb = Double(bytes) / 1e6
  print("salvage-bench mvcc: \(stores.count) stores, \(String(format: "%.1f", mb)) MB of tables, one core, median of \(runs) runs, release build")
  func report(_ label: String, _ pass: () throws -> (keys: Int, sink: Int)) rethrows {
    var xs: [Double] = []
    var r = (keys: 0, sink: 0)
    for _ in 0..<runs { xs.append(try time { r = try pass() }) }
    let m = median(xs)
    print("  " + label.padding(toLength: 42, withPad: " ", startingAt: 0)
          + String(format: "%8.1f MB/s %12.0f keys/s  (%.3f s, %d keys, sink %d)", mb / m, Double(r.keys) / m, m, r.keys, r.sink & 0xffff))
  }
  let spans = try chosenSpans(paths)
  try report("chosen replicas (what recover reads)") { try mvccPassChosen(stores, spans) }
  try report("every replica, SpanScanner.runBorrowed") { try mvccPassBorrowed(stores) }
  // BENCH_COPYING=0 leaves the copying pass out (for a profile of the borrowed one).
  if ProcessInfo.processInfo.environment["BENCH_COPYING"] != "0" {
    try report("every replica, SpanScanner.run (copying)") { try mvccPassCopying(stores) }
  }
}
