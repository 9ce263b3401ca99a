import ArgumentParser

/// The one exit status rule of every command: **1** nothing could be done (bad arguments,
/// an unreadable input, an error); **2** done, but a damage-class problem was reported (a
/// damaged block, a missing file or WAL the store needs, a lost key span, a failed check,
/// an unrequested MANIFEST fallback); **0** otherwise. Warnings and notes are printed and
/// never change the status.
enum ReadStatus {
  static let damaged: Int32 = 2
  static let failed: Int32 = 1

  /// Ends a command that ran to completion: exit 2 when `damaged`, else return (exit 0).
  static func finish(damaged: Bool) throws {
    if damaged { throw ExitCode(Self.damaged) }
  }
}
