// `salvage-bench mvcc STORE...`: the MVCC-resolved scan of whole stores on one core, no SQL
// decoding (issue 15's own share of the recover figure). Every store is opened once, then
// scanned with `SpanScanner` (borrowed, then copying) over every key at read timestamp max; a pass touches each
// resolved key and value. MB/s counts the stores' table bytes; medians of BENCH_RUNS.
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
    print("  " + label.padding(toLength: 34, withPad: " ", startingAt: 0)
          + String(format: "%8.1f MB/s %12.0f keys/s  (%.3f s, %d keys, sink %d)", mb / m, Double(r.keys) / m, m, r.keys, r.sink & 0xffff))
  }
  try report("SpanScanner.runBorrowed") { try mvccPassBorrowed(stores) }
  // BENCH_COPYING=0 leaves the copying pass out (for a profile of the borrowed one).
  if ProcessInfo.processInfo.environment["BENCH_COPYING"] != "0" {
    try report("SpanScanner.run (copying)") { try mvccPassCopying(stores) }
  }
}
