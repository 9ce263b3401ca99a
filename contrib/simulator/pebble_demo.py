#!/usr/bin/env python3
"""A small Pebble store written by pebble_store.py, with what a reader must see in it.

    python3 contrib/simulator/pebble_demo.py OUT_DIR   # OUT_DIR/store + OUT_DIR/expected.json

The expected state comes from `visible_model`, a model of the LSM semantics independent of
the writer (newest seqnum per key wins, RANGEDELs delete older entries, RANGEKEYSETs listed).
Tests/LSMStoreTests/SimulatedPebbleStoreTests reads the store with LSMStore and compares.
"""

from __future__ import annotations

import json
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from crdb_encoding import uvarint_asc, varint_asc  # noqa: E402
from pebble_store import (  # noqa: E402
    DEL, RANGEDEL, RANGEKEYSET, SEQ_START, SET, Op, Span, _covered, engine_sort_key, write_store,
)


def visible_model(layers: list):
    """What a reader must see after applying every op in seqnum order: the newest entry per
    key if it is a SET not deleted by a newer RANGEDEL; the RANGEKEYSETs (no unsets/dels
    here). layers: ops in seqnum order, each with its seq."""
    newest, rdels, rkeys = {}, [], []
    for seq, op in layers:
        if op.span is None:
            newest[op.key] = (seq, op)
        elif op.kind == RANGEDEL:
            rdels.append(Span(op.span.start, op.span.end, seq, RANGEDEL))
        elif op.kind == RANGEKEYSET:
            rkeys.append(op.span)
        else:
            raise ValueError("the model covers RANGEKEYSET only")
    points = [(k, op.value) for k, (seq, op) in newest.items()
              if op.kind == SET and not _covered(rdels, k, seq)]
    points.sort(key=lambda kv: engine_sort_key(kv[0]))
    return points, rkeys


def demo_ops():
    """Small CockroachDB-shaped history: L6 layer, L0 layer, WAL batches."""
    def mk(roach, wall=0, logical=0):
        if not wall:
            return roach + b"\0"
        if not logical:
            return roach + b"\0" + struct.pack(">Q", wall) + b"\x09"
        return roach + b"\0" + struct.pack(">QI", wall, logical) + b"\x0d"
    tbl = lambda i: uvarint_asc(106) + uvarint_asc(1) + varint_asc(i)  # noqa: E731  /Table/106/1/i
    w = 1_700_000_000 * 10**9
    l6 = [Op(SET, mk(b"\x01siden"), b"ident")]
    for i in range(0, 300):
        for v in range(1, 4):
            l6.append(Op(SET, mk(tbl(i), w + v * 10**9, v % 2), b"row%d-v%d-" % (i, v) + b"x" * (i % 40)))
    l6.append(Op(DEL, mk(tbl(5), w + 3 * 10**9, 1)))            # newest version of row 5 gone
    l0 = [Op(SET, mk(tbl(i), w + 10 * 10**9), b"row%d-v10" % i) for i in range(100, 120)]
    l0.append(Op(DEL, mk(tbl(7), w + 2 * 10**9)))               # deletes an L6 entry
    l0.append(Op(SET, mk(b"\x01siden"), b"ident2"))             # shadows the L6 value
    l0.append(Op(RANGEDEL, mk(tbl(20)), span=Span(mk(tbl(20)), mk(tbl(23)), 0, RANGEDEL)))
    l0.append(Op(RANGEKEYSET, mk(tbl(30)), span=Span(mk(tbl(30)), mk(tbl(40)), 0, RANGEKEYSET,
                                                      struct.pack(">Q", w + 5 * 10**9) + b"\x09")))
    l0.append(Op(SET, mk(tbl(21), w + 11 * 10**9), b"after the rangedel"))
    wal = [[Op(SET, mk(tbl(400), w + 12 * 10**9), b"wal only"),
            Op(SET, mk(tbl(1), w + 12 * 10**9, 3), b"wal newest")],
           [Op(DEL, mk(tbl(100), w + 10 * 10**9)),
            Op(RANGEKEYSET, mk(tbl(50)), span=Span(mk(tbl(50)), mk(tbl(60)), 0, RANGEKEYSET,
                                                   struct.pack(">QI", w + 13 * 10**9, 2) + b"\x0d",
                                                   b""))]]
    return l6, l0, wal


def demo(out_dir: str):
    l6, l0, wal = demo_ops()
    info = write_store(os.path.join(out_dir, "store"), l6, l0, wal, block_size=4096)
    seqd = []
    seq = SEQ_START
    for op in l6 + l0 + [op for b in wal for op in b]:
        seqd.append((seq, op))
        seq += 1
    points, rkeys = visible_model(seqd)
    exp = {"points": [{"key_hex": k.hex(), "value_hex": v.hex()} for k, v in points],
           "range_keys": [{"start_hex": s.start.hex(), "end_hex": s.end.hex(),
                           "suffix_hex": s.suffix.hex(), "value_hex": s.value.hex(),
                           "seq": s.seq} for s in rkeys],
           "last_seq": info["last_seq"], "wal_seqs": info["wal_seqs"],
           "tables": {str(n): {"blocks": len(t.blocks), "size": t.size}
                      for n, t in info["tables"].items()}}
    with open(os.path.join(out_dir, "expected.json"), "w") as f:
        json.dump(exp, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    demo(sys.argv[1])
