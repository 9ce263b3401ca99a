#!/usr/bin/env python3
"""Grows a simulated dead cluster to gigabytes, fast, for benchmarks.

    python3 contrib/simulator/make_large_cluster.py OUT_DIR --gb 2 [--seed N] [-- SIMULATOR ARGS...]

First runs make_dead_cluster.py (scale medium, plus any SIMULATOR ARGS) into OUT_DIR, then
bulk-loads extra `game.events` rows into every surviving RocksDB store that holds a replica of
the range each row falls in (Debian's `ldb load --bulk_load`, then `ldb compact`), until the
surviving stores hold about --gb GB. The simulator's per-row history and ground truth would take
hours at this size; the bulk rows are plain committed inserts (one version, newer than every
simulated write, so no tombstone covers them) with seq >= 1e6, disjoint from the simulated
keys. expected/bulk.json records how many bulk rows a recovery must find (rewritten after
every batch; a partly grown cluster grows on when run again):
events rows = expected/events.csv rows + bulk.json["recoverable_rows"].
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
    ET_BYTES, ET_TIME, TAG_TUPLE, family_suffix, mvcc_key, ns_uvarint, roach_value, value_tag, varint_asc,
    varint_desc, zigzag_varint)

WORDS = [w.encode() for w in (
    "login logout purchase level_up quest trade sword shield potion map bow lute gem rope "
    "gold silver north south east west cave forest river castle dragon goblin elf dwarf").split()]

BULK_WALL = sim.BASE_WALL + 40 * 86400 * 10**9  # after every simulated write


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


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out_dir")
    ap.add_argument("--gb", type=float, default=2.0, help="surviving store bytes to reach")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("simulator_args", nargs="*", help="after --: passed to make_dead_cluster.py")
    a = ap.parse_args(argv)
    t0 = time.time()
    out = a.out_dir
    # A simulated cluster already there is reused; one partly grown grows on (bulk.json is
    # rewritten after every batch, so it always matches the stores between batches).
    bulk_path = os.path.join(out, "expected", "bulk.json")
    state = {"table": "game.events", "rows": 0, "recoverable_rows": 0, "next_seq": 1_000_000}
    if os.path.exists(bulk_path):
        state = json.load(open(bulk_path))
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
    have = store_bytes(stores_dir)
    target = int(a.gb * 1e9)
    # Rows needed: measured on a first batch, then the rest (bytes per row after compression).
    rng = random.Random(a.seed * 1_000_003 + state["rows"])
    max_uid = 10_000
    written, recoverable, seq = state["rows"], state["recoverable_rows"], state["next_seq"]
    batch = 500_000
    while have < target:
        procs = {n: subprocess.Popen([sim.LDB, "--db=" + os.path.join(stores_dir, n), "--hex", "load",
                                      "--disable_wal", "--bulk_load"], stdin=subprocess.PIPE,
                                     stdout=subprocess.DEVNULL, text=True) for n in names}
        for _ in range(batch):
            uid = rng.randint(1, max_uid)
            k, v = event_kv(rng, uid, seq)
            seq += 1
            r = events[bisect.bisect_right(starts, k) - 1]
            line = "0x%s ==> 0x%s\n" % (k.hex().upper(), v.hex().upper())
            for s in r["surviving_stores"]:
                procs["n%d" % s].stdin.write(line)
            written += 1
            recoverable += 1 if r["surviving_stores"] else 0
        for n, p in procs.items():
            p.stdin.close()
            if p.wait() != 0:
                raise SystemExit("ldb load into %s failed" % n)
        grown = store_bytes(stores_dir) - have
        have += grown
        per_row = max(grown / batch, 1.0)
        batch = max(100_000, min(1_500_000, int((target - have) / per_row) + 1))
        state.update(rows=written, recoverable_rows=recoverable, next_seq=seq, surviving_table_bytes=have)
        with open(bulk_path + ".tmp", "w") as f:
            json.dump(state, f, indent=1)
            f.write("\n")
        os.replace(bulk_path + ".tmp", bulk_path)
        print("bulk: %d rows so far, %.2f GB of surviving tables, %.0f s" % (written, have / 1e9, time.time() - t0),
              flush=True)
    # Bulk loads leave many level-0 tables; compact as a long-running store would have.
    for n in names:
        sim.run_ldb(["--db=" + os.path.join(stores_dir, n), "compact"])
    print("compacted, %.2f GB of surviving tables, %.0f s" % (store_bytes(stores_dir) / 1e9, time.time() - t0))

if __name__ == "__main__":
    main()
