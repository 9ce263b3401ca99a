import CockroachKV
import CockroachSQL
import Foundation
import LSMStore

/// `recover --fill-from BACKUP` (issue 19): the spans no replica holds are read from a backup
/// of the same cluster, as of its end time, and marked as such everywhere (`report.json`
/// `filled_spans` and `tables[].filled_rows`, `<table>.from-backup.keys`, the summary).
/// `--tables-from-backup PATTERN` takes whole tables from it instead of from the replicas.
/// Without these options nothing comes from a backup.
///
/// The backup is one more source of chunks (`RecoveryChunk.Source.backup`), so planning, work
/// units, the sink's key order and resuming treat a filled chunk like any other; its unit reads
/// `BackupChain.scan` instead of a store.
extension RecoveryRun {
  /// Points lost chunks (and every chunk of the tables taken whole) at the backup. The
  /// backup's tables must be the cluster's own (same IDs and names): a backup of another
  /// cluster would fill the spans with unrelated rows.
  func planFill(_ chunks: inout [RecoveryChunk], stores: [Store], tables: [RecoveredTable]) throws {
    guard !options.fillFrom.isEmpty else {
      guard options.tablesFromBackup.isEmpty else { throw RecoveryError("--tables-from-backup needs --fill-from BACKUP") }
      return
    }
    let chain: BackupChain
    do { chain = try BackupLocation.open(options.fillFrom) } catch {
      throw RecoveryError("--fill-from \(options.fillFrom.joined(separator: " ")): \(error)")
    }
    backup = chain
    report.backupEndTime = chain.readTime.description
    var usable = Set<Int>()
    for (i, t) in tables.enumerated() {
      guard let b = chain.catalog.tables[t.descriptor.id] else {
        report.problems.append(Problem(.backup, "--fill-from: the backup has no table \(t.qualifiedName.joined(separator: ".")) (id \(t.descriptor.id)); its lost spans stay lost"))
        continue
      }
      guard b.name == t.descriptor.name else {
        report.problems.append(Problem(.backup, "--fill-from: table id \(t.descriptor.id) is \(b.name) in the backup but \(t.descriptor.name) here: not filled (a backup of another cluster?)"))
        continue
      }
      usable.insert(i)
    }
    let whole = Set(tables.indices.filter { i in
      let dotted = tables[i].qualifiedName[0] + "." + tables[i].qualifiedName[2]
      return options.tablesFromBackup.contains { Self.glob($0, dotted) }
    })
    for i in chunks.indices where usable.contains(chunks[i].table) && (chunks[i].store == nil || whole.contains(chunks[i].table)) {
      if chunks[i].store == nil { lostBeforeFill.insert(chunks[i].key) }
      chunks[i].read(from: .backup, storeCount: stores.count)
      chunks[i].estimatedBytes = nil
    }
  }

  /// Rows of backup chunks: each span scanned in key order (newest version as of the
  /// backup's end time), through the same row assembly as a store's.
  func readBackup(_ chunks: [RecoveryChunk], tables: [RecoveredTable], sink: RecoveredRowSink) throws {
    guard let chain = backup else { throw RecoveryError("internal: backup chunks without a backup") }
    let ordered = chunks.sorted { $0.span < $1.span }
    try read(ordered, source: "backup " + options.fillFrom[0], tables: tables, sink: sink) { emit in
      var stats = SpanScanStats()
      for (i, c) in ordered.enumerated() {
        try chain.scan(c.span, problems: &stats.problems) { key, value in
          try key.withUnsafeBytes { k in
            try value.withUnsafeBytes { v in
              var view = ResolvedView()
              view.roachKey = k
              view.roachValue = v
              view.kind = .value   // the scan visits live keys only
              stats.keys += 1
              stats.values += 1
              try emit(i, view)
            }
          }
        }
      }
      return stats
    }
  }

  /// A finished backup chunk in the report (caller holds `lock` or runs alone).
  func addFilled(_ r: ChunkResult, of c: RecoveryChunk) {
    report.tables[c.table].filledRows += r.rows
    report.filledSpans.append(.init(table: report.tables[c.table].table, span: c.span.pretty, start: c.span.start, end: c.span.end,
                                    rows: r.rows, lost: lostBeforeFill.contains(c.key)))
  }
}
