"""Write CockroachDB BACKUP layouts of the simulated cluster's pre-disaster state.

    python3 contrib/simulator/make_backup.py OUT_DIR [--seed N] [--scale small|medium]
        [--descriptors-in-data] [--version 19.1|23.2] [--descriptors 19.1|23.2]
        [--layout plain|collection|revision|locality|slim]

Re-runs the simulator's model for the seed (no stores are written). Layouts (facts and
sources in docs/backup-format.md):

  plain       OUT_DIR/backup/BACKUP_MANIFEST (plain protobuf) + data/NNN.sst, one full
              non-revision backup at the end time (as 19.x-20.1 write it).
  collection  OUT_DIR/backup is a collection (22.1+ layout): an older full backup
              2025/03/06-000000.00 (at the end of the `load` phase) and the newest,
              2025/03/07-000000.00 (full at the end of `load`), with two incrementals under
              incrementals/2025/03/07-000000.00/20250307/{010000.00,020000.00} (ends of `update1`
              and of `late`: deletions as tombstones), metadata/latest/LATEST-<hex> per full backup
              (the first name is the newest). Manifests gzip'd with BACKUP_MANIFEST-CHECKSUM.
  revision    one full backup with revision_history (mvcc_filter All): every version and
              tombstone up to the end time; --as-of the end of `load`/`update1` reads inside it.
  locality    a full backup over two directories: OUT_DIR/backup (default: game.users,
              game.events) and OUT_DIR/backup-east (region=east: game.snapshots, shop.items, and
              BACKUP_PART_1_region=east, gzip'd BackupPartitionDescriptor).
  slim        23.1+: BACKUP_METADATA (gzip, checksum, has_external_manifest_ssts, placeholder
              file) with filelist.sst and descriptorslist.sst; no BACKUP_MANIFEST.

OUT_DIR/backup-truth.json: the phase end times (wall nanos) and, per table, the row count at each.
At the end time every layout holds expected/all_rows_before_disaster/*.csv exactly.

BackupManifest fields written (numbers from backup.proto): 1 start_time, 2 end_time, 3 spans,
4 files (File {1 span, 2 path, 6 entry_counts {2 rows}, 9 locality_kv}), 5 descriptors, 8
format_version = 1, 9 cluster_id, 13 mvcc_filter, 18 id, 19 partition_descriptor_filenames,
27 has_external_manifest_ssts, 28 elided_prefix (2, with --version 23.2/25.4), File 12
has_range_keys. With --descriptors-in-data the schema is not in the manifest but
in data/000.sst as system.descriptor rows, as a cluster backup's data files hold them.
With --version 23.2 or 25.4 the data files are what MakeBackupSSTWriter writes (Pebblev2,
cockroach_comparator, 128 KiB blocks, merger "nullptr"), keys without their table prefix
(elided_prefix TenantAndTable), and the journals the history deletes by span are MVCC range
tombstones (range keys) in the incremental and revision-history layers that cover them.
Differences from a real BACKUP: for 19.1 SSTs are RocksDB 7.8 files (ldb) with the bytewise
comparator (not cockroach_comparator: a key's versions are adjacent but oldest first); one file per table
instead of one per exported range chunk; no statistics files; LATEST-<hex> names use a
one's-complement of the time text, not CockroachDB's exact descending encoding.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import random
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_dead_cluster as sim_mod  # noqa: E402
import pebble_store  # noqa: E402
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


def versions(sim, table, lo=(0, 0), hi=None):
    """[(roach key, wall, logical, value)] of every committed version of the table's KVs (every
    index: a BACKUP exports the table's whole span) with lo < ts <= hi, in key then time order."""
    prefix = sim_mod.table_prefix(table.id, 0)[:-1]
    out = {}
    for rg in sim.ranges:
        for b in rg.batches:
            if b.phase == "pending":
                continue
            ts = (b.wall, b.logical)
            if not (lo < ts and (hi is None or ts <= hi)):
                continue
            for ek, v in b.puts:
                if ek[-1] == 0:               # intent metadata, not data
                    continue
                rk = ek[:len(ek) - 1 - ek[-1]]
                if rk.startswith(prefix):
                    out[(rk, b.wall, b.logical)] = v
    return sorted((rk, w, l, v) for (rk, w, l), v in out.items())


def purges(sim, table, lo=(0, 0), hi=None):
    """[(start, end, wall, logical)]: the MVCC range tombstones (23.2+: a journal's DELETE by
    span) over the table with lo < ts <= hi."""
    prefix = sim_mod.table_prefix(table.id, 0)[:-1]
    return [(p["start"], p["end"], p["wall"], p["logical"]) for p in sim.purges
            if p["start"].startswith(prefix) and p["phase"] != "pending"
            and lo < (p["wall"], p["logical"]) and (hi is None or (p["wall"], p["logical"]) <= hi)]


def shadowed(rk, ts, rts):
    """Whether one of the range tombstones `rts` covers `rk` above the timestamp `ts`."""
    return any(s <= rk < e and ts < (w, l) for s, e, w, l in rts)


def newest(vs):
    """The newest version of each key of `versions` output (tombstones included)."""
    best = {}
    for rk, w, l, v in vs:
        if rk not in best or (w, l) >= best[rk][1:3]:
            best[rk] = (rk, w, l, v)
    return sorted(best.values())


def latest_kvs(sim, table):
    """{roach key: (wall, logical, value)} newest committed version per key of the table."""
    return {rk: (w, l, v) for rk, w, l, v in newest(versions(sim, table))}


def row_count(sim, table, at):
    primary = sim_mod.table_prefix(table.id)
    rts = purges(sim, table, hi=at)
    return sum(1 for rk, w, l, v in newest(versions(sim, table, hi=at))
               if v and rk.startswith(primary) and rk[-1] == 0x88 and not shadowed(rk, (w, l), rts))


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


class BackupTableWriter(pebble_store.TableWriter):
    """What MakeBackupSSTWriter (pkg/storage/sst_writer.go, 23.x) writes: Pebblev2 row tables
    (range keys; no value prefix), 128 KiB blocks, no filter, merger "nullptr"."""
    FORMAT = 2
    MERGER_NAME = "nullptr"


def write_pebble_sst(root: str, path: str, live, rts, elided: bytes = b""):
    """One backup SST as 23.x writes it: `live` MVCC versions, `rts` MVCC range tombstones as
    Pebble range keys (bounds roach key ‖ 00, suffix the timestamp, empty MVCC value); every
    key without the `elided` prefix (the sink's ElidePrefix)."""
    def cut(k):
        assert k.startswith(elided), (k, elided)
        return k[len(elided):]
    points = [(sim_mod.mvcc_key(cut(rk), w, l), 0, pebble_store.SET, v, False) for rk, w, l, v in live]
    spans = [pebble_store.Span(cut(s) + b"\x00", cut(e) + b"\x00", 0, pebble_store.RANGEKEYSET,
                               sim_mod.mvcc_key(s, w, l)[len(s) + 1:], b"") for s, e, w, l in rts]
    pebble_store.write_table(os.path.join(root, path), points, spans, 128 << 10, BackupTableWriter)


def phase_end(sim, phase):
    return (max(b.wall for rg in sim.ranges for b in rg.batches if b.phase == phase) + 1, 0)


class Writer:
    """Writes one backup directory: data SSTs, then its manifest."""

    def __init__(self, sim, root, start, end, revision=False, descriptors_in_data=False,
                 compress=False, locality=None):
        self.sim, self.root, self.start, self.end = sim, root, start, end
        self.revision, self.descriptors_in_data, self.compress = revision, descriptors_in_data, compress
        self.locality = locality or {}        # table name -> (locality kv, directory)
        # 23.x+: data files as MakeBackupSSTWriter writes them, keys without the table prefix
        # (a new chain's elided_prefix is TenantAndTable; incrementals take the full's).
        self.pebble = sim.version in sim_mod.PEBBLE_VERSIONS
        self.id = bytes(random.Random(hash((root, end))).getrandbits(8) for _ in range(16))
        os.makedirs(os.path.join(root, "data"), exist_ok=True)
        self.files, self.spans, self.parts = [], [], {}

    def data(self, table, n):
        vs = versions(self.sim, table, self.start, self.end)
        rts = purges(self.sim, table, self.start, self.end)
        if not self.revision:
            # The newest version of each key, unless a range tombstone of the window hides it.
            vs = [x for x in newest(vs) if not shadowed(x[0], (x[1], x[2]), rts)]
        if not self.revision and self.start == (0, 0):
            vs = [x for x in vs if x[3]]     # a full non-revision backup exports no tombstones
            rts = []
        start = sim_mod.table_prefix(table.id, 0)[:-1]
        end = sim_mod.table_prefix(table.id + 1, 0)[:-1]
        loc, root = self.locality.get(table.name, ("", self.root))
        path = "data/%03d.sst" % n
        os.makedirs(os.path.join(root, "data"), exist_ok=True)
        if self.pebble and (vs or rts):
            # ElidePrefix_TenantAndTable: the table ID (all of `start`) is left out of every key.
            write_pebble_sst(root, path, vs, rts, elided=start)
        elif vs:
            write_sst(root, path, vs)
        primary = sim_mod.table_prefix(table.id)
        rows = sum(1 for rk, *_ in newest(vs) if rk.startswith(primary) and rk[-1] == 0x88)
        f = Proto().msg(1, span(start, end)).string(2, path).msg(6, Proto().varint(2, rows))
        if rts:
            f.varint(12, 1)                  # has_range_keys
        f.span_start, f.path = start, path
        if loc:
            f.string(9, loc)
            self.parts.setdefault(loc, (root, []))[1].append(f)
        self.spans.append(span(start, end))
        if vs or rts:
            self.files.append(f)

    def manifest(self, lay, name="BACKUP_MANIFEST", slim=False):
        m = Proto()
        if self.start != (0, 0):
            m.msg(1, hlc_timestamp(*self.start))
        m.msg(2, hlc_timestamp(*self.end))
        for sp in self.spans:
            m.msg(3, sp)
        if slim:
            m.msg(4, Proto().msg(1, span(b"", b"\xff\xff")).string(2, "placeholder: files are in filelist.sst"))
        else:
            for f in self.files:
                m.msg(4, f)
        descs = []
        if not self.descriptors_in_data:
            for db in (sim_mod.GAME_DB_ID, sim_mod.SHOP_DB_ID):
                descs.append((db, sim_mod.database_descriptor(sim_mod.DB_NAMES[db], db, lay)))
                if lay != "19.1":
                    descs.append((db + 1000, sim_mod.schema_descriptor(db)))
            if lay != "19.1":
                descs += [(1 << 20 | i, d) for i, (_, d) in enumerate(sim_mod.enum_type_descriptors())]
            for t in sim_mod.USER_TABLES:
                descs.append((t.id, sim_mod.table_descriptor(t, 2, self.end[0], lay)))
        if not slim:
            for _, d in descs:
                m.bytes(5, d)
        m.varint(8, 1).bytes(9, self.sim.cluster_id.bytes)
        if self.pebble:
            m.varint(28, 2)                  # elided_prefix = TenantAndTable
        if self.revision:
            m.varint(13, 1)
        m.bytes(18, self.id)
        for i, loc in enumerate(sorted(self.parts), start=1):
            name_part = "BACKUP_PART_%d_%s" % (i, loc.replace("=", "=").replace(":", "_"))
            m.string(19, name_part)
            root, files = self.parts[loc]
            part = Proto().string(1, loc)
            for f in files:
                part.msg(2, f)
            part.bytes(3, self.id)
            with open(os.path.join(root, name_part), "wb") as out:
                out.write(gzip.compress(part.done()))
        if slim:
            m.varint(27, 1)
            write_engine_sst(self.root, "filelist.sst", sorted(
                (file_list_key(f), f.done()) for f in self.files))
            write_engine_sst(self.root, "descriptorslist.sst", sorted(
                (b"desc/" + sim_mod.uvarint_asc(i), d) for i, d in descs))
        raw = m.done()
        if self.compress or slim:
            raw = gzip.compress(raw, mtime=0)
            with open(os.path.join(self.root, name + "-CHECKSUM"), "wb") as out:
                out.write(hashlib.sha256(raw).digest()[:4])
        with open(os.path.join(self.root, name), "wb") as out:
            out.write(raw)


def bytes_asc(b):
    """pkg/util/encoding EncodeBytesAscending: 0x12, 00 escaped as 00 FF, ends 00 01."""
    return b"\x12" + b.replace(b"\x00", b"\x00\xff") + b"\x00\x01"


def file_list_key(f):
    return bytes_asc(f.span_start) + bytes_asc(f.path.encode())


def write_engine_sst(root, path, kvs):
    """An SST of unversioned engine keys (key ‖ 00), as MakeTransportSSTWriter's PutUnversioned."""
    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "db")
        text = "".join("0x%s ==> 0x%s\n" % ((k + b"\x00").hex().upper(), v.hex().upper()) for k, v in kvs)
        sim_mod.run_ldb(["--db=" + db, "--create_if_missing", "--hex", "--compression_type=snappy", "load"], text)
        sim_mod.run_ldb(["--db=" + db, "compact"])
        ssts = sorted(f for f in os.listdir(db) if f.endswith(".sst"))
        shutil.copy(os.path.join(db, ssts[0]), os.path.join(root, path))


def write_backup(out_dir: str, seed: int = 1, scale: str = "small",
                 descriptors_in_data: bool = False, version: str = "19.1",
                 descriptors: str | None = None, layout: str = "plain"):
    sim = build(seed, scale, version, descriptors)
    lay = sim.descriptors
    root = os.path.join(out_dir, "backup")
    shutil.rmtree(root, ignore_errors=True)
    shutil.rmtree(os.path.join(out_dir, "backup-east"), ignore_errors=True)
    os.makedirs(root)
    end = (max(b.wall for rg in sim.ranges for b in rg.batches) + 1, 0)
    t_load, t_upd1 = phase_end(sim, "load"), phase_end(sim, "update1")
    assert t_load < t_upd1 < end
    tables = sim_mod.USER_TABLES

    def one(w, name="BACKUP_MANIFEST", slim=False):
        if descriptors_in_data:
            w.data(sim_mod.DESCRIPTOR, 0)
        for n, t in enumerate(tables, start=1):
            w.data(t, n)
        w.manifest(lay, name, slim)

    if layout == "plain":
        one(Writer(sim, root, (0, 0), end, descriptors_in_data=descriptors_in_data))
    elif layout == "revision":
        one(Writer(sim, root, (0, 0), end, revision=True, descriptors_in_data=descriptors_in_data))
    elif layout == "slim":
        one(Writer(sim, root, (0, 0), end, descriptors_in_data=descriptors_in_data), "BACKUP_METADATA", slim=True)
    elif layout == "locality":
        east = os.path.join(out_dir, "backup-east")
        loc = {t.name: ("region=east", east) for t in tables[2:]}
        one(Writer(sim, root, (0, 0), end, descriptors_in_data=descriptors_in_data, compress=True, locality=loc))
    elif layout == "collection":
        old, new = "2025/03/06-000000.00", "2025/03/07-000000.00"
        one(Writer(sim, os.path.join(root, old), (0, 0), t_load, descriptors_in_data=descriptors_in_data, compress=True))
        one(Writer(sim, os.path.join(root, new), (0, 0), t_load, descriptors_in_data=descriptors_in_data, compress=True))
        inc = os.path.join(root, "incrementals", new, "20250307")
        one(Writer(sim, os.path.join(inc, "010000.00"), t_load, t_upd1, descriptors_in_data=descriptors_in_data, compress=True))
        one(Writer(sim, os.path.join(inc, "020000.00"), t_upd1, end, descriptors_in_data=descriptors_in_data, compress=True))
        latest = os.path.join(root, "metadata", "latest")
        os.makedirs(latest)
        for when, sub in (("2025-03-06 00:00:00", old), ("2025-03-07 00:00:00", new)):
            name = "LATEST-" + bytes(255 - c for c in when.encode()).hex()
            with open(os.path.join(latest, name), "w") as out:
                out.write("/" + sub)
    else:
        raise SystemExit("unknown layout %r" % layout)
    truth = {"times": {"load": t_load[0], "update1": t_upd1[0], "end": end[0]},
             "rows": {"%s.%s" % (sim_mod.DB_NAMES[t.parent_id], t.name):
                      {k: row_count(sim, t, at) for k, at in (("load", t_load), ("update1", t_upd1), ("end", end))}
                      for t in tables}}
    with open(os.path.join(out_dir, "backup-truth.json"), "w") as out:
        json.dump(truth, out, indent=1, sort_keys=True)
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
    ap.add_argument("--layout", choices=["plain", "collection", "revision", "locality", "slim"], default="plain")
    a = ap.parse_args(argv)
    print(write_backup(a.out_dir, a.seed, a.scale, a.descriptors_in_data, a.version,
                       a.descriptors, a.layout))


if __name__ == "__main__":
    main()
