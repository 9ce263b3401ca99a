/// The mounts of this process's mount namespace, from `/proc/self/mountinfo` (proc(5)):
///
/// ```
/// 36 35 98:0 /mnt1 /mnt/parent rw,noatime master:1 - ext3 /dev/root rw,errors=continue
/// (1)(2)(3)   (4)   (5)         (6)       (7…)    (8)(9)  (10)      (11)
/// ```
/// (3) major:minor of the filesystem, (5) mount point, (9) type, (10) source (the device);
/// spaces, tabs, newlines and backslashes in (4), (5) and (10) are written `\040`-style.
public struct MountTable: Sendable, Equatable {
  public struct Mount: Sendable, Equatable {
    public var mountPoint: String
    /// What is mounted: `/dev/vda1`, `tmpfs`, `overlay`…
    public var source: String
    public var fsType: String
    /// `major:minor` of the filesystem.
    public var device: String
  }

  public var mounts: [Mount]

  /// Parses mountinfo text; malformed lines are skipped (a later mount may then be missed,
  /// never invented).
  public init(mountinfo text: String) {
    var out: [Mount] = []
    for line in text.split(separator: "\n") {
      let f = line.split(separator: " ", omittingEmptySubsequences: true)
      guard f.count >= 10, let dash = f.firstIndex(of: "-"), dash >= 6, dash + 2 < f.count else { continue }
      out.append(Mount(mountPoint: Self.unescape(f[4]), source: Self.unescape(f[dash + 2]),
                       fsType: String(f[dash + 1]), device: String(f[2])))
    }
    mounts = out
  }

  /// This process's mounts; nil when /proc is not mounted.
  public static func current() -> MountTable? {
    guard let text = try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8) else { return nil }
    return MountTable(mountinfo: text)
  }

  /// The mount holding `path` (absolute, symlink-free): the longest mount point that is
  /// `path` or a directory prefix of it; of equal ones the last (it hides the earlier).
  public func mount(containing path: String) -> Mount? {
    var best: Mount?
    for m in mounts {
      let prefix = m.mountPoint == "/" ? "/" : m.mountPoint + "/"
      guard path == m.mountPoint || path.hasPrefix(prefix) else { continue }
      if best == nil || m.mountPoint.count >= best!.mountPoint.count { best = m }
    }
    return best
  }

  /// `\040` → space and the like (octal escapes of mountinfo).
  static func unescape(_ s: Substring) -> String {
    var out: [UInt8] = []
    let b = Array(s.utf8)
    var i = 0
    while i < b.count {
      if b[i] == UInt8(ascii: "\\"), i + 3 < b.count,
         let v = UInt8(String(decoding: b[(i + 1)...(i + 3)], as: UTF8.self), radix: 8) {
        out.append(v); i += 4
      } else {
        out.append(b[i]); i += 1
      }
    }
    return String(decoding: out, as: UTF8.self)
  }
}
