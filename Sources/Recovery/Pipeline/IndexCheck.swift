import CockroachKV
import CockroachSQL
import Foundation
import LSMStore

/// `--check-indexes` (issue 18): the surviving rows against their secondary-index entries,
/// an integrity check of the recovered data. Every row must have one entry per usable index
/// whose columns equal the row's, and every entry must have its row. It costs a second pass
/// over the tables that have indexes (their rows, and their index spans), windowed like the
/// rebuild (`heldRowCap`): by default only tables whose digests differ get it.
extension RecoveryRun {
  /// At most this many inconsistencies are listed in report.json (all are counted).
  public static let inconsistencyListLimit = 1000

  /// `only`: the tables to check (nil: all), e.g. those whose digests differ (IndexDigest.swift).
  func checkIndexes(_ p: Prepared, only: Set<Int>? = nil) throws {
    report.indexCheckRan = true
    report.indexCheckPrecise = true
    for (ti, t) in p.tables.enumerated() where only?.contains(ti) ?? true {
      let sources = Self.indexSources(t.descriptor).usable
      let chunks = p.chunks.filter { $0.table == ti && ($0.store.map { p.stores.indices.contains($0) } ?? false) }.sorted { $0.span < $1.span }
      guard !sources.isEmpty, !chunks.isEmpty else { continue }
      let name = t.qualifiedName.joined(separator: ".")
      let decoder = TableRowDecoder(table: t.descriptor, catalog: t.types)
      var problems: [Problem] = []
      var first = 0
      while first < chunks.count {
        let (held, end) = try gatherEntries(t, sources: sources, stores: p.stores, targets: chunks.map(\.span), from: first, problems: &problems)
        let window = chunks[first..<end].map(\.span)
        var entriesByKey: [[UInt8]: [IndexEntry]] = [:]
        for (_, m) in held { entriesByKey.merge(m) { a, _ in a } }
        var seen = Set<[UInt8]>()
        try forEachGroup(window, stores: p.stores, what: "\(name) rows", problems: &problems) { kvs in
          guard let row = try? decoder.assemble(kvs), let pk = try? Array(SQLKeyPrefix.splitFamily(kvs[0].key[...]).row) else { return }
          seen.insert(pk)
          let entries = entriesByKey[pk] ?? []
          for s in sources {
            let mine = entries.filter { $0.indexID == s.index.id }
            if mine.isEmpty { note(name, s.index.name, pk, "missing entry: the row has no entry in this index") }
            for e in mine {
              let differ = e.values.keys.sorted().filter { row.datum($0) != e.values[$0]! }
              guard !differ.isEmpty else { continue }
              let what = differ.map { id in
                let c = t.descriptor.column(id: id)
                func text(_ d: Datum) -> String { c.flatMap { SQLText.render(d, type: $0.type) } ?? (d.isNull ? "NULL" : "\(d)") }
                return "\(c?.name ?? "\(id)"): index \(text(e.values[id]!)), row \(text(row.datum(id)))"
              }
              note(name, s.index.name, pk, "entry does not match its row: " + what.joined(separator: "; "))
            }
          }
        }
        for pk in entriesByKey.keys.sorted(by: { $0.lexicographicallyPrecedes($1) }) where !seen.contains(pk) {
          for id in Set(entriesByKey[pk]!.map(\.indexID)).sorted() {
            note(name, sources.first { $0.index.id == id }?.index.name ?? "\(id)", pk, "entry without row: no surviving row has this primary key")
          }
        }
        first = end
      }
      var unique = Set<Problem>()
      report.problems += problems.filter { unique.insert($0).inserted }
    }
  }

  /// Records one inconsistency (listed up to `inconsistencyListLimit`, always counted).
  func note(_ table: String, _ index: String, _ pk: [UInt8], _ what: String) {
    lock.lock(); defer { lock.unlock() }
    report.indexInconsistencyCount += 1
    guard report.indexInconsistencies.count < Self.inconsistencyListLimit else { return }
    report.indexInconsistencies.append(.init(table: table, index: index, primaryKeyHex: pk.hex,
                                             primaryKey: Keyspace.prettyPrint(pk), what: what))
  }
}

/// A surviving row and its index disagreeing (`--check-indexes`).
public struct IndexInconsistency: Sendable, Equatable {
  public var table: String
  public var index: String
  /// The row's key without its family suffix (`/Table/t/1/…`), hex and pretty.
  public var primaryKeyHex: String
  public var primaryKey: String
  public var what: String
}
