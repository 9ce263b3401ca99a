import CockroachKV
import CockroachSQL
import Foundation
import LSMStore

/// The index cross-check by digests (issue 18, `--check-indexes`); its row side rides on the
/// data pass:
///
/// ```
/// data pass: each surviving row ──its expected entry per usable index──▶ fold(index, known columns)
/// index spans (one MVCC scan, no row assembly) ──each entry whose primary key
///   is not in a lost span──▶ fold(index, known columns)
/// equal digests (count + sum of hashes) = consistent, nothing held in memory;
/// unequal = the precise pass (`checkIndexes`) runs for that table and lists the entries.
/// ```
/// A row's expected entry is hashed as decoded values (the entry's known columns, `.null`
/// for NULL), not as re-encoded KV bytes: the precise pass compares the same values, and an
/// entry's value encoding (families, composite columns) need not be rebuilt. The sum is
/// order-independent (rows and entries arrive in different orders and stores) and, unlike
/// XOR, a duplicated entry does not cancel out. The hash is the same in every process
/// (`StableHasher`): each chunk's row side is kept with its result, so a resumed run folds
/// the chunks an earlier run read.
public struct IndexDigest: Sendable, Equatable, Codable {
  public var count = 0
  public var sum: UInt64 = 0

  mutating func fold(_ hash: UInt64) {
    count += 1
    sum &+= hash
  }

  mutating func add(_ o: IndexDigest) {
    count += o.count
    sum &+= o.sum
  }

  /// One entry: its index and the values of `columns` (sorted IDs).
  static func hash(index: UInt32, columns: [UInt32], _ value: (_ position: Int, _ id: UInt32) -> Datum) -> UInt64 {
    var h = StableHasher()
    h.combine(UInt64(index))
    for (i, id) in columns.enumerated() {
      h.combine(UInt64(id))
      h.combine(value(i, id))
    }
    return h.finalize()
  }

  // JSON numbers: the sum as a signed 64-bit pattern (exact in every JSON reader here).
  enum CodingKeys: String, CodingKey { case count, sum }
  public init() {}
  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    count = try c.decode(Int.self, forKey: .count)
    sum = UInt64(bitPattern: try c.decode(Int64.self, forKey: .sum))
  }
  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(count, forKey: .count)
    try c.encode(Int64(bitPattern: sum), forKey: .sum)
  }
}

/// (table position, index ID).
struct IndexDigestKey: Hashable, Sendable {
  var table: Int
  var index: UInt32
}

/// What the digest check found for one index (report.json `index_digests`).
public struct IndexDigestResult: Sendable, Equatable {
  public var table: String
  public var index: String
  /// Entries the surviving rows expect, and entries read in the index (outside lost spans).
  public var rowEntries: Int
  public var indexEntries: Int
  /// nil: not checked (`note` says why).
  public var consistent: Bool?
  public var note: String?
}

extension RecoveryRun {
  /// Per table position: the usable indexes whose digests the data pass folds (sorted known
  /// columns), empty when the check is off or the table has none. An index whose span is
  /// partly lost cannot be compared (`digestCheck` says so): its rows are not folded.
  func digestPlan(_ tables: [RecoveredTable]) -> [[DigestSource]] {
    guard options.indexCheck && !options.checkIndexes else { return tables.map { _ in [] } }
    let lost = report.lostSpans.map { KeySpan(start: $0.start, end: $0.end) }
    return tables.map { t in
      Self.indexSources(t.descriptor).usable.filter { s in !lost.contains { $0.overlaps(s.span) } }
        .map { DigestSource(id: $0.index.id, columns: $0.known.sorted()) }
    }
  }

  /// Row side: folds each row of `batch` (a surviving chunk's) into `digests` (by index ID).
  static func foldRows(_ batch: RowBatch, sources: [DigestSource], into digests: inout [UInt32: IndexDigest]) {
    let layout = batch.layout
    for s in sources {
      let ordinals = s.columns.map { layout.ordinal(of: $0) }
      var d = digests[s.id] ?? IndexDigest()
      for r in 0..<batch.count {
        d.fold(IndexDigest.hash(index: s.id, columns: s.columns) { i, _ in ordinals[i].map { batch.datum(r, $0) } ?? .null })
      }
      digests[s.id] = d
    }
  }

  /// After the data pass: each table's index side folded and compared with its rows'; the
  /// tables with an unequal digest get the precise pass.
  func digestCheck(_ p: Prepared) throws {
    let plan = digestPlan(p.tables)
    var unequal: Set<Int> = []
    var results: [IndexDigestResult] = []
    for (ti, t) in p.tables.enumerated() where !plan[ti].isEmpty {
      let name = t.qualifiedName.joined(separator: ".")
      let sources = Self.indexSources(t.descriptor).usable
      // Primary spans whose rows are not the replicas': entries there have no row to match.
      let notRead = p.chunks.filter { c in
        c.table == ti && (c.source != .replica || c.store == nil)
      }.map(\.span).sorted()
      let decoder = TableRowDecoder(table: t.descriptor, catalog: t.types)
      // An index span partly lost lacks entries of surviving rows: not comparable.
      let lostIndexes = Set(sources.filter { s in report.lostSpans.contains { KeySpan(start: $0.start, end: $0.end).overlaps(s.span) } }.map(\.index.id))
      var problems: [Problem] = []
      let (perStore, lost) = indexReadPlan(sources.filter { !lostIndexes.contains($0.index.id) }.map(\.span), stores: p.stores.count, problems: &problems)
      problems += lost.map { Problem(.missing, subject: "\(name) index", key: $0.start, "\($0.pretty) is lost too") }
      // One store per thread: the digest is a sum, so the stores' parts fold in any order.
      let work = perStore.sorted { $0.key < $1.key }
      var indexSide: [UInt32: IndexDigest] = [:]
      var undecidable = false
      var failure: Error?
      let merge = NSLock()
      DispatchQueue.concurrentPerform(iterations: work.count) { w in
        var mine: [UInt32: IndexDigest] = [:]
        var unsure = false
        do {
          try scanGroups(p.stores[work[w].key], work[w].value) { kvs in
            guard let row = try? decoder.assembleSecondary(kvs), let key = row.key,
                  let s = plan[ti].first(where: { $0.id == key.indexID }) else { return }
            if !notRead.isEmpty {
              guard let pk = Self.primaryKey(of: row, t.descriptor) else { unsure = true; return }
              if Self.contains(notRead, pk) { return }
            }
            mine[s.id, default: IndexDigest()].fold(IndexDigest.hash(index: s.id, columns: s.columns) { row.values[$1] ?? .null })
          }
        } catch {
          merge.lock(); failure = failure ?? error; merge.unlock()
        }
        merge.lock()
        for (id, d) in mine { indexSide[id, default: IndexDigest()].add(d) }
        undecidable = undecidable || unsure
        merge.unlock()
      }
      if let failure { throw failure }
      lock.lock()
      let rowSide = rowDigests
      lock.unlock()
      for s in sources {
        let rows = rowSide[IndexDigestKey(table: ti, index: s.index.id)] ?? IndexDigest()
        let entries = indexSide[s.index.id] ?? IndexDigest()
        var r = IndexDigestResult(table: name, index: s.index.name, rowEntries: rows.count, indexEntries: entries.count, consistent: rows == entries)
        if lostIndexes.contains(s.index.id) {
          (r.consistent, r.note) = (nil, "not checked: part of the index's span is lost")
        } else if let lost = problems.first {
          (r.consistent, r.note) = (nil, "not checked: \(lost)")
        } else if undecidable {
          (r.consistent, r.note) = (nil, "not checked: an entry's primary key could not be re-encoded to tell whether its row was lost")
        }
        if r.consistent == false { unequal.insert(ti) }
        results.append(r)
      }
    }
    report.indexDigests = results
    report.indexCheckRan = !results.isEmpty
    if !unequal.isEmpty { try checkIndexes(p, only: unequal) }
  }

  /// Whether `key` lies in one of `spans` (sorted, disjoint).
  static func contains(_ spans: [KeySpan], _ key: [UInt8]) -> Bool {
    var lo = 0, hi = spans.count
    while lo < hi {
      let mid = (lo + hi) / 2
      if key.lexicographicallyPrecedes(spans[mid].start) { hi = mid } else { lo = mid + 1 }
    }
    return lo > 0 && key.lexicographicallyPrecedes(spans[lo - 1].end)
  }
}

/// A usable index as the digest sees it: its ID and the columns its entries hold (sorted).
struct DigestSource: Sendable {
  var id: UInt32
  var columns: [UInt32]
}
