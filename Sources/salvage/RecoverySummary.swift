import CockroachKV
import Foundation
import Export
import Recovery

/// The terminal summary of a recovery (`recover`, `recover --shard`'s `finish`): rows per
/// table, then what was lost or skipped, every list capped (`TerminalList`).
func writeRecoverySummary(_ report: RecoveryReport, _ files: RecoveryFiles, _ o: Output) {
  for s in recoverySummary(report, filteredOut: files.filteredOut) { o.write(s); o.endLine() }
}

/// The summary's lines (`filteredOut`: rows --keep-latest dropped, per table).
func recoverySummary(_ report: RecoveryReport, filteredOut: [String: Int]) -> [String] {
  var lines: [String] = []
  func line(_ s: String) { lines.append(s) }
  for t in report.tables {
    var s = "  \(padRight(t.table, 28)) \(t.rows) rows"
    if let dropped = filteredOut[t.table] { s += " (\(t.rows - dropped) kept by --keep-latest)" }
    if t.rowProblems > 0 { s += ", \(t.rowProblems) rows with problems" }
    if !t.lostSpans.isEmpty { s += ", LOST: " + TerminalList.inline(t.lostSpans, "spans") }
    line(s)
    if t.filledRows > 0 || report.filledSpans.contains(where: { $0.table == t.table && $0.from == RecoveryReport.FilledSpan.fromBackup }) {
      // Never silent: which rows are not from the replicas, and from when.
      let spans = report.filledSpans.filter { $0.table == t.table && $0.from == RecoveryReport.FilledSpan.fromBackup }
      let lost = spans.filter(\.lost).count
      let whole = spans.count - lost
      var what: [String] = []
      if lost > 0 { what.append("\(lost) lost span\(lost == 1 ? "" : "s")") }
      if whole > 0 { what.append("\(whole) span\(whole == 1 ? "" : "s") taken whole (--tables-from-backup)") }
      line("  \(padRight("", 28)) of which \(t.filledRows) rows from the backup of \(backupTime(report.backupEndTime)) in " + what.joined(separator: " and "))
    }
    let obsolete = report.filledSpans.filter { $0.table == t.table && $0.from == RecoveryReport.FilledSpan.fromObsolete }
    if !obsolete.isEmpty {
      // Never silent: rows no replica held, from files the live state had dropped (best effort).
      line("  \(padRight("", 28)) of which \(t.obsoleteRows) rows from obsolete carved tables in \(obsolete.count) lost span\(obsolete.count == 1 ? "" : "s")"
           + " (best effort: possibly older than the lost data; \(t.table.split(separator: ".").last ?? "").from-obsolete.keys)")
    }
    if t.rebuiltRows > 0 || t.partialRows > 0 || t.fullRowsAside > 0 {
      // Never silent: rows not read from the primary index, and where the others went.
      var parts: [String] = []
      if t.rebuiltRows > 0 { parts.append("of which \(t.rebuiltRows) rows rebuilt from indexes (\(t.rebuiltIndexes.joined(separator: ", ")))") }
      let aside = t.partialRows + t.fullRowsAside
      if aside > 0 {
        let file = "\(t.table.split(separator: ".").last ?? "").partial.csv"
        let why = t.fullRowsAside > 0 ? "--rebuild-from-indexes puts full ones there" : "some of their columns are unknown"
        let from = t.rebuiltRows > 0 ? "" : " (\(t.rebuiltIndexes.joined(separator: ", ")))"
        parts.append("\(aside) rows rebuilt from indexes\(from) are in \(file) (not in the table: \(why))")
      }
      line("  \(padRight("", 28)) " + parts.joined(separator: "; "))
    }
  }
  if let replay = raftReplaySummary(report) { line(replay) }
  if !report.lostWALs.isEmpty {
    line("live WALs missing (the writes made after each store's last flush are lost):")
    TerminalList.lines(report.lostWALs, "WALs") { "\($0.store): \($0.file)" }.forEach(line)
  }
  if !report.lostSpans.isEmpty {
    line("key spans with no surviving replica:")
    TerminalList.lines(report.lostSpans, "spans") { l in
      // "game.users: primary, users_email_key": whose rows or index entries were there (a
      // span of several whole tables covers many ranges: both lists are capped)
      var tables: [String] = []
      for (i, x) in l.indexes.enumerated() {
        if i > 0 && l.indexes[i - 1].table == x.table { tables[tables.count - 1] += ", " + x.index } else { tables.append(x.table + ": " + x.index) }
      }
      // No surviving descriptor covers a gap between ranges: say so, as report.html does.
      let ranges = l.rangeIDs.isEmpty ? "no range descriptor"
        : "ranges " + TerminalList.inline(l.rangeIDs.map(String.init), "ranges", separator: ",")
      let held = tables.isEmpty ? "" : "; " + TerminalList.inline(tables, "tables", separator: "; ")
      return "\(l.pretty) (\(ranges)\(held))"
    }.forEach(line)
  }
  if report.indexCheckRan {
    let checked = report.indexDigests.filter { $0.consistent != nil }.count
    let how = report.indexDigests.isEmpty ? "" : " (digests of \(checked) index\(checked == 1 ? "" : "es")"
      + (report.indexCheckPrecise ? ", then the precise pass where they differ)" : ")")
    line(report.indexInconsistencyCount == 0 ? "index check: every surviving row matches its index entries" + how
         : "index check: \(report.indexInconsistencyCount) row/index inconsistencies\(how) (report.json index_inconsistencies):")
    TerminalList.lines(report.indexDigests.filter { $0.consistent == nil }, "indexes") { "\($0.table) \($0.index): \($0.note ?? "not checked")" }.forEach(line)
    TerminalList.lines(report.indexInconsistencies, "inconsistencies") { "\($0.table) \($0.index) \($0.primaryKey): \($0.what)" }.forEach(line)
  }
  if !report.damagedSpans.isEmpty {
    line("damaged blocks (their key spans read from another replica where one was intact):")
    TerminalList.lines(report.damagedSpans, "damaged spans") { d in
      "\(d.span) of range \(d.rangeID) on \(d.store): \(d.readFrom.map { "read from " + $0 } ?? "LOST")"
    }.forEach(line)
  }
  if !report.unnamedTables.isEmpty {
    line("table IDs with data but no schema (not exported; give --schema FILE.sql and --table-id db.table=ID):")
    TerminalList.lines(report.unnamedTables, "tables") { "table \($0.tableID): \($0.keys) live key(s), e.g. \($0.sampleKey)" }.forEach(line)
  }
  if !report.unrecoveredTenants.isEmpty {
    line("tenants (virtual clusters) with data, not exported (Salvage recovers the system tenant's tables only):")
    TerminalList.lines(report.unrecoveredTenants, "tenants") { t in
      "\(t.span): " + UnrecoveredTenant.held(keys: t.keys, ranges: t.ranges, rangesLost: t.rangesLost, sampleKey: t.sampleKey, tables: t.tables)
    }.forEach(line)
  }
  if !report.intents.isEmpty { line("\(report.intents.count) uncommitted intent(s) not exported (report.json lists them)") }
  if !report.problems.isEmpty {
    line("\(report.problems.count) problem(s) noted in report.json:")
    TerminalList.lines(report.problems, "problems") { $0.description }.forEach(line)
  }
  return lines
}

/// The backup's end time for people: `2019-06-01 12:00:00 UTC (1559390400.818218869,0)`.
func backupTime(_ hlc: String?) -> String {
  guard let hlc, let ts = try? MVCCTimestamp(parsing: hlc) else { return hlc ?? "?" }
  let f = DateFormatter()
  f.locale = Locale(identifier: "en_US_POSIX")
  f.timeZone = TimeZone(identifier: "UTC")
  f.dateFormat = "yyyy-MM-dd HH:mm:ss"
  return f.string(from: Date(timeIntervalSince1970: Double(ts.wallTime) / 1e9)) + " UTC (\(hlc))"
}
