import Testing
@testable import CockroachKV
import SalvageTestSupport

/// Decimal decoders bound what a damaged exponent or coefficient can cost (issue 14, item 7):
/// apd's ±100000 exponent limit and 10000 digits; beyond them the value is damage.
struct DecimalBoundsTests {
  /// Non-sorting DECIMAL value body: marker ‖ uvarint-asc(e) ‖ big-endian coefficient.
  static func nonsorting(_ marker: UInt8, e: UInt64, coefficient: [UInt8]) -> [UInt8] {
    var out = [marker]
    OrderedEncoding.encodeUvarintAscending(e, into: &out)
    return out + coefficient
  }

  /// The damaged value of the issue: exponent 0x6b000004 (≈ 1.8·10^9), coefficient 44.
  @Test func hugeExponentValueIsDamage() throws {
    let v = try RoachValue(rawBytes: [0, 0, 0, 0, 5] + bytes(hex: "34f96b0000042c"))
    #expect(throws: KVError.self) { try v.decoded() }
    do { _ = try v.decoded() } catch { #expect(error.kind == .corrupt) }
  }

  @Test func exponentLimitsAreApds() throws {
    // 1·10^100000 (adjusted exponent 100000) is the largest apd holds; one more is damage.
    let top = try RoachDecimal(nonsorting: Self.nonsorting(0x34, e: 100_001, coefficient: [1])[...])
    #expect(top.exponent == 100_000)
    #expect(top.description.utf8.count == 100_001)
    #expect(throws: KVError.self) { try RoachDecimal(nonsorting: Self.nonsorting(0x34, e: 100_002, coefficient: [1])[...]) }
    // 1·10^-100000 (marker 28: positive, |value| < 1, e = −99999) is the smallest; below is damage.
    let bottom = try RoachDecimal(nonsorting: Self.nonsorting(0x28, e: 99_999, coefficient: [1])[...])
    #expect(bottom.exponent == -100_000)
    #expect(throws: KVError.self) { try RoachDecimal(nonsorting: Self.nonsorting(0x28, e: 100_000, coefficient: [1])[...]) }
    // Negative numbers (markers 1a, 26) take the same bounds.
    #expect(throws: KVError.self) { try RoachDecimal(nonsorting: Self.nonsorting(0x1A, e: 1 << 40, coefficient: [1])[...]) }
    #expect(throws: KVError.self) { try RoachDecimal(nonsorting: Self.nonsorting(0x26, e: UInt64.max, coefficient: [1])[...]) }
  }

  @Test func coefficientLimitIsTenThousandDigits() throws {
    // 4000 bytes of 0xff: 9633 digits, inside the limit (the SQL layer accepts it too).
    let wide = try RoachDecimal(nonsorting: Self.nonsorting(0x34, e: 9633, coefficient: Array(repeating: 0xFF, count: 4000))[...])
    #expect(wide.digits.count == 9633 && wide.exponent == 0)
    #expect(throws: KVError.self) {
      try RoachDecimal(nonsorting: Self.nonsorting(0x34, e: 10_100, coefficient: Array(repeating: 0xFF, count: 4200))[...])
    }
  }

  /// Key-encoded decimals (0.M × 100^E): exponents that used to trap (|Int64.min|) or pad
  /// tens of thousands of zeros are damage.
  @Test func orderedDecimalExponentsAreBounded() throws {
    func key(_ marker: UInt8, _ e: UInt64, descending: Bool) -> [UInt8] {
      var out = [marker]
      if descending {
        var asc: [UInt8] = []
        OrderedEncoding.encodeUvarintAscending(e, into: &asc)
        // uvarint-desc: (0x88 − n) ‖ n bytes of ^v.
        let n = asc.count - 1
        out.append(UInt8(0x88 - n))
        out += asc.dropFirst().map { ~$0 }
      } else {
        OrderedEncoding.encodeUvarintAscending(e, into: &out)
      }
      return out + [0x03, 0x00]   // mantissa: one base-100 digit 01, terminator
    }
    #expect(throws: KVError.self) { try OrderedEncoding.decodeDecimalAscending(key(0x34, 1 << 63, descending: false)[...]) }
    #expect(throws: KVError.self) { try OrderedEncoding.decodeDecimalAscending(key(0x26, 1 << 63, descending: false)[...]) }
    #expect(throws: KVError.self) { try OrderedEncoding.decodeDecimalAscending(key(0x28, 1 << 63, descending: true)[...]) }
    #expect(throws: KVError.self) { try OrderedEncoding.decodeDecimalAscending(key(0x34, 60_000, descending: false)[...]) }
    // 0.01 × 100^50000 = 10^99998: inside the limits, printed in full.
    let (text, rest) = try OrderedEncoding.decodeDecimalAscending(key(0x34, 50_000, descending: false)[...])
    #expect(rest.isEmpty && text.utf8.count == 99_999 && text.hasPrefix("10"))
  }
}
