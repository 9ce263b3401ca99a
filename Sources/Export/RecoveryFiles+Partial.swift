import CockroachSQL
import Foundation
import Recovery
#if canImport(Glibc)
import Glibc
#endif

/// Rows rebuilt from secondary indexes that are not written into a table's CSV (issue 18;
/// partial ones, and full ones without `--rebuild-from-indexes`):
/// `OUT/<db>/<table>.partial.csv`, the table's columns (unknown ones as \N, like NULL) then a
/// `known_columns` field naming the columns the indexes gave (space-separated), in primary
/// key order. Chunks write `.salvage-work/<table id>/N.partial`; `finish` joins them.
extension RecoveryFiles {
  func partialPath(_ c: RecoveryChunk) -> String { String(partPath(c).dropLast(".csv".count)) + ".partial" }

  public func chunkPartialRows(_ chunk: RecoveryChunk, rows: RowBatch, known: [[String]]) throws {
    let columns = tables[chunk.table].columns
    let ordinals = columns.map { rows.layout.ordinal(of: $0.id) ?? -1 }
    guard !ordinals.contains(-1) else { throw RecoveryError("output column missing from the row layout of \(tables[chunk.table].name)") }
    var out = ByteSink(capacity: rows.byteCount * 2)
    var problems: [String] = []
    for r in 0..<rows.count {
      csv.write(rows, row: r, ordinals: ordinals, into: &out, problems: &problems)
      out.bytes.removeLast()   // the record's "\n": known_columns follows
      let names = r < known.count ? known[r].joined(separator: " ") : ""
      out.append(contentsOf: ",\"" + names.replacingOccurrences(of: "\"", with: "\"\"") + "\"\n")
    }
    stateLock.lock()
    renderProblems += problems
    // A chunk rebuilt again (resumed run) starts its list over.
    let first = partialStarted.insert(chunk.key).inserted
    stateLock.unlock()
    let path = partialPath(chunk)
    if first { unlink(path) }
    try TableStream.append([out.bytes], toFileAt: path)
  }

  /// Joins the tables' partial rows (lock-free: `finish` runs alone); the IMPORT note for
  /// import.sql: partial rows are not imported with the table, a staging table can take them.
  func writePartialRows() throws -> String {
    var note = ""
    for (t, table) in tables.enumerated() {
      let parts = chunks.filter { $0.table == t }.sorted { $0.index < $1.index }.map(partialPath)
        .filter { FileManager.default.fileExists(atPath: $0) }
      guard !parts.isEmpty else { continue }
      let csvPath = OutputPath.csv(database: table.database, schema: table.qualifiedName[1], table: table.name)
      // Gzipped like the table's CSV (--gzip).
      let relative = String(csvPath.dropLast(".csv".count)) + ".partial.csv" + (gzip ? ".gz" : "")
      let out = try AtomicOutputFile(path: directory + "/" + relative, gzip: gzip, guard: .none)
      for p in parts { try out.append(fileAt: p) }
      try out.commit()
      let staging = SQLIdent.quote(table.database) + "." + SQLIdent.quote(table.name + "_partial")
      note += """

        -- \(relative): rows of lost spans rebuilt from secondary indexes (known_columns lists
        -- the columns the indexes gave; an unknown column is \\N like a NULL; rows with every
        -- column known are here unless --rebuild-from-indexes was given). Not imported
        -- with \(table.name); to look at them, create a staging table \(staging) with the same
        -- columns, all nullable and without keys, plus known_columns STRING, then:
        --   \(csv.importStatement(table: staging, columns: table.columns.map(\.name) + ["known_columns"], url: "nodelocal://1/" + relative, gzip: gzip))

        """
    }
    return note
  }
}
