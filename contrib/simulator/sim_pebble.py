"""CockroachDB 23.2 stores for make_dead_cluster.py (`--version 23.2`): Pebble store
directories written by pebble_store.py, separated intents (lock table), MVCC range keys,
and optional damaged data blocks with the ground truth of what they cost."""

from __future__ import annotations

import os

from crdb_encoding import bytes_asc, mvcc_key
from pebble_store import (
    L0_NUM, L6_NUM, RANGEKEYSET, SET, SINGLEDEL, Op, Span, write_store,
)

BLOCK_SIZE = 4096        # Pebble's default (CockroachDB sets 32 KiB): more blocks to damage
INTENT_STRENGTH = 3      # lock-table strength byte of an intent (encoding spec §1.4)


def lock_table_key(key: bytes, txn_id: bytes) -> bytes:
    """Engine key of a separated intent on `key` (encoding spec §1.4)."""
    return b"\x01zk" + bytes_asc(key) + b"\x00" + bytes([INTENT_STRENGTH]) + txn_id + b"\x12"


def intent_txns(sim) -> dict:
    """roach key → txn id of every intent the history wrote (pending or later resolved)."""
    out = {x["key"]: x["txn_id"] for x in sim.resolved}
    out.update({x["key"]: x["txn_id"] for x in sim.intents})
    return out


def batch_ops(b, txns: dict) -> list:
    """One Raft command as Pebble ops: interleaved intent metadata becomes a lock-table key,
    a resolution its SINGLEDEL (as 23.2 resolves separated intents)."""
    ops = []
    for k, v in b.puts:
        if k[-1] == 0 and k[0] != 0x01 and k[:-1] in txns:
            ops.append(Op(SET, lock_table_key(k[:-1], txns[k[:-1]]), v))
        else:
            ops.append(Op(SET, k, v))
    for k in b.deletes:
        ops.append(Op(SINGLEDEL, lock_table_key(k[:-1], txns[k[:-1]])))
    for start, end in b.range_keys:
        suffix = mvcc_key(start, b.wall, b.logical)[len(start) + 1:]
        ops.append(Op(RANGEKEYSET, start + b"\x00",
                      span=Span(start + b"\x00", end + b"\x00", 0, RANGEKEYSET, suffix, b"")))
    return ops


def store_batches(sim, store: int, phase_file: dict, ident_kv, applied_key) -> dict:
    """Per layer A (L6) / B (L0) / C (WAL only): the store's batches in write order, the
    applied state written with the last command of each range in each layer."""
    txns = intent_txns(sim)
    steps = {"A": [[Op(SET, *ident_kv)]], "B": [], "C": []}
    for rg in sim.ranges:
        rep = next((x for x in rg.replicas if x.store == store), None)
        if rep is None:
            continue
        done = 0
        for step in "ABC":
            mine = []
            for i, b in enumerate(rg.batches[:rep.applied]):
                if phase_file[b.phase] == step:
                    mine.append(batch_ops(b, txns))
                    done = i + 1
            if step == "A" or mine:
                st = Op(SET, mvcc_key(applied_key(rg.range_id)), sim.applied_state(rg, done))
                if mine:
                    mine[-1].append(st)
                else:
                    mine.append([st])
            steps[step] += mine
    return steps


def write_pebble_store(path: str, steps: dict) -> dict:
    flat = lambda bs: [op for b in bs for op in b]  # noqa: E731
    return write_store(path, flat(steps["A"]), flat(steps["B"]), steps["C"],
                       block_size=BLOCK_SIZE)


TABLE_LEVEL = {L6_NUM: 6, L0_NUM: 0}
