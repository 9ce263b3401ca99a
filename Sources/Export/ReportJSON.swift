import Foundation
import Recovery

/// `report.json`: stable key order, one object.
enum ReportJSON {
  static func encode(_ r: RecoveryReport) -> String {
    var o: [String: Any] = [:]
    o["stores"] = r.stores
    o["as_of"] = r.asOf
    o["seconds"] = (r.seconds * 1000).rounded() / 1000
    o["bytes_read"] = r.bytesRead
    o["spans"] = r.spans
    o["spans_reused"] = r.spansReused
    o["something_lost"] = r.somethingLost
    o["tables"] = r.tables.map { t -> [String: Any] in
      ["table": t.table, "table_id": t.tableID, "rows": t.rows, "deleted_keys": t.deletedKeys,
       "row_problems": t.rowProblems, "lost_spans": t.lostSpans, "filtered_out": t.filteredOut, "filled_rows": t.filledRows,
       "rebuilt_rows": t.rebuiltRows, "rebuilt_from_indexes": t.rebuiltIndexes, "partial_rows": t.partialRows,
       "obsolete_rows": t.obsoleteRows,
       "full_rows_aside": t.fullRowsAside]
    }
    if let end = r.backupEndTime { o["backup_end_time"] = end }
    if r.backupEndTime != nil || !r.filledSpans.isEmpty {
      o["filled_spans"] = r.filledSpans.map { f -> [String: Any] in
        var s: [String: Any] = ["table": f.table, "span": f.span, "start_hex": hex(f.start), "end_hex": hex(f.end), "rows": f.rows,
                                "lost": f.lost, "from": f.from]
        // Obsolete carved data: which files of which image could have given the rows.
        if f.from == RecoveryReport.FilledSpan.fromObsolete {
          s["files"] = f.obsoleteFiles.map { ["image": $0.image, "kind": $0.kind, "offset": $0.offset, "length": $0.length] as [String: Any] }
        }
        return s
      }
    }
    o["lost_spans"] = r.lostSpans.map { l -> [String: Any] in
      ["span": l.pretty, "start_hex": hex(l.start), "end_hex": hex(l.end), "range_ids": l.rangeIDs, "table_ids": l.tableIDs,
       "indexes": l.indexes.map { ["table": $0.table, "table_id": $0.tableID, "index_id": $0.indexID, "index": $0.index] as [String: Any] }]
    }
    o["ranges"] = r.rangeSources.map { s -> [String: Any] in
      ["range_id": s.rangeID, "span": s.span, "start_hex": hex(s.start), "end_hex": hex(s.end), "store": s.store ?? NSNull()]
    }
    o["store_info"] = r.storeInfo.map { s -> [String: Any] in
      ["path": s.path, "label": s.label, "engine": s.engine ?? NSNull(), "engine_version": s.engineVersion ?? NSNull(),
       "format_major_version": s.formatMajorVersion ?? NSNull(), "table_bytes": s.tableBytes]
    }
    o["damaged_spans"] = r.damagedSpans.map { d -> [String: Any] in
      ["range_id": d.rangeID, "span": d.span, "start_hex": hex(d.start), "end_hex": hex(d.end),
       "store": d.store, "read_from": d.readFrom ?? NSNull()]
    }
    o["intents"] = r.intents.map { ["key": $0.key, "key_hex": $0.keyHex, "txn_id": $0.txnID, "timestamp": $0.timestamp] }
    o["lost_wals"] = r.lostWALs.map { ["store": $0.store, "file": $0.file, "meaning": $0.meaning] }
    o["raft_replay"] = raftReplay(r)
    o["problems"] = r.problems.map(\.description)
    if !r.carved.isEmpty { o["carved"] = r.carved.map { carved($0, r) } }
    if r.indexCheckRan {
      o["index_check"] = r.indexDigests.isEmpty ? "precise" : r.indexCheckPrecise ? "digest, precise where digests differ" : "digest"
      if !r.indexDigests.isEmpty {
        o["index_digests"] = r.indexDigests.map { d -> [String: Any] in
          ["table": d.table, "index": d.index, "row_entries": d.rowEntries, "index_entries": d.indexEntries,
           "consistent": d.consistent.map { $0 as Any } ?? NSNull(), "note": d.note ?? NSNull()]
        }
      }
      o["index_inconsistency_count"] = r.indexInconsistencyCount
      o["index_inconsistencies"] = r.indexInconsistencies.map {
        ["table": $0.table, "index": $0.index, "primary_key_hex": $0.primaryKeyHex, "primary_key": $0.primaryKey, "what": $0.what]
      }
    }
    o["notices"] = r.notices
    o["unnamed_tables"] = r.unnamedTables.map { ["table_id": $0.tableID, "keys": $0.keys, "sample_key": $0.sampleKey] as [String: Any] }
    o["unrecovered_tenants"] = r.unrecoveredTenants.map {
      ["tenant_id": $0.tenantID, "ranges": $0.ranges, "ranges_lost": $0.rangesLost,
       "keys": $0.keys.map { $0 as Any } ?? NSNull(), "sample_key": $0.sampleKey.map { $0 as Any } ?? NSNull(),
       "tables": $0.tables.map { $0 as Any } ?? NSNull()] as [String: Any]
    }
    let data = (try? JSONSerialization.data(withJSONObject: o, options: [.prettyPrinted, .sortedKeys])) ?? Data("{}".utf8)
    return String(decoding: data, as: UTF8.self) + "\n"
  }

  static func hex(_ b: [UInt8]) -> String { b.hex }

  /// One carved image: what was found, and the ranges read from it (only live carved files
  /// are in its store, so every span listed comes from the MANIFEST's live state).
  static func carved(_ c: CarvedImageSummary, _ r: RecoveryReport) -> [String: Any] {
    let label = r.storeInfo.first { $0.path == c.storePath }?.label ?? c.storePath
    return ["image": c.image, "store": c.storePath, "store_label": label, "manifest_found": c.manifestFound,
            "tables_live": c.liveTables, "tables_obsolete": c.obsoleteTables, "wals_live": c.liveWALs,
            "wals_obsolete": c.obsoleteWALs, "live_tables_missing": c.missingLiveTables,
            "unconfirmed_footers": c.unconfirmedFooters, "seconds": (c.seconds * 1000).rounded() / 1000,
            "bytes_copied": c.bytesWritten,
            "how": "live files of the newest carved MANIFEST, read as one more store; "
              + (c.obsoleteUsed ? "obsolete files used only for spans no replica or live table held (filled_spans)" : "obsolete files not used"),
            "spans": r.rangeSources.filter { $0.store == label }.map { s -> [String: Any] in
              ["range_id": s.rangeID, "span": s.span, "start_hex": hex(s.start), "end_hex": hex(s.end)]
            }]
  }
}
