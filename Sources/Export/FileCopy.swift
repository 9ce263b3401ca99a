import CSalvageIO
import Foundation

/// Copying bytes from one file into another: copy_file_range(2) (the kernel copies, or shares
/// extents), or through a buffer where the filesystems or the kernel cannot. One owner for the
/// table files' appends (`TableStream`) and `AtomicOutputFile`.
enum FileCopy {
  /// What failed: the operation and its errno.
  struct Failure: Error {
    var operation: String
    var errno: Int32
  }

  /// Copies `count` bytes of `src` from `inOffset` into `dst` at `outOffset`; both offsets are
  /// advanced by what was copied, the descriptors' own offsets are untouched. A source shorter
  /// than `count` fails with EIO (`read`).
  static func copy(from src: Int32, at inOffset: inout Int64, to dst: Int32, at outOffset: inout Int64,
                   count: Int64) throws(Failure) {
    let end = inOffset + count
    while inOffset < end {
      let n = salvage_copy_file_range_at(src, &inOffset, dst, &outOffset, Int(end - inOffset))
      if n > 0 { continue }
      if n == 0 { throw Failure(operation: "read", errno: EIO) }
      guard errno == EXDEV || errno == ENOSYS || errno == EINVAL || errno == EOPNOTSUPP else {
        throw Failure(operation: "copy_file_range", errno: errno)
      }
      // Another filesystem or an old kernel: through a buffer.
      var buffer = [UInt8](repeating: 0, count: 1 << 20)
      while inOffset < end {
        let want = Int(min(Int64(buffer.count), end - inOffset))
        let r = buffer.withUnsafeMutableBytes { pread(src, $0.baseAddress, want, off_t(inOffset)) }
        guard r > 0 else { throw Failure(operation: "read", errno: r == 0 ? EIO : errno) }
        let e = buffer.withUnsafeBytes { writeAll(dst, UnsafeRawBufferPointer(rebasing: $0[..<r]), at: outOffset) }
        guard e == 0 else { throw Failure(operation: "write", errno: e) }
        inOffset += Int64(r)
        outOffset += Int64(r)
      }
    }
  }

  /// pwrite of all of `b` at `offset`; 0, or the errno of the failure.
  static func writeAll(_ fd: Int32, _ b: UnsafeRawBufferPointer, at offset: Int64) -> Int32 {
    var done = 0
    while done < b.count {
      let n = pwrite(fd, b.baseAddress! + done, b.count - done, off_t(offset + Int64(done)))
      guard n > 0 else { return n == 0 ? EIO : errno }
      done += n
    }
    return 0
  }
}
