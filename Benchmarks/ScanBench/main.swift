// Scan throughput of Salvage's SST reader, side by side with RocksDB's sst_dump in the same
// run. Prints medians and ratios; never asserts a time. Build and run in release:
//   swift build -c release && .build/release/salvage-bench FILE.sst...
// (Benchmarks/run.sh generates a large RocksDB table and runs this on it and the fixtures.)
import Foundation
import SSTable

let runs = Int(ProcessInfo.processInfo.environment["BENCH_RUNS"] ?? "") ?? 5
let binDir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path
let salvageBinary = binDir + "/salvage"

func median(_ xs: [Double]) -> Double { let s = xs.sorted(); return s[s.count / 2] }

func time(_ body: () throws -> Void) rethrows -> Double {
  let start = DispatchTime.now().uptimeNanoseconds
  try body()
  return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

/// Runs a command with stdout to /dev/null; returns seconds, or nil when it fails.
func timeCommand(_ path: String, _ args: [String]) -> Double? {
  let p = Process()
  p.executableURL = URL(fileURLWithPath: path)
  p.arguments = args
  p.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
  p.standardError = FileHandle(forWritingAtPath: "/dev/null")
  guard FileManager.default.isExecutableFile(atPath: path) else { return nil }
  var launched = true
  let t = time { do { try p.run(); p.waitUntilExit() } catch { launched = false } }
  guard launched else { return nil }
  return p.terminationStatus == 0 ? t : nil
}

func which(_ name: String) -> String? {
  for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
    let p = "\(dir)/\(name)"
    if FileManager.default.isExecutableFile(atPath: p) { return p }
  }
  return nil
}

/// Small files are scanned `repeats` times per measurement so a measurement lasts long
/// enough to time; figures are per pass.
func repeats(forSize size: Double) -> Int { max(1, Int(20e6 / max(size, 1))) }

/// In-process scan: every entry's key and value bytes are touched (summed), as a consumer would.
func scanInProcess(_ path: String, repeats: Int) throws -> (seconds: Double, entries: Int) {
  var entries = 0
  var sink = 0
  let t = try time {
    for _ in 0..<repeats {
      entries = 0
      let table = try Table(path: path)
      let it = table.makeIterator()
      while let e = it.next() {
        entries += 1
        sink &+= e.userKey.count &+ e.value.count &+ Int(e.userKey.last ?? 0)
      }
    }
  }
  if sink == 42 { print("") }
  return (t / Double(repeats), entries)
}

/// Reads, checksums and decompresses every data block without decoding entries.
func decompressOnly(_ path: String, repeats: Int) throws -> Double {
  try time {
    for _ in 0..<repeats {
      let table = try Table(path: path)
      var index = IndexIterator(table)
      var bytes = 0
      while let e = index.next() { bytes &+= try table.blocks.read(e.handle).bytes.count }
      if bytes == -1 { print("") }
    }
  } / Double(repeats)
}

if CommandLine.arguments.dropFirst().first == "snappy" {
  do { try snappyBench(Array(CommandLine.arguments.dropFirst(2))) } catch { print("snappy: \(error)"); exit(1) }
  exit(0)
}
if CommandLine.arguments.dropFirst().first == "mvcc" {
  do { try mvccBench(Array(CommandLine.arguments.dropFirst(2))) } catch { print("mvcc: \(error)"); exit(1) }
  exit(0)
}
if CommandLine.arguments.dropFirst().first == "rows" {
  do { try rowBench(Array(CommandLine.arguments.dropFirst(2))) } catch { print("rows: \(error)"); exit(1) }
  exit(0)
}
var files = CommandLine.arguments.dropFirst()
guard !files.isEmpty else {
  print("usage: salvage-bench FILE.sst...   |   salvage-bench --salvage DAMAGED.sst...   |   salvage-bench rows STORE...   |   salvage-bench mvcc STORE...   |   salvage-bench snappy FILE.sst...")
  exit(2)
}

// --salvage: a damaged table opened by `Table.salvage` (footer lost: block search) and read
// to the end; median seconds for the whole open + scan.
if files.first == "--salvage" {
  for file in files.dropFirst() {
    var entries = 0, blocks = 0, skipped = 0
    let xs = try (0..<runs).map { _ in
      try time {
        let s = try Table.salvage(path: file)
        blocks = s.dataBlocks?.count ?? 0
        skipped = s.notes.filter { $0.hasPrefix("no block found") }.count
        entries = 0
        let it = s.makeIterator()
        while it.next() != nil { entries += 1 }
      }
    }
    print(String(format: "%@: salvage open + scan %.3f s (median of %d): %d data blocks, %d entries, %d regions skipped",
                 URL(fileURLWithPath: file).lastPathComponent, median(xs), runs, blocks, entries, skipped))
  }
  exit(0)
}
let sstDump = which("sst_dump")
var results: [String: (mb: Double, seconds: Double)] = [:]
print("salvage-bench: median of \(runs) runs, release build, \(ProcessInfo.processInfo.activeProcessorCount) cores")
if sstDump == nil { print("(sst_dump not found: install Debian's rocksdb-tools for the peer column)") }
print("")
for file in files {
  let size = Double((try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0)
  let mb = size / 1e6
  var scan: [Double] = [], decomp: [Double] = [], cli: [Double] = [], peer: [Double] = []
  var entries = 0
  do {
    for _ in 0..<runs {
      let r = try scanInProcess(file, repeats: repeats(forSize: size))
      scan.append(r.seconds)
      entries = r.entries
      decomp.append(try decompressOnly(file, repeats: repeats(forSize: size)))
      if let t = timeCommand(salvageBinary, ["sst", "scan", "--format", "jsonl", file]) { cli.append(t) }
      if let sstDump, let t = timeCommand(sstDump, ["--file=" + file, "--command=scan", "--output_hex"]) { peer.append(t) }
    }
  } catch {
    print("\(file): \(error)")
    continue
  }
  let name = URL(fileURLWithPath: file).lastPathComponent
  print("\(name): \(String(format: "%.1f", mb)) MB, \(entries) entries")
  func row(_ label: String, _ xs: [Double]) {
    guard !xs.isEmpty else { print("  \(label): n/a"); return }
    let m = median(xs)
    print("  " + label.padding(toLength: 44, withPad: " ", startingAt: 0)
          + String(format: "%9.1f MB/s %12.0f entries/s  (%.3f s)", mb / m, Double(entries) / m, m))
  }
  row("decompress + checksum blocks only", decomp)
  row("salvage in-process scan (SSTable iterator)", scan)
  row("salvage sst scan --format jsonl > /dev/null", cli)
  row("sst_dump --command=scan --output_hex", peer)
  if !peer.isEmpty {
    if !cli.isEmpty { print(String(format: "  ratio: salvage sst scan is %.2fx the speed of sst_dump", median(peer) / median(cli))) }
    print(String(format: "  ratio: in-process scan is %.2fx the speed of sst_dump", median(peer) / median(scan)))
  }
  print(String(format: "  ratio: entry decoding costs %.0f%% on top of block decompression", (median(scan) / median(decomp) - 1) * 100))
  print("")
  results[name] = (mb, median(scan))
}

// Same logical data written in a row format and a columnar format (pebble-gen fixtures):
// the columnar reader's speed relative to the row reader's.
for (row, col) in [("pebblev4-zstd.sst", "pebblev8-zstd.sst"), ("pebblev3-snappy.sst", "pebblev6-snappy.sst"),
                   ("pebblev3-snappy.sst", "pebblev8-snappy.sst")] {
  if let r = results[row], let c = results[col] {
    print(String(format: "columnar vs row on the same entries: %@ scans at %.2fx the entries/s of %@", col, r.seconds / c.seconds, row))
  }
}
