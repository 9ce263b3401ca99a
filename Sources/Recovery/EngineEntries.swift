import CockroachKV
import LSMStore
import SSTable

/// The store's visible entries in `cockroach_comparator` order. A store written with
/// CockroachDB's comparer streams as is; any other (a bytewise store, e.g. one `ldb` built,
/// orders versions oldest first) is sorted one roach key's group at a time.
public enum EngineEntries {
  /// Calls `body` with each entry whose roach key is in `span` (lock-table entries: whose
  /// locked key is), in engine order. Keys that are not engine keys go to `badKey`.
  /// Returns what the pass met: damaged blocks (skipped) and other problems of the tables.
  @discardableResult
  public static func forEach(_ store: Store, in span: KeySpan = .everything,
                             badKey: ([UInt8]) -> Void = { _ in },
                             _ body: (_ key: EngineKey, _ raw: [UInt8], _ value: [UInt8]) throws -> Void) rethrows -> [StoreIssue] {
    func wanted(_ k: EngineKey) -> Bool {
      if case .lock = k.version, case .lock(let locked) = LocalKeys.role(of: k.roachKey) { return span.contains(locked) }
      return span.contains(k.roachKey)
    }
    let it = store.makeVisibleIterator()
    if store.comparer.name == CockroachKV.comparerName {
      while let e = it.next() {
        guard let k = try? EngineKey(decoding: e.key) else { badKey(e.key); continue }
        if wanted(k) { try body(k, e.key, e.value) }
      }
      return it.issues
    }
    // Bytewise, a roach key R's versions (R‖00‖version‖len) can only be interleaved with keys
    // that start with R‖00 too: gather from R's first entry until a key without that prefix,
    // sort the group in engine order, hand it on. Memory: one such group, not the store.
    var group: [(key: EngineKey, raw: [UInt8], value: [UInt8])] = []
    var fence: [UInt8] = []
    func flush() throws {
      group.sort { EngineKey.compare($0.raw, $1.raw) < 0 }
      for e in group { try body(e.key, e.raw, e.value) }
      group.removeAll(keepingCapacity: true)
    }
    while let e = it.next() {
      if !group.isEmpty && !e.key.starts(with: fence) { try flush() }
      guard let k = try? EngineKey(decoding: e.key) else { badKey(e.key); continue }
      guard wanted(k) else { continue }
      if group.isEmpty { fence = k.roachKey + [0] }
      group.append((k, e.key, e.value))
    }
    try flush()
    return it.issues
  }

  /// The store's visible MVCC range keys (range tombstones and others) as `MVCCRangeKey`s;
  /// undecodable ones go to `problems`.
  public static func mvccRangeKeys(_ store: Store, problems: inout [Problem]) -> [MVCCRangeKey] {
    mvccRangeKeys(store.visibleRangeKeys(), storePath: store.path, problems: &problems)
  }

  /// Visible Pebble range keys (bounds `roachKey ‖ 00`, suffix an MVCC version with its
  /// length byte) as MVCC range keys, in the order given.
  public static func mvccRangeKeys(_ keys: [RangeKey], storePath: String, problems: inout [Problem]) -> [MVCCRangeKey] {
    var out: [MVCCRangeKey] = []
    for rk in keys where rk.kind == Kind.rangeKeySet {
      guard let suffix = rk.suffix, rk.start.last == 0, rk.end.last == 0 else {
        problems.append(Problem(.undecodable, store: storePath, key: rk.start, "range key at \(hex(rk.start)) has no MVCC bounds or suffix"))
        continue
      }
      do {
        let ts = try MVCCRangeKey.suffixTimestamp(suffix)
        out.append(MVCCRangeKey(start: Array(rk.start.dropLast()), end: Array(rk.end.dropLast()), timestamp: ts, rawValue: rk.value ?? []))
      } catch {
        problems.append(Problem(.undecodable, store: storePath, key: Array(rk.start.dropLast()), "range key at \(Keyspace.prettyPrint(Array(rk.start.dropLast()))): \(error)"))
      }
    }
    return out
  }
}
