#if canImport(Glibc)
import Glibc
#endif

/// Buffered writer to a file descriptor: scans print millions of lines, so lines are built
/// in one reusable buffer and written in large chunks.
final class Output {
  private var buffer: [UInt8] = []
  private let fd: Int32
  private let limit = 1 << 16

  init(fd: Int32 = 1) {
    self.fd = fd
    buffer.reserveCapacity(limit + 4096)
  }

  deinit { flush() }

  @inline(__always) func write(_ s: StaticString) {
    s.withUTF8Buffer { buffer.append(contentsOf: $0) }
  }

  @inline(__always) func write(_ s: String) {
    var s = s
    s.withUTF8 { buffer.append(contentsOf: $0) }
  }

  @inline(__always) func byte(_ b: UInt8) { buffer.append(b) }

  func decimal(_ v: UInt64) {
    if v == 0 { buffer.append(48); return }
    var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                 UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
      (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    var n = 0
    var x = v
    withUnsafeMutableBytes(of: &digits) { d in
      while x > 0 { d[n] = UInt8(48 + x % 10); x /= 10; n += 1 }
      for i in stride(from: n - 1, through: 0, by: -1) { buffer.append(d[i]) }
    }
  }

  private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

  func hex(_ bytes: UnsafeRawBufferPointer) {
    let start = buffer.count
    buffer.append(contentsOf: repeatElement(0, count: bytes.count * 2))
    buffer.withUnsafeMutableBufferPointer { out in
      Output.hexDigits.withUnsafeBufferPointer { d in
        var o = start
        for b in bytes {
          out[o] = d[Int(b >> 4)]
          out[o + 1] = d[Int(b & 15)]
          o += 2
        }
      }
    }
  }

  func hex(_ bytes: [UInt8]) { bytes.withUnsafeBytes { hex($0) } }

  /// Bytes as printable text where possible, `\xNN` otherwise (for human-readable lines).
  func quoted(_ bytes: UnsafeRawBufferPointer) {
    for b in bytes {
      if b >= 0x20 && b < 0x7f && b != 0x5c { buffer.append(b) } else {
        buffer.append(contentsOf: [0x5c, 0x78, Output.hexDigits[Int(b >> 4)], Output.hexDigits[Int(b & 15)]])
      }
    }
  }

  @inline(__always) func endLine() {
    buffer.append(10)
    if buffer.count >= limit { flush() }
  }

  func flush() {
    var off = 0
    while off < buffer.count {
      let n = buffer.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + off, $0.count - off) }
      if n <= 0 { break }
      off += n
    }
    buffer.removeAll(keepingCapacity: true)
  }
}

/// One-line messages on stderr.
func printError(_ s: String) {
  var line = s + "\n"
  line.withUTF8 { _ = Glibc.write(2, $0.baseAddress, $0.count) }
}

func padRight(_ s: String, _ width: Int) -> String {
  s + String(repeating: " ", count: max(1, width - s.count))
}
