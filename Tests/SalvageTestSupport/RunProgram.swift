import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs a program to completion; returns (status, stdout, stderr). Output goes through
/// temporary files, so a large stdout cannot block the child on a full pipe; posix_spawn
/// and waitpid wait for that child only (Foundation's Process did not return after
/// `pg_ctl start`, whose daemon outlives it). Tests run in parallel: a pipe of one test's
/// child, inherited by a PostgreSQL daemon another test started meanwhile, never reached
/// EOF and hung the suite, so every test runs its programs through here.
/// `environment`: added to (and overriding) this process's environment.
@discardableResult
public func runProgram(_ executable: String, _ arguments: [String], stdin: Data? = nil,
                       environment: [String: String] = [:]) throws -> (Int32, Data, String) {
  let base = NSTemporaryDirectory() + "salvage-run-" + UUID().uuidString
  _ = FileManager.default.createFile(atPath: base + ".in", contents: stdin ?? Data())
  defer { for s in [".out", ".err", ".in"] { try? FileManager.default.removeItem(atPath: base + s) } }
  var actions = posix_spawn_file_actions_t()
  posix_spawn_file_actions_init(&actions)
  defer { posix_spawn_file_actions_destroy(&actions) }
  posix_spawn_file_actions_addopen(&actions, 0, base + ".in", O_RDONLY, 0)
  posix_spawn_file_actions_addopen(&actions, 1, base + ".out", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
  posix_spawn_file_actions_addopen(&actions, 2, base + ".err", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
  let argv = ([executable] + arguments).map { strdup($0) } + [nil]
  defer { for a in argv { free(a) } }
  var pid: pid_t = 0
  var env = ProcessInfo.processInfo.environment
  env.merge(environment) { $1 }
  let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
  defer { for e in envp { free(e) } }
  let rc = posix_spawn(&pid, executable, &actions, nil, argv, envp)
  guard rc == 0 else { throw CocoaError(.executableLoad, userInfo: ["path": executable, "errno": rc]) }
  var status: Int32 = 0
  while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
  let exitStatus = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
  let out = (try? Data(contentsOf: URL(fileURLWithPath: base + ".out"))) ?? Data()
  let err = (try? String(contentsOfFile: base + ".err", encoding: .utf8)) ?? ""
  return (exitStatus, out, err)
}

