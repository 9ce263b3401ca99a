import Foundation
import Testing
@testable import Export

/// `FileCopy.copy`: bytes between explicit offsets, both advanced; a short source fails.
struct FileCopyTests {
  @Test func copiesBetweenOffsets() throws {
    let dir = try makeTempDirectory()
    defer { removeDirectory(dir) }
    let a = dir + "/a", b = dir + "/b"
    try Data((0..<200).map { UInt8($0) }).write(to: URL(fileURLWithPath: a))
    try Data(repeating: 0xEE, count: 50).write(to: URL(fileURLWithPath: b))
    let src = open(a, O_RDONLY), dst = open(b, O_WRONLY)
    defer { close(src); close(dst) }
    var inOffset: Int64 = 10, outOffset: Int64 = 40
    try FileCopy.copy(from: src, at: &inOffset, to: dst, at: &outOffset, count: 100)
    #expect(inOffset == 110 && outOffset == 140)
    let got = [UInt8](try Data(contentsOf: URL(fileURLWithPath: b)))
    #expect(got == [UInt8](repeating: 0xEE, count: 40) + (10..<110).map { UInt8($0) })
    // The source ends before the count: a read error, with what was there copied.
    var past: Int64 = 150
    #expect(throws: FileCopy.Failure.self) { try FileCopy.copy(from: src, at: &past, to: dst, at: &outOffset, count: 100) }
    #expect(past == 200)
  }
}
