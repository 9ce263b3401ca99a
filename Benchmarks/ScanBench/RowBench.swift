// `salvage-bench rows STORE...`: the row path on one core, per table and for all tables.
// Rows are read once through the library (SpanScanner → KVs grouped by row prefix, as
// `salvage recover` does), then timed in memory:
//   decoded   RowAssembler over each row's KVs into typed row batches (key + values, no output)
//   rendered  CSV records of the batches into a null sink (a buffer emptied at 1 MiB)
//   SQLite    the batches inserted into a new SQLite file, as recover's copy does
// A measurement repeats the table until it lasts ≥ 0.25 s; figures are medians of BENCH_RUNS.
// BENCH_ONLY=decode|render|sqlite times one stage alone; BENCH_TABLE=TEXT keeps the tables whose name holds it. BENCH_ONCE=1 makes one pass of each, for a profile: `valgrind --tool=callgrind
// --toggle-collect='*renderAll*' salvage-bench rows …` counts the instructions of rendering.
import CockroachKV
import CockroachSQL
import Export
import Foundation
import Recovery

struct BenchTable {
  var name: String
  var table: RecoveredTable
  var decoder: TableRowDecoder
  var columns: [ColumnDescriptor]
  var kvs: [[(key: [UInt8], value: SQLValue)]] = []
  var batches: [RowBatch] = []
  var rowCount: Int { batches.reduce(0) { $0 + $1.count } }
}

/// Every table's rows, grouped into KVs per row, read single-threaded from `stores`.
func loadTables(_ stores: [String]) throws -> [BenchTable] {
  var options = RecoveryOptions(storePaths: stores)
  options.jobs = 1
  options.verifyBlocks = .off
  let run = RecoveryRun(options: options)
  let p = try run.prepare(findUnnamed: false)
  var tables = p.tables.map {
    BenchTable(name: $0.qualifiedName.joined(separator: "."), table: $0,
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
  if let only = ProcessInfo.processInfo.environment["BENCH_TABLE"] { tables = tables.filter { $0.name.contains(only) } }
  for i in tables.indices { tables[i].batches = assemble(tables[i]) }
  return tables.filter { $0.rowCount > 0 }
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

/// The table's rows as recover assembles them: typed batches of at most 10,000 rows.
func assemble(_ t: BenchTable) -> [RowBatch] {
  let a = RowAssembler(decoder: t.decoder)
  var out: [RowBatch] = []
  for kvs in t.kvs {
    guard (try? a.begin(rowKey: kvs[0].key)) != nil else { continue }
    for kv in kvs { a.add(key: kv.key, value: kv.value) }
    a.end()
    if a.batch.count == 10_000 { out.append(a.batch); a.batch.removeAll() }
  }
  if a.batch.count > 0 { out.append(a.batch) }
  return out
}

/// Rows decoded (the batch is emptied every 10,000 rows, as recover hands it over).
func decodeAll(_ t: BenchTable) -> Int {
  let a = RowAssembler(decoder: t.decoder)
  var n = 0
  for kvs in t.kvs {
    guard (try? a.begin(rowKey: kvs[0].key)) != nil else { continue }
    for kv in kvs { a.add(key: kv.key, value: kv.value) }
    a.end()
    n += 1
    if a.batch.count == 10_000 { a.batch.removeAll() }
  }
  return n
}

/// CSV bytes of every row, written to a buffer that is emptied at 1 MiB (the null sink).
func renderAll(_ t: BenchTable) -> Int {
  let csv = CSVWriter()
  var problems: [String] = []
  var total = 0
  var out = ByteSink(capacity: 1 << 20 + 4096)
  guard let layout = t.batches.first?.layout else { return 0 }
  let ordinals = t.columns.map { layout.ordinal(of: $0.id) ?? -1 }
  for b in t.batches {
    for r in 0..<b.count {
      csv.write(b, row: r, ordinals: ordinals, into: &out, problems: &problems)
      if out.count >= 1 << 20 { total += out.count; out.removeAll() }
    }
  }
  return total + out.count
}

/// Seconds to insert every row into a new SQLite file (one pass: it writes a file).
func sqliteOnce(_ t: BenchTable) throws -> Double {
  let dir = NSTemporaryDirectory() + "salvage-bench-\(getpid())"
  try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
  defer { try? FileManager.default.removeItem(atPath: dir) }
  var seconds = 0.0
  var failure: Error?
  seconds = time {
    do { _ = try RecoveredDatabase.loadSQLite(t.batches, of: t.table, into: dir + "/bench.sqlite") } catch { failure = error }
  }
  if let failure { throw failure }
  return seconds
}

/// BENCH_ONLY=decode|render|sqlite measures one stage alone (for a profile of it); the others print as 1 s.
func only(_ stage: String) -> Bool {
  guard let o = ProcessInfo.processInfo.environment["BENCH_ONLY"] else { return true }
  return o == stage
}

func rowBench(_ stores: [String]) throws {
  let tables = try loadTables(stores)
  print("salvage-bench rows: one core, median of \(runs) runs (SQLite: median of 3 files), release build")
  print("table".padding(toLength: 22, withPad: " ", startingAt: 0)
        + "    rows  decoded rows/s  rendered rows/s  CSV MB/s  SQLite rows/s")
  var all = (rows: 0, decode: 0.0, render: 0.0, bytes: 0, sqlite: 0.0)
  for t in tables {
    let d = only("decode") ? perPass { decodeAll(t) } : (seconds: 1.0, result: 0)
    let r = only("render") ? perPass { renderAll(t) } : (seconds: 1.0, result: 0)
    let q = only("sqlite") ? median(try (0..<3).map { _ in try sqliteOnce(t) }) : 1.0
    let n = t.rowCount
    all.rows += n; all.decode += d.seconds; all.render += r.seconds; all.bytes += r.result; all.sqlite += q
    print(t.name.padding(toLength: 22, withPad: " ", startingAt: 0)
          + String(format: "%8d %15.0f %16.0f %9.1f %14.0f", n, Double(n) / d.seconds, Double(n) / r.seconds,
                   Double(r.result) / 1e6 / r.seconds, Double(n) / q))
  }
  print("all".padding(toLength: 22, withPad: " ", startingAt: 0)
        + String(format: "%8d %15.0f %16.0f %9.1f %14.0f", all.rows, Double(all.rows) / all.decode,
                 Double(all.rows) / all.render, Double(all.bytes) / 1e6 / all.render, Double(all.rows) / all.sqlite))
}
