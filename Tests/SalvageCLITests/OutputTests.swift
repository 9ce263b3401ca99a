import Foundation
@testable import salvage
import SSTable
import Testing

/// The scan printer's hand-written formatters against the standard library's.
struct OutputTests {
  /// What `body` prints through an `Output` on a temporary file.
  static func printed(_ body: (Output) -> Void) throws -> String {
    let path = NSTemporaryDirectory() + "salvage-output-\(UUID().uuidString)"
    let fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0o600)
    #expect(fd >= 0)
    do {
      let out = Output(fd: fd)
      body(out)
      out.flush()
    }
    close(fd)
    defer { unlink(path) }
    return try String(contentsOfFile: path, encoding: .utf8)
  }

  @Test func decimalsEqualTheStandardLibrarysText() throws {
    var values: [UInt64] = [0, 1, 9, 10, 11, 99, 100, 101, 999, 1000, 12345, 99_999, 100_000, UInt64.max, UInt64.max - 1]
    for k in 1..<20 { let p = (0..<k).reduce(UInt64(1)) { a, _ in a * 10 }; values += [p - 1, p, p + 1] }
    var rng = SystemRandomNumberGenerator()
    values += (0..<2000).map { _ in UInt64.random(in: 0...UInt64.max, using: &rng) >> UInt64.random(in: 0...63, using: &rng) }
    let text = try Self.printed { out in for v in values { out.decimal(v); out.endLine() } }
    #expect(text == values.map { "\($0)\n" }.joined())
  }

  /// Printable ASCII but the backslash as itself, every other byte as `\xNN`: on runs of every
  /// length around the 16-byte steps, with the odd byte at every place.
  @Test func quotedTextEqualsTheByteRule() throws {
    func reference(_ b: [UInt8]) -> String {
      b.map { $0 >= 0x20 && $0 < 0x7f && $0 != 0x5c ? String(UnicodeScalar($0)) : String(format: "\\x%02x", $0) }.joined()
    }
    var inputs: [[UInt8]] = (0...255).map { [UInt8($0)] }
    for n in 0...40 {
      let run = (0..<n).map { UInt8(0x41 + $0 % 26) }
      inputs.append(run)
      for at in 0..<n { for odd: UInt8 in [0x00, 0x1f, 0x5c, 0x7f, 0x80, 0xff] { var r = run; r[at] = odd; inputs.append(r) } }
    }
    var rng = SystemRandomNumberGenerator()
    inputs += (0..<300).map { _ in (0..<Int.random(in: 0...200, using: &rng)).map { _ in UInt8.random(in: 0x1e...0x81, using: &rng) } }
    let text = try Self.printed { out in for b in inputs { b.withUnsafeBytes { out.quoted($0) }; out.endLine() } }
    #expect(text == inputs.map { reference($0) + "\n" }.joined())
  }

  @Test func kindNamesAreTheKindsNames() throws {
    let text = try Self.printed { out in for k in 0...255 { out.kindName(UInt8(k)); out.endLine() } }
    #expect(text == (0...255).map { Kind.name(UInt8($0)) + "\n" }.joined())
  }
}
