import Testing
import SSTable
@testable import LSMStore
import SalvageTestSupport

/// WAL files decode to exactly the ops the engines' own readers reported, and damaged or
/// recycled logs end where the engines end them.
struct LogReaderTests {
  static let pebbleStore = "pebble-gen/store/"
  static let pebbleExpected = "pebble-gen/store-expected/"

  @Test(arguments: [5, 8, 12] as [UInt32])
  func pebbleWALMatchesEngine(_ num: UInt32) throws {
    let name = pad6(UInt64(num))
    let reader = try LogReader(path: Fixtures.path(Self.pebbleStore + name + ".log"), logNumber: num)
    let got = walLines(reader)
    let want = try Fixtures.jsonl(Self.pebbleExpected + name + ".wal.jsonl").map { expectedOpLine($0, offsetField: "record_offset") }
    #expect(!want.isEmpty)
    expectSameLines(got, want, name + ".log")
    #expect(reader.issues.allSatisfy { $0.severity != .damage }, "\(reader.issues)")
  }

  /// `000012.log` is a recycled file: two live batches, Pebble's EOF trailer (an empty chunk
  /// for log 13), then chunks written long ago for log 4. Replay stops at the trailer
  /// (Pebble: "stopped reading at offset 11097") and never reads the stale records.
  @Test func recycledLogStopsAtStaleTail() throws {
    let reader = try LogReader(path: Fixtures.path(Self.pebbleStore + "000012.log"), logNumber: 12)
    let records = reader.readAll()
    #expect(records.map(\.offset) == [0, 11006])
    #expect(reader.end == .eofTrailer)
    #expect(reader.endOffset == 11097)
    #expect(reader.unreadableBytes == 0)
  }

  /// Without an EOF trailer, a recycled file's first chunk from its earlier life (another
  /// log number, intact checksum) ends replay; it is not reported as damage.
  @Test func staleChunksOfAnotherLogEndReplay() {
    var live = LogBuilder(logNumber: 12)
    live.record(Array("new".utf8), header: 11)
    var old = LogBuilder(logNumber: 4)
    old.bytes = live.bytes
    old.record(Array("old".utf8), header: 11)
    let reader = LogReader(bytes: old.bytes, name: "000012.log", logNumber: 12)
    #expect(reader.readAll().map(\.payload) == [Array("new".utf8)])
    #expect(reader.end == .foreignLogNumber(4))
    #expect(reader.endOffset == 14)
    #expect(!reader.issues.contains { $0.severity == .damage })
  }

  /// A WAL cut inside its last batch: the 24 ops before it survive, the torn tail is
  /// reported with its offset and size, and nothing traps.
  @Test func truncatedWALStopsAtTornTail() throws {
    let reader = try LogReader(path: Fixtures.path("corrupt/pebble-wal-truncated/000012.log"), logNumber: 12)
    let got = walLines(reader)
    let want = try Fixtures.jsonl(Self.pebbleExpected + "000012.wal.jsonl").prefix(24).map { expectedOpLine($0, offsetField: "record_offset") }
    expectSameLines(got, Array(want), "truncated 000012.log")
    #expect(reader.end == .truncated)
    #expect(reader.endOffset == 11006)
    #expect(reader.unreadableBytes == 11023 - 11006)
    let damage = reader.issues.filter { $0.severity == .damage }
    #expect(damage.count == 1)
    #expect(damage.first?.error.offset == 11006)
    #expect(damage.first?.error.file == "000012.log")
    #expect(damage.first?.error.kind == .truncated)
  }

  @Test func rocksDBWALMatchesEngine() throws {
    let reader = try LogReader(path: Fixtures.path("rocksdb/store/000013.log"), logNumber: 13)
    let got = walLines(reader)
    let want = try Fixtures.jsonl("rocksdb/store-expected/000013.wal.jsonl").map { expectedOpLine($0, offsetField: "wal_offset") }
    expectSameLines(got, want, "rocksdb 000013.log")
    #expect(reader.end == .endOfFile)
    #expect(reader.issues.isEmpty)
  }

  /// A block tail too short for the log's own chunk header is zero-filled by the writer:
  /// under 19 bytes for WAL-sync chunks, under 11 for recyclable ones (Pebble's LogWriter;
  /// its reader skips such a tail). Replay continues in the next block; an all-zero header
  /// there is no end of the log. (The 25.4 simulator's WALs met this at offset 32757.)
  @Test(arguments: [(19, 15), (19, 11), (11, 9), (11, 7)])
  func zeroFilledTailShorterThanTheHeaderIsSkipped(_ header: Int, _ tail: Int) {
    var log = LogBuilder(logNumber: 9)
    let size = LogReader.blockSize - tail - header
    log.record([UInt8](repeating: 0x61, count: size), header: header)
    log.record(Array("next block".utf8), header: header)
    #expect(log.bytes.count == LogReader.blockSize + header + 10)
    let r = LogReader(bytes: log.bytes, name: "000009.log", logNumber: 9)
    let recs = r.readAll()
    #expect(recs.map(\.offset) == [0, LogReader.blockSize])
    #expect(recs.map(\.payload.count) == [size, 10])
    #expect(recs.last.map { String(decoding: $0.payload.prefix(10), as: UTF8.self) } == "next block")
    #expect(r.end == .endOfFile)
    #expect(r.issues.isEmpty, "\(r.issues)")
    #expect(r.unreadableBytes == 0)
  }

  /// Hand-built logs: every chunk header variant, records split over blocks, a bad
  /// checksum with an intact header (skipped, later records kept), hostile lengths.
  @Test func chunkVariantsAndDamage() {
    var log = LogBuilder(logNumber: 7)
    log.record(Array("alpha".utf8), header: 7)
    log.record(Array("bravo".utf8), header: 11)
    log.record(Array("charlie".utf8), header: 19)
    log.record([UInt8](repeating: 0xAB, count: 40_000), header: 11)   // spans two blocks
    let bad = log.bytes.count
    log.record(Array("damaged".utf8), header: 7)
    log.bytes[bad + 8] ^= 1                                          // payload bit flip
    log.record(Array("echo".utf8), header: 11)
    log.eofTrailer()
    let r = LogReader(bytes: log.bytes, name: "000007.log", logNumber: 7)
    let recs = r.readAll()
    #expect(recs.map { $0.payload.count } == [5, 5, 7, 40_000, 4])
    #expect(recs[0].payload == Array("alpha".utf8) && recs[4].payload == Array("echo".utf8))
    #expect(r.end == .eofTrailer)
    #expect(r.issues.filter { $0.severity == .damage }.map { $0.error.offset } == [bad])
    #expect(r.unreadableBytes == 7 + 7)

    // A length field pointing past the file: a torn tail, never a trap.
    var t = LogBuilder(logNumber: 1)
    t.record(Array("ok".utf8), header: 7)
    let tail = t.bytes.count
    t.bytes += [0, 0, 0, 0, 0xFF, 0xFF, 1, 1, 2, 3]
    let tr = LogReader(bytes: t.bytes, name: "x", logNumber: nil)
    #expect(tr.readAll().count == 1)
    #expect(tr.end == .truncated && tr.endOffset == tail)

    // A chunk header cut to 4 bytes at the end of the file is a torn tail too.
    var h = LogBuilder(logNumber: 1)
    h.record(Array("ok".utf8), header: 7)
    h.bytes += [0x12, 0x34, 0x56, 0x78]
    let hr = LogReader(bytes: h.bytes, name: "x", logNumber: nil)
    #expect(hr.readAll().count == 1)
    #expect(hr.end == .truncated && hr.unreadableBytes == 4)
  }

  /// Every single-byte mutation of a small real WAL decodes or reports damage; none traps.
  @Test func everyByteMutationIsSafe() throws {
    let original = try fileBytes("rocksdb/store/000013.log")
    for i in stride(from: 0, to: original.count, by: 3) {
      var m = original
      m[i] ^= 0x5A
      let r = LogReader(bytes: m, name: "m", logNumber: 13)
      for rec in r.readAll() { _ = BatchDecoder.decode(rec.payload, recordOffset: rec.offset, file: "m") }
      #expect(r.end != nil)
    }
  }
}

/// Writes record logs the way the format describes (tests only).
struct LogBuilder {
  var bytes: [UInt8] = []
  let logNumber: UInt32

  init(logNumber: UInt32) { self.logNumber = logNumber }

  mutating func record(_ payload: [UInt8], header: Int) {
    var rest = payload[...]
    var first = true
    repeat {
      let room = LogReader.blockSize - bytes.count % LogReader.blockSize
      if room < header { bytes += [UInt8](repeating: 0, count: room); continue }
      let n = min(rest.count, room - header)
      let last = n == rest.count
      let position = first ? (last ? 0 : 1) : (last ? 3 : 2)
      let base: UInt8 = header == 7 ? 1 : header == 11 ? 5 : 9
      chunk(type: base + UInt8(position), header: header, num: logNumber, Array(rest.prefix(n)))
      rest = rest.dropFirst(n)
      first = false
    } while !rest.isEmpty
  }

  mutating func eofTrailer() { chunk(type: 5, header: 11, num: logNumber + 1, []) }

  mutating func chunk(type: UInt8, header: Int, num: UInt32, _ payload: [UInt8]) {
    var covered: [UInt8] = [type]
    if header >= 11 { covered += withUnsafeBytes(of: num.littleEndian, Array.init) }
    if header == 19 { covered += [UInt8](repeating: 0, count: 8) }
    covered += payload
    let crc = covered.withUnsafeBytes { Checksum.masked(Checksum.crc32c($0)) }
    bytes += withUnsafeBytes(of: crc.littleEndian, Array.init)
    bytes += withUnsafeBytes(of: UInt16(payload.count).littleEndian, Array.init)
    bytes += covered
  }
}
