import CockroachKV
import LSMStore
import SSTable

/// A store's MVCC range keys as CockroachDB sees them. (Point entries are read with
/// `SpanScanner`, the one cursor.)
public enum EngineEntries {
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
