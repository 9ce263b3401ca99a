import ArgumentParser
import CockroachKV

/// `--as-of`, the same for every command that takes it: one help text, one parser
/// (`MVCCTimestamp(parsing:)`).
enum AsOf {
  static let help = ArgumentHelp(
    "Read timestamp: RFC 3339 (2025-03-08T00:00:00Z, any offset, optional fraction), CockroachDB's decimal "
      + "nanos.logical (1741392000000000000.0000000000) or secs[.nanos][,logical]; default: newest.",
    valueName: "TS")

  static func parse(_ text: String) throws -> MVCCTimestamp {
    do { return try MVCCTimestamp(parsing: text) } catch { throw ValidationError("--as-of: \(error.message)") }
  }
}
