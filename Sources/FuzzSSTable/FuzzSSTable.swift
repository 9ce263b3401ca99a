import Glibc
import SSTable

// libFuzzer entry point (`scripts/fuzz.sh`). The input is one whole file, read as the CLI
// reads it: `sst scan` (salvaging open, every entry, range deletions and keys), `sst check`
// (verify), `sst layout` and `sst properties`; then as a blob file. Any crash, hang or
// runaway allocation is a finding: bad bytes must end as errors or damage records.
// Without `-sanitize=fuzzer` nothing calls this and the executable does nothing.
// FUZZ_SKIP_BLOCK_SCAN=1 leaves out the block search of tables whose footer is unusable
// (seconds per input while it is quadratic), so a run explores the other decoders.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSSTable(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
  let file = MappedFile(copying: UnsafeRawBufferPointer(start: data, count: size), name: "fuzz.sst")
  scanTable(file)
  readBlobFile(file)
  return 0
}

func scanTable(_ file: MappedFile) {
  var opened = false
  if let t = try? Table(file: file) {
    opened = true
    for (name, value) in t.properties.raw { _ = t.properties.displayValue(name, value) }
    _ = t.layout()
    _ = t.verify()
    _ = t.seqNumBounds()
    // A seek (binary search of restart points or separators) to a key taken from the input.
    let key = UnsafeRawBufferPointer(start: file.bytes.baseAddress, count: min(file.bytes.count, 16))
    let sought = t.makeIterator()
    sought.seek(atOrAfter: key, compare: { a, b in a.lexicographicallyPrecedes(b) ? -1 : (b.lexicographicallyPrecedes(a) ? 1 : 0) })
    while let e = sought.next() { consume(e.userKey, e.value) }
  }
  if skipBlockScan && !opened { return }
  guard let s = try? Table.salvage(file: file) else { return }
  let it = s.makeIterator()
  while let e = it.next() { consume(e.userKey, e.value) }
  for d in it.damages { _ = d.description }
  _ = try? s.table.rangeDeletions()
  _ = try? s.table.rangeKeys()
}

func readBlobFile(_ file: MappedFile) {
  guard let b = try? BlobFile(file: file) else { return }
  _ = try? b.properties()
  for k in b.valueBlocks.indices {
    guard let n = try? b.valueCount(block: k) else { continue }
    for row in 0..<n { _ = try? b.withValue(blockID: UInt32(k), valueID: UInt32(row)) { consume($0, $0) } }
  }
  for v in b.virtualBlocks.indices { _ = try? b.withValue(blockID: UInt32(v), valueID: 0) { consume($0, $0) } }
}

/// Touches every byte, so a view past its buffer is caught by the address sanitizer.
@inline(never)
func consume(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) {
  var x: UInt8 = 0
  for v in a { x ^= v }
  for v in b { x ^= v }
  sink = x
}
nonisolated(unsafe) var sink: UInt8 = 0
let skipBlockScan = getenv("FUZZ_SKIP_BLOCK_SCAN").map { String(cString: $0) == "1" } ?? false
