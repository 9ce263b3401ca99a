// `salvage-bench rows STORE...`: the row path on one core, per table and for all tables.
// Rows are read once through the library (SpanScanner → KVs grouped by row prefix, as
// `salvage recover` does), then timed in memory:
//   decoded   TableRowDecoder.assemble over each row's KVs (key + values, no output)
//   rendered  CSV records of the assembled rows into a null sink (a buffer emptied at 1 MiB)
// A measurement repeats the table until it lasts ≥ 0.25 s; figures are medians of BENCH_RUNS.
// BENCH_ONCE=1 makes one pass of each, for a profile: `valgrind --tool=callgrind
// --toggle-collect='*renderAll*' salvage-bench rows …` counts the instructions of rendering.
import CockroachKV
import CockroachSQL
import Foundation
import Recovery

struct BenchTable {
  var name: String
  var decoder: TableRowDecoder
  var columns: [ColumnDescriptor]
  var kvs: [[(key: [UInt8], value: SQLValue)]] = []
  var rows: [TableRowDecoder.Row] = []
}

/// Every table's rows, grouped into KVs per row, read single-threaded from `stores`.
func loadTables(_ stores: [String]) throws -> [BenchTable] {
  var options = RecoveryOptions(storePaths: stores)
  options.jobs = 1
  options.verifyBlocks = false
  let run = RecoveryRun(options: options)
  let p = try run.prepare(findUnnamed: false)
  var tables = p.tables.map {
    BenchTable(name: $0.qualifiedName.joined(separator: "."),
               decoder: TableRowDecoder(table: $0.descriptor, catalog: $0.types), columns: $0.columns)
  }
  for (s, store) in p.stores.enumerated() {
    let chunks = p.chunks.filter { $0.store == s }.sorted { $0.span < $1.span }
    guard !chunks.isEmpty else { continue }
    var row: [(key: [UInt8], value: SQLValue)] = []
    var prefix: ArraySlice<UInt8>? = nil
    var current = -1
    func flush() {
      if !row.isEmpty { tables[chunks[current].table].kvs.append(row) }
      row.removeAll()
    }
    let scanner = SpanScanner(store: store, spans: chunks.map(\.span), readTimestamp: .max)
    _ = try scanner.run { span, r in
      if span != current { flush(); current = span; prefix = nil }
      guard case .value(_, let v) = r.outcome else { return }
      let pfx = (try? SQLKeyPrefix.splitFamily(r.roachKey[...]))?.row
      if pfx != prefix { flush(); prefix = pfx }
      guard let sv = try? SQLValue(roachValue: v.value.rawBytes) else { return }
      row.append((r.roachKey, sv))
    }
    flush()
  }
  for i in tables.indices {
    tables[i].rows = tables[i].kvs.compactMap { try? tables[i].decoder.assemble($0) }
  }
  return tables.filter { !$0.rows.isEmpty }
}

/// Seconds per pass of `body` (repeated until a measurement lasts ≥ 0.25 s), median of `runs`.
func perPass(_ body: () -> Int) -> (seconds: Double, result: Int) {
  if ProcessInfo.processInfo.environment["BENCH_ONCE"] == "1" {
    var r = 0
    let t = time { r = body() }
    return (t, r)
  }
  var reps = 1
  var result = 0
  while true {
    let t = time { for _ in 0..<reps { result = body() } }
    if t >= 0.25 { break }
    reps *= t < 0.01 ? 16 : 2
  }
  var xs: [Double] = []
  for _ in 0..<runs { xs.append(time { for _ in 0..<reps { result = body() } } / Double(reps)) }
  return (median(xs), result)
}

func decodeAll(_ t: BenchTable) -> Int {
  var n = 0
  for kvs in t.kvs { if let r = try? t.decoder.assemble(kvs) { n &+= r.values.count } }
  return n
}

/// CSV bytes of every row, written to a buffer that is emptied at 1 MiB (the null sink).
func renderAll(_ t: BenchTable) -> Int {
  let csv = CSVWriter()
  var problems: [String] = []
  var total = 0
  var out = ByteSink(capacity: 1 << 20 + 4096)
  for r in t.rows {
    csv.write(r, columns: t.columns, into: &out, problems: &problems)
    if out.count >= 1 << 20 { total += out.count; out.removeAll() }
  }
  return total + out.count
}

func rowBench(_ stores: [String]) throws {
  let tables = try loadTables(stores)
  print("salvage-bench rows: one core, median of \(runs) runs, release build")
  print("table".padding(toLength: 22, withPad: " ", startingAt: 0)
        + "    rows  decoded rows/s  rendered rows/s  CSV MB/s")
  var all = (rows: 0, decode: 0.0, render: 0.0, bytes: 0)
  for t in tables {
    let d = perPass { decodeAll(t) }
    let r = perPass { renderAll(t) }
    let n = t.rows.count
    all.rows += n; all.decode += d.seconds; all.render += r.seconds; all.bytes += r.result
    print(t.name.padding(toLength: 22, withPad: " ", startingAt: 0)
          + String(format: "%8d %15.0f %16.0f %9.1f", n, Double(n) / d.seconds, Double(n) / r.seconds,
                   Double(r.result) / 1e6 / r.seconds))
  }
  print("all".padding(toLength: 22, withPad: " ", startingAt: 0)
        + String(format: "%8d %15.0f %16.0f %9.1f", all.rows, Double(all.rows) / all.decode,
                 Double(all.rows) / all.render, Double(all.bytes) / 1e6 / all.render))
}
