"""Raft log tails for the dead-cluster simulator (issue 17; docs/raft-log-format.md).

With `make_dead_cluster.py --raft-logs`, a range whose only survivor lags ("1S") keeps, on
that survivor, the Raft log entries of the commands it had not applied yet: they were
committed (the HardState says so), so a recovery must apply them. The log after the
replica's applied index A holds, in order:

    A+1  an empty entry (a new leader's first entry, term 2)
    A+2  the first unapplied command (max lease index m+1, lease #1)
    A+3  a reproposal with a stale max lease index (m+1): rejected, its write never applies
    A+4  a lease request (lease #1 → #2)
    A+5  a command still proposed under lease #1: rejected, its write never applies
    A+6  a conf change whose command carries no write (max lease index m+2)
    ...  the other unapplied commands (lease #2, max lease index i+2 for command i)
    C    = the HardState commit: the last of them
    C+1  a command past the commit index: never applied

Rejected and uncommitted entries write "poison": an MVCC tombstone, newer than anything
else, on a row that exists in the ground truth, so applying one by mistake loses a row.
Entries are stored as CockroachDB stores them: inline MVCCMetadata → roachpb.Value (BYTES)
→ raftpb.Entry{1 type, 2 term, 3 index, 4 data}; data = version 0 ‖ 8-byte command ID ‖
RaftCommand{4 max_lease_index, 6 proposer_lease_sequence, 13 replicated_eval_result,
14 write_batch{1 data}}. The write batch is the engine batch representation (12-byte
header, then kind ‖ uvarint key ‖ [uvarint value]).

A second case (`deposed_leader`), on a range with two survivors: the leader of term 2, Y,
applied up to its commit index A and appended three more entries (term 2) that never
reached a quorum before it was cut off; a new leader Z (destroyed) won term 3 with the
follower X, whose log ends at A too, and committed more entries that X holds but had not
applied (X applied less than Y):

    X:  A_X+1 … A   the term-2 commands Y applied (lease #1)
        A+1         an empty entry (term 3, Z's first)
        A+2         a lease request (#1 → #2, Z's store)
        A+3 …       the commands Y never saw (lease #2)
        C           a sideloaded AddSSTable (version byte 1, 3 with admission control
                    fields from 23.1 on, 5 with the priority bits from 24.3 on): the RaftCommand's add_sstable has no data, the
                    SST is X's file auxiliary/sideloading/r<id/10000>XXXX/r<id>/i<C>.t3
        C+1         past the commit index (poison)
        HardState term 3, commit C
    Y:  A+1 … A+3   the diverged tail: term 2, poison writes
        HardState term 2, commit A

Y is the chosen replica (its applied index is the highest); a correct replay takes entries
A+1 … C from X (the only log whose own commit covers them) and never Y's tail.
"""

from __future__ import annotations

import struct
from functools import lru_cache

from crdb_encoding import TAG_BYTES, Proto, mvcc_metadata_inline, pb_uvarint, roach_value, uvarint_asc

POISON_WALL = 4_000_000_000 * 10**9     # far after every simulated write


def range_id_key(range_id: int, replicated: bool, suffix: bytes, detail: bytes = b"") -> bytes:
    return b"\x01i" + uvarint_asc(range_id) + (b"r" if replicated else b"u") + suffix + detail


def raft_log_key(range_id: int, index: int) -> bytes:
    return range_id_key(range_id, False, b"rftl", struct.pack(">Q", index))


def stored(key: bytes, proto: bytes) -> bytes:
    """An inline value: MVCCMetadata{raw_bytes = roachpb.Value(BYTES, proto)}."""
    return mvcc_metadata_inline(roach_value(key, TAG_BYTES, proto))


uvarint = pb_uvarint   # LEB128 (crdb_encoding's one implementation)


NO_VALUE = (0, 3, 7)     # DEL, LOGDATA, SINGLEDEL carry a key only


def encode_ops(ops) -> bytes:
    """Engine batch repr: seq u64 ‖ count u32 ‖ ops (kind ‖ uvarint key [‖ uvarint value]),
    from (kind, key, value) triples as a WAL holds them (range ops: value = end / encoded)."""
    body = bytearray()
    for kind, k, v in ops:
        body += bytes([kind]) + uvarint(len(k)) + k
        if kind not in NO_VALUE:
            body += uvarint(len(v)) + v
    return struct.pack("<QI", 0, len(ops)) + bytes(body)


def write_batch(puts, deletes=()) -> bytes:
    """RocksDB (19.1) form of a simulated command: 1 SET per put, 0 DEL per engine delete."""
    return encode_ops([(1, k, v) for k, v in puts] + [(0, k, b"") for k in deletes])


def lease(sequence: int, store: int) -> Proto:
    replica = Proto().varint(1, store).varint(2, store).varint(3, 1)
    return Proto().msg(3, replica).varint(7, sequence)   # 3 replica, 7 sequence


def command(mli: int, lease_seq: int, batch: bytes | None = None, new_lease: Proto | None = None) -> bytes:
    c = Proto()
    if mli:
        c.varint(4, mli)
    c.varint(6, lease_seq)
    ev = Proto()
    if new_lease is not None:
        ev.msg(2, Proto().msg(4, new_lease)).bool(6, True)   # state.lease, is_lease_request
    c.msg(13, ev)
    if batch is not None:
        c.msg(14, Proto().bytes(1, batch))
    return c.done()


def entry(term: int, index: int, data: bytes, etype: int = 0) -> bytes:
    e = Proto().varint(1, etype).varint(2, term).varint(3, index)
    if data:
        e.bytes(4, data)
    return e.done()


def cmd_id(range_id: int, index: int) -> bytes:
    return struct.pack(">IHH", range_id, index & 0xFFFF, 0xC0DE)


def normal(range_id: int, index: int, cmd: bytes) -> bytes:
    return b"\x00" + cmd_id(range_id, index) + cmd


def conf_change(range_id: int, index: int, cmd: bytes) -> bytes:
    ctx = Proto().bytes(1, cmd_id(range_id, index)).bytes(2, cmd).done()
    return Proto().varint(2, 0).varint(3, 4).bytes(4, ctx).done()


def poison(row_key: bytes, wall: int) -> bytes:
    """A tombstone of `row_key` newer than any write: a lost row if ever applied."""
    return write_batch([(row_key + b"\x00" + struct.pack(">Q", wall) + b"\x09", b"")])


def log_tail(rg, applied: int, first_index: int, store: int, victim_row: bytes, batch_of=None):
    """The stored KVs of the survivor's Raft state (entries, HardState, lease record) and a
    summary of what a correct replay does. `applied` = commands applied (m), `first_index`
    = A + 1, `victim_row` a row key that exists in the ground truth, `batch_of(batch)` the
    engine batch of a simulated command (default: the 19.1 RocksDB form)."""
    rid = rg.range_id
    kvs, idx = [], first_index
    want = {"case": "lagging_survivor", "range_id": rid, "store_id": store,
            "log_store_id": store, "commit_store_id": store, "applied_index": first_index - 1,
            "acknowledged_writes": 0, "rejected": [], "empty_entries": 1, "conf_changes": 1,
            "beyond_commit": 1}

    def put(data: bytes, etype: int = 0, term: int = 2):
        nonlocal idx
        k = raft_log_key(rid, idx)
        kvs.append((k + b"\x00", stored(k, entry(term, idx, data, etype))))
        idx += 1

    batch_of = batch_of or (lambda b: write_batch(b.puts, b.deletes))
    todo = rg.batches[applied:]
    put(b"")                                                               # empty entry
    put(normal(rid, idx, command(applied + 1, 1, batch_of(todo[0]))))
    want["acknowledged_writes"] += 1
    want["rejected"].append(idx)
    put(normal(rid, idx, command(applied + 1, 1, poison(victim_row, POISON_WALL))))   # stale MLI
    put(normal(rid, idx, command(0, 1, None, lease(2, store))))            # lease #1 → #2
    want["rejected"].append(idx)
    put(normal(rid, idx, command(applied + 2, 1, poison(victim_row, POISON_WALL + 1))))  # old lease
    put(conf_change(rid, idx, command(applied + 2, 2)), etype=1)          # no write
    for i, b in enumerate(todo[1:], start=applied + 1):
        put(normal(rid, idx, command(i + 2, 2, batch_of(b))))
        want["acknowledged_writes"] += 1
    commit = idx - 1
    put(normal(rid, idx, command(len(rg.batches) + 2, 2, poison(victim_row, POISON_WALL + 2))))
    hs = range_id_key(rid, False, b"rfth")
    kvs.append((hs + b"\x00", stored(hs, Proto().varint(1, 2).varint(2, store).varint(3, commit).done())))
    ll = range_id_key(rid, True, b"rll-")
    kvs.append((ll + b"\x00", stored(ll, lease(1, store).done())))
    want["commit_index"] = commit
    return kvs, want


# ---------------------------------------------------------------------------------------------
# A deposed leader's diverged tail, and a sideloaded AddSSTable (docs/raft-log-format.md
# R-COMMIT, R-SIDELOAD)


@lru_cache(maxsize=1)
def _crc32c_table() -> tuple:
    out = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        out.append(c)
    return tuple(out)


def crc32c(data: bytes) -> int:
    """Castagnoli CRC-32: CockroachDB's util.CRC32, the add_sstable.crc32 of the payload."""
    t, c = _crc32c_table(), 0xFFFFFFFF
    for b in data:
        c = t[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


def sideloaded_path(range_id: int, index: int, term: int) -> str:
    """Relative to the store directory: the layout of every cluster version from 2.1-x
    (VersionSideloadedStorageNoReplicaID, before Version19_1) on."""
    return "auxiliary/sideloading/r%dXXXX/r%d/i%d.t%d" % (range_id // 10000, range_id, index, term)


# Replication admission control v2 (24.3+) puts the raft priority in the version byte's top two
# bits (raftlog/encoding.go: version = byte & 0x3F, priority = byte >> 6); a real 25.4 store's
# log holds 0x04, 0x44 and 0x84 commands. The simulated AddSSTable uses priority 2.
AC_V2_PRIORITY = 2


def sideloaded_version_byte(admission: int) -> int:
    """admission 0: none (version 1); 1: AC v1, 23.1+ (version 3); 2: AC v2, 24.3+
    (version 5 with the priority bits)."""
    return (1, 3, 5 | AC_V2_PRIORITY << 6)[admission]


def add_sstable_command(mli: int, lease_seq: int, sst: bytes, admission: int) -> bytes:
    """RaftCommand of a sideloaded AddSSTable: 13 replicated_eval_result{17 add_sstable{2
    crc32}} (1 data stripped), no write batch; with admission control (23.1+, version byte
    3 or 5) also 18 admission_priority, 19 admission_create_time, 20 admission_origin_node."""
    c = Proto().varint(4, mli).varint(6, lease_seq)
    c.msg(13, Proto().msg(17, Proto().varint(2, crc32c(sst))))
    if admission:
        c.varint(18, AC_V2_PRIORITY if admission == 2 else 0).varint(19, 1_762_000_000 * 10**9).varint(20, 1)
    return c.done()


def sideloaded(range_id: int, index: int, cmd: bytes, admission: int) -> bytes:
    return bytes([sideloaded_version_byte(admission)]) + cmd_id(range_id, index) + cmd


def _hard_state(rid: int, term: int, vote: int, commit: int):
    hs = range_id_key(rid, False, b"rfth")
    return (hs + b"\x00", stored(hs, Proto().varint(1, term).varint(2, vote).varint(3, commit).done()))


def _lease_record(rid: int, sequence: int, store: int):
    ll = range_id_key(rid, True, b"rll-")
    return (ll + b"\x00", stored(ll, lease(sequence, store).done()))


def deposed_leader(rg, leader: int, follower: int, new_leader: int, leader_applied: int,
                   follower_applied: int, index_of, victim_row: bytes, sst: bytes,
                   batch_of=None, admission: int = 0):
    """The Raft state of a range whose term-2 leader (store `leader`, applied
    `leader_applied` commands) was deposed with a diverged tail, while the follower (store
    `follower`, applied `follower_applied` < `leader_applied`) holds the entries term 3
    committed; the last of `rg.batches` is the AddSSTable whose table `sst` is. Returns
    ({store: KVs}, {store: [(relative path, bytes)]}, what a correct replay reports).
    `index_of(applied)` is the Raft index after `applied` commands; command i's max lease
    index is i (the simulator's lease applied index is the commands applied)."""
    rid = rg.range_id
    batch_of = batch_of or (lambda b: write_batch(b.puts, b.deletes))
    a_leader, a_follower = index_of(leader_applied), index_of(follower_applied)
    n = len(rg.batches)
    kvs = {leader: [], follower: []}
    want = {"case": "deposed_leader", "range_id": rid, "store_id": leader,
            "applied_index": a_leader, "log_store_id": follower, "acknowledged_writes": 0,
            "rejected": [], "empty_entries": 1, "conf_changes": 0, "beyond_commit": 1}

    def put(store, index, term, data):
        k = raft_log_key(rid, index)
        kvs[store].append((k + b"\x00", stored(k, entry(term, index, data))))

    idx = a_follower + 1
    for i in range(follower_applied + 1, leader_applied + 1):      # committed in term 2
        put(follower, idx, 2, normal(rid, idx, command(i, 1, batch_of(rg.batches[i - 1]))))
        idx += 1
    assert idx == a_leader + 1
    put(follower, idx, 3, b"")                                          # Z's empty entry
    put(follower, idx + 1, 3, normal(rid, idx + 1, command(0, 1, None, lease(2, new_leader))))
    idx += 2
    for i in range(leader_applied + 1, n):
        b = rg.batches[i - 1]
        put(follower, idx, 3, normal(rid, idx, command(i, 2, batch_of(b))))
        if b.puts or b.deletes or b.range_keys:
            want["acknowledged_writes"] += 1
        idx += 1
    commit = idx
    put(follower, commit, 3, sideloaded(rid, commit, add_sstable_command(n, 2, sst, admission),
                                        admission))
    want["acknowledged_writes"] += 1
    put(follower, commit + 1, 3, normal(rid, commit + 1, command(n + 1, 2, poison(
        victim_row, POISON_WALL + 3))))
    kvs[follower] += [_hard_state(rid, 3, new_leader, commit), _lease_record(rid, 1, leader)]

    diverged = list(range(a_leader + 1, a_leader + 4))                  # never committed
    for d, index in enumerate(diverged):
        put(leader, index, 2, normal(rid, index, command(leader_applied + 1 + d, 1, poison(
            victim_row, POISON_WALL + 4 + d))))
    kvs[leader] += [_hard_state(rid, 2, leader, a_leader), _lease_record(rid, 1, leader)]

    path = sideloaded_path(rid, commit, 3)
    want.update(commit_index=commit, commit_store_id=follower,
                diverged={"store_id": leader, "term": 2, "indexes": diverged},
                sideloaded={"store_id": follower, "index": commit, "term": 3, "path": path,
                            "version_byte": sideloaded_version_byte(admission)})
    return kvs, {follower: [(path, sst)]}, want
