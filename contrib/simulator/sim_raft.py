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
"""

from __future__ import annotations

import struct

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
    want = {"range_id": rid, "store_id": store, "applied_index": first_index - 1,
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
