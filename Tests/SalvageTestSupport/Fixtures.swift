import Foundation

/// Locates `../shared/fixtures` (beside the checkout) from this file's path; the
/// `SALVAGE_FIXTURES` environment variable overrides it. A missing folder fails the test
/// run rather than skipping: every layer must pass on the engines' own files.
public enum Fixtures {
  public static let root: String = {
    if let env = ProcessInfo.processInfo.environment["SALVAGE_FIXTURES"] { return env }
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }   // Tests/SalvageTestSupport/Fixtures.swift → repo
    return url.deletingLastPathComponent().appendingPathComponent("shared/fixtures").path
  }()

  /// Absolute path of a fixture, e.g. `path("rocksdb/sst/fv2-none.sst")`.
  public static func path(_ relative: String) -> String { root + "/" + relative }

  public static func exists(_ relative: String) -> Bool { FileManager.default.fileExists(atPath: path(relative)) }

  /// Names (without extension) of the `.sst` files in a fixture folder, sorted.
  public static func tables(in folder: String) -> [String] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: path(folder))) ?? []
    return names.filter { $0.hasSuffix(".sst") }.map { String($0.dropLast(4)) }.sorted()
  }

  /// Parses a JSON-lines file into one dictionary per line; a missing file gives [].
  public static func jsonl(_ relative: String) throws -> [[String: Any]] {
    guard exists(relative) else { return [] }
    let text = try String(contentsOfFile: path(relative), encoding: .utf8)
    return try text.split(separator: "\n").map { line in
      guard let o = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
        throw FixtureError.notAnObject(relative)
      }
      return o
    }
  }

  public static func json(_ relative: String) throws -> Any {
    try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path(relative))))
  }
}

public enum FixtureError: Error { case notAnObject(String) }

extension Dictionary where Key == String, Value == Any {
  public func str(_ k: String) -> String? { self[k] as? String }
  public func int(_ k: String) -> Int? { (self[k] as? NSNumber)?.intValue }
  public func uint64(_ k: String) -> UInt64? { (self[k] as? NSNumber)?.uint64Value }
}

/// Lowercase hex of bytes.
public func hexString<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
  bytes.map { String(format: "%02x", $0) }.joined()
}

/// Bytes of a lowercase hex string.
public func bytes(hex: String) -> [UInt8] {
  var out: [UInt8] = []
  var it = hex.utf8.makeIterator()
  func nibble(_ c: UInt8) -> UInt8 { c >= 97 ? c - 87 : c >= 65 ? c - 55 : c - 48 }
  while let a = it.next(), let b = it.next() { out.append(nibble(a) << 4 | nibble(b)) }
  return out
}
