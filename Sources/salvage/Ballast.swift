import ArgumentParser
import Export

struct BallastCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "ballast",
    abstract: "Create a ballast file (space to free when a disk fills up), only where it is safe.",
    discussion: """
      Creates PATH as a new regular file of SIZE bytes reserved with fallocate (nothing is \
      written). Refuses an existing PATH of any kind (a file, a block or character device, a \
      symbolic link, even a dangling one), a parent that is not a directory, a filesystem not \
      mounted at --mount-point when given, and a SIZE that would leave less than the margin \
      free (default: the larger of 10 % of the filesystem and 1 GiB). Prints the filesystem's \
      mount point and device first. Sizes: 4096, 512M, 10G, 1TiB (K, M, G, T are powers of \
      1024). Exit status: 0 created (or, with --dry-run, would create), 1 refused or failed.
      """)

  @Argument(help: "The file to create (must not exist).") var path: String
  @Option(help: "Size of the file (e.g. 10G).") var size: String
  @Option(help: "Space that must stay free after the file (default: max(10 % of the filesystem, 1 GiB)).") var margin: String?
  @Option(name: .customLong("mount-point"), help: "Refuse unless PATH's filesystem is mounted here.") var mountPoint: String?
  @Flag(name: .customLong("dry-run"), help: "Say what would be done; create nothing.") var dryRun = false

  func validate() throws {
    guard ByteSize.parse(size) != nil else { throw ValidationError("--size \(size): not a size (e.g. 4096, 512M, 10G)") }
    if let margin, ByteSize.parse(margin) == nil { throw ValidationError("--margin \(margin): not a size (e.g. 0, 512M, 10G)") }
  }

  func run() throws {
    let plan: BallastPlan
    do {
      plan = try Ballast.plan(path: path, size: ByteSize.parse(size)!, margin: margin.flatMap(ByteSize.parse),
                              expectedMountPoint: mountPoint)
    } catch {
      printError("salvage: ballast: \(error)")
      throw ExitCode(ReadStatus.failed)
    }
    let o = Output()
    if let m = plan.mount {
      o.write("filesystem: \(m.mountPoint) (device \(m.source), \(m.fsType), \(m.device))\n")
    } else {
      o.write("filesystem: mount point unknown (/proc/self/mountinfo unreadable)\n")
    }
    o.write("free: \(ByteSize.text(plan.freeBytes)) of \(ByteSize.text(plan.totalBytes)); after the ballast: \(ByteSize.text(plan.freeAfter)) (margin \(ByteSize.text(plan.margin)), \(plan.marginRule))\n")
    if dryRun {
      o.write("dry run: would create \(plan.resolvedPath), \(ByteSize.text(plan.size)) (\(plan.size) bytes) reserved with fallocate; nothing created\n")
      return
    }
    o.flush()
    do { try Ballast.create(plan) } catch {
      printError("salvage: ballast: \(error)")
      throw ExitCode(ReadStatus.failed)
    }
    o.write("created \(plan.resolvedPath), \(ByteSize.text(plan.size)) (\(plan.size) bytes) reserved; delete it to free the space\n")
  }
}
