import Foundation
import Recovery

/// What `salvage verify` names on its command line, opened as verify sides: directories
/// (recover output, BACKUP, CSVs with DDL) through Recovery, SQLite files (found by their
/// header, whatever the name) and `postgres://` URLs here.
public enum VerifyInputs {
  /// RECOVERED: a recover output directory, or its SQLite copy or PostgreSQL load (their
  /// own keys and types).
  public static func recovered(_ arg: String, runLimit: Int) throws -> VerifySource {
    if PostgresVerifySource.isURL(arg) { return try PostgresVerifySource.makeRecovered(url: arg, runLimit: runLimit) }
    if SQLiteVerifySource.isSQLite(arg) { return try SQLiteVerifySource.make(path: arg, recovered: nil, runLimit: runLimit) }
    try refuseOtherFiles(arg)
    return try VerifySource(directory: arg, runLimit: runLimit)
  }

  /// SOURCE: a directory, a SQLite file or a PostgreSQL URL; database tables are matched to
  /// RECOVERED's by name and take its primary key.
  public static func source(_ arg: String, recovered: VerifySource, runLimit: Int, csv: CSVDialect = CSVDialect()) throws -> VerifySource {
    if PostgresVerifySource.isURL(arg) { return try PostgresVerifySource.make(url: arg, recovered: recovered, runLimit: runLimit) }
    if SQLiteVerifySource.isSQLite(arg) { return try SQLiteVerifySource.make(path: arg, recovered: recovered, runLimit: runLimit) }
    try refuseOtherFiles(arg)
    return try VerifySource(directory: arg, runLimit: runLimit, csv: csv)
  }

  public static func verification(recovered: String, source: String, options: VerifyOptions, work: String) throws -> Verification {
    let r = try Self.recovered(recovered, runLimit: options.runLimit)
    if !options.backupLocalities.isEmpty || options.asOf != nil {
      // Backup-only options: SOURCE must be a backup directory.
      guard BackupLocation.isBackup(source) else {
        throw RecoveryError("\(source): --as-of and more than one --against apply to a BACKUP SOURCE only")
      }
      return Verification(recovered: r, source: try VerifySource(directory: source, runLimit: options.runLimit,
                                                                 localities: options.backupLocalities, asOf: options.asOf),
                          options: options, work: work)
    }
    let s = try Self.source(source, recovered: r, runLimit: options.runLimit, csv: options.csv)
    return Verification(recovered: r, source: s, options: options, work: work)
  }

  /// `RECOVERED/verify.json`, `verify.json` beside a SQLite RECOVERED, or in the current
  /// directory for a PostgreSQL RECOVERED.
  public static func defaultReport(recovered: String) -> String {
    if PostgresVerifySource.isURL(recovered) { return "verify.json" }
    var isDir: ObjCBool = false
    if FileManager.default.fileExists(atPath: recovered, isDirectory: &isDir), !isDir.boolValue {
      return (recovered as NSString).deletingLastPathComponent.isEmpty ? "verify.json"
        : (recovered as NSString).deletingLastPathComponent + "/verify.json"
    }
    return recovered + "/verify.json"
  }

  static func refuseOtherFiles(_ path: String) throws {
    var isDir: ObjCBool = false
    if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), !isDir.boolValue {
      throw RecoveryError("\(path) is a file but not a SQLite database (no SQLite header): give a directory, a SQLite file or a postgres:// URL")
    }
  }
}
