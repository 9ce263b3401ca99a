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
       "row_problems": t.rowProblems, "lost_spans": t.lostSpans, "filtered_out": t.filteredOut, "filled_rows": t.filledRows]
    }
    if let end = r.backupEndTime {
      o["backup_end_time"] = end
      o["filled_spans"] = r.filledSpans.map { f -> [String: Any] in
        ["table": f.table, "span": f.span, "start_hex": hex(f.start), "end_hex": hex(f.end), "rows": f.rows, "lost": f.lost]
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
    o["problems"] = r.problems
    o["notices"] = r.notices
    o["unnamed_tables"] = r.unnamedTables.map { ["table_id": $0.tableID, "keys": $0.keys, "sample_key": $0.sampleKey] as [String: Any] }
    let data = (try? JSONSerialization.data(withJSONObject: o, options: [.prettyPrinted, .sortedKeys])) ?? Data("{}".utf8)
    return String(decoding: data, as: UTF8.self) + "\n"
  }

  static func hex(_ b: [UInt8]) -> String { b.hex }
}
