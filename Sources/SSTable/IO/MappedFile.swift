#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file mapped read-only (`O_RDONLY`, `PROT_READ`, `MAP_PRIVATE`): evidence is never
/// opened for writing. Every reader checks offsets against `count` before touching bytes,
/// so a truncated file is an error rather than a SIGBUS.
public final class MappedFile: @unchecked Sendable {
  public let path: String
  /// The whole file; empty (and `baseAddress == nil`) for a zero-length file. Valid only
  /// while this object lives: `Array(try MappedFile(path: p).bytes)` may read unmapped
  /// memory, because ARC can release the temporary before the copy. Keep the object in a
  /// variable, or use `copyBytes()`.
  public let bytes: UnsafeRawBufferPointer
  /// True when `bytes` is a heap copy (`init(copying:name:)`) rather than a mapping.
  let isHeapCopy: Bool

  /// A copy of the whole file (for small files: MANIFEST, OPTIONS, WAL).
  public func copyBytes() -> [UInt8] { withExtendedLifetime(self) { Array(bytes) } }
  public var count: Int { bytes.count }

  public init(path: String) throws(SSTableError) {
    self.path = path
    isHeapCopy = false
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw SSTableError(.io, "cannot open: \(errnoText())", file: path) }
    defer { close(fd) }
    var st = stat()
    guard fstat(fd, &st) == 0 else { throw SSTableError(.io, "cannot stat: \(errnoText())", file: path) }
    guard (st.st_mode & S_IFMT) == S_IFREG else { throw SSTableError(.io, "not a regular file", file: path) }
    let size = Int(st.st_size)
    if size == 0 {
      bytes = UnsafeRawBufferPointer(start: nil, count: 0)
      return
    }
    let p = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0)
    guard let p, p != MAP_FAILED else { throw SSTableError(.io, "cannot map: \(errnoText())", file: path) }
    _ = madvise(p, size, MADV_SEQUENTIAL)
    bytes = UnsafeRawBufferPointer(start: p, count: size)
  }

  /// A copy of bytes already in memory, read like a file named `name` (fuzzing, tests):
  /// readers see exactly `bytes.count` bytes, so an overread is caught by the sanitizer.
  public init(copying source: UnsafeRawBufferPointer, name: String) {
    path = name
    isHeapCopy = true
    let m = UnsafeMutableRawBufferPointer.allocate(byteCount: max(source.count, 1), alignment: 16)
    if source.count > 0 { m.copyMemory(from: source) }
    bytes = UnsafeRawBufferPointer(rebasing: m[0..<source.count])
  }

  /// Tells the kernel the pages of `[offset, offset+length)` are no longer needed, so RSS
  /// stays bounded while streaming a file much larger than memory.
  public func release(offset: Int, length: Int) {
    guard !isHeapCopy, let base = bytes.baseAddress, length > 0 else { return }
    let page = Int(sysconf(Int32(_SC_PAGESIZE)))
    let start = offset / page * page
    let end = min(count, offset + length) / page * page
    if end > start { _ = madvise(UnsafeMutableRawPointer(mutating: base + start), end - start, MADV_DONTNEED) }
  }

  deinit {
    guard let base = bytes.baseAddress else { return }
    if isHeapCopy { UnsafeMutableRawPointer(mutating: base).deallocate() } else {
      munmap(UnsafeMutableRawPointer(mutating: base), bytes.count)
    }
  }
}

func errnoText() -> String { String(cString: strerror(errno)) }
