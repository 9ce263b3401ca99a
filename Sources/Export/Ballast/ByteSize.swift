import Foundation

/// Sizes on the command line: `4096`, `512M`, `10G`, `1.5TiB` (K, M, G, T and their `iB`
/// forms are powers of 1024; a `B` alone is bytes).
public enum ByteSize {
  public static func parse(_ text: String) -> Int64? {
    let t = text.trimmingCharacters(in: .whitespaces)
    let units: [(String, Double)] = [("TiB", 0x1p40), ("GiB", 0x1p30), ("MiB", 0x1p20), ("KiB", 0x1p10),
                                     ("T", 0x1p40), ("G", 0x1p30), ("M", 0x1p20), ("K", 0x1p10), ("B", 1)]
    var number = Substring(t), scale = 1.0
    for (suffix, s) in units where t.uppercased().hasSuffix(suffix.uppercased()) {
      number = t.dropLast(suffix.count); scale = s
      break
    }
    guard !number.isEmpty, number.allSatisfy({ $0.isNumber || $0 == "." }), let v = Double(number), v >= 0 else { return nil }
    let bytes = (v * scale).rounded()
    guard bytes < 0x1p62 else { return nil }
    return Int64(bytes)
  }

  /// `1.5 GiB`, `512 MiB`, `900 B`: for messages.
  public static func text(_ n: Int64) -> String {
    let units: [(String, Double)] = [("TiB", 0x1p40), ("GiB", 0x1p30), ("MiB", 0x1p20), ("KiB", 0x1p10)]
    for (u, s) in units where Double(n) >= s {
      let v = Double(n) / s
      return (v == v.rounded() ? String(Int64(v)) : String(format: "%.1f", v)) + " " + u
    }
    return "\(n) B"
  }
}
