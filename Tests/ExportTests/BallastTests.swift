import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif
@testable import Export

/// `salvage ballast`: a new regular file or nothing. Every refusal leaves the path as it was.
struct BallastTests {
  static func refusal(_ path: String, size: Int64 = 1 << 20, margin: Int64? = 0, mount: String? = nil) -> BallastError.Kind? {
    do {
      _ = try Ballast.plan(path: path, size: size, margin: margin, expectedMountPoint: mount)
      return nil
    } catch {
      return error.kind
    }
  }

  @Test func refusesACharacterDevice() {
    #expect(Self.refusal("/dev/null") == .exists("a character device"))
  }

  /// A block device node: a loop device if there is one, else any block node in /dev. None
  /// at all fails the test (it must run where a block device can be refused).
  @Test func refusesABlockDevice() throws {
    let names = try FileManager.default.contentsOfDirectory(atPath: "/dev").sorted { ($0.hasPrefix("loop") ? 0 : 1, $0) < ($1.hasPrefix("loop") ? 0 : 1, $1) }
    let block = names.map { "/dev/" + $0 }.first { p in
      var st = stat()
      return lstat(p, &st) == 0 && st.st_mode & S_IFMT == S_IFBLK
    }
    let device = try #require(block, "no block device node in /dev to test against")
    #expect(Self.refusal(device) == .exists("a block device"))
    // And through a symbolic link.
    let dir = try makeTempDirectory()
    defer { removeDirectory(dir) }
    try FileManager.default.createSymbolicLink(atPath: dir + "/ballast", withDestinationPath: device)
    #expect(Self.refusal(dir + "/ballast") == .exists("a symbolic link to \(device), a block device"))
  }

  @Test func refusesSymbolicLinks() throws {
    let dir = try makeTempDirectory()
    defer { removeDirectory(dir) }
    try FileManager.default.createSymbolicLink(atPath: dir + "/null", withDestinationPath: "/dev/null")
    #expect(Self.refusal(dir + "/null") == .exists("a symbolic link to /dev/null, a character device"))
    // A dangling link too: creating through it would create its target elsewhere.
    try FileManager.default.createSymbolicLink(atPath: dir + "/dangling", withDestinationPath: dir + "/nowhere")
    #expect(Self.refusal(dir + "/dangling") == .exists("a symbolic link to \(dir)/nowhere, nothing"))
    #expect(!FileManager.default.fileExists(atPath: dir + "/nowhere"))
  }

  @Test func refusesAnExistingFileAndKeepsIt() throws {
    let dir = try makeTempDirectory()
    defer { removeDirectory(dir) }
    let path = dir + "/data"
    try Data("keep me".utf8).write(to: URL(fileURLWithPath: path))
    #expect(Self.refusal(path) == .exists("a regular file"))
    #expect(Self.refusal(dir) == .exists("a directory"))
    #expect(try String(contentsOfFile: path, encoding: .utf8) == "keep me")
    // Its parent is no directory.
    #expect(Self.refusal(path + "/ballast") == .parentNotDirectory("\(path) is a regular file"))
    #expect(Self.refusal(dir + "/missing/ballast") == .parentNotDirectory("\(dir)/missing does not exist"))
    #expect(Self.refusal(dir + "/x/") == .notAFileName)
  }

  /// Free space after the file must stay at or above the margin.
  @Test func refusesTooLittleFree() throws {
    let dir = try makeTempDirectory()
    defer { removeDirectory(dir) }
    let plan = try Ballast.plan(path: dir + "/b", size: 1, margin: 0)
    guard case .tooLittleFree(let free, _, _)? = Self.refusal(dir + "/b", size: plan.freeBytes + 1) else {
      Issue.record("not refused"); return
    }
    #expect(free >= plan.freeBytes - (64 << 20))
    #expect(Self.refusal(dir + "/b", size: 1 << 20, margin: plan.freeBytes) != nil)
    // The default margin: the larger of 10 % and 1 GiB.
    #expect(BallastPlan.defaultMargin(totalBytes: 100 << 30) == 10 << 30)
    #expect(BallastPlan.defaultMargin(totalBytes: 4 << 30) == 1 << 30)
    #expect(try Ballast.plan(path: dir + "/b", size: 1).marginRule.hasPrefix("default"))
  }

  @Test func refusesAnotherMountPoint() throws {
    let dir = try makeTempDirectory()
    defer { removeDirectory(dir) }
    let plan = try Ballast.plan(path: dir + "/b", size: 1, margin: 0)
    let mount = try #require(plan.mount, "no mount found for \(dir)")
    #expect(try Ballast.plan(path: dir + "/b", size: 1, margin: 0, expectedMountPoint: mount.mountPoint).mount == mount)
    #expect(Self.refusal(dir + "/b", mount: "/nonexistent-mount") == .notMountedThere(expected: "/nonexistent-mount", actual: mount.mountPoint))
  }

  /// Creates exactly `size` bytes, reserved (allocated blocks), readable as zeros; a dry run
  /// (the plan alone) creates nothing.
  @Test func createsTheFile() throws {
    let dir = try makeTempDirectory()
    defer { removeDirectory(dir) }
    let path = dir + "/ballast"
    let size: Int64 = 3 << 20 | 5
    let plan = try Ballast.plan(path: path, size: size, margin: 0)
    #expect(!FileManager.default.fileExists(atPath: path))
    #expect(plan.resolvedPath.hasSuffix("/ballast") && plan.freeAfter == plan.freeBytes - size)
    try Ballast.create(plan)
    var st = stat()
    #expect(lstat(path, &st) == 0)
    #expect(st.st_mode & S_IFMT == S_IFREG && Int64(st.st_size) == size)
    #expect(Int64(st.st_blocks) * 512 >= size)
    // The plan is not reused: the file now exists.
    #expect(throws: BallastError.self) { try Ballast.create(plan) }
    #expect(Int64(((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.int64Value ?? 0) == size)
  }

  @Test func mountTableParsing() {
    let text = """
      22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw
      30 22 0:26 / /tmp rw,nosuid - tmpfs tmpfs rw,size=1024k
      31 22 0:27 / /mnt/with\\040space rw - xfs /dev/sdb\\0401 rw
      32 30 0:28 / /tmp/inner rw - tmpfs tmpfs rw
      bad line
      """
    let t = MountTable(mountinfo: text)
    #expect(t.mounts.count == 4)
    #expect(t.mount(containing: "/home/x")?.source == "/dev/vda")
    #expect(t.mount(containing: "/tmp")?.fsType == "tmpfs")
    #expect(t.mount(containing: "/tmpfoo")?.mountPoint == "/")
    #expect(t.mount(containing: "/tmp/inner/a")?.device == "0:28")
    #expect(t.mount(containing: "/mnt/with space/f")?.source == "/dev/sdb 1")
  }

  @Test func sizes() {
    #expect(ByteSize.parse("4096") == 4096)
    #expect(ByteSize.parse("512M") == 512 << 20)
    #expect(ByteSize.parse("10G") == 10 << 30)
    #expect(ByteSize.parse("1.5GiB") == 3 << 29)
    #expect(ByteSize.parse("2t") == 2 << 40)
    #expect(ByteSize.parse("0") == 0)
    #expect(ByteSize.parse("-1") == nil && ByteSize.parse("G") == nil && ByteSize.parse("1X") == nil)
    #expect(ByteSize.text(3 << 29) == "1.5 GiB" && ByteSize.text(900) == "900 B")
  }
}
