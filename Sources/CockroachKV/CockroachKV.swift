/// CockroachKV: CockroachDB's KV layer over the engine entries that `LSMStore` yields —
/// pure decoding, no I/O. Spec: `shared/spec/cockroachdb-encoding.md` §1–4.
///
/// | file | concept |
/// |---|---|
/// | `Protobuf.swift` | general protobuf wire reader (shared with the SQL layer) |
/// | `EngineKey.swift`, `MVCCTimestamp.swift` | engine keys, every version length, `cockroach_comparator` order |
/// | `LockTableKey.swift` | separated intents and replicated locks (`/Local/Lock`) |
/// | `MVCCValue.swift`, `RoachValue.swift`, `CRC32.swift` | MVCC values, MVCCValueHeader, roachpb.Value tags and checksums |
/// | `MVCCMetadata.swift`, `MVCCRangeKey.swift` | unversioned metadata (intents, inline values); range tombstones |
/// | `OrderedEncoding*.swift`, `Keyspace*.swift`, `GoQuote.swift` | ordered key encodings; `/Table/53/1/42/0` printer and parser |
/// | `LocalKeys.swift`, `RangeDescriptor.swift`, `StoreIdent.swift`, `RangeAppliedState.swift`, `TransactionRecord.swift` | cluster metadata and where it lives |
/// | `MVCCResolver.swift` | one-store MVCC resolution at a read timestamp |
///
/// Errors are `KVError` (kind, what, offset, source line); decoders never trap on data.
public enum CockroachKV {
  /// The comparer name CockroachDB stores in every table's properties and OPTIONS file.
  public static let comparerName = "cockroach_comparator"
}
