import Foundation

/// Encoders for Raft state (docs/raft-log-format.md; field numbers cited there):
/// entries, HardState, RaftCommand, leases and engine write batches.
enum RaftEnc {
  static let commandID: [UInt8] = [0xC0, 1, 2, 3, 4, 5, 6, 7]

  /// A write batch (spec §7.4): seq u64 LE ‖ count u32 LE ‖ ops (kind ‖ uvarint len ‖ key [‖ uvarint len ‖ value]).
  static func batch(_ ops: [(kind: UInt8, key: [UInt8], value: [UInt8]?)]) -> [UInt8] {
    var b = [UInt8](repeating: 0, count: 8)
    let n = UInt32(ops.count)
    b += [UInt8(n & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n >> 16 & 0xFF), UInt8(n >> 24)]
    for op in ops {
      b.append(op.kind)
      b += PB.varintBytes(UInt64(op.key.count)) + op.key
      if let v = op.value { b += PB.varintBytes(UInt64(v.count)) + v }
    }
    return b
  }
  static func put(_ key: [UInt8], _ value: [UInt8]) -> (kind: UInt8, key: [UInt8], value: [UInt8]?) { (1, key, value) }
  static func del(_ key: [UInt8]) -> (kind: UInt8, key: [UInt8], value: [UInt8]?) { (0, key, nil) }

  static func lease(sequence: Int64, store: Int32 = 1, proposedWall: UInt64? = nil) -> PB {
    var r = PB(); r.varint(1, UInt64(store)); r.varint(2, UInt64(store)); r.varint(3, UInt64(store))
    var l = PB(); l.message(3, r); l.varint(7, UInt64(sequence))   // 3 replica, 7 sequence
    if let w = proposedWall { var t = PB(); t.varint(1, w); l.message(5, t) }   // 5 proposed_ts
    return l
  }

  /// RaftCommand: 4 max_lease_index, 6 proposer_lease_sequence, 13 eval result, 14 write batch.
  /// `addSSTable`: the crc32 of a sideloaded AddSSTable (17 add_sstable{2 crc32}, data stripped).
  static func command(mli: UInt64, leaseSeq: Int64 = 1, batch: [UInt8]? = nil, newLease: Int64? = nil,
                      addSSTable: UInt32? = nil, split: Bool = false,
                      writeWall: UInt64? = nil, newGCThresholdWall: UInt64? = nil,
                      newLeaseStore: Int32 = 1, newLeaseProposedWall: UInt64? = nil, prevLeaseProposalWall: UInt64? = nil) -> [UInt8] {
    var c = PB()
    if mli > 0 { c.varint(4, mli) }
    c.varint(6, UInt64(leaseSeq))
    var eval = PB()
    if newLease != nil || newGCThresholdWall != nil {
      var state = PB()
      if let s = newLease { state.message(4, lease(sequence: s, store: newLeaseStore, proposedWall: newLeaseProposedWall)) }
      if let g = newGCThresholdWall { var t = PB(); t.varint(1, g); state.message(6, t) }   // 6 gc_threshold hlc.Timestamp
      eval.message(2, state)
      if newLease != nil { eval.varint(6, 1) }
    }
    if let w = writeWall { var t = PB(); t.varint(1, w); eval.message(8, t) }               // 8 write_timestamp
    if let w = prevLeaseProposalWall { var t = PB(); t.varint(1, w); eval.message(20, t) }  // 20 prev_lease_proposal
    if let crc = addSSTable { var a = PB(); a.varint(2, UInt64(crc)); eval.message(17, a) }
    if split { eval.message(3, PB()) }   // 3 split (its trigger is not read)
    c.message(13, eval)
    if let batch { var w = PB(); w.bytes(1, batch); c.message(14, w) }
    return c.bytes
  }

  static func normalData(_ command: [UInt8], version: UInt8 = 0) -> [UInt8] { [version] + commandID + command }

  /// raftpb.Entry: 1 type, 2 term, 3 index, 4 data.
  static func entry(term: UInt64, index: UInt64, type: UInt64 = 0, data: [UInt8]) -> [UInt8] {
    var e = PB(); e.varint(1, type); e.varint(2, term); e.varint(3, index)
    if !data.isEmpty { e.bytes(4, data) }
    return e.bytes
  }

  /// ConfChange (2 type, 3 node_id, 4 context = ConfChangeContext{1 id, 2 payload}).
  static func confChangeData(_ command: [UInt8]) -> [UInt8] {
    var ctx = PB(); ctx.bytes(1, commandID); ctx.bytes(2, command)
    var cc = PB(); cc.varint(2, 0); cc.varint(3, 4); cc.bytes(4, ctx.bytes)
    return cc.bytes
  }

  /// As stored: inline MVCCMetadata around a BYTES roachpb.Value.
  static func stored(_ proto: [UInt8]) -> [UInt8] { Enc.inline(Enc.bytesValue(proto)) }

  static func hardState(term: UInt64, commit: UInt64) -> [UInt8] {
    var h = PB(); h.varint(1, term); h.varint(3, commit); return stored(h.bytes)
  }

  static func logKey(_ rangeID: Int64, _ index: UInt64) -> [UInt8] {
    Enc.unversioned(Enc.rangeIDKey(rangeID, replicated: false, "rftl", detail: (0..<8).reversed().map { UInt8(truncatingIfNeeded: index >> (8 * UInt64($0))) }))
  }

  /// s1 holds r1 [/Min, /Max) applied to 14, lease applied index 7, lease #2. Its log still
  /// holds 10 (row 1, MLI 5), 11 (row 1 again, MLI 6), 12 (a reproposal of 11: MLI 6,
  /// row 9), 13 (a lease request, #2), 14 (row 2, MLI 7, under lease #2). The store holds
  /// what CockroachDB applied: the writes of 10, 11 and 14, not 12's.
  static func appliedTailStore(storedLAI: UInt64 = 7, storedLease: Int64 = 2, reproposalApplied: Bool = false,
                               dropWriteOf14: Bool = false) throws -> String {
    var s = StoreSpec()
    s.put(Enc.unversioned(Enc.storeIdentKey), Enc.storeIdent(cluster: ClusterScenario.clusterID, node: 1, store: 1))
    let d = Enc.descriptor(1, [], ClusterScenario.keyMax, generation: 1, replicas: [(1, 1, 1)])
    s.put(Enc.mvcc(Enc.rangeDescriptorKey([]), wallSeconds: 1), d)
    s.put(Enc.mvcc(Enc.meta2Key(ClusterScenario.keyMax), wallSeconds: 1), d)
    s.put(Enc.unversioned(Enc.rangeIDKey(1, replicated: true, "rask")), Enc.appliedState(raft: 14, lease: storedLAI))
    s.put(Enc.unversioned(Enc.rangeIDKey(1, replicated: true, "rll-")), RaftEnc.stored(RaftEnc.lease(sequence: storedLease).bytes))
    s.put(Enc.unversioned(Enc.rangeIDKey(1, replicated: false, "rfth")), RaftEnc.hardState(term: 2, commit: 14))
    func write(_ pk: UInt64, _ v: Int64) -> (key: [UInt8], value: [UInt8]) {
      (Enc.mvcc(Enc.row(60, pk), wallSeconds: 100 + v), Enc.intValue(v))
    }
    let w10 = write(1, 10), w11 = write(1, 11), w12 = write(9, 12), w14 = write(2, 14)
    let data: [(UInt64, [UInt8])] = [
      (10, RaftEnc.normalData(RaftEnc.command(mli: 5, batch: RaftEnc.batch([RaftEnc.put(w10.key, w10.value)])))),
      (11, RaftEnc.normalData(RaftEnc.command(mli: 6, batch: RaftEnc.batch([RaftEnc.put(w11.key, w11.value)])))),
      (12, RaftEnc.normalData(RaftEnc.command(mli: 6, batch: RaftEnc.batch([RaftEnc.put(w12.key, w12.value)])))),
      (13, RaftEnc.normalData(RaftEnc.command(mli: 0, newLease: 2))),
      // Admission control v2 with priority 1 (version byte 0x44), as a real 25.4 log holds.
      (14, RaftEnc.normalData(RaftEnc.command(mli: 7, leaseSeq: 2, batch: RaftEnc.batch([RaftEnc.put(w14.key, w14.value)])), version: 0x44)),
    ]
    for (i, d) in data { s.put(RaftEnc.logKey(1, i), RaftEnc.stored(RaftEnc.entry(term: 2, index: i, data: d))) }
    for w in [w10, w11] + (dropWriteOf14 ? [] : [w14]) + (reproposalApplied ? [w12] : []) { s.put(w.key, w.value) }
    let dir = try makeTempDir("raft-check")
    try s.write(to: dir + "/s1")
    return dir + "/s1"
  }
}
