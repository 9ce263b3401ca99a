import CSalvageIO
import CZlib
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file that appears under its final name only when complete: bytes go to `<path>.tmp`,
/// `commit()` flushes, fsyncs, renames over `path` and fsyncs the directory. A crash or an
/// error leaves at most a `.tmp` file, never a truncated output under the real name.
///
/// Writes are buffered (`bufferSize`) so memory stays bounded whatever the row count. With
/// `gzip`, bytes pass through zlib's gz* API on a duplicate of the descriptor, so the
/// descriptor itself can still be fsynced after `gzclose`.
final class AtomicOutputFile {
  let path: String
  let tmpPath: String
  private var fd: Int32
  private var gz: gzFile?
  private var buffer: [UInt8] = []
  private let bufferSize = 1 << 18
  private var done = false
  let table: String?

  init(path: String, gzip: Bool, guard outputGuard: OutputGuard, table: String? = nil) throws(ExportError) {
    try outputGuard.check(path, table: table)
    self.path = path
    self.tmpPath = path + ".tmp"
    self.table = table
    try Self.makeDirectories(parentOf: path, table: table)
    fd = open(tmpPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw ExportError(.io(operation: "open", errno: errno), table: table, file: tmpPath) }
    if gzip {
      let dupFD = dup(fd)
      guard dupFD >= 0, let g = gzdopen(dupFD, "wb6") else {
        let e = errno
        close(fd); unlink(tmpPath)
        throw ExportError(.gzip("gzdopen failed (errno \(e))"), table: table, file: tmpPath)
      }
      gz = g
      gzbuffer(g, 1 << 17)
    }
    buffer.reserveCapacity(bufferSize)
  }

  deinit { if !done { abandon() } }

  func write<C: Collection<UInt8>>(_ bytes: C) throws(ExportError) {
    buffer.append(contentsOf: bytes)
    if buffer.count >= bufferSize { try flushBuffer() }
  }

  func write(_ byte: UInt8) throws(ExportError) {
    buffer.append(byte)
    if buffer.count >= bufferSize { try flushBuffer() }
  }

  /// Appends the whole file at `source`: in the kernel (`copy_file_range`, no copy through
  /// user space) when the output is not compressed and the filesystem allows it.
  func append(fileAt source: String) throws(ExportError) {
    let src = open(source, O_RDONLY | O_CLOEXEC)
    guard src >= 0 else { throw ioError("open", source) }
    defer { close(src) }
    if gz == nil {
      // Straight into the file at its offset, which then moves past the copy.
      try flushBuffer()
      var size = stat()
      guard fstat(src, &size) == 0 else { throw ioError("stat", source) }
      var inOffset: Int64 = 0
      var outOffset = Int64(lseek(fd, 0, SEEK_CUR))
      do throws(FileCopy.Failure) {
        try FileCopy.copy(from: src, at: &inOffset, to: fd, at: &outOffset, count: Int64(size.st_size))
      } catch {
        throw ExportError(.io(operation: error.operation, errno: error.errno), table: table, file: error.operation == "write" ? tmpPath : source)
      }
      guard lseek(fd, off_t(outOffset), SEEK_SET) >= 0 else { throw ioError("lseek", tmpPath) }
      return
    }
    var chunk = [UInt8](repeating: 0, count: 1 << 20)
    while true {
      let n = chunk.withUnsafeMutableBytes { read(src, $0.baseAddress, $0.count) }
      if n == 0 { return }
      guard n > 0 else { throw ioError("read", source) }
      try write(chunk[..<n])
    }
  }

  /// Makes the file visible under `path`. Any failure leaves no file under `path` that was
  /// not there before (an older complete file is replaced only by the rename).
  func commit() throws(ExportError) {
    precondition(!done, "AtomicOutputFile committed twice")
    do throws(ExportError) {
      try flushBuffer()
      if let g = gz {
        gz = nil
        let rc = gzclose(g)
        guard rc == Z_OK else { throw ExportError(.gzip("gzclose returned \(rc)"), table: table, file: tmpPath) }
      }
      guard fsync(fd) == 0 else { throw ioError("fsync", tmpPath) }
      guard close(fd) == 0 else { fd = -1; throw ioError("close", tmpPath) }
      fd = -1
      guard rename(tmpPath, path) == 0 else { throw ioError("rename", path) }
      done = true
      Self.fsyncDirectory(of: path)
    } catch {
      abandon()
      throw error
    }
  }

  /// Drops the temporary file; the final name is untouched.
  func abandon() {
    if let g = gz { gzclose(g); gz = nil }
    if fd >= 0 { close(fd); fd = -1 }
    unlink(tmpPath)
    done = true
  }

  private func flushBuffer() throws(ExportError) {
    guard !buffer.isEmpty else { return }
    defer { buffer.removeAll(keepingCapacity: true) }
    if let g = gz {
      let written = buffer.withUnsafeBytes { gzwrite(g, $0.baseAddress, UInt32($0.count)) }
      guard written == Int32(buffer.count) else {
        var code: Int32 = 0
        let message = gzerror(g, &code).map { String(cString: $0) } ?? "unknown"
        throw ExportError(.gzip("gzwrite: \(message)"), table: table, file: tmpPath)
      }
      return
    }
    var offset = 0
    while offset < buffer.count {
      let n = buffer.withUnsafeBytes { systemWrite(fd, $0.baseAddress! + offset, $0.count - offset) }
      if n < 0 {
        if errno == EINTR { continue }
        throw ioError("write", tmpPath)
      }
      offset += n
    }
  }

  private func ioError(_ op: String, _ file: String) -> ExportError {
    ExportError(.io(operation: op, errno: errno), table: table, file: file)
  }

  static func makeDirectories(parentOf path: String, table: String?) throws(ExportError) {
    var dir = ""
    let components = path.split(separator: "/", omittingEmptySubsequences: false).dropLast()
    for (i, c) in components.enumerated() {
      dir += (i == 0 ? "" : "/") + c
      if dir.isEmpty || c.isEmpty { continue }
      if mkdir(dir, 0o755) != 0 && errno != EEXIST {
        throw ExportError(.io(operation: "mkdir", errno: errno), table: table, file: dir)
      }
    }
  }

  /// Makes the rename durable; best effort (some filesystems refuse fsync on directories).
  static func fsyncDirectory(of path: String) {
    let dir = path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
    let d = open(dir.isEmpty ? (path.hasPrefix("/") ? "/" : ".") : dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    if d >= 0 { fsync(d); close(d) }
  }
}

/// `write(2)`; named apart because the class has its own `write`.
private func systemWrite(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int {
  #if canImport(Glibc)
  return Glibc.write(fd, p, n)
  #else
  return Darwin.write(fd, p, n)
  #endif
}
