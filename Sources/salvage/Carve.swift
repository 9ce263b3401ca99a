import ArgumentParser
import Carving
import Foundation

struct CarveCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "carve",
    abstract: "Find a store's files in a disk image whose filesystem is gone (docs/carving.md).",
    discussion: """
      Reads IMG (a raw image file or a block device, opened read-only) once, finds tables and \
      blob files by their footers, WAL and MANIFEST files by their record headers and OPTIONS \
      files by their text, and writes them to DIR: the files the newest MANIFEST names as live \
      under their store names with that MANIFEST and CURRENT (DIR opens as a store for salvage \
      store/recover), the others under DIR/obsolete/, and DIR/carve.json listing everything \
      with its offset in the image. Exit status: 0 when every live table was found, 2 when some \
      are missing or no MANIFEST was found, 1 on error.
      """)

  @Argument(help: "The disk image or block device.") var image: String
  @Option(name: .long, help: "Directory to write the carved files to (created).") var out: String
  @Flag(name: .long, help: "No progress on stderr.") var quiet = false
  @Flag(name: .customLong("loose-blocks"),
        help: "Last resort: a second pass finds data blocks outside every carved file (a table whose footer is gone) and writes each run of them to DIR/obsolete/loose-at-N.sst.")
  var looseBlocks = false

  func validate() throws {
    if let names = try? FileManager.default.contentsOfDirectory(atPath: out), !names.isEmpty {
      throw ValidationError("--out \(out) exists and is not empty")
    }
  }

  func run() throws {
    let progress = CarveProgress(quiet: quiet)
    let store: CarvedStore
    do {
      (store, _) = try CarvedStore.carve(image: image, into: out, looseBlocks: looseBlocks, progress: progress.report)
    } catch {
      progress.finish()
      printError("salvage: carve: \(error)")
      throw ExitCode(ReadStatus.failed)
    }
    progress.finish()
    let o = Output()
    for l in store.summaryLines { o.write(l + "\n") }
    o.write("output: \(out)\n")
    o.flush()
    try ReadStatus.finish(damaged: store.manifestOffset == nil || !store.liveTablesMissing.isEmpty)
  }
}

/// Carving progress on stderr: a line per 5 % (a carve reads whole disks).
final class CarveProgress: @unchecked Sendable {
  let quiet: Bool
  var lastStep = -1
  init(quiet: Bool) { self.quiet = quiet }
  var report: (Int, Int) -> Void {
    { [self] done, total in
      guard !quiet, total > 0 else { return }
      let step = done * 20 / total
      if step != lastStep {
        lastStep = step
        printError("salvage: carving: \(done / 1_000_000) of \(total / 1_000_000) MB (\(step * 5) %)")
      }
    }
  }
  func finish() {}
}
