import CSalvageIO
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `salvage ballast`: a file that reserves disk space, to delete when the disk fills up.
///
/// The 2021 outage began with a ballast script that wrote over a block device. So a ballast
/// is only ever a new regular file: an existing path (file, device, symlink, even a dangling
/// one) is refused; the parent must be a directory; the file is opened with
/// `O_CREAT|O_EXCL|O_NOFOLLOW` (no race can turn it into a device or a link), checked to be
/// a regular file, and its blocks reserved with fallocate(2), never written. The filesystem
/// that will hold it (mount point and device from /proc/self/mountinfo) is named, and the
/// size is refused when less than the margin would stay free.
public struct BallastPlan: Sendable, Equatable {
  /// The path as given, and the file it will be: resolved parent + name.
  public var path: String
  public var resolvedPath: String
  public var size: Int64
  public var margin: Int64
  /// Where the margin came from: `--margin`, or the default rule.
  public var marginRule: String
  public var mount: MountTable.Mount?
  /// Of the filesystem, for an unprivileged user (statvfs f_bavail, f_blocks).
  public var freeBytes: Int64
  public var totalBytes: Int64
  public var freeAfter: Int64 { freeBytes - size }

  /// The default margin: the larger of 10 % of the filesystem and 1 GiB.
  public static func defaultMargin(totalBytes: Int64) -> Int64 { max(totalBytes / 10, 1 << 30) }
}

public struct BallastError: Error, Equatable, CustomStringConvertible {
  public enum Kind: Equatable, Sendable {
    /// Something is already at the path (its kind: "block device", "symbolic link to …").
    case exists(String)
    case parentNotDirectory(String)
    case notMountedThere(expected: String, actual: String)
    case tooLittleFree(free: Int64, size: Int64, margin: Int64)
    case invalidSize
    /// The path does not end in a file name (`dir/`, `.`, `..`).
    case notAFileName
    case io(operation: String, errno: Int32)
  }
  public var kind: Kind
  public var path: String

  public var description: String {
    switch kind {
    case .exists(let what): return "refusing \(path): it exists (\(what)); a ballast is only ever a new file"
    case .parentNotDirectory(let what): return "refusing \(path): its parent is not a directory (\(what))"
    case .notMountedThere(let expected, let actual):
      return "refusing \(path): its filesystem is mounted at \(actual), not at \(expected)"
    case .tooLittleFree(let free, let size, let margin):
      return "refusing \(path): \(ByteSize.text(free)) free, \(ByteSize.text(size)) would leave \(ByteSize.text(max(0, free - size))), below the margin of \(ByteSize.text(margin))"
    case .invalidSize: return "refusing \(path): the size must be at least 1 byte"
    case .notAFileName: return "refusing \(path): it does not end in a file name"
    case .io(let op, let e): return "\(path): \(op) failed: \(String(cString: strerror(e))) (errno \(e))"
    }
  }
}

public enum Ballast {
  /// Checks everything that can be checked without creating anything. `margin` nil: the
  /// default (`BallastPlan.defaultMargin`). `expectedMountPoint`: refuse unless the file's
  /// filesystem is mounted there.
  public static func plan(path: String, size: Int64, margin: Int64? = nil, expectedMountPoint: String? = nil,
                          mounts: MountTable? = MountTable.current()) throws(BallastError) -> BallastPlan {
    func fail(_ k: BallastError.Kind) -> BallastError { BallastError(kind: k, path: path) }
    guard size > 0 else { throw fail(.invalidSize) }
    var st = stat()
    if lstat(path, &st) == 0 { throw fail(.exists(describe(path, st))) }
    // ENOTDIR: a parent is no directory (said below).
    guard errno == ENOENT || errno == ENOTDIR else { throw fail(.io(operation: "lstat", errno: errno)) }
    let name = (path as NSString).lastPathComponent
    guard !name.isEmpty, name != ".", name != "..", !path.hasSuffix("/") else { throw fail(.notAFileName) }
    let parent = (path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent
    guard stat(parent, &st) == 0 else {
      throw fail(errno == ENOENT || errno == ENOTDIR ? .parentNotDirectory("\(parent) does not exist") : .io(operation: "stat \(parent)", errno: errno))
    }
    guard st.st_mode & S_IFMT == S_IFDIR else { throw fail(.parentNotDirectory("\(parent) is \(kindName(st.st_mode))")) }
    guard let real = realpath(parent, nil) else { throw fail(.io(operation: "realpath \(parent)", errno: errno)) }
    let resolvedParent = String(cString: real)
    free(real)
    let mount = mounts?.mount(containing: resolvedParent)
    if let expected = expectedMountPoint {
      let want = (expected as NSString).standardizingPath
      guard let m = mount, m.mountPoint == want else {
        throw fail(.notMountedThere(expected: want, actual: mount?.mountPoint ?? "an unknown mount point"))
      }
    }
    var fs = statvfs()
    guard statvfs(resolvedParent, &fs) == 0 else { throw fail(.io(operation: "statvfs \(resolvedParent)", errno: errno)) }
    let unit = Int64(fs.f_frsize)
    let free = Int64(fs.f_bavail) * unit, total = Int64(fs.f_blocks) * unit
    let plan = BallastPlan(path: path, resolvedPath: resolvedParent == "/" ? "/" + name : resolvedParent + "/" + name,
                           size: size, margin: margin ?? BallastPlan.defaultMargin(totalBytes: total),
                           marginRule: margin == nil ? "default: the larger of 10 % of the filesystem and 1 GiB" : "--margin",
                           mount: mount, freeBytes: free, totalBytes: total)
    guard plan.freeAfter >= plan.margin else { throw fail(.tooLittleFree(free: free, size: size, margin: plan.margin)) }
    return plan
  }

  /// Creates the planned file: a new regular file (never an existing path, never through a
  /// link) with `size` bytes reserved. On any failure nothing is left behind.
  public static func create(_ plan: BallastPlan) throws(BallastError) {
    func fail(_ op: String, _ e: Int32) -> BallastError { BallastError(kind: .io(operation: op, errno: e), path: plan.path) }
    let fd = open(plan.resolvedPath, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
    guard fd >= 0 else {
      let e = errno
      if e == EEXIST || e == ELOOP { throw BallastError(kind: .exists("it appeared after the checks"), path: plan.path) }
      throw fail("open", e)
    }
    var ok = false
    defer {
      close(fd)
      if !ok { unlink(plan.resolvedPath) }
    }
    var st = stat()
    guard fstat(fd, &st) == 0 else { throw fail("fstat", errno) }
    guard st.st_mode & S_IFMT == S_IFREG else { throw BallastError(kind: .exists(kindName(st.st_mode)), path: plan.path) }
    if salvage_fallocate(fd, plan.size) != 0 {
      let e = errno
      guard e == EOPNOTSUPP else { throw fail("fallocate", e) }
      // The filesystem cannot reserve: glibc writes zeros, into this new regular file only.
      let r = posix_fallocate(fd, 0, off_t(plan.size))
      guard r == 0 else { throw fail("posix_fallocate", r) }
    }
    guard fsync(fd) == 0 else { throw fail("fsync", errno) }
    ok = true
  }

  /// What is at `path` (from its lstat), for a refusal.
  static func describe(_ path: String, _ st: stat) -> String {
    guard st.st_mode & S_IFMT == S_IFLNK else { return kindName(st.st_mode) }
    var target = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
    let n = readlink(path, &target, target.count - 1)
    let to = n >= 0 ? String(decoding: target[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self) : "?"
    var t = stat()
    let what = stat(path, &t) == 0 ? kindName(t.st_mode) : "nothing"
    return "a symbolic link to \(to), \(what)"
  }

  static func kindName(_ mode: mode_t) -> String {
    switch mode & S_IFMT {
    case S_IFBLK: return "a block device"
    case S_IFCHR: return "a character device"
    case S_IFDIR: return "a directory"
    case S_IFLNK: return "a symbolic link"
    case S_IFIFO: return "a FIFO"
    case S_IFSOCK: return "a socket"
    case S_IFREG: return "a regular file"
    default: return "a file of unknown type"
    }
  }
}
