import ArgumentParser
import CockroachSQL
import Foundation
import Recovery

/// `--schema FILE.sql` / `--table-id db.table=N` / `--ignore-descriptors`, shared by schema,
/// rows, recover and plan. Merging is done by Recovery (`SchemaMerge`); this only reads files.
struct SchemaOptions: ParsableArguments {
  @Option(name: .long, help: "CREATE TABLE statements for tables whose descriptors are lost (repeatable); they win over stored descriptors.")
  var schema: [String] = []
  @Option(name: .long, help: "Table ID of a table in the --schema files, as db.table=ID (repeatable).")
  var tableId: [String] = []
  @Flag(name: .long, help: "Do not read system.descriptor: use only the --schema files.")
  var ignoreDescriptors = false

  func validate() throws {
    for t in tableId {
      do { _ = try SuppliedSchema.parseTableID(t) } catch { throw ValidationError("--table-id: \(error.message)") }
    }
    if ignoreDescriptors && schema.isEmpty { throw ValidationError("--ignore-descriptors needs --schema FILE.sql") }
  }

  /// Reads the files into `options` (a missing or unreadable file is a validation error).
  func apply(to options: inout RecoveryOptions) throws {
    for path in schema {
      do { options.schemaFiles.append(SchemaFileText(name: path, text: try String(contentsOfFile: path, encoding: .utf8))) } catch {
        throw ValidationError("--schema \(path): cannot read: \(error.localizedDescription)")
      }
    }
    for t in tableId {
      let (name, id) = try SuppliedSchema.parseTableID(t)
      if let other = options.tableIDs[name], other != id { throw ValidationError("--table-id \(name) given twice (\(other), \(id))") }
      options.tableIDs[name] = id
    }
    options.ignoreStoredDescriptors = ignoreDescriptors
  }
}

/// The notices of a run (which schema came from where), one line each on stderr.
func printNotices(_ notices: [String], seeAll: String = "in report.json") {
  noticeLines(notices, seeAll: seeAll).forEach(printError)
}

/// One line per notice, capped (one per table when --schema replaces many descriptors).
func noticeLines(_ notices: [String], seeAll: String = "in report.json") -> [String] {
  TerminalList.lines(notices, "notices", indent: "salvage: note: ", seeAll: seeAll) { $0 }
}
