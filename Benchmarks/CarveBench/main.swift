import Carving
import Foundation

// Carving throughput (`Benchmarks/carve.sh`): scans each image given, prints MB/s per run
// and the median. Its own executable over the Carving module alone, so a release build of
// it does not need the whole recovery stack.
let args = Array(CommandLine.arguments.dropFirst())
guard !args.isEmpty else {
  print("usage: carve-bench IMAGE... (SALVAGE_BENCH_RUNS, default 3)")
  exit(1)
}
let runs = Int(ProcessInfo.processInfo.environment["SALVAGE_BENCH_RUNS"] ?? "") ?? 3
for path in args {
  var rates: [Double] = []
  for r in 1...runs {
    let image = try DiskImage(path: path)
    let scan = try Carver.scan(image)
    let mbs = Double(image.size) / 1e6 / scan.seconds
    rates.append(mbs)
    let tables = scan.files.filter { $0.kind == .table }.count, logs = scan.files.filter { $0.kind == .wal || $0.kind == .manifest }.count
    print("\(path) run \(r): \(image.size / 1_000_000) MB in \(String(format: "%.2f", scan.seconds)) s = \(String(format: "%.0f", mbs)) MB/s (\(tables) tables, \(logs) logs)")
  }
  print("\(path): median \(String(format: "%.0f", rates.sorted()[rates.count / 2])) MB/s over \(runs) runs")
}
