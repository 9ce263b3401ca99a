import ArgumentParser
import Export
import Foundation

/// `--sqlite FILE` / `--no-sqlite` / `--postgres URL`, shared by `recover` and `finish`.
struct DatabaseOptions: ParsableArguments {
  @Option(name: .long, help: "SQLite copy of the recovered tables (default: OUT/salvage.sqlite).") var sqlite: String?
  @Flag(name: .long, help: "Do not write the SQLite copy.") var noSqlite = false
  @Option(name: .long, help: "Also load the tables into PostgreSQL (postgres://user@host:port/db; the database must exist).")
  var postgres: String?

  func validate() throws {
    if noSqlite && sqlite != nil { throw ValidationError("--sqlite and --no-sqlite contradict each other") }
  }

  func sqlitePath(_ files: RecoveryFiles) -> String { sqlite ?? files.directory + "/salvage.sqlite" }

  /// Before a run: the database copies are written in the run's own pass (not with
  /// --keep-latest, whose filter needs the finished CSVs).
  func prepare(_ files: RecoveryFiles, inputs: [String]) {
    guard files.keepLatest == nil else { return }
    if !noSqlite { files.copyToSQLite(path: sqlitePath(files), inputs: inputs) }
    if let url = postgres { files.copyToPostgres(url: url, inputs: inputs) }
  }

  /// Loads the written tables; prints one line per database and returns whether every row went in.
  func load(_ files: RecoveryFiles, inputs: [String], _ o: Output) -> Bool {
    var clean = true
    func summarize(_ what: String, _ reports: [TableLoadReport]) {
      let rows = reports.reduce(0) { $0 + $1.rowsInserted }
      let rejected = reports.reduce(0) { $0 + $1.rowsRejected }
      o.write("\(what): \(rows) rows loaded")
      if rejected > 0 { o.write(", \(rejected) rejected (duplicate keys or bad values; see salvage_rejected)"); clean = false }
      o.endLine()
    }
    if !noSqlite {
      let path = sqlitePath(files)
      // Written during the run from the typed rows, or (--keep-latest, `finish`) from the CSVs now.
      do { summarize("sqlite \(path)", try files.sqliteResult?.get() ?? RecoveredDatabase.loadSQLite(files, path: path, inputs: inputs)) } catch {
        o.write("sqlite: FAILED: \(error)\n")
        clean = false
      }
    }
    if postgres != nil, let result = files.postgresResult {
      // Written during the run from the typed rows.
      switch result {
      case .success(let reports): summarize("postgres", reports)
      case .failure(let e): o.write("postgres: FAILED: \(e)\n"); clean = false
      }
    } else if let url = postgres {
      // --keep-latest, `finish`: from the CSVs now.
      let box = ResultBox()
      let done = DispatchSemaphore(value: 0)
      Task {
        do { box.result = .success(try await RecoveredDatabase.loadPostgres(files, url: url, inputs: inputs)) } catch {
          box.result = .failure(error)
        }
        done.signal()
      }
      done.wait()
      switch box.result {
      case .success(let reports): summarize("postgres", reports)
      case .failure(let e): o.write("postgres: FAILED: \(e)\n"); clean = false
      case nil: break
      }
    }
    return clean
  }
}

final class ResultBox: @unchecked Sendable {
  var result: Result<[TableLoadReport], Error>?
}
