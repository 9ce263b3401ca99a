import Testing
@testable import CockroachKV

// Messages built from the field numbers in docs/raft-log-format.md, which cites:
// raftpb.Entry / HardState / ConfChange: etcd-io/raft raftpb/raft.proto [1bd7298e];
// RaftCommand / ReplicatedEvalResult: pkg/kv/kvserver/kvserverpb/proposer_kv.proto [020d8c63];
// ReplicaState: kvserverpb/state.proto [01b3d462]; Lease: roachpb/data.proto [00863651];
// RaftTruncatedState: roachpb/internal_raft.proto [032e90d5];
// entry prefix: pkg/kv/kvserver/raftlog/encoding.go [0b49fa7b]; ConfChangeContext: kvserverpb/raft.proto [00c7609c].
struct RaftEntryTests {
  /// Inline MVCCMetadata (6 raw_bytes) around a roachpb.Value of tag BYTES (3), checksum unset.
  static func stored(_ proto: [UInt8]) -> [UInt8] {
    var m = PB(); m.bytes(6, [0, 0, 0, 0, 3] + proto); return m.bytes
  }

  static func entry(term: UInt64, index: UInt64, type: UInt64 = 0, data: [UInt8]) -> [UInt8] {
    var e = PB()
    e.varint(1, type); e.varint(2, term); e.varint(3, index)   // R-ENTRY: 1 Type, 2 Term, 3 Index
    if !data.isEmpty { e.bytes(4, data) }                      // 4 Data
    return e.bytes
  }

  static let commandID: [UInt8] = [1, 2, 3, 4, 5, 6, 7, 8]

  @Test func entryFieldsFromStoredValue() throws {
    let e = try RaftEntry(storedValue: Self.stored(Self.entry(term: 7, index: 42, data: [0xAA])))
    #expect(e == RaftEntry(term: 7, index: 42, type: .normal, data: [0xAA]))
    let cc = try RaftEntry(decoding: Self.entry(term: 1, index: 2, type: 2, data: [])[...])
    #expect(cc.type == .confChangeV2)
    #expect(try RaftEntry(decoding: Self.entry(term: 1, index: 2, type: 9, data: [])[...]).type == .unknown(9))
  }

  @Test func hardStateAndTruncatedState() throws {
    var h = PB(); h.varint(1, 5); h.varint(2, 3); h.varint(3, 120); h.varint(4, 99)  // R-HARD; 4 = fork's lead, skipped
    #expect(try RaftHardState(storedValue: Self.stored(h.bytes)) == RaftHardState(term: 5, vote: 3, commit: 120))
    var t = PB(); t.varint(1, 110); t.varint(2, 4)                                      // R-TRUNC
    #expect(try RaftTruncatedState(storedValue: Self.stored(t.bytes)) == RaftTruncatedState(index: 110, term: 4))
  }

  @Test func standardCommand() throws {
    var lease = PB(); lease.varint(6, 3); lease.varint(7, 12)   // R-LEASE: 6 epoch, 7 sequence
    var state = PB(); state.message(4, lease)                    // R-STATE: 4 lease
    var eval = PB(); eval.message(2, state); eval.varint(6, 1)   // R-RER: 2 state, 6 is_lease_request
    var wb = PB(); wb.bytes(1, [9, 9, 9])                        // WriteBatch: 1 data
    var cmd = PB()
    cmd.varint(4, 77); cmd.varint(6, 11)                         // 4 max_lease_index, 6 proposer_lease_sequence
    cmd.message(13, eval); cmd.message(14, wb)                   // 13 replicated_eval_result, 14 write_batch
    cmd.varint(18, 5)                                            // admission priority (encoding 2): skipped
    let data = [2] + Self.commandID + cmd.bytes                  // R-PREFIX, version 2
    let p = try RaftPayload(RaftEntry(term: 1, index: 15, data: data))
    #expect(p.encoding == .standardWithAC)
    #expect(p.commandID == Self.commandID)
    let c = try #require(p.command)
    #expect(c.maxLeaseIndex == 77 && c.proposerLeaseSequence == 11)
    #expect(c.writeBatch == [9, 9, 9])
    #expect(c.evalResult.isLeaseRequest)
    #expect(c.evalResult.lease == RaftLease(sequence: 12, epoch: 3))
  }

  @Test func versionBytesAndEmpty() throws {
    #expect(try RaftPayload(RaftEntry(term: 1, index: 1)).encoding == .empty)           // R-EMPTY
    #expect(try RaftPayload(RaftEntry(term: 1, index: 1, data: [1] + Self.commandID)).encoding == .sideloaded)
    // 19.x masks the unused no-split bit (0x80).
    #expect(try RaftPayload(RaftEntry(term: 1, index: 1, data: [0x80] + Self.commandID)).encoding == .standard)
    // Versions 4/5 carry the raft priority in the top two bits (encoding [6b5dce67]).
    for pri: UInt8 in 0...3 {
      #expect(try RaftPayload(RaftEntry(term: 1, index: 1, data: [4 | pri << 6] + Self.commandID)).encoding == .standardWithACAndPriority)
      #expect(try RaftPayload(RaftEntry(term: 1, index: 1, data: [5 | pri << 6] + Self.commandID)).encoding == .sideloadedWithACAndPriority)
    }
    #expect(RaftPayload.Encoding.sideloadedWithACAndPriority.isSideloaded)
    #expect(throws: KVError.self) { try RaftPayload(RaftEntry(term: 1, index: 1, data: [7] + Self.commandID)) }
    #expect(throws: KVError.self) { try RaftPayload(RaftEntry(term: 1, index: 1, data: [0x46] + Self.commandID)) }
    #expect(throws: KVError.self) { try RaftPayload(RaftEntry(term: 1, index: 1, data: [0, 1, 2])) }
  }

  @Test func confChangeCarriesItsCommand() throws {
    var cmd = PB(); cmd.varint(4, 9)
    var ctx = PB(); ctx.bytes(1, Self.commandID); ctx.bytes(2, cmd.bytes)   // ConfChangeContext: 1 command_id, 2 payload
    var cc = PB(); cc.varint(2, 0); cc.varint(3, 4); cc.bytes(4, ctx.bytes)  // ConfChange: 2 type, 3 node_id, 4 context
    let p = try RaftPayload(RaftEntry(term: 2, index: 30, type: .confChange, data: cc.bytes))
    #expect(p.encoding == .confChange && p.commandID == Self.commandID && p.command?.maxLeaseIndex == 9)
    var v2 = PB(); v2.bytes(3, ctx.bytes)                                    // ConfChangeV2: 3 context
    #expect(try RaftPayload(RaftEntry(term: 2, index: 31, type: .confChangeV2, data: v2.bytes)).command?.maxLeaseIndex == 9)
  }

  @Test func sideloadedAddSSTable() throws {
    var sst = PB(); sst.varint(2, 0xDEAD)                 // AddSSTable: 1 data (stripped), 2 crc32
    var eval = PB(); eval.message(17, sst)                // R-RER: 17 add_sstable
    var cmd = PB(); cmd.varint(4, 3); cmd.message(13, eval)
    let c = try #require(try RaftPayload(RaftEntry(term: 1, index: 5, data: [1] + Self.commandID + cmd.bytes)).command)
    #expect(c.evalResult.addSSTable == ReplicatedEvalResult.AddSSTable(data: [], crc32: 0xDEAD))
  }

  /// Bad bytes never trap: every truncation of a valid entry decodes or throws a KVError.
  @Test func truncationsThrowTypedErrors() {
    var wb = PB(); wb.bytes(1, [1, 2, 3, 4])
    var cmd = PB(); cmd.varint(4, 300); cmd.message(14, wb)
    let full = Self.stored(Self.entry(term: 3, index: 200, data: [0] + Self.commandID + cmd.bytes))
    for n in 0..<full.count {
      do {
        let e = try RaftEntry(storedValue: Array(full.prefix(n)))
        _ = try RaftPayload(e)
      } catch {
        // typed: KVError is the only error these decoders throw
      }
    }
    #expect(throws: KVError.self) { try RaftEntry(storedValue: Array(full.prefix(full.count - 1))) }
  }
}
