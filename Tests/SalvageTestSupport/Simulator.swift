import Foundation

/// The dead-cluster simulator (contrib/simulator) for tests: python3 and Debian's
/// rocksdb-tools are required (scripts/setup.sh installs them); a failure throws with the
/// simulator's own message rather than skipping.
public enum Simulator {
  /// The repository checkout, from this file's path.
  public static let repo: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
  }()

  public struct Failed: Error, CustomStringConvertible { public var description: String }

  /// Runs `contrib/simulator/<script>` with `args`.
  public static func run(_ script: String, _ args: [String]) throws {
    let (status, _, err) = try runProgram("/usr/bin/env", ["python3", repo + "/contrib/simulator/" + script] + args)
    guard status == 0 else {
      throw Failed(description: "\(script) failed (needs python3 and Debian's rocksdb-tools): \(err)")
    }
  }

  /// A dead cluster for `seed` in a fresh temporary directory (stores/, destroyed/, expected/).
  /// `version` "19.1" (RocksDB stores written by ldb), "23.2" (Pebble stores) or "25.4" (Pebblev7
  /// columnar tables, large values in blob files); `descriptors`
  /// picks the schema layout independently of the store engine ("19.1" ColumnType and
  /// namespace 2, "23.2" types.T, namespace 30, public schemas and an ENUM; default: `version`);
  /// `extraArgs` go to make_dead_cluster.py as given (e.g. `["--damage", "2"]`).
  public static func makeCluster(seed: Int, version: String = "19.1", descriptors: String? = nil,
                                 extraArgs: [String] = []) throws -> String {
    let dir = NSTemporaryDirectory() + "salvage-dead-\(UUID().uuidString)"
    try run("make_dead_cluster.py", [dir, "--seed", String(seed), "--version", version]
      + (descriptors.map { ["--descriptors", $0] } ?? []) + extraArgs)
    return dir
  }
}
