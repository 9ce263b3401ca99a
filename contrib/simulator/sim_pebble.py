"""CockroachDB 23.2 and 25.4 stores for make_dead_cluster.py (`--version 23.2|25.4`): Pebble
store directories written by pebble_store.py (25.4: pebble_colblk.py tables and pebble_blob.py
blob files), separated intents (lock table), MVCC range keys, and optional damaged data blocks
with the ground truth of what they cost."""

from __future__ import annotations

import os

from crdb_encoding import bytes_asc, mvcc_key
from pebble_store import (
    FORMAT_23_2, L0_NUM, L6_NUM, RANGEKEYSET, SET, SINGLEDEL, Op, Span, write_store, write_table,
)

def block_size(scale: str) -> int:
    """Data block size: smaller than CockroachDB's 32 KiB so that even a small cluster has
    many blocks (one damaged block then costs a few rows, not a whole range)."""
    return 1024 if scale == "small" else 4096


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
        tail = sim.raft_tails.get((rg.range_id, store))     # --raft-logs (sim_raft.py)
        if tail:
            steps["A"].append([Op(SET, k, v) for k, v in tail])
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


def write_pebble_store(path: str, steps: dict, block_size: int, version: str = "23.2") -> dict:
    """23.2: Pebblev4 row tables; 25.4: Pebblev7 columnar tables and blob files."""
    flat = lambda bs: [op for b in bs for op in b]  # noqa: E731
    fmt = FORMAT_23_2
    if version == "25.4":
        from pebble_colblk import FORMAT_25_4
        fmt = FORMAT_25_4
    return write_store(path, flat(steps["A"]), flat(steps["B"]), steps["C"],
                       block_size=block_size, fmt=fmt)


def ingestion_sst(kvs, version: str = "23.2") -> bytes:
    """The table of an AddSSTable (sim_raft.deposed_leader) as the version's SST writer makes
    it: point SETs at seqnum 0 (an ingested table's), 23.2 row blocks or 25.4 columnar."""
    import tempfile
    fmt = FORMAT_23_2
    if version == "25.4":
        from pebble_colblk import FORMAT_25_4
        fmt = FORMAT_25_4
    with tempfile.TemporaryDirectory(prefix="salvage-sst-") as d:
        path = os.path.join(d, "add.sst")
        write_table(path, [(k, 0, SET, v, False) for k, v in kvs], [], 4096, fmt.table_writer)
        with open(path, "rb") as f:
            return f.read()


TABLE_LEVEL = {L6_NUM: 6, L0_NUM: 0}


# ---------------------------------------------------------------------------------------------
# Damaged blocks


def roach_of(engine_key: bytes) -> bytes:
    n = engine_key[-1]
    return engine_key[:len(engine_key) - 1 - n]


def damage_candidates(sim, written: dict, tables: set, best: dict, avoid: set) -> list:
    """Data blocks of the most advanced surviving replica whose damaged span lies inside one
    range of one of `tables` and holds no intent. The span is what a reader can name from
    the index alone: (previous block's separator, this block's separator] as roach keys,
    i.e. [roach(previous sep), roach(sep) ‖ 00) (the table's smallest key for block 0); the
    separator is the block's last key in 23.2 tables, a shortened key in 25.4's."""
    out = []
    for store in sorted(written):
        for num, t in sorted(written[store]["tables"].items()):
            for i, blk in enumerate(t.blocks):
                # 25.4 blocks carry their index separator (a shortened key): the span is
                # between the separators; 23.2's separator is the block's last key
                sep = lambda b: getattr(b, "sep", None) or b.last_key  # noqa: E731
                lo = roach_of(sep(t.blocks[i - 1]) if i else t.smallest[:-8])
                hi = roach_of(sep(blk)) + b"\x00"
                rg = sim.range_of(lo)
                if rg.table_id not in tables or not (rg.start <= lo and hi <= rg.end):
                    continue
                if best.get(rg.range_id) != store or any(lo <= k < hi for k in avoid):
                    continue
                out.append(dict(store=store, file=num, level=TABLE_LEVEL[num], block=i,
                                offset=blk.offset, length=blk.length, lo=lo, hi=hi, range=rg,
                                first_key=blk.first_key, last_key=blk.last_key))
    return out


def choose_damage(cands: list, n: int, rng, has_rows) -> list:
    """n blocks in distinct ranges (so fallbacks never meet another damaged span) whose
    span holds live rows on the damaged replica (`has_rows(candidate)`)."""
    rng.shuffle(cands)
    chosen, ranges = [], set()
    for c in cands:
        if c["range"].range_id not in ranges and has_rows(c):
            chosen.append(c)
            ranges.add(c["range"].range_id)
        if len(chosen) == n:
            break
    if len(chosen) < n:
        raise SystemExit("--damage %d: only %d damageable blocks in distinct ranges" %
                         (n, len(chosen)))
    return sorted(chosen, key=lambda c: (c["store"], c["file"], c["block"]))


def corrupt(path: str, offset: int, length: int):
    """Flips one byte in the middle of a block's stored bytes: its checksum no longer holds."""
    with open(path, "r+b") as f:
        f.seek(offset + length // 2)
        b = f.read(1)
        f.seek(offset + length // 2)
        f.write(bytes([b[0] ^ 0xFF]))
