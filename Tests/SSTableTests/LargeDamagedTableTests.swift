import Foundation
import Testing
@testable import SSTable
import SalvageTestSupport

/// A real-size table with its footer lost (issue 14, item 9): RocksDB writes a CRC32C table
/// of ~10 MB, then a 1 MB hole is zeroed in the middle and the end (index, meta blocks,
/// footer and the last data blocks) is cut off. Every data block outside the hole and before
/// the cut must come back, byte for byte, from the block search alone.
struct LargeDamagedTableTests {
  /// One table written by RocksDB (`ldb`, Debian rocksdb-tools) with CRC32C block checksums
  /// (CockroachDB's and Pebble's; ldb's own default is XXH3), built once per process.
  static let table: Result<String, Error> = Result {
    let ldb = "/usr/bin/ldb"
    guard FileManager.default.isExecutableFile(atPath: ldb) else {
      throw TestFailure("ldb not found (Debian package rocksdb-tools: scripts/setup.sh)")
    }
    let dir = NSTemporaryDirectory() + "salvage-large-\(UUID().uuidString)"
    // Deterministic word text (compresses ~2x with Snappy, like row data).
    var rng: UInt64 = 0x9E37_79B9_7F4A_7C15
    func next() -> Int { rng = rng &* 6364136223846793005 &+ 1442695040888963407; return Int(rng >> 33) }
    let words = (0..<2000).map { _ in String((0..<(3 + next() % 8)).map { _ in Character(Unicode.Scalar(UInt8(97 + next() % 26))) }) }
    var input = ""
    for i in 0..<70_000 {
      input += "/Table/106/1/\(String(format: "%010d", i))/0 ==> " + (0..<(5 + next() % 56)).map { _ in words[next() % words.count] }.joined(separator: " ") + "\n"
    }
    func run(_ args: [String], stdin: String? = nil) throws {
      let (status, _, err) = try runProgram(ldb, ["--db=\(dir)"] + args, stdin: stdin.map { Data($0.utf8) })
      guard status == 0 else { throw TestFailure("ldb \(args) exited \(status): \(err)") }
    }
    try run(["--create_if_missing", "--compression_type=snappy", "--write_buffer_size=268435456", "load"], stdin: input)
    // Switch the table options to CRC32C, then let compaction rewrite the data with them.
    for f in try FileManager.default.contentsOfDirectory(atPath: dir) where f.hasPrefix("OPTIONS-") {
      let p = dir + "/" + f
      let text = try String(contentsOfFile: p, encoding: .utf8)
      try text.replacingOccurrences(of: "checksum=kXXH3", with: "checksum=kCRC32c").write(toFile: p, atomically: true, encoding: .utf8)
    }
    try run(["--try_load_options", "compact"])
    let ssts = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".sst") }
    guard ssts.count == 1 else { throw TestFailure("expected one table, found \(ssts)") }
    return dir + "/" + ssts[0]
  }

  struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ s: String) { description = s }
  }

  /// key ‖ seq ‖ kind ‖ value, compared as bytes (hex only for a mismatch: cheaper in debug).
  struct Entry: Equatable {
    var key: [UInt8], seq: UInt64, kind: UInt8, value: [UInt8]
    init(_ e: PointEntry) { key = Array(e.userKey); seq = e.seq; kind = e.kind; value = Array(e.value) }
    var text: String { "\(hexString(key)) #\(seq) \(kind) = \(hexString(value.prefix(40)))" }
  }

  @Test func holeAndLostEndCostOnlyTheBlocksTheyTouch() throws {
    let path = try Self.table.get()
    let intact = try Table(path: path)
    #expect(intact.footer.checksumType == .crc32c)
    #expect(intact.file.count > 8 << 20)
    let blocks = try intact.dataBlockEntries()
    // Damage: 1 MiB of zeros in the middle, and the file cut at 90% (inside the data blocks).
    let holeStart = intact.file.count / 2, holeEnd = holeStart + (1 << 20)
    let cut = intact.file.count * 9 / 10
    #expect(cut < blocks.last!.handle.offset)
    var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    for i in holeStart..<holeEnd { bytes[i] = 0 }
    bytes.removeLast(bytes.count - cut)
    let damagedPath = NSTemporaryDirectory() + "salvage-large-damaged-\(UUID().uuidString).sst"
    FileManager.default.createFile(atPath: damagedPath, contents: Data(bytes))
    defer { try? FileManager.default.removeItem(atPath: damagedPath) }

    // What survives: every data block entirely outside the hole and before the cut.
    var expected: [Entry] = []
    var lostBlocks = 0
    for b in blocks {
      let end = b.handle.offset + b.handle.length + BlockReader.trailerLength
      if end > cut || (b.handle.offset < holeEnd && end > holeStart) { lostBlocks += 1; continue }
      let it = TableIterator(intact, dataBlocks: [b])
      while let e = it.next() { expected.append(Entry(e)) }
    }
    #expect(lostBlocks > 100 && lostBlocks < blocks.count / 3)

    let opened = try Table.salvage(path: damagedPath)
    #expect(opened.mode == .scannedBlocks)
    let it = opened.makeIterator()
    var got: [Entry] = []
    while let e = it.next() { got.append(Entry(e)) }
    #expect(got.count == expected.count)
    if let i = zip(got, expected).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset {
      Issue.record("entry \(i):\n got  \(got[i].text)\n want \(expected[i].text)")
    }
    // The hole is named among the skipped regions.
    #expect(opened.notes.contains { note in
      guard let r = note.range(of: "no block found in bytes [") else { return false }
      let nums = note[r.upperBound...].split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
      return nums.count >= 2 && nums[0] <= holeStart && nums[1] >= holeEnd
    }, "\(opened.notes)")
  }
}
