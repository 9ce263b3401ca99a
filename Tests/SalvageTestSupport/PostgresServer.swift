import Foundation

/// A throwaway PostgreSQL server (Debian's postgresql) on a random loopback port, run as the
/// postgres user; `stop()` removes it. Fails (throws) when PostgreSQL is not installed:
/// scripts/setup.sh installs it, so a missing server is a setup bug, not a skip.
public final class PostgresServer {
  public let port: Int
  let dir: String
  let bin: String

  public struct Unavailable: Error, CustomStringConvertible { public var description: String }

  public init() throws {
    guard let v = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql"))?.sorted().last else {
      throw Unavailable(description: "PostgreSQL is not installed (scripts/setup.sh installs Debian's postgresql)")
    }
    bin = "/usr/lib/postgresql/\(v)/bin"
    dir = NSTemporaryDirectory() + "salvage-pg-\(UUID().uuidString)"
    port = 40000 + Int.random(in: 0..<20000)
    let start = "mkdir -p \(dir) && chown postgres \(dir) && su postgres -c '\(bin)/initdb -D \(dir)/data -A trust -U postgres' "
      + "&& su postgres -c \"\(bin)/pg_ctl -D \(dir)/data -w -o '-p \(port) -k /tmp -c listen_addresses=127.0.0.1' -l \(dir)/log start\""
    let (status, _, err) = try runProgram("/bin/sh", ["-c", start])
    guard status == 0 else { throw Unavailable(description: "PostgreSQL did not start: \(err)") }
  }

  public var url: String { "postgres://postgres@127.0.0.1:\(port)" }

  /// Runs SQL with psql (unaligned, tuples only); returns stdout, throws with stderr on failure.
  @discardableResult
  public func psql(_ sql: String, database: String = "postgres") throws -> String {
    let (status, out, err) = try runProgram("/usr/bin/psql", ["-h", "127.0.0.1", "-p", "\(port)", "-U", "postgres", "-v", "ON_ERROR_STOP=1",
                                                              "-At", database, "-c", sql])
    guard status == 0 else { throw Unavailable(description: "psql failed: \(err)") }
    return String(decoding: out, as: UTF8.self)
  }

  public func stop() {
    _ = try? runProgram("/bin/sh", ["-c", "su postgres -c '\(bin)/pg_ctl -D \(dir)/data stop -m fast'"])
    try? FileManager.default.removeItem(atPath: dir)
  }
}
