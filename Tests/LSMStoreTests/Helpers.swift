import Testing
import Foundation
import SSTable
@testable import LSMStore
import SalvageTestSupport

/// One WAL op as a line comparable with the fixtures' `*.wal.jsonl`.
func opLine(_ op: BatchOp, _ b: Batch) -> String {
  "\(hexString(op.key)) #\(op.seq) \(Kind.name(op.kind))/\(op.kind) = \(hexString(op.value)) [batch \(b.seq) x\(b.count) @\(b.offset)]"
}

func expectedOpLine(_ x: [String: Any], offsetField: String) -> String {
  "\(x.str("key_hex")!) #\(x.uint64("seq")!) \(x.str("kind")!)/\(x.int("kind_code")!) = \(x.str("value_hex")!) [batch \(x.uint64("batch_seq")!) x\(x.uint64("batch_count")!) @\(x.int(offsetField)!)]"
}

/// Every op of every batch a log yields, as lines.
func walLines(_ reader: LogReader) -> [String] {
  var out: [String] = []
  while let r = reader.next() {
    let b = BatchDecoder.decode(r.payload, recordOffset: r.offset, file: reader.path)
    #expect(b.damage == nil, "\(b.damage.map { "\($0)" } ?? "")")
    for op in b.ops { out.append(opLine(op, b)) }
  }
  return out
}

/// Reports the first differing line of two lists (and their lengths), not a wall of text.
func expectSameLines(_ got: [String], _ want: [String], _ what: String,
                     sourceLocation: SourceLocation = #_sourceLocation) {
  for (i, (g, w)) in zip(got, want).enumerated() where g != w {
    Issue.record("\(what) line \(i):\n got  \(g.prefix(300))\n want \(w.prefix(300))", sourceLocation: sourceLocation)
    return
  }
  #expect(got.count == want.count, "\(what): \(got.count) lines, expected \(want.count)", sourceLocation: sourceLocation)
}

func boundLine(_ b: KeyBound) -> String { "\(hexString(b.userKey))#\(b.seq),\(Kind.name(b.kind))" }

func expectedBoundLine(_ x: Any?) -> String {
  let d = x as! [String: Any]
  return "\(d.str("key_hex")!)#\(d.uint64("seq")!),\(d.str("kind")!)"
}

/// The fields of a table that the fixtures' `new_tables` / `tables` entries carry.
func tableLine(_ t: TableMeta, blobIDs: Bool = true) -> String {
  var s = "L\(t.level) \(t.fileNum) size=\(t.size) [\(boundLine(t.smallest)) - \(boundLine(t.largest))] seqs=\(t.smallestSeq)-\(t.largestSeq)"
  s += " points=\(t.hasPointKeys) ranges=\(t.hasRangeKeys) virtual=\(t.isVirtual) created=\(t.creationTime ?? 0)"
  if blobIDs { s += " blobs=\(t.blobReferences.map { $0.fileID })" }
  return s
}

func expectedTableLine(_ d: [String: Any]) -> String {
  var s = "L\(d.int("level")!) \(d.uint64("file_num")!) size=\(d.uint64("size")!) [\(expectedBoundLine(d["smallest"])) - \(expectedBoundLine(d["largest"]))] seqs=\(d.uint64("smallest_seq")!)-\(d.uint64("largest_seq")!)"
  s += " points=\(d["has_point_keys"] as! Bool) ranges=\(d["has_range_keys"] as! Bool) virtual=\(d["virtual"] as! Bool) created=\(d.uint64("creation_time") ?? 0)"
  s += " blobs=\(((d["blob_file_ids"] as? [Any]) ?? []).map { ($0 as! NSNumber).uint64Value })"
  return s
}

/// Decoded edit, as the fields `*.edits.jsonl` has.
func editLine(_ e: VersionEdit) -> String {
  var s = "#\(e.index) @\(e.recordOffset)"
  if let c = e.comparer { s += " comparer=\(c)" }
  if let n = e.minUnflushedLogNum, n != 0 { s += " log=\(n)" }
  if let n = e.nextFileNum, n != 0 { s += " next=\(n)" }
  if let n = e.lastSeqNum, n != 0 { s += " last=\(n)" }
  let dels = e.deletedTables.map { "L\($0.level):" + pad6($0.fileNum) }.sorted()
  if !dels.isEmpty { s += " del=\(dels)" }
  for t in e.newTables { s += " add{\(tableLine(t))}" }
  for b in e.newBlobFiles { s += " blob{\(b.fileID) \(b.fileNum) \(b.size) \(b.valueSize)}" }
  return s
}

func expectedEditLine(_ x: [String: Any]) -> String {
  var s = "#\(x.int("index")!) @\(x.int("record_offset")!)"
  if let c = x.str("comparer") { s += " comparer=\(c)" }
  if let n = x.uint64("min_unflushed_log_num"), n != 0 { s += " log=\(n)" }
  if let n = x.uint64("next_file_num"), n != 0 { s += " next=\(n)" }
  if let n = x.uint64("last_seq_num"), n != 0 { s += " last=\(n)" }
  let dels = ((x["deleted_tables"] as? [String]) ?? []).sorted()
  if !dels.isEmpty { s += " del=\(dels)" }
  for t in (x["new_tables"] as? [[String: Any]]) ?? [] { s += " add{\(expectedTableLine(t))}" }
  for b in (x["new_blob_files"] as? [[String: Any]]) ?? [] {
    s += " blob{\(b.uint64("blob_file_id")!) \(b.uint64("file_num")!) \(b.uint64("size")!) \(b.uint64("value_size")!)}"
  }
  return s
}


/// A fixture file's bytes, copied (no mapping whose lifetime could end early).
func fileBytes(_ relative: String) throws -> [UInt8] {
  Array(try Data(contentsOf: URL(fileURLWithPath: Fixtures.path(relative))))
}
