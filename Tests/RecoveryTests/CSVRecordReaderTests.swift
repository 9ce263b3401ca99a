import Foundation
import Testing
@testable import Recovery

/// The project's one CSV reader: plain and gzip files alike, records across its 1 MiB reads,
/// and recover's own files held to their final newline.
struct CSVRecordReaderTests {
  static func gzip(_ path: String) throws {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/gzip")
    p.arguments = ["-kf", path]
    try p.run()
    p.waitUntilExit()
    #expect(p.terminationStatus == 0)
  }

  @Test func gzipAndPlainGiveTheSameRecordsAcrossReads() throws {
    let root = try VerifyTests.temp(); defer { try? FileManager.default.removeItem(atPath: root) }
    let p = root + "/t.csv"
    // ~3 MiB: quoted newlines and quotes land on every position relative to the 1 MiB reads.
    var text = "", want: [[String?]] = []
    for i in 0..<60_000 {
      let s = String(repeating: "x", count: i % 37)
      text += "\(i),\"a\n\(s)\"\"b\",\\N,\"\\N\",\r\n"
      want.append([String(i), "a\n\(s)\"b", nil, "\\N", ""])
    }
    try text.write(toFile: p, atomically: true, encoding: .utf8)
    try Self.gzip(p)
    for path in [p, p + ".gz"] {
      let r = try CSVRecordReader(path: path, requireFinalNewline: true)
      var got: [[String?]] = []
      while let f = try r.next() { got.append(f) }
      #expect(got == want, "\(path)")
      #expect(r.records == want.count)
    }
  }

  @Test func aLastRecordWithoutNewlineIsCutShortWhenRequired() throws {
    let root = try VerifyTests.temp(); defer { try? FileManager.default.removeItem(atPath: root) }
    let p = root + "/t.csv"
    try "1,a\n2,b".write(toFile: p, atomically: true, encoding: .utf8)
    let lenient = try CSVRecordReader(path: p)
    #expect(try lenient.next() == ["1", "a"])
    #expect(try lenient.next() == ["2", "b"])
    #expect(try lenient.next() == nil)
    let strict = try CSVRecordReader(path: p, requireFinalNewline: true)
    #expect(try strict.next() == ["1", "a"])
    #expect(throws: RecoveryError.self) { try strict.next() }
    try "1,\"open\n".write(toFile: p, atomically: true, encoding: .utf8)
    #expect(throws: RecoveryError.self) { try CSVRecordReader(path: p).next() }
  }

  @Test func damagedGzipIsAnError() throws {
    let root = try VerifyTests.temp(); defer { try? FileManager.default.removeItem(atPath: root) }
    let p = root + "/t.csv"
    try String(repeating: "1,abc\n", count: 100_000).write(toFile: p, atomically: true, encoding: .utf8)
    try Self.gzip(p)
    var bytes = try Data(contentsOf: URL(fileURLWithPath: p + ".gz"))
    for i in stride(from: 20, to: bytes.count - 10, by: 7) { bytes[i] ^= 0x5a }
    try bytes.write(to: URL(fileURLWithPath: p + ".gz"))
    #expect(throws: RecoveryError.self) {
      let r = try CSVRecordReader(path: p + ".gz")
      while try r.next() != nil {}
    }
  }
}
