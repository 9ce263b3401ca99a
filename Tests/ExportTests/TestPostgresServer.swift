import Foundation
@testable import Export

/// A throwaway PostgreSQL server on 127.0.0.1 for one test: initdb in a temp directory,
/// started with pg_ctl as the `postgres` user (tests run as root in CI; initdb refuses
/// root), stopped and removed by `stop()`. Any failure to start throws, so the test
/// fails with the reason instead of skipping: CI installs `postgresql` via scripts/setup.sh.
final class TestPostgresServer {
  let directory: String
  let port: Int
  let bin: String
  private let asPostgres: Bool

  struct StartError: Error, CustomStringConvertible { let description: String }

  init() throws {
    let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
    guard let version = versions.compactMap(Int.init).max() else {
      throw StartError(description: "no PostgreSQL server under /usr/lib/postgresql: run scripts/setup.sh (apt-get install postgresql)")
    }
    bin = "/usr/lib/postgresql/\(version)/bin"
    asPostgres = getuid() == 0
    directory = try makeTempDirectory("pg")
    port = try Self.freePort()
    do {
      if asPostgres { try runChecked("/bin/chown", ["-R", "postgres:postgres", directory]) }
      try runAs(bin + "/initdb", ["-D", directory + "/data", "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync"])
      try runAs(bin + "/pg_ctl", ["-D", directory + "/data", "-l", directory + "/server.log", "-w", "-t", "60",
                                  "-o", "-p \(port) -k \(directory) -c listen_addresses=127.0.0.1 -c fsync=off -c timezone=UTC",
                                  "start"])
    } catch {
      removeDirectory(directory)
      throw error
    }
  }

  var url: String { "postgres://postgres@127.0.0.1:\(port)/salvage" }

  /// Runs SQL with psql against `database`; returns stdout.
  func psql(_ sql: String, database: String = "salvage") throws -> String {
    let (status, out, err) = try run("/usr/bin/psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1",
                                                       "-p", "\(port)", "-U", "postgres", "-d", database, "-c", sql])
    guard status == 0 else { throw StartError(description: "psql failed: \(err)") }
    return String(decoding: out, as: UTF8.self)
  }

  func stop() {
    _ = try? runAs(bin + "/pg_ctl", ["-D", directory + "/data", "-m", "immediate", "-w", "stop"])
    removeDirectory(directory)
  }

  private func runAs(_ program: String, _ args: [String]) throws {
    if asPostgres { try runChecked("/usr/sbin/runuser", ["-u", "postgres", "--", program] + args) }
    else { try runChecked(program, args) }
  }

  private func runChecked(_ program: String, _ args: [String]) throws {
    let (status, out, err) = try run(program, args)
    guard status == 0 else {
      let log = (try? String(contentsOfFile: directory + "/server.log", encoding: .utf8)) ?? ""
      throw StartError(description: "\(program) \(args.joined(separator: " ")) exited \(status): \(err)\(String(decoding: out, as: UTF8.self))\n\(log)")
    }
  }

  /// A port the kernel just handed out on 127.0.0.1 (released before the server binds it).
  static func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw StartError(description: "socket: errno \(errno)") }
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    addr.sin_port = 0
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    let ok = withUnsafeMutablePointer(to: &addr) { p in
      p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
    }
    guard ok else { throw StartError(description: "bind/getsockname: errno \(errno)") }
    return Int(UInt16(bigEndian: addr.sin_port))
  }
}
