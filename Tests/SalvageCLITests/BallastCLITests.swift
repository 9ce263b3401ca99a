import Foundation
import Testing

/// `salvage ballast` end to end: refusals exit 1 and name what is there; a dry run creates
/// nothing; a real run creates the file at its size.
struct BallastCLITests {
  @Test func refusesDevicesAndLinks() throws {
    let r = try CLI.run(["ballast", "/dev/null", "--size", "1M"])
    #expect(r.status == 1)
    #expect(r.stderr.contains("refusing /dev/null: it exists (a character device)"), "\(r.stderr)")
    let dir = NSTemporaryDirectory() + "salvage-ballast-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try FileManager.default.createSymbolicLink(atPath: dir + "/link", withDestinationPath: "/dev/null")
    let l = try CLI.run(["ballast", dir + "/link", "--size", "1M", "--margin", "0"])
    #expect(l.status == 1 && l.stderr.contains("symbolic link to /dev/null, a character device"), "\(l.stderr)")
    #expect(try CLI.run(["ballast", dir + "/x", "--size", "lots"]).status != 0)
  }

  @Test func dryRunThenCreate() throws {
    let dir = NSTemporaryDirectory() + "salvage-ballast-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let path = dir + "/ballast"
    let dry = try CLI.run(["ballast", path, "--size", "2M", "--margin", "0", "--dry-run"])
    #expect(dry.status == 0, "\(dry.stderr)")
    let lines = dry.stdout.split(separator: "\n").map(String.init)
    #expect(lines.first?.hasPrefix("filesystem: /") == true && lines.first?.contains("(device ") == true, "\(dry.stdout)")
    #expect(lines.last == "dry run: would create \(URL(fileURLWithPath: path).resolvingSymlinksInPath().path), 2 MiB (2097152 bytes) reserved with fallocate; nothing created")
    #expect(!FileManager.default.fileExists(atPath: path))
    let made = try CLI.run(["ballast", path, "--size", "2M", "--margin", "0"])
    #expect(made.status == 0, "\(made.stderr)")
    #expect((try FileManager.default.attributesOfItem(atPath: path)[.size] as! NSNumber).intValue == 2 << 20)
    let again = try CLI.run(["ballast", path, "--size", "2M", "--margin", "0"])
    #expect(again.status == 1 && again.stderr.contains("it exists (a regular file)"))
  }
}
