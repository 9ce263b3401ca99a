import Testing
import CockroachKV
@testable import CockroachSQL

/// The SQL layer's decimal decoders take the same bounds as `RoachDecimal` (apd's ±100000
/// exponents, 10000 digits) and report anything beyond as corrupt.
@Suite struct SQLDecimalBoundsTests {
  static func nonsorting(_ marker: UInt8, e: UInt64, coefficient: [UInt8]) -> [UInt8] {
    var out = [marker]
    OrderedEncoding.encodeUvarintAscending(e, into: &out)
    return out + coefficient
  }

  static func corrupt(_ body: () throws(SQLDecodeError) -> Void) -> Bool {
    do { try body(); return false } catch { return error.kind == .corrupt }
  }

  @Test func valueExponentsAndCoefficients() throws {
    #expect(try ValueEncoding.nonsortingDecimal(Self.nonsorting(0x34, e: 100_001, coefficient: [1])[...]).exponent == 100_000)
    #expect(Self.corrupt { () throws(SQLDecodeError) in _ = try ValueEncoding.nonsortingDecimal(Self.nonsorting(0x34, e: 100_002, coefficient: [1])[...]) })
    #expect(Self.corrupt { () throws(SQLDecodeError) in _ = try ValueEncoding.nonsortingDecimal(Self.nonsorting(0x34, e: 1 << 30, coefficient: [1])[...]) })
    #expect(Self.corrupt { () throws(SQLDecodeError) in _ = try ValueEncoding.nonsortingDecimal(Self.nonsorting(0x28, e: 100_000, coefficient: [1])[...]) })
    #expect(try ValueEncoding.nonsortingDecimal(Self.nonsorting(0x34, e: 9633, coefficient: Array(repeating: 0xFF, count: 4000))[...])
      .coefficient.count == 9633)
    #expect(Self.corrupt { () throws(SQLDecodeError) in
      _ = try ValueEncoding.nonsortingDecimal(Self.nonsorting(0x34, e: 10_100, coefficient: Array(repeating: 0xFF, count: 4200))[...])
    })
  }

  @Test func keyExponentsAndMantissas() throws {
    func key(_ e: UInt64, mantissa: [UInt8]) -> ArraySlice<UInt8> {
      var out: [UInt8] = [0x34]
      OrderedEncoding.encodeUvarintAscending(e, into: &out)
      return (out + mantissa + [0x00])[...]
    }
    var ok = key(50_000, mantissa: [0x03])   // 0.01 × 100^50000 = 10^99998
    #expect(try SQLOrderedDecoding.decimal(&ok, descending: false).exponent == 99_998)
    var big = key(1 << 30, mantissa: [0x03])
    #expect(Self.corrupt { () throws(SQLDecodeError) in _ = try SQLOrderedDecoding.decimal(&big, descending: false) })
    var wide = key(3000, mantissa: Array(repeating: 0x03, count: 6000))   // 12000 digits
    #expect(Self.corrupt { () throws(SQLDecodeError) in _ = try SQLOrderedDecoding.decimal(&wide, descending: false) })
  }
}
