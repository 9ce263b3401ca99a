#!/usr/bin/env python3
"""Grows a simulated dead cluster to gigabytes, fast, for benchmarks.

    python3 contrib/simulator/make_large_cluster.py OUT_DIR --gb 2 [--seed N] [--range-mb 64] [-- SIMULATOR ARGS...]

First runs make_dead_cluster.py (scale medium, plus any SIMULATOR ARGS) into OUT_DIR, then
bulk-loads extra `game.events` rows into every surviving RocksDB store that holds a replica of
the range each row falls in (Debian's `ldb load --bulk_load`, then `ldb compact`), until the
surviving stores hold about --gb GB. The simulator's per-row history and ground truth would take
hours at this size; the bulk rows are plain committed inserts (one version, newer than every
simulated write, so no tombstone covers them) with seq >= 1e6, disjoint from the simulated
keys. expected/bulk.json records how many bulk rows a recovery must find (rewritten after
every batch; a partly grown cluster grows on when run again):
events rows = expected/events.csv rows + bulk.json["recoverable_rows"].

Bulk rows go only to users whose events range has a surviving replica (rows of lost ranges
would be written nowhere). When the stores are full, every events range that got bulk rows is
split as CockroachDB's split queue would have (--range-mb, default 64 as 19.1's
range_max_bytes; 512 as 20.1+): at user boundaries (`/Table/54/1/<user_id>`, a row prefix),
each piece at most --range-mb of MVCC key+value bytes. A split keeps the replica set (as a real
split does): the left piece keeps the range ID, the others get new IDs after the last one;
each piece gets its range-local descriptor and RangeAppliedState (the parent's applied indexes
per replica, so the most advanced replica is the same; MVCC stats with live/key/val bytes and
counts of its span) on every surviving replica, its /Meta2 record on the meta range's
survivors, and /System/range-idgen moves on; descriptors are written at one timestamp per
split after every bulk row. replicas.json, intents.json and resolved_intents.json are rewritten
with the new ranges; bulk.json lists them ("ranges").
"""
from __future__ import annotations

import argparse
import bisect
import json
import os
import random
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_dead_cluster as sim  # noqa: E402
from crdb_encoding import (  # noqa: E402
    ET_BYTES, ET_TIME, TAG_BYTES, TAG_INT, TAG_TUPLE, Proto, family_suffix, mvcc_key, mvcc_metadata_inline,
    ns_uvarint, roach_value, value_tag, varint_asc, varint_desc, zigzag_varint)

WORDS = [w.encode() for w in (
    "login logout purchase level_up quest trade sword shield potion map bow lute gem rope "
    "gold silver north south east west cave forest river castle dragon goblin elf dwarf").split()]

BULK_WALL = sim.BASE_WALL + 40 * 86400 * 10**9  # after every simulated write
SPLIT_WALL = BULK_WALL + 86400 * 10**9          # the splits: a day after the bulk rows
MAX_UID = 10_000


def store_bytes(stores_dir: str) -> int:
    return sum(os.path.getsize(os.path.join(d, f)) for d in
               (os.path.join(stores_dir, s) for s in os.listdir(stores_dir)) for f in os.listdir(d)
               if f.endswith(".sst"))


def event_kv(rng: random.Random, uid: int, seq: int):
    """(engine key, value) of one events row, encoded as the simulator does (one family)."""
    key = sim.table_prefix(sim.EVENTS.id) + varint_asc(uid) + varint_desc(seq) + family_suffix(0)
    body = b" ".join(rng.choices(WORDS, k=rng.randint(16, 120)))
    kind = rng.choice(sim.KINDS).encode()
    at_s = 1_560_000_000 + seq
    data = (value_tag(3, ET_BYTES) + ns_uvarint(len(kind)) + kind +
            value_tag(1, ET_BYTES) + ns_uvarint(len(body)) + body +
            value_tag(1, ET_TIME) + zigzag_varint(at_s) + zigzag_varint(rng.randint(0, 999999) * 1000))
    return mvcc_key(key, BULK_WALL + seq), roach_value(key, TAG_TUPLE, data)


def uid_key(uid: int) -> bytes:
    return sim.table_prefix(sim.EVENTS.id) + varint_asc(uid)


def kv_stats(ek: bytes, v: bytes):
    """(roach key, key bytes, value bytes) of one version, as MVCCStats counts them: the key
    once (len + 1), 12 bytes per version timestamp, the value bytes."""
    rk = ek[:len(ek) - 1 - ek[-1]]
    return rk, len(rk) + 1 + 12, len(v)


def span_stats(rg, applied: int, lo: bytes, hi: bytes, bulk, last_wall: int):
    """MVCCStats of [lo, hi) on a replica that applied `applied` of the simulated range's
    batches, plus bulk = (rows, key bytes, value bytes) of the bulk rows in the span."""
    newest, key_bytes, val_bytes, vals, intents = {}, 0, 0, 0, 0
    for b in rg.batches[:applied]:
        for ek, v in b.puts:
            if ek[-1] == 0:
                rk = ek[:-1]
                if rk[:1] != b"\x01" and lo <= rk < hi:
                    intents += 1
                continue
            rk, kb, vb = kv_stats(ek, v)
            if rk[:1] == b"\x01" or not lo <= rk < hi:
                continue
            if rk not in newest:
                key_bytes += len(rk) + 1
            key_bytes += 12
            val_bytes += vb
            vals += 1
            if rk not in newest or (b.wall, b.logical) >= newest[rk][0]:
                newest[rk] = ((b.wall, b.logical), vb)
    live = [(rk, n) for rk, (_, n) in newest.items() if n]
    live_bytes = sum(len(rk) + 1 + 12 + n for rk, n in live) + bulk[1] + bulk[2]
    return (Proto().bool(14, True).sfixed64(1, last_wall).varint(4, live_bytes)
            .varint(5, len(live) + bulk[0]).varint(6, key_bytes + bulk[1])
            .varint(7, len(newest) + bulk[0]).varint(8, val_bytes + bulk[2])
            .varint(9, vals + bulk[0]).varint(11, intents).varint(13, 1)), live_bytes, len(live) + bulk[0]


def rebuild(out: str, seed: int, simulator_args: list):
    """The simulated history of the cluster in `out`, rebuilt in memory (deterministic)."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int)
    ap.add_argument("--scale")
    ap.add_argument("--version", default="19.1")
    ap.add_argument("--descriptors")
    a, _ = ap.parse_known_args(["--seed", str(seed), "--scale", "medium"] + simulator_args)
    s = sim.simulate(a.seed, a.scale, a.version, a.descriptors)
    have = [(r["range_id"], r["start_key_hex"]) for r in json.load(open(os.path.join(out, "expected", "replicas.json")))]
    if [(rg.range_id, rg.start.hex()) for rg in s.ranges] != have:
        raise SystemExit("the rebuilt history does not match %s (other simulator arguments?)" % out)
    return s


def split_ranges(out: str, s, uid_rows, uid_kb, uid_vb, range_bytes: int):
    """Splits every events range holding bulk rows into pieces of at most range_bytes (see the
    module comment); writes the range metadata into the stores and rewrites expected/."""
    stores_dir = os.path.join(out, "stores")
    exp = os.path.join(out, "expected")
    replicas = json.load(open(os.path.join(exp, "replicas.json")))
    by_id = {r["range_id"]: r for r in replicas}
    next_id = max(by_id) + 1
    writes = {}                      # store → [(engine key, value)]
    meta_surv = [x.store for x in s.ranges[0].replicas if x.store in s.survivors]
    new_replicas, pieces_json, split_no = [], [], 0
    for rg in s.ranges:
        entry = by_id[rg.range_id]
        uids = [u for u in range(1, MAX_UID + 1) if s.range_of(uid_key(u)) is rg and uid_rows[u]]
        if rg.table_id != sim.EVENTS.id or not uids or not range_bytes:
            new_replicas.append(entry)
            continue
        best = max((x for x in rg.replicas if x.store in s.survivors), key=lambda x: (x.applied, -x.store))
        # Simulated live bytes per user (most advanced replica), to size the pieces.
        newest = {}
        for b in rg.batches[:best.applied]:
            for ek, v in b.puts:
                if ek[-1] and ek[:1] != b"\x01":
                    rk, kb, vb = kv_stats(ek, v)
                    if rk not in newest or (b.wall, b.logical) >= newest[rk][0]:
                        newest[rk] = ((b.wall, b.logical), kb + vb if v else 0)
        sim_bytes = {}
        for rk, (_, n) in newest.items():
            u = events_uid(rk)
            if u is not None:
                sim_bytes[u] = sim_bytes.get(u, 0) + n
        cuts, acc = [], 0
        for u in uids:
            n = uid_kb[u] + uid_vb[u] + sim_bytes.get(u, 0)
            if acc and acc + n > range_bytes:
                cuts.append(u)
                acc = 0
            acc += n
        bounds = [rg.start] + [uid_key(u) for u in cuts] + [rg.end]
        k = len(bounds) - 2
        surv = [x for x in rg.replicas if x.store in s.survivors]
        for i in range(k + 1):
            lo, hi = bounds[i], bounds[i + 1]
            piece = sim.Range(rg.range_id if i == 0 else next_id, lo, hi, rg.table_id, rg.category,
                              rg.replicas, rg.generation + min(i + 1, k), rg.next_replica_id)
            if i:
                next_id += 1
            # split j (j < k) at SPLIT_WALL + j s leaves piece j final and piece k created
            wall = SPLIT_WALL + (split_no + min(i, max(k - 1, 0))) * 10**9
            in_piece = [u for u in uids if lo <= uid_key(u) < hi]
            bulk = (sum(uid_rows[u] for u in in_piece), sum(uid_kb[u] for u in in_piece),
                    sum(uid_vb[u] for u in in_piece))
            desc = s.descriptor_proto(piece)
            lk = sim.range_descriptor_key(lo)
            mk = sim.meta2_key(hi)
            for x in surv:
                stats, live_bytes, live_count = span_stats(rg, x.applied, lo, hi, bulk, wall)
                st = Proto().varint(1, s.raft_index(rg, x.applied)).varint(2, x.applied).msg(3, stats).done()
                ak = sim.applied_state_key(piece.range_id)
                w = writes.setdefault(x.store, [])
                if k:
                    w.append((mvcc_key(lk, wall), roach_value(lk, TAG_BYTES, desc)))
                w.append((mvcc_key(ak), mvcc_metadata_inline(roach_value(ak, TAG_BYTES, st))))
                if x is best:
                    pieces_json.append({"range_id": piece.range_id, **sim.span_json(piece),
                                        "live_bytes": live_bytes, "live_count": live_count})
            for m in (meta_surv if k else []):
                writes.setdefault(m, []).append((mvcc_key(mk, wall), roach_value(mk, TAG_BYTES, desc)))
            e = dict(entry, range_id=piece.range_id, generation=piece.generation, **sim.span_json(piece))
            new_replicas.append(e)
        split_no += k
    if next_id - 1 > max(by_id):          # /System/range-idgen: the highest range ID handed out
        key = b"\x04range-idgen"
        for x in s.ranges[1].replicas:
            if x.store in s.survivors:
                writes.setdefault(x.store, []).append(
                    (mvcc_key(key, SPLIT_WALL + split_no * 10**9), roach_value(key, TAG_INT, zigzag_varint(next_id - 1))))
    for st, kvs in sorted(writes.items()):
        sim.run_ldb(["--db=" + os.path.join(stores_dir, "n%d" % st), "--hex", "load"],
                    "".join("0x%s ==> 0x%s\n" % (k.hex().upper(), v.hex().upper()) for k, v in kvs))
    starts = [bytes.fromhex(r["start_key_hex"]) for r in new_replicas]
    sim.dump_json(os.path.join(exp, "replicas.json"), new_replicas)
    for name in ("intents.json", "resolved_intents.json"):
        path = os.path.join(exp, name)
        if os.path.exists(path):
            items = json.load(open(path))
            for it in items:
                it["range_id"] = new_replicas[bisect.bisect_right(starts, bytes.fromhex(it["key_hex"])) - 1]["range_id"]
            sim.dump_json(path, items)
    return pieces_json


def events_uid(rk: bytes):
    """The user ID of an events primary-index key, or None."""
    p = sim.table_prefix(sim.EVENTS.id)
    if not rk.startswith(p) or len(rk) == len(p):
        return None
    try:
        return sim._dec_uvarint(rk, len(p))[0]
    except (IndexError, ValueError):
        return None


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out_dir")
    ap.add_argument("--gb", type=float, default=2.0, help="surviving store bytes to reach")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--batch", type=int, default=500_000, help="rows of the first bulk batch (tests: fewer)")
    ap.add_argument("--range-mb", type=float, default=64,
                    help="split ranges at this many MiB of MVCC bytes (0: no splits)")
    argv = sys.argv[1:] if argv is None else argv
    cut = argv.index("--") if "--" in argv else len(argv)   # after --: make_dead_cluster.py's
    a = ap.parse_args(argv[:cut])
    a.simulator_args = argv[cut + 1:]
    t0 = time.time()
    out = a.out_dir
    # A simulated cluster already there is reused; one partly grown grows on (bulk.json is
    # rewritten after every batch, so it always matches the stores between batches).
    bulk_path = os.path.join(out, "expected", "bulk.json")
    state = {"table": "game.events", "rows": 0, "recoverable_rows": 0, "next_seq": 1_000_000,
             "uid_rows": [0] * (MAX_UID + 1), "uid_key_bytes": [0] * (MAX_UID + 1),
             "uid_value_bytes": [0] * (MAX_UID + 1)}
    if os.path.exists(bulk_path):
        state = json.load(open(bulk_path))
        if "uid_rows" not in state or "ranges" in state:
            raise SystemExit("%s: made by an older make_large_cluster, or already split: "
                             "delete the directory and run again" % out)
    elif not os.path.exists(os.path.join(out, "expected", "cluster.json")):
        subprocess.run([sys.executable, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                     "make_dead_cluster.py"), out, "--seed", str(a.seed),
                        "--scale", "medium"] + a.simulator_args, check=True)
    stores_dir = os.path.join(out, "stores")
    names = sorted(os.listdir(stores_dir))
    if any(not os.path.exists(os.path.join(stores_dir, n, "IDENTITY")) for n in names):
        raise SystemExit("the bulk loader writes RocksDB stores only (ldb); these are not all RocksDB")
    replicas = json.load(open(os.path.join(out, "expected", "replicas.json")))
    events = sorted((r for r in replicas if r["table_id"] == sim.EVENTS.id), key=lambda r: r["start_key_hex"])
    starts = [bytes.fromhex(r["start_key_hex"]) for r in events]
    # Only users whose range survives somewhere: a lost range's rows would be written nowhere.
    live_uids = [u for u in range(1, MAX_UID + 1)
                 if events[bisect.bisect_right(starts, uid_key(u)) - 1]["surviving_stores"]]
    have = store_bytes(stores_dir)
    target = int(a.gb * 1e9)
    # Rows needed: measured on a first batch, then the rest (bytes per row after compression).
    rng = random.Random(a.seed * 1_000_003 + state["rows"])
    written, recoverable, seq = state["rows"], state["recoverable_rows"], state["next_seq"]
    uid_rows, uid_kb, uid_vb = state["uid_rows"], state["uid_key_bytes"], state["uid_value_bytes"]
    batch = a.batch
    while have < target:
        procs = {n: subprocess.Popen([sim.LDB, "--db=" + os.path.join(stores_dir, n), "--hex", "load",
                                      "--disable_wal", "--bulk_load"], stdin=subprocess.PIPE,
                                     stdout=subprocess.DEVNULL, text=True) for n in names}
        for _ in range(batch):
            uid = rng.choice(live_uids)
            k, v = event_kv(rng, uid, seq)
            seq += 1
            r = events[bisect.bisect_right(starts, k) - 1]
            line = "0x%s ==> 0x%s\n" % (k.hex().upper(), v.hex().upper())
            for s in r["surviving_stores"]:
                procs["n%d" % s].stdin.write(line)
            written += 1
            recoverable += 1
            _, kb, vb = kv_stats(k, v)
            uid_rows[uid] += 1
            uid_kb[uid] += kb
            uid_vb[uid] += vb
        for n, p in procs.items():
            p.stdin.close()
            if p.wait() != 0:
                raise SystemExit("ldb load into %s failed" % n)
        grown = store_bytes(stores_dir) - have
        have += grown
        per_row = max(grown / batch, 1.0)
        batch = max(min(100_000, a.batch), min(1_500_000, int((target - have) / per_row) + 1))
        state.update(rows=written, recoverable_rows=recoverable, next_seq=seq, surviving_table_bytes=have)
        save(bulk_path, state)
        print("bulk: %d rows so far, %.2f GB of surviving tables, %.0f s" % (written, have / 1e9, time.time() - t0),
              flush=True)
    state.update(range_mb=a.range_mb)      # 0: not split (recover-scale.sh --range-mb 0 caches it too)
    if a.range_mb:
        s = rebuild(out, a.seed, a.simulator_args)
        pieces = split_ranges(out, s, uid_rows, uid_kb, uid_vb, int(a.range_mb * 2**20))
        state.update(ranges=pieces)
        print("split into %d ranges of at most %g MiB, %.0f s" % (len(pieces), a.range_mb, time.time() - t0))
    # Bulk loads leave many level-0 tables; compact as a long-running store would have.
    for n in names:
        sim.run_ldb(["--db=" + os.path.join(stores_dir, n), "compact"])
    state.update(surviving_table_bytes=store_bytes(stores_dir))
    save(bulk_path, state)
    print("compacted, %.2f GB of surviving tables, %.0f s" % (store_bytes(stores_dir) / 1e9, time.time() - t0))


def save(path: str, state: dict):
    with open(path + ".tmp", "w") as f:
        json.dump(state, f, indent=1)
        f.write("\n")
    os.replace(path + ".tmp", path)


if __name__ == "__main__":
    main()
