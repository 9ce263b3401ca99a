extension Checksum {
  /// CRC-32C of A ‖ B from crc32c(A), crc32c(B) and B's length: CRC(A ‖ B) is CRC(A) carried
  /// through len(B)·8 zero bits (a multiplication by x^(8·len(B)) modulo the polynomial)
  /// xor CRC(B). Lets a writer checksum a batch outside its lock and fold it in under it.
  public static func crc32cCombine(_ a: UInt32, _ b: UInt32, length: Int64) -> UInt32 {
    guard length > 0 else { return a }
    return multiply(xPower8n(UInt64(length)), a) ^ b
  }

  /// The reflected Castagnoli polynomial.
  static let castagnoli: UInt32 = 0x82F6_3B78

  /// a·b modulo the polynomial, both in the reflected bit order of the CRC (bit 31 = x^0).
  static func multiply(_ a: UInt32, _ b: UInt32) -> UInt32 {
    var a = a, b = b, product: UInt32 = 0
    while a != 0 {
      if a & 0x8000_0000 != 0 { product ^= b }
      a <<= 1
      b = b & 1 != 0 ? (b >> 1) ^ castagnoli : b >> 1
    }
    return product
  }

  /// x^(2^k) for k = 0…63, by repeated squaring from x^1.
  static let xPowers: [UInt32] = {
    var p: UInt32 = 1 << 30   // x^1
    var out: [UInt32] = []
    for _ in 0..<64 { out.append(p); p = multiply(p, p) }
    return out
  }()

  /// x^(8n): the product of x^(2^k) over the set bits of 8n.
  static func xPower8n(_ n: UInt64) -> UInt32 {
    var p: UInt32 = 1 << 31   // x^0
    var e = n, k = 3          // 8n = n << 3
    while e != 0 {
      if e & 1 != 0 { p = multiply(xPowers[k], p) }
      e >>= 1
      k += 1
    }
    return p
  }
}
