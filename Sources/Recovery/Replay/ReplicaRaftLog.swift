import CockroachKV
import LSMStore

/// One replica's Raft state as its store holds it (docs/raft-log-format.md R-KEYS): the log
/// entries (stored values, decoded lazily), the HardState, the truncated state and the
/// stored lease record.
public struct ReplicaRaftLog: Sendable {
  public var rangeID: Int64
  /// Log index → the stored value of `…/u/rftl<index>`.
  public var entries: [UInt64: [UInt8]] = [:]
  public var hardState: RaftHardState?
  public var truncated: RaftTruncatedState?
  /// `…/r/rll-`: the lease in effect at the replica's applied index.
  public var lease: RaftLease?
  /// Undecodable HardState / truncated state / lease records.
  public var problems: [String] = []

  public init(rangeID: Int64) { self.rangeID = rangeID }

  /// Highest index this replica knows committed (0 without a HardState).
  public var commit: UInt64 { hardState?.commit ?? 0 }
  public var lastIndex: UInt64? { entries.keys.max() }

  /// Decodes the entry at `index`, if the log holds it.
  public func entry(_ index: UInt64) -> Result<RaftEntry, KVError>? {
    guard let raw = entries[index] else { return nil }
    do { return .success(try RaftEntry(storedValue: raw)) } catch { return .failure(error) }
  }

  /// Term of the entry at `index`, if it is held and decodes.
  public func term(_ index: UInt64) -> UInt64? {
    if case .success(let e)? = entry(index) { return e.term }
    return nil
  }
}

public enum RaftLogReader {
  /// `/Local/RangeID` ends before `01 6a`: every Raft key of every range sorts before it, in
  /// either comparer (both order by the roach key's bytes first).
  static let pastRangeIDKeys: [UInt8] = [0x01, 0x6A]

  /// Reads every replica's Raft state from a store, by range id. Keys are visited in order
  /// and the pass stops after the range-ID-local keys.
  public static func read(_ store: Store) -> [Int64: ReplicaRaftLog] {
    var logs: [Int64: ReplicaRaftLog] = [:]
    let it = store.makeVisibleIterator()
    while let e = it.next() {
      if !e.key.lexicographicallyPrecedes(pastRangeIDKeys) { break }
      guard e.key.starts(with: LocalKeys.rangeIDPrefix), let key = try? EngineKey(decoding: e.key),
            key.version == .none else { continue }
      switch LocalKeys.role(of: key.roachKey) {
      case .raftLog(let id, let index):
        logs[id, default: ReplicaRaftLog(rangeID: id)].entries[index] = e.value
      case .rangeIDLocal(let id, let replicated, let suffix):
        var log = logs[id] ?? ReplicaRaftLog(rangeID: id)
        do {
          if !replicated && suffix == LocalKeys.raftHardStateSuffix {
            log.hardState = try RaftHardState(storedValue: e.value)
          } else if suffix == LocalKeys.raftTruncatedStateSuffix {
            log.truncated = try RaftTruncatedState(storedValue: e.value)
          } else if replicated && suffix == LocalKeys.rangeLeaseSuffix {
            log.lease = try RaftLease(storedValue: e.value)
          } else {
            continue
          }
        } catch {
          log.problems.append("r\(id): \(Keyspace.prettyPrint(key.roachKey)): \(error)")
        }
        logs[id] = log
      default:
        continue
      }
    }
    return logs
  }
}
