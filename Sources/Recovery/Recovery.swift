/// Recovery: cluster metadata read from the stores that survived (spec §4.2–4.3), and what
/// to take from which store.
///
/// | file | concept |
/// |---|---|
/// | `KeySpan.swift` | `[start, end)` roach-key spans and their printed form |
/// | `StoreCatalog*.swift` | one store: identity, range descriptors, applied states, Raft log, damaged spans |
/// | `EngineEntries.swift` | a store's entries in engine order (any comparer), its MVCC range keys |
/// | `ClusterView.swift` | all stores: one descriptor per range, who holds a replica, the most advanced one |
/// | `DescriptorUnion.swift` | picking one descriptor per range across stores; overlaps between ranges |
/// | `Coverage.swift` | the key spans no surviving store holds, mapped to tables |
/// | `ReplicaPlan.swift` | per range: the store to read, and fallbacks for damaged spans only |
public enum Recovery {}
