// `salvage-bench snappy FILE.sst...`: Snappy block decoding alone, in memory. Every Snappy
// data block of the files is read once into memory, then decoded again and again into one
// reused buffer (no I/O, checksum or allocation); MB/s of decoded bytes, median of BENCH_RUNS.
import Foundation
@_spi(Bench) import SSTable

func snappyBench(_ files: [String]) throws {
  var blocks: [[UInt8]] = []
  for f in files {
    let data = try [UInt8](Data(contentsOf: URL(fileURLWithPath: f)))
    let table = try Table(path: f)
    for b in table.layout().blocks where b.kind == "data" && b.compression == 1 {
      let start = Int(b.handle.offset), end = start + Int(b.handle.length)
      if end <= data.count { blocks.append(Array(data[start..<end])) }
    }
  }
  let sizes = blocks.map { $0.withUnsafeBytes { Snappy.uncompressedLength($0) ?? 0 } }
  let out = UnsafeMutableRawBufferPointer.allocate(byteCount: (sizes.max() ?? 0) + 1, alignment: 16)
  defer { out.deallocate() }
  let decoded = sizes.reduce(0, +)
  let compressed = blocks.reduce(0) { $0 + $1.count }
  func pass(_ fast: Bool) -> Int {
    var ok = 0
    for (b, n) in zip(blocks, sizes) {
      let dst = UnsafeMutableRawBufferPointer(rebasing: out[0..<n])
      if b.withUnsafeBytes({ fast ? Snappy.decompress($0, into: dst) : Snappy.decompressExact($0, into: dst) }) { ok += 1 }
    }
    return ok
  }
  let reps = max(1, Int(400e6 / Double(max(decoded, 1))))
  print(String(format: "salvage-bench snappy: %d blocks, %.1f MB compressed → %.1f MB, median of %d",
               blocks.count, Double(compressed) / 1e6, Double(decoded) / 1e6, runs))
  for (label, fast) in [("exact path only (the decoder of before)", false), ("with the 8-byte fast paths", true)] {
    var xs: [Double] = []
    var ok = 0
    for _ in 0..<runs { xs.append(time { for _ in 0..<reps { ok = pass(fast) } } / Double(reps)) }
    let m = median(xs)
    print("  " + label.padding(toLength: 42, withPad: " ", startingAt: 0)
          + String(format: "%7.0f MB/s decoded %7.0f MB/s compressed  (%d of %d blocks decoded)",
                   Double(decoded) / 1e6 / m, Double(compressed) / 1e6 / m, ok, blocks.count))
  }
}
