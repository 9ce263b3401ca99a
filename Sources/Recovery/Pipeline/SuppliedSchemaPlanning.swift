import CockroachKV
import CockroachSQL
import LSMStore

/// The text of one `--schema` file, carried in shard plans so that every shard builds the
/// same catalog without reading the file again.
public struct SchemaFileText: Codable, Equatable, Sendable {
  public var name: String
  public var text: String
  public init(name: String, text: String) { self.name = name; self.text = text }
}

/// A table ID holding data in the stores but described by no schema.
public struct UnnamedTable: Equatable, Sendable {
  public var tableID: UInt64
  /// Live KVs at the read timestamp.
  public var keys: Int
  /// The first key, pretty-printed (`/Table/56/1/7/0`).
  public var sampleKey: String

  /// Counts live KVs per table ID, in key order (keys outside the SQL tables are ignored).
  public struct Counter {
    public private(set) var tables: [UnnamedTable] = []
    var at: [UInt64: Int] = [:]
    public init() {}
    public mutating func add(roachKey: [UInt8]) {
      guard let p = try? SQLKeyPrefix.parse(roachKey[...]), p.tenant == nil else { return }
      if let i = at[p.tableID] { tables[i].keys += 1; return }
      at[p.tableID] = tables.count
      tables.append(UnnamedTable(tableID: p.tableID, keys: 1, sampleKey: Keyspace.prettyPrint(roachKey)))
    }
  }

  public var problem: Problem {
    Problem(.missing, subject: "table \(tableID)",
            "\(keys) live key(s) but no schema (e.g. \(sampleKey)); not exported: give its CREATE TABLE with --schema FILE.sql and its ID with --table-id db.table=\(tableID)")
  }
}

extension RecoveryRun {
  /// The stored catalog merged with the `--schema` files. Fails on a file that does not parse.
  func mergeSuppliedSchema(_ stored: SchemaCatalog, stores: [Store], plans: [RangePlan]) throws -> SchemaMerge {
    var supplied: [SuppliedTable] = []
    for f in options.schemaFiles {
      do { supplied += try SuppliedSchema.parse(f.text, file: f.name) } catch {
        throw RecoveryError("--schema \(f.name): \(error.message)")
      }
    }
    let namespace = readNamespace(stores: stores, plans: plans)
    return SchemaMerge.merge(stored: stored, supplied: supplied, explicitIDs: options.tableIDs, namespace: namespace)
  }

  /// The system.namespace entries (tables 2 and 30) on the chosen replicas: names → IDs,
  /// which survive even where system.descriptor does not.
  func readNamespace(stores: [Store], plans: [RangePlan]) -> [NamespaceEntry] {
    var out: [NamespaceEntry] = []
    var problems: [Problem] = []
    for table in [NamespaceEntry.deprecatedTableID, NamespaceEntry.tableID] {
      var start: [UInt8] = [], end: [UInt8] = []
      OrderedEncoding.encodeUvarintAscending(table, into: &start)
      OrderedEncoding.encodeUvarintAscending(table + 1, into: &end)
      let span = KeySpan(start: start, end: end)
      for plan in plans {
        guard let piece = plan.span.intersection(span), let s = plan.chosenStore else { continue }
        let stats = SpanScanner(store: stores[s], spans: [piece], readTimestamp: options.readTimestamp).run { _, r in
          guard case .value(_, let v) = r.outcome else { return }
          do {
            guard let sv = try SQLValue(roachValue: v.value.rawBytes),
                  let e = try NamespaceEntry.decode(key: r.roachKey, value: sv) else { return }
            out.append(e)
          } catch {
            problems.append(Problem(.undecodable, subject: "namespace entry at \(Keyspace.prettyPrint(r.roachKey))", key: r.roachKey, "\(error)"))
          }
        }
        problems += stats.problems
      }
    }
    report.notices += problems.map(\.description)
    return out
  }

  /// Table IDs (50 and up) with live data on the chosen replicas but no descriptor in
  /// `catalog`: everything outside the known tables' spans is scanned and counted.
  func findUnnamedTables(_ catalog: SchemaCatalog, stores: [Store], plans: [RangePlan]) -> [UnnamedTable] {
    var gaps: [KeySpan] = []
    var cursor: UInt64 = 50
    func key(_ id: UInt64) -> [UInt8] { var k: [UInt8] = []; OrderedEncoding.encodeUvarintAscending(id, into: &k); return k }
    for id in catalog.tables.keys.map(UInt64.init).sorted() where id >= cursor {
      if id > cursor { gaps.append(KeySpan(start: key(cursor), end: key(id))) }
      cursor = id + 1
    }
    // 0xfe starts the tenants' keyspaces.
    gaps.append(KeySpan(start: key(cursor), end: [0xfe]))
    var byStore: [Int: [KeySpan]] = [:]
    for plan in plans {
      guard let s = plan.chosenStore else { continue }
      for g in gaps { if let piece = plan.span.intersection(g) { byStore[s, default: []].append(piece) } }
    }
    var counters: [UnnamedTable] = []
    for (s, spans) in byStore.sorted(by: { $0.key < $1.key }) {
      var c = UnnamedTable.Counter()
      let stats = SpanScanner(store: stores[s], spans: spans, readTimestamp: options.readTimestamp).run { _, r in
        if case .value = r.outcome { c.add(roachKey: r.roachKey) }
      }
      report.problems += stats.problems.map { $0.inStore(stores[s].path) }
      counters += c.tables
    }
    // One entry per table across stores (different ranges of one table may sit on different stores).
    var merged: [UInt64: UnnamedTable] = [:]
    for t in counters {
      if var m = merged[t.tableID] { m.keys += t.keys; merged[t.tableID] = m } else { merged[t.tableID] = t }
    }
    return merged.values.sorted { $0.tableID < $1.tableID }
  }
}
