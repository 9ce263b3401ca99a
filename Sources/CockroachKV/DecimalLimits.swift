/// What a stored DECIMAL can be, checked by every decimal decoder before a length or an
/// exponent from the input becomes work or memory (a 13-byte value with an exponent near
/// 2^31 once made the plain-text rendering allocate gigabytes). Outside these bounds the
/// value is damage, not data:
///
/// - Exponent: apd refuses any decimal whose exponent or adjusted exponent (exponent +
///   digits − 1) lies outside ±`MaxExponent` = 100000, in every context
///   (github.com/cockroachdb/apd `decimal.go`: `MaxExponent`, `MinExponent = -MaxExponent`,
///   enforced by `setExponent`). CockroachDB's SQL contexts are narrower still: ±2000
///   (`pkg/sql/sem/tree/decimal.go`, `DecimalCtx`).
/// - Digits: SQL decimals stay inside those ±2000 exponents with no precision cap
///   (`ExactCtx`), so a coefficient holds at most about 4000 digits; 10000 leaves margin.
public enum DecimalLimits {
  /// apd `MaxExponent`; the smallest exponent is its negation.
  public static let maxExponent = 100_000
  /// Most coefficient digits accepted.
  public static let maxDigits = 10_000
  /// Most coefficient bytes of the non-sorting value encoding (big-endian magnitude):
  /// every byte adds more than 2.4 digits, so more than this always exceeds `maxDigits`.
  public static let maxCoefficientBytes = maxDigits * 10 / 24

  /// Whether ±coefficient·10^`exponent` with `digits` coefficient digits is a decimal apd
  /// can hold (zero has 1 digit).
  public static func allows(exponent: Int, digits: Int) -> Bool {
    guard digits >= 1, digits <= maxDigits, abs(exponent) <= maxExponent else { return false }
    return abs(exponent + digits - 1) <= maxExponent
  }

  /// Decodes a stored exponent magnitude: fits `Int` without overflow, or nil when no
  /// decimal within the limits can have it (the caller reports damage).
  public static func exponentMagnitude(_ u: UInt64) -> Int? {
    u <= UInt64(maxExponent + maxDigits + 1) ? Int(u) : nil
  }
}
