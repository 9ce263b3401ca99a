import Foundation

extension Verification {
  /// Rows of `e` reduced to (partition, value), sorted by partition then value (integer).
  func partitionStream(_ e: VerifySource.Entry, partition: String, value: String, work: String) throws -> RowStream {
    let t = e.table
    guard let p = t.column(partition) else { throw RecoveryError("\(t.qualifiedName): no column \(partition)") }
    guard let v = t.column(value) else { throw RecoveryError("\(t.qualifiedName): no column \(value)") }
    let kind = t.kinds[p]
    let sorter = try ExternalSorter(directory: work, runLimit: options.runLimit) { a, b in
      let c = VerifyTable.compare(a[0], b[0], kind)
      return c != 0 ? c : VerifyTable.compare(a[1], b[1], .integer)
    }
    let rows = try e.open(work + "-rows")
    var n = 0
    while let r = try rows.next() {
      n += 1
      guard r.count == t.columns.count else { throw RecoveryError("\(t.qualifiedName): \(e.file) record \(n) has \(r.count) fields") }
      try sorter.add([r[p], r[v]])
    }
    return try sorter.finish()
  }

  /// One pass over a journal: gaps and duplicates per partition; optionally writes each
  /// partition's oldest value to `oldest` (CSV `partition,value`, partition order) and
  /// collects the gaps (for SOURCE, whose gaps RECOVERED may inherit).
  func sequencePass(_ e: VerifySource.Entry, _ seq: String, _ part: String, into res: inout VerifyReport.SequenceResult,
                    sourceGaps: [String: [(Int64, Int64)]]?, collect: inout [String: [(Int64, Int64)]],
                    oldest: String?, work: String) throws {
    let stream = try partitionStream(e, partition: part, value: seq, work: work)
    var out = ""
    var current: String?? = .none
    var last: Int64 = 0
    var dupCount = 0
    func closeDuplicate() {
      if dupCount > 0, let c = current {
        res.duplicates += 1
        if res.duplicatesListed.count < options.listLimit { res.duplicatesListed.append(.init(partition: c ?? "NULL", value: last, count: dupCount + 1)) }
      }
      dupCount = 0
    }
    while let r = try stream.next() {
      guard let text = r[1], let v = Int64(text) else {
        throw RecoveryError("\(e.table.qualifiedName): \(seq) = \(r[1] ?? "NULL") in partition \(r[0] ?? "NULL") is not an integer (\(e.file))")
      }
      if case .some(let c) = current, c == r[0] {
        if v == last { dupCount += 1; continue }
        closeDuplicate()
        if v > last + 1 {
          let p = c ?? "NULL"
          if sourceGaps == nil {
            collect[p, default: []].append((last + 1, v - 1))
          } else if sourceGaps![p]?.contains(where: { $0.0 <= last + 1 && v - 1 <= $0.1 }) == true {
            res.gapsAlsoInSource += 1
          } else {
            res.gaps += 1
            res.missingValues += Int(v - 1 - last)
            if res.gapsListed.count < options.listLimit { res.gapsListed.append(.init(partition: p, from: last + 1, to: v - 1)) }
          }
        }
      } else {
        closeDuplicate()
        current = .some(r[0])
        res.partitions += 1
        if oldest != nil { out += CSVRecordReader.line([r[0], String(v)]) }
      }
      last = v
    }
    closeDuplicate()
    if let oldest { try Data(out.utf8).write(to: URL(fileURLWithPath: oldest)) }
  }

  /// Partitions whose latest snapshot cannot be replayed to the present: the journal rows
  /// between it and the oldest kept journal row are gone. A partition without any snapshot
  /// replays from its first row, so its journal must still start at 1.
  func snapshotPass(journal: VerifySource.Entry, oldest: String, snapshot: VerifySource.Entry, version: String,
                    partition: String, journalPartition: String, work: String) throws -> VerifyReport.SnapshotResult {
    var res = VerifyReport.SnapshotResult(journalTable: journal.table.qualifiedName, snapshotTable: snapshot.table.qualifiedName,
                                          snapshotVersion: version)
    guard let jp = journal.table.column(journalPartition) else { throw RecoveryError("\(journal.table.qualifiedName): no column \(journalPartition)") }
    let kind = journal.table.kinds[jp]
    let snaps = try partitionStream(snapshot, partition: partition, value: version, work: work)
    let mins = try CSVRecordReader(path: oldest)
    var s = try snaps.next()
    while let m = try mins.next() {
      res.partitionsChecked += 1
      let oldestSeq = Int64(m[1] ?? "") ?? 0
      var latest: Int64? = nil
      // Advance the snapshot stream to this partition; its last row there is the latest.
      while let row = s, VerifyTable.compare(row[0], m[0], kind) < 0 { s = try snaps.next() }
      while let row = s, VerifyTable.compare(row[0], m[0], kind) == 0 {
        guard let v = Int64(row[1] ?? "") else {
          throw RecoveryError("\(snapshot.table.qualifiedName): \(version) = \(row[1] ?? "NULL") is not an integer (\(snapshot.file))")
        }
        latest = v
        s = try snaps.next()
      }
      if (latest ?? 0) + 1 < oldestSeq {
        res.stale += 1
        if res.staleListed.count < options.listLimit {
          res.staleListed.append(.init(partition: m[0] ?? "NULL", latestSnapshot: latest, oldestJournal: oldestSeq))
        }
      }
    }
    return res
  }
}
