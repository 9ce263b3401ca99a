import Foundation
import Testing
@testable import Recovery
import SalvageTestSupport

/// Recover's files, byte for byte, on fixed simulator clusters (one per store engine and
/// descriptor layout) and on the bundled example: a change of the read or row path that alters
/// one byte of output fails here. The digests were taken with the binary from before the
/// one-cursor change (555f929) and compared with it. After a change meant to alter output, run
/// with `SALVAGE_PRINT_GOLDEN=1` to print the new lines, and say in the commit why they moved.
/// (report.json and report.html hold times and paths; the SQLite copy is off.)
struct RecoverGoldenTests {
  /// `inputs`: the directory the stores are in, written as `<in>` before hashing (schema.sql
  /// names the stores).
  static func digests(_ out: String, inputs: String) throws -> [String] {
    let fm = FileManager.default
    var lines: [String] = []
    for rel in try fm.subpathsOfDirectory(atPath: out).sorted() {
      var isDir: ObjCBool = false
      guard fm.fileExists(atPath: out + "/" + rel, isDirectory: &isDir), !isDir.boolValue,
            !["report.json", "report.html"].contains(rel) else { continue }
      var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: out + "/" + rel)))
      if rel.hasSuffix(".sql") { bytes = Array(String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: inputs, with: "<in>").utf8) }
      lines.append("\(rel) \(bytes.count) \(BackupMetadataFile.hex(SHA256.hash(bytes)).prefix(16))")
    }
    return lines
  }

  static func check(_ name: String, inputs: String, out: String, want: [String]) throws {
    let stores = try FileManager.default.contentsOfDirectory(atPath: inputs).sorted().map { inputs + "/" + $0 }
    let r = try CLI.run(["recover"] + stores + ["--out", out, "--no-sqlite", "--jobs", "2"])
    #expect(r.status == 0 || r.status == 2, "\(r.stderr)")
    let got = try digests(out, inputs: inputs)
    if ProcessInfo.processInfo.environment["SALVAGE_PRINT_GOLDEN"] != nil {
      print("golden \(name):\n" + got.map { "      \"\($0)\"," }.joined(separator: "\n"))
    }
    #expect(got == want, "\(name): recover's output changed")
  }

  @Test(arguments: [(7, "19.1"), (42, "23.2"), (5, "25.4")])
  func simulatedCluster(_ seed: Int, _ version: String) throws {
    let dir = try Simulator.makeCluster(seed: seed, version: version)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try Self.check("seed \(seed) \(version)", inputs: dir + "/stores", out: dir + "/recovered", want: Self.golden["\(seed) \(version)"] ?? [])
  }

  @Test func bundledExample() throws {
    let example = Simulator.repo + "/examples/dead-cluster/stores"
    let out = NSTemporaryDirectory() + "salvage-golden-\(UUID().uuidString)"
    defer { try? FileManager.default.removeItem(atPath: out) }
    try Self.check("example", inputs: example, out: out, want: Self.golden["example"] ?? [])
  }

  /// Path, size, first 16 hex digits of the SHA-256.
  static let golden: [String: [String]] = [
    "7 19.1": [
      "game/events.csv 9439 44a7a20085c961ab",
      "game/events.partial.csv 2635 a44e087b2f8f73f1",
      "game/snapshots.csv 4517 324bd050ef0f64a2",
      "game/users.csv 995 dbeb5c5be0bb52ce",
      "game/users.partial.csv 233 563b139048be5253",
      "import.sql 2287 b217d3cc76df8b07",
      "schema.sql 1939 249ba229da6e3ed5",
      "shop/items.csv 9726 9ea80647e9a8defb",
    ],
    "42 23.2": [
      "game/events.csv 5112 f54530317387a182",
      "game/events.partial.csv 4146 34c20eecc01f08ef",
      "game/snapshots.csv 4028 e349f25dac5da9a2",
      "game/users.csv 1049 8f3e20bbe4f35531",
      "game/users.partial.csv 265 248f6d2eb5b1fc0c",
      "import.sql 2295 7206eb58d30a324e",
      "schema.sql 2023 7ee358aec3651afa",
      "shop/items.csv 9789 1efdd656220a659b",
    ],
    "5 25.4": [
      "game/events.csv 50159 77d8a36a8430b6f9",
      "game/events.partial.csv 36195 aa53a7c25a97aa20",
      "game/snapshots.csv 19746 914d043048b4911a",
      "game/users.csv 981 2a8f4285ede7c475",
      "game/users.partial.csv 219 71fcc9177ac5ec49",
      "import.sql 2295 7206eb58d30a324e",
      "schema.sql 2023 91dd36aab9aedecf",
      "shop/items.csv 18819 604dbd27a80a0018",
    ],
    "example": [
      "game/events.csv 4026 0ca9c5bd431d6f3f",
      "game/events.partial.csv 2635 a44e087b2f8f73f1",
      "game/snapshots.csv 4517 324bd050ef0f64a2",
      "game/users.csv 1106 04bc58886007d412",
      "game/users.partial.csv 192 29095ddbab1a5fc2",
      "import.sql 2295 7206eb58d30a324e",
      "schema.sql 2023 48454f8321b3b7cb",
      "shop/items.csv 9358 83a23ac48547e6bb",
    ],
  ]
}
