"""Write a CockroachDB BACKUP-like directory of the simulated cluster's pre-disaster state.

    python3 contrib/simulator/make_backup.py OUT_DIR [--seed N] [--scale small|medium]
        [--descriptors-in-data] [--version 19.1|23.2] [--descriptors 19.1|23.2]

Re-runs the simulator's model for the seed (no stores are written) and writes

    OUT_DIR/backup/BACKUP_MANIFEST   hand-encoded BackupManifest protobuf (fields below)
    OUT_DIR/backup/data/NNN.sst      one SST per user table (all its indexes), written by the real RocksDB
                                     engine (ldb load --hex + compact): keys carry seqnum 0

The data are the newest committed version of every live user-table KV at the backup's end
time (the `late` phase done; pending intents are not committed, so not backed up) — what a
non-revision-history `BACKUP` exports. It equals expected/all_rows_before_disaster/*.csv.
With --descriptors-in-data the schema is not in the manifest (field 5) but in data/000.sst as
system.descriptor rows, as a cluster backup's data files hold them.

BackupManifest fields written (numbers from pkg/ccl/backupccl/backup.proto):
  1 start_time (empty: a full backup), 2 end_time {1 wall_time, 2 logical},
  3 spans (roachpb.Span {1 key, 2 end_key}), 4 files (File {1 span, 2 path,
  6 entry_counts {2 rows}}), 5 descriptors (sqlbase.Descriptor: the game and shop databases
  and tables; with 23.2 descriptors also their public schemas and the ENUM types), 8 format_version = 1, 9 cluster_id.
Differences from a real BACKUP: SSTs are RocksDB 7.8 files with the bytewise comparator (not
cockroach_comparator, so a key's versions order differently — there is one version per key
here); one file per table instead of one per exported range chunk; no checksums, no
BACKUP-CHECKPOINT, statistics, or locality files; the manifest is not compressed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_dead_cluster as sim_mod  # noqa: E402
from crdb_encoding import Proto, hlc_timestamp  # noqa: E402


def span(start: bytes, end: bytes) -> Proto:
    return Proto().bytes(1, start).bytes(2, end)


def build(seed: int, scale: str, version: str = "19.1", descriptors: str | None = None):
    sim = sim_mod.Simulator(seed, scale, version, descriptors)
    ops = sim.plan_ops()
    sim.build_ranges()
    sim.bootstrap()
    sim.write_history(ops)
    sim.write_intents()
    return sim


def latest_kvs(sim, table):
    """{roach key: (wall, logical, value)} newest committed version per key of the table
    (every index: a BACKUP exports the table's whole span)."""
    prefix = sim_mod.table_prefix(table.id, 0)[:-1]
    newest = {}
    for rg in sim.ranges:
        for b in rg.batches:
            if b.phase == "pending":
                continue
            for ek, v in b.puts:
                if ek[-1] == 0:               # intent metadata, not data
                    continue
                rk = ek[:len(ek) - 1 - ek[-1]]
                if not rk.startswith(prefix):
                    continue
                ts = (b.wall, b.logical)
                if rk not in newest or ts >= newest[rk][:2]:
                    newest[rk] = (b.wall, b.logical, v)
    return newest


def write_sst(root: str, path: str, live):
    """One SST of `live` [(roach key, wall, logical, value)] via a scratch RocksDB."""
    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "db")
        text = "".join("0x%s ==> 0x%s\n" % (sim_mod.mvcc_key(rk, w, l).hex().upper(), v.hex().upper())
                       for rk, w, l, v in live)
        sim_mod.run_ldb(["--db=" + db, "--create_if_missing", "--hex", "--compression_type=snappy", "load"], text)
        sim_mod.run_ldb(["--db=" + db, "compact"])
        ssts = sorted(f for f in os.listdir(db) if f.endswith(".sst"))
        if len(ssts) != 1:
            raise SystemExit("expected one SST after compaction, got %r" % ssts)
        shutil.copy(os.path.join(db, ssts[0]), os.path.join(root, path))


def write_backup(out_dir: str, seed: int = 1, scale: str = "small",
                 descriptors_in_data: bool = False, version: str = "19.1",
                 descriptors: str | None = None):
    sim = build(seed, scale, version, descriptors)
    lay = sim.descriptors
    root = os.path.join(out_dir, "backup")
    shutil.rmtree(root, ignore_errors=True)
    os.makedirs(os.path.join(root, "data"))
    end_wall = max(b.wall for rg in sim.ranges for b in rg.batches) + 1
    manifest = Proto().msg(1, b"").msg(2, hlc_timestamp(end_wall))
    files = []
    for n, t in enumerate(sim_mod.USER_TABLES, start=1):
        start = sim_mod.table_prefix(t.id, 0)[:-1]     # /Table/<id>
        end = sim_mod.table_prefix(t.id + 1, 0)[:-1]
        kvs = latest_kvs(sim, t)
        live = sorted((rk, w, l, v) for rk, (w, l, v) in kvs.items() if v)   # tombstones: not backed up
        primary = sim_mod.table_prefix(t.id)
        rows = sum(1 for rk, *_ in live if rk.startswith(primary) and rk[-1] == 0x88)  # family 0
        path = "data/%03d.sst" % n
        write_sst(root, path, live)
        files.append(Proto().msg(1, span(start, end)).string(2, path).msg(6, Proto().varint(2, rows)))
        manifest.msg(3, span(start, end))
    if descriptors_in_data:
        d = sim_mod.DESCRIPTOR
        start, end = sim_mod.table_prefix(d.id, 0)[:-1], sim_mod.table_prefix(d.id + 1, 0)[:-1]
        live = sorted((rk, w, l, v) for rk, (w, l, v) in latest_kvs(sim, d).items() if v)
        write_sst(root, "data/000.sst", live)
        files.insert(0, Proto().msg(1, span(start, end)).string(2, "data/000.sst"))
        manifest.msg(3, span(start, end))
    for f in files:
        manifest.msg(4, f)
    if not descriptors_in_data:
        for db in (sim_mod.GAME_DB_ID, sim_mod.SHOP_DB_ID):
            manifest.bytes(5, sim_mod.database_descriptor(sim_mod.DB_NAMES[db], db, lay))
            if lay != "19.1":
                manifest.bytes(5, sim_mod.schema_descriptor(db))
        if lay != "19.1":
            for _, desc in sim_mod.enum_type_descriptors():
                manifest.bytes(5, desc)
        for t in sim_mod.USER_TABLES:
            manifest.bytes(5, sim_mod.table_descriptor(t, 2, end_wall, lay))
    manifest.varint(8, 1).bytes(9, sim.cluster_id.bytes)
    with open(os.path.join(root, "BACKUP_MANIFEST"), "wb") as f:
        f.write(manifest.done())
    return root


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out_dir")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--scale", choices=sorted(sim_mod.SCALES), default="small")
    ap.add_argument("--descriptors-in-data", action="store_true",
                    help="schema as system.descriptor rows in data/000.sst, not in the manifest")
    ap.add_argument("--version", choices=sim_mod.VERSIONS, default="19.1")
    ap.add_argument("--descriptors", choices=sim_mod.VERSIONS, default=None,
                    help="descriptor layout (default from --version), as make_dead_cluster.py")
    a = ap.parse_args(argv)
    print(write_backup(a.out_dir, a.seed, a.scale, a.descriptors_in_data, a.version,
                       a.descriptors))


if __name__ == "__main__":
    main()
