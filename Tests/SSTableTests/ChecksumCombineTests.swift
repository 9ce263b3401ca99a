import Testing
import SalvageTestSupport
@testable import SSTable

@Suite struct ChecksumCombineTests {
  /// crc32cCombine(crc(A), crc(B), len B) == crc(A ‖ B) for random splits, empty parts and a
  /// long B, against the running CRC over the whole.
  @Test func combineEqualsTheCRCOfTheConcatenation() {
    var rng = SplitMix64(state: 9)
    for _ in 0..<200 {
      let n = Int(rng.next() % 5000)
      let data = (0..<n).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
      let cut = n == 0 ? 0 : Int(rng.next() % UInt64(n + 1))
      let whole = data.withUnsafeBytes { Checksum.crc32c($0) }
      let a = data[..<cut].withUnsafeBytes { Checksum.crc32c($0) }
      let b = data[cut...].withUnsafeBytes { Checksum.crc32c($0) }
      #expect(Checksum.crc32cCombine(a, b, length: Int64(n - cut)) == whole)
    }
    // The standard check value, split: crc32c("123456789") == 0xE3069283.
    let digits = Array("123456789".utf8)
    let a = digits[..<4].withUnsafeBytes { Checksum.crc32c($0) }, b = digits[4...].withUnsafeBytes { Checksum.crc32c($0) }
    #expect(Checksum.crc32cCombine(a, b, length: 5) == 0xE306_9283)
  }
}
