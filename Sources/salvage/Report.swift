import ArgumentParser
import Export
import Foundation

/// `salvage report OUT`: report.html again from OUT/report.json (and OUT/verify.json, if
/// `salvage verify` left one there).
struct Report: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "report",
    abstract: "Write OUT/report.html from the report.json of a recovery (and verify.json, when present).",
    discussion: "recover and finish write report.html themselves; this renders it again, e.g. after salvage verify.")

  @Argument(help: "The --out directory of a recovery (holding report.json).") var out: String

  func run() throws {
    do {
      let path = try HTMLReport.write(directory: out)
      print("report: \(path)")
    } catch {
      printError("salvage: \(error)")
      throw ExitCode(ReadStatus.failed)
    }
  }
}
