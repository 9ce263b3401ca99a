import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// How fast this machine writes output: a 32 MiB file written in 1 MiB pieces (into the
/// page cache: the CPU cost of writing CSV parts), then fdatasync'd (onto the disk: what
/// caps a recovery whose output outgrows the cache), then removed. The file goes in `directory`
/// (where the recovery will write; the system's temporary directory by default), never
/// near the evidence.
enum WriteProbe {
  struct Rates: Equatable {
    var buffered: Double
    var disk: Double
  }

  static func measure(directory: String, bytes: Int = 32 << 20) -> Rates? {
    var template = Array((directory + "/.salvage-survey-XXXXXX").utf8CString)
    let fd = mkstemp(&template)
    guard fd >= 0 else { return nil }
    let path = String(cString: template)
    defer { close(fd); unlink(path) }
    var piece = [UInt8](repeating: 0, count: 1 << 20)
    for i in piece.indices { piece[i] = i % 64 == 63 ? 0x0A : UInt8(0x30 + i % 10) }  // CSV-like text
    let start = Date()
    var written = 0
    while written < bytes {
      let n = piece.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
      guard n > 0 else { return nil }
      written += n
    }
    let buffered = Date().timeIntervalSince(start)
    guard fdatasync(fd) == 0 else { return nil }
    let total = Date().timeIntervalSince(start)
    guard buffered > 0, total > 0 else { return nil }
    return Rates(buffered: Double(written) / buffered, disk: Double(written) / total)
  }
}
