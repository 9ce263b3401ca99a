import CockroachKV
import LSMStore

/// One replica's Raft state as its store holds it (docs/raft-log-format.md R-KEYS): the log
/// entries (stored values, decoded lazily), the HardState, the truncated state and the
/// stored lease record.
public struct ReplicaRaftLog: Sendable {
  public var rangeID: Int64
  /// Log index → the stored value of `…/u/rftl<index>`: entries past this replica's applied
  /// index only (replay never needs the others: it starts past the most advanced replica's).
  public var entries: [UInt64: [UInt8]] = [:]
  /// Highest index of an entry left out because this replica had applied it.
  public var highestAppliedEntry: UInt64?
  public var hardState: RaftHardState?
  public var truncated: RaftTruncatedState?
  /// `…/r/rll-`: the lease in effect at the replica's applied index.
  public var lease: RaftLease?
  /// `…/r/lgc-`: the GC threshold at the applied index (absent: zero, never advanced).
  public var gcThreshold: MVCCTimestamp?
  /// Undecodable HardState / truncated state / lease records.
  public var problems: [Problem] = []

  public init(rangeID: Int64) { self.rangeID = rangeID }

  /// Highest index this replica knows committed (0 without a HardState).
  public var commit: UInt64 { hardState?.commit ?? 0 }
  public var lastIndex: UInt64? { [entries.keys.max(), highestAppliedEntry].compactMap { $0 }.max() }

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

  /// Reads every replica's Raft state from a store, by range id, keeping the log entries past
  /// `appliedIndexes[range]` (all of them where it is not given), with the recovery's cursor
  /// over the range-ID-local keys only. (A recovery takes the same state
  /// from its store catalogs' pass instead: `StoreCatalog.raftLogs`.)
  public static func read(_ store: Store, appliedIndexes: [Int64: UInt64] = [:]) -> [Int64: ReplicaRaftLog] {
    var logs: [Int64: ReplicaRaftLog] = [:]
    let span = KeySpan(start: LocalKeys.rangeIDPrefix, end: pastRangeIDKeys)
    _ = SpanScanner(store: store, spans: [span]).runGroups { _, group, _ in
      let roachKey = Array(group.roachKey)
      absorb(group, roachKey: roachKey, role: LocalKeys.role(of: roachKey), appliedIndexes: appliedIndexes, into: &logs)
    }
    return logs
  }

  /// Takes a scanned key's unversioned record (Raft state has no MVCC versions) into `logs`
  /// if it is Raft state (`absorb(_:key:value:…)`).
  static func absorb(_ group: MVCCGroup, roachKey: [UInt8], role: LocalKeys.Role, appliedIndexes: [Int64: UInt64],
                     into logs: inout [Int64: ReplicaRaftLog]) {
    group.forEachVersion { kind, _, value in
      guard kind == .unversioned else { return }
      absorb(role, key: EngineKey(roachKey: roachKey, version: .none), value: Array(value), appliedIndexes: appliedIndexes, into: &logs)
    }
  }

  /// Takes one unversioned range-ID-local key into `logs` if it is Raft state: a log entry
  /// (kept past the applied index), the HardState, the truncated state or the lease. False
  /// for any other key.
  @discardableResult
  static func absorb(_ role: LocalKeys.Role, key: EngineKey, value: [UInt8], appliedIndexes: [Int64: UInt64],
                     into logs: inout [Int64: ReplicaRaftLog]) -> Bool {
    switch role {
    case .raftLog(let id, let index):
      if let applied = appliedIndexes[id], index <= applied {
        logs[id, default: ReplicaRaftLog(rangeID: id)].highestAppliedEntry = max(logs[id]?.highestAppliedEntry ?? 0, index)
      } else {
        logs[id, default: ReplicaRaftLog(rangeID: id)].entries[index] = value
      }
      return true
    case .rangeIDLocal(let id, let replicated, let suffix):
      var log = logs[id] ?? ReplicaRaftLog(rangeID: id)
      do {
        if !replicated && suffix == LocalKeys.raftHardStateSuffix {
          log.hardState = try RaftHardState(storedValue: value)
        } else if suffix == LocalKeys.raftTruncatedStateSuffix {
          log.truncated = try RaftTruncatedState(storedValue: value)
        } else if replicated && suffix == LocalKeys.rangeLeaseSuffix {
          log.lease = try RaftLease(storedValue: value)
        } else if replicated && suffix == LocalKeys.rangeGCThresholdSuffix {
          log.gcThreshold = try RaftGCThreshold.decode(storedValue: value)
        } else {
          return false
        }
      } catch {
        log.problems.append(Problem(.undecodable, subject: "r\(id): \(Keyspace.prettyPrint(key.roachKey))", key: key.roachKey, "\(error)"))
      }
      logs[id] = log
      return true
    default:
      return false
    }
  }
}
