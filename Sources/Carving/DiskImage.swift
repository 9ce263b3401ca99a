#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SSTable

/// A raw disk image or block device, opened `O_RDONLY` and read with `pread` only: evidence
/// is never written, and a bad sector is an `EIO` error here rather than a SIGBUS in a
/// mapping (style.md §3).
public final class DiskImage: @unchecked Sendable {
  public let path: String
  public let size: Int
  let fd: Int32

  public init(path: String) throws(CarveError) {
    self.path = path
    fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw CarveError("cannot open image: \(String(cString: strerror(errno)))", image: path) }
    var st = stat()
    guard fstat(fd, &st) == 0 else { close(fd); throw CarveError("cannot stat image", image: path) }
    let kind = st.st_mode & S_IFMT
    guard kind == S_IFREG || kind == S_IFBLK else {
      close(fd)
      throw CarveError("not a regular file or block device", image: path)
    }
    // A block device's size is not in st_size; its end offset is.
    let end = kind == S_IFBLK ? Int(lseek(fd, 0, SEEK_END)) : Int(st.st_size)
    size = max(0, end)
    _ = posix_fadvise(fd, 0, 0, Int32(POSIX_FADV_SEQUENTIAL))
  }

  deinit { close(fd) }

  /// Reads `[offset, offset + count)` (clipped at the end of the image) into `into`;
  /// returns the bytes read.
  public func read(at offset: Int, count: Int, into p: UnsafeMutableRawPointer) throws(CarveError) -> Int {
    let want = max(0, min(count, size - offset))
    var done = 0
    while done < want {
      let n = pread(fd, p + done, want - done, off_t(offset + done))
      if n < 0 {
        if errno == EINTR { continue }
        throw CarveError("read failed at offset \(offset + done): \(String(cString: strerror(errno)))", image: path)
      }
      if n == 0 { break }
      done += n
    }
    return done
  }

  /// `[offset, offset + count)` as an array (short at the end of the image).
  public func bytes(at offset: Int, count: Int) throws(CarveError) -> [UInt8] {
    guard offset >= 0, count > 0, offset < size else { return [] }
    // A scratch buffer, not `withUnsafeMutableBytes` with a typed-throwing closure (a
    // Swift 6.3.1 compiler crash, common.md).
    let want = min(count, size - offset)
    let buf = UnsafeMutableRawBufferPointer.allocate(byteCount: want, alignment: 16)
    defer { buf.deallocate() }
    let n = try read(at: offset, count: want, into: buf.baseAddress!)
    let out = Array(UnsafeRawBufferPointer(rebasing: buf[0..<n]))
    return out
  }
}

/// A carving failure: the image cannot be read, or the output cannot be written.
public struct CarveError: Error, CustomStringConvertible, Sendable {
  public var message: String
  public var image: String?
  public init(_ message: String, image: String? = nil) { self.message = message; self.image = image }
  public var description: String { image.map { "\($0): \(message)" } ?? message }
}
