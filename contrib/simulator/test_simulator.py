"""Self-checks of the dead-cluster simulator.

    python3 -m unittest contrib/simulator/test_simulator.py

The 19.1 stores are read back with the real RocksDB tools (`ldb --hex scan`, `ldb dump_wal`,
`sst_dump`) and decoded here with a small, independent Python decoder (it does not reuse the
generator's encoders), then compared with the ground truth in expected/. The 25.4 stores
(Pebblev7 tables, blob files) are read by this file's own Pebble reader (Pebble25Test).
"""

from __future__ import annotations

import csv
import filecmp
import io
import json
import os
import re
import struct
import subprocess
import sys
import tempfile
import time
import unittest
import uuid
import zlib
from datetime import datetime, timezone
from decimal import Decimal

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import make_dead_cluster as mdc  # noqa: E402
from crdb_encoding import mvcc_key  # noqa: E402

LDB = os.environ.get("LDB", "ldb")

# ---------------------------------------------------------------------------------------------
# Independent decoder


def ldb_scan(store):
    out = subprocess.run([LDB, "--db=" + store, "--hex", "scan"], capture_output=True,
                         text=True, check=True).stdout
    kv = {}
    for line in out.splitlines():
        k, v = line.split(" : ")
        kv[bytes.fromhex(k[2:])] = bytes.fromhex(v[2:])
    return kv


def split_key(ek):
    n = ek[-1]
    if n == 0:
        return ek[:-1], None
    s = len(ek) - 1 - n
    assert ek[s] == 0, ek.hex()
    ver = ek[s + 1:-1]
    if len(ver) == 8:
        return ek[:s], (struct.unpack(">Q", ver)[0], 0)
    assert len(ver) == 12, ek.hex()
    return ek[:s], struct.unpack(">QI", ver)


def pb_parse(b):
    """protobuf -> {field: [values]} (varints as int, length-delimited as bytes)."""
    out, i = {}, 0
    while i < len(b):
        tag, i = uvarint_pb(b, i)
        f, wt = tag >> 3, tag & 7
        if wt == 0:
            v, i = uvarint_pb(b, i)
        elif wt == 1:
            v, i = struct.unpack("<q", b[i:i + 8])[0], i + 8
        elif wt == 2:
            n, i = uvarint_pb(b, i)
            v, i = b[i:i + n], i + n
        else:
            raise ValueError("wire type %d" % wt)
        out.setdefault(f, []).append(v)
    return out


def uvarint_pb(b, i):
    v, shift = 0, 0
    while True:
        c = b[i]
        i += 1
        v |= (c & 0x7F) << shift
        shift += 7
        if c < 0x80:
            return v, i


def zigzag(b, i):
    u, i = uvarint_pb(b, i)
    return (u >> 1) ^ -(u & 1), i


def uvarint_ns(b, i):
    v = 0
    while True:
        c = b[i]
        i += 1
        v = (v << 7) | (c & 0x7F)
        if c < 0x80:
            return v, i


def key_varint(b, i):
    c = b[i]
    if c < 0x88:
        n = 0x88 - c
        return int.from_bytes(b[i + 1:i + 1 + n], "big") - (1 << (8 * n)), i + 1 + n
    if c <= 0xF5:
        return c - 0x88, i + 1
    n = c - 0xF5
    return int.from_bytes(b[i + 1:i + 1 + n], "big"), i + 1 + n


def key_bytes(b, i):
    assert b[i] == 0x12
    out, i = bytearray(), i + 1
    while True:
        j = b.index(0, i)
        out += b[i:j]
        if b[j + 1] == 1:
            return bytes(out), j + 2
        assert b[j + 1] == 0xFF
        out.append(0)
        i = j + 2


def decimal_ns(b):
    m = b[0]
    if m == 0x27:
        return Decimal(0)
    neg = m in (0x1A, 0x25, 0x26)
    i = 1
    e = 0
    if m not in (0x25, 0x29):
        e, i = key_varint(b, 1)
        if m in (0x26, 0x28):
            e = -e
    coeff = int.from_bytes(b[i:], "big")
    nd = len(str(coeff))
    return Decimal((1 if neg else 0, tuple(int(x) for x in str(coeff)), e - nd))


def jsonb_decode(b):
    """JSONB binary -> Python value (numbers as Decimal, or int when integral w/o scale)."""
    def value(typ, payload):
        if typ == 0:
            return None
        if typ == 1:
            return payload.decode("utf-8")
        if typ == 2:
            n, i = uvarint_pb(payload, 0)
            d = decimal_ns(payload[i:i + n])
            return int(d) if d.as_tuple().exponent == 0 else d
        if typ in (3, 4):
            return typ == 4
        if typ == 5:
            return container(payload)
        raise ValueError(typ)

    def container(c):
        header = struct.unpack(">I", c[:4])[0]
        kind, n = header & 0xE0000000, header & 0x1FFFFFFF
        count = 2 * n if kind == 0x40000000 else (1 if kind == 0x20000000 else n)
        entries, end = [], 0
        for j in range(count):
            e = struct.unpack(">I", c[4 + 4 * j:8 + 4 * j])[0]
            typ, x = (e >> 28) & 7, e & 0x0FFFFFFF
            length = x - end if e & 0x80000000 else x
            entries.append((typ, end, length))
            end += length
        base = 4 + 4 * count
        vals = [value(typ, c[base + off:base + off + ln]) for typ, off, ln in entries]
        if kind == 0x20000000:
            return vals[0]
        if kind == 0x80000000:
            return vals
        return dict(zip(vals[:n], vals[n:]))
    return container(b)


def check_value(roach_key, value):
    crc = struct.unpack(">I", value[:4])[0]
    want = zlib.crc32(roach_key + value[4:]) & 0xFFFFFFFF or 1
    return crc == want


def decode_tuple(data, table):
    """TUPLE column list -> {column id: python value}."""
    types = {c["id"]: c["type"] for c in table["columns"]}
    row, i, col = {}, 0, 0
    while i < len(data):
        t, i = uvarint_ns(data, i)
        col += t >> 4
        et = t & 15
        if et == 15:
            et, i = uvarint_ns(data, i)
        typ = types[col]
        if et == 3:
            row[col], i = zigzag(data, i)
        elif et == 6:
            n, i = uvarint_ns(data, i)
            raw = data[i:i + n]
            i += n
            row[col] = raw.decode("utf-8") if typ == "STRING" else raw
        elif et == 5:
            n, i = uvarint_pb(data, i)
            row[col] = decimal_ns(data[i:i + n])
            i += n
        elif et == 8:
            s, i = zigzag(data, i)
            ns, i = zigzag(data, i)
            row[col] = s * 10**6 + ns // 1000
        elif et in (10, 11):
            row[col] = et == 10
        elif et == 15:
            n, i = uvarint_ns(data, i)
            row[col] = jsonb_decode(data[i:i + n])
            i += n
        else:
            raise ValueError("encoding type %d" % et)
    return row


def decode_pk(rk, table):
    """(pk, row prefix, family) of a primary-index key; None for a secondary-index key."""
    i = 0
    _, i = key_varint(rk, i)     # table id
    iid, i = key_varint(rk, i)   # index id
    if iid != 1:
        return None
    pk = {}
    for c in table["primary_key"]["columns"]:
        v, i = key_varint(rk, i)
        pk[c["column_id"]] = ~v if c["direction"] == "DESC" else v
    fam, j = key_varint(rk, i)
    return pk, rk[:i], fam


def mvcc_resolve(kvs):
    """{roach key: (value or None)} latest committed; returns also intents found."""
    versions, intents = {}, {}
    for ek, v in kvs.items():
        rk, ts = split_key(ek)
        if ts is None:
            meta = pb_parse(v)
            if 1 in meta:
                txn = pb_parse(meta[1][0])
                ts_meta = pb_parse(meta[2][0])
                intents[rk] = (txn[1][0], (ts_meta.get(1, [0])[0], ts_meta.get(2, [0])[0]))
            continue
        versions.setdefault(rk, []).append((ts, v))
    latest = {}
    for rk, vs in versions.items():
        vs.sort(reverse=True)
        if rk in intents:
            vs = [x for x in vs if x[0] != intents[rk][1]]
        if vs:
            latest[rk] = vs[0][1]
    return latest, intents


def render_rows(rows, table):
    cols = table["columns"]
    t = mdc.Table(table["table_id"], table["table"], table["database_id"],
                  [mdc.Column(c["id"], c["name"], c["type"], c["nullable"]) for c in cols], [],
                  [(c["column_id"], c["direction"]) for c in table["primary_key"]["columns"]])
    buf = io.StringIO()
    mdc.write_csv_to(buf, t, rows)
    return buf.getvalue()


# ---------------------------------------------------------------------------------------------


class SimulatorTest(unittest.TestCase):
    seed = 7
    scale = os.environ.get("SIM_SCALE", "small")    # SIM_SCALE=medium for the big variant
    descriptors = "19.1"

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="salvage-sim-")
        cls.out = os.path.join(cls.tmp.name, "a")
        t0 = time.time()
        mdc.generate(cls.out, cls.seed, cls.scale, quiet=True, descriptors=cls.descriptors)
        cls.gen_seconds = time.time() - t0
        exp = os.path.join(cls.out, "expected")

        def load(name):
            with open(os.path.join(exp, name), encoding="utf-8") as f:
                return json.load(f)
        cls.all_tables = load("tables.json")
        # this file's decoder knows the game tables' types (INT keys); shop.items (every
        # column type) is checked by Salvage's Swift tests against the same ground truth
        cls.tables = [t for t in cls.all_tables if t["database"] == "game"]
        cls.replicas = load("replicas.json")
        cls.lost = load("lost_spans.json")
        cls.intents = load("intents.json")
        cls.cluster = load("cluster.json")
        cls.kv = {s: ldb_scan(os.path.join(cls.out, "stores", "n%d" % s))
                  for s in cls.cluster["surviving_stores"]}

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def range_kvs(self, store, rg):
        start, end = bytes.fromhex(rg["start_key_hex"]), bytes.fromhex(rg["end_key_hex"])
        out = {}
        for ek, v in self.kv[store].items():
            rk, _ = split_key(ek)
            if rk[:1] not in (b"\x01",) and start <= rk < end:
                out[ek] = v
        return out

    # -- encoding self-test -------------------------------------------------------------------

    def test_spec_6_8_full_row_example(self):
        accounts = mdc.Table(51, "accounts", 50, [
            mdc.Column(1, "id", "INT8", False), mdc.Column(2, "owner", "STRING", True),
            mdc.Column(3, "balance", "DECIMAL", True)],
            [mdc.Family(0, "f0", [1, 3]), mdc.Family(1, "f1", [2], 2)], [(1, "ASC")])
        enc = mdc.encode_row(accounts, {1: 1, 2: "Alice", 3: Decimal("10000.50")})
        self.assertEqual(enc[0][0].hex(), "bb898988")
        self.assertEqual(enc[0][1].hex(), "b244bd870a3505348d0f4272")
        self.assertEqual(enc[1][0].hex(), "bb89898989")
        self.assertEqual(enc[1][1].hex(), "30c8fbd403416c696365")
        self.assertEqual(mvcc_key(enc[0][0], 1489427290811792567).hex(),
                         "bb8989880014ab823acb9bfcb709")
        self.assertEqual(mvcc_key(b"foo", 1643550788737652545, 65535).hex(),
                         "666f6f0016cf10bc050557410000ffff0d")
        # and our decoder reads it back
        self.assertTrue(check_value(enc[0][0], enc[0][1]))
        tbl = {"columns": [{"id": 3, "type": "DECIMAL"}]}
        self.assertEqual(str(decode_tuple(enc[0][1][5:], tbl)[3]), "10000.50")

    def test_jsonb_vectors(self):
        from crdb_encoding import jsonb_encode
        self.assertEqual(jsonb_encode([123]).hex(), "80000001a000000403348b7b")
        self.assertEqual(jsonb_encode([None, 1, "1", {}]).hex(),
                         "8000000480000000200000041000000150000004033489013140000000")
        doc = {"b": [1, Decimal("1.50"), True, False, None], "a": "x\n\"é",
               "log": list(range(40)), "o": {"k": {}}}
        self.assertEqual(jsonb_decode(jsonb_encode(doc)), doc)
        self.assertEqual(jsonb_decode(jsonb_encode("s")), "s")

    # -- stores -------------------------------------------------------------------------------

    def test_store_idents(self):
        for s, kv in self.kv.items():
            meta = pb_parse(kv[b"\x01siden\x00"])
            raw = meta[6][0]
            self.assertTrue(check_value(b"\x01siden", raw))
            ident = pb_parse(raw[5:])
            self.assertEqual(str(uuid.UUID(bytes=ident[1][0])), self.cluster["cluster_id"])
            self.assertEqual((ident[2][0], ident[3][0]), (s, s))

    def test_every_value_checksum(self):
        n = 0
        for kv in self.kv.values():
            for ek, v in kv.items():
                rk, ts = split_key(ek)
                if ts is None:
                    meta = pb_parse(v)
                    if 6 in meta:
                        self.assertTrue(check_value(rk, meta[6][0]), ek.hex())
                        n += 1
                elif v:
                    self.assertTrue(check_value(rk, v), ek.hex())
                    n += 1
        self.assertGreater(n, 100)

    def test_mvcc_history_shape(self):
        """Many rows have 2-4 versions; both 9- and 13-byte suffixes and tombstones occur."""
        versions, suffix_lengths, tombstones = {}, set(), 0
        for kv in self.kv.values():
            for ek, v in kv.items():
                rk, ts = split_key(ek)
                if ts is not None:
                    suffix_lengths.add(ek[-1])
                if ts is None or rk[:1] != b"\xbd":         # /Table/53 (users)
                    continue
                versions.setdefault(rk, set()).add(ts)
                tombstones += not v
        counts = [len(v) for v in versions.values()]
        self.assertGreater(sum(1 for c in counts if c >= 2), len(counts) // 4)
        self.assertTrue(any(c >= 3 for c in counts))
        self.assertEqual(suffix_lengths & {9, 13}, {9, 13})
        self.assertGreater(tombstones, 0)

    def test_layers_sst_l0_and_wal_only(self):
        """Late writes exist only in each survivor's WAL; older ones in SSTs."""
        for s in self.cluster["surviving_stores"]:
            d = os.path.join(self.out, "stores", "n%d" % s)
            logs = [f for f in os.listdir(d) if f.endswith(".log")]
            ssts = [f for f in os.listdir(d) if f.endswith(".sst")]
            self.assertEqual(len(logs), 1)
            self.assertGreaterEqual(len(ssts), 2)
            wal = subprocess.run([LDB, "dump_wal", "--walfile=" + os.path.join(d, logs[0])],
                                 capture_output=True, text=True, check=True).stdout
            wal_keys = set(m.lower() for m in re.findall(r"PUT\(0\) : 0x([0-9A-F]+)", wal))
            sst_keys = set()
            for f in ssts:
                o = subprocess.run(["sst_dump", "--file=" + os.path.join(d, f),
                                    "--command=scan", "--output_hex"], capture_output=True,
                                   text=True).stdout
                sst_keys |= set(m.lower() for m in re.findall(r"'([0-9A-Fa-f]+)' seq:", o))
            self.assertTrue(wal_keys, "store n%d has an empty WAL" % s)
            only_wal = {k for k in wal_keys if k not in sst_keys and not k.startswith("0169")}
            self.assertTrue(only_wal, "store n%d: no data only in the WAL" % s)
        # every intent's metadata key is WAL-only on every store holding it
        for it in self.intents:
            for s in it["surviving_stores_holding_it"]:
                self.assertIn(bytes.fromhex(it["key_hex"]) + b"\x00", self.kv[s])

    def test_resolved_intent_is_an_lsm_deletion(self):
        with open(os.path.join(self.out, "expected", "resolved_intents.json"),
                  encoding="utf-8") as f:
            resolved = json.load(f)
        self.assertTrue(resolved)
        for x in resolved:
            mk = x["metadata_engine_key_hex"]
            self.assertTrue(x["surviving_stores"])
            for s in x["surviving_stores"]:
                self.assertNotIn(bytes.fromhex(mk), self.kv[s])       # scan: deleted
                out = subprocess.run([LDB, "--db=" + os.path.join(self.out, "stores", "n%d" % s),
                                      "--hex", "idump"], capture_output=True, text=True,
                                     check=True).stdout
                entries = [(int(q), k, v) for q, k, v in re.findall(
                    r"'%s' seq:(\d+), type:(\d+) => ([0-9A-F]*)" % mk.upper(), out)]
                self.assertEqual(sorted(k for _, k, _ in entries), ["0", "1"], entries)
                put_seq, _, put = next(e for e in entries if e[1] == "1")
                del_seq = next(q for q, k, _ in entries if k == "0")
                self.assertGreater(del_seq, put_seq)
                meta = pb_parse(bytes.fromhex(put))
                self.assertEqual(str(uuid.UUID(bytes=pb_parse(meta[1][0])[1][0])), x["txn_id"])
                self.assertNotIn(x["key_hex"], [i["key_hex"] for i in self.intents])
                ver = mvcc_key(bytes.fromhex(x["key_hex"]), x["timestamp"]["wall_time"],
                               x["timestamp"]["logical"])
                self.assertIn(ver, self.kv[s])

    # -- ground truth checks -------------------------------------------------------------------

    def test_disaster_shape(self):
        statuses = [r["status"] for r in self.replicas]
        self.assertGreaterEqual(len(self.lost), 1)
        self.assertIn("lost", statuses)
        counts = {len(r["surviving_stores"]) for r in self.replicas}
        self.assertTrue({0, 1, 2, 3} <= counts, counts)
        if self.scale == "small":
            self.assertTrue(10 <= len(self.replicas) <= 20)
        lag_with_peer = [r for r in self.replicas if r["lagging_surviving_stores"]]
        self.assertTrue(lag_with_peer)
        for r in self.replicas:
            self.assertEqual(len(r["replicas"]), 3)
        for lo in self.lost:
            r = next(x for x in self.replicas if x["range_id"] == lo["range_id"])
            self.assertFalse(r["surviving_stores"])
            self.assertGreater(lo["rows_lost"], 0)
        # ranges tile the keyspace
        for a, b in zip(self.replicas, self.replicas[1:]):
            self.assertEqual(a["end_key_hex"], b["start_key_hex"])
        self.assertEqual(self.replicas[0]["start_key_hex"], "")
        self.assertEqual(self.replicas[-1]["end_key_hex"], "ffff")

    def test_applied_state_and_descriptors_on_stores(self):
        by_id = {r["range_id"]: r for r in self.replicas}
        seen = set()
        for s, kv in self.kv.items():
            for ek, v in kv.items():
                rk, ts = split_key(ek)
                if rk.startswith(b"\x01i") and rk.endswith(b"rrask"):
                    rid, _ = key_varint(rk, 2)
                    st = pb_parse(pb_parse(v)[6][0][5:])
                    rep = next(x for x in by_id[rid]["replicas"] if x["store_id"] == s)
                    self.assertEqual(st[1][0], rep["raft_applied_index"])
                    self.assertEqual(st[2][0], rep["lease_applied_index"])
                    seen.add((rid, s))
        want = {(r["range_id"], s) for r in self.replicas for s in r["surviving_stores"]}
        self.assertEqual(seen, want)
        # Meta2 descriptors (newest version) agree with replicas.json
        meta_store = by_id[1]["most_advanced_store"]
        latest, _ = mvcc_resolve({k: v for k, v in self.kv[meta_store].items()
                                  if k[:1] == b"\x03"})
        self.assertEqual(len(latest), len(self.replicas))
        for mk, v in latest.items():
            d = pb_parse(v[5:])
            r = by_id[d[1][0]]
            self.assertEqual(d[2][0].hex(), r["start_key_hex"])
            self.assertEqual(d[3][0].hex(), r["end_key_hex"])
            self.assertEqual(mk[1:].hex(), r["end_key_hex"])
            self.assertEqual(d[6][0], r["generation"])
            reps = sorted((pb_parse(x)[2][0], pb_parse(x)[3][0]) for x in d[4])
            self.assertEqual(reps, sorted((x["store_id"], x["replica_id"])
                                          for x in r["replicas"]))
        # range-local descriptors on each surviving replica
        for r in self.replicas:
            lk = b"\x01k\x12" + bytes.fromhex(r["start_key_hex"]).replace(
                b"\x00", b"\x00\xff") + b"\x00\x01rdsc"
            for s in r["surviving_stores"]:
                self.assertTrue(any(k.startswith(lk + b"\x00") for k in self.kv[s]),
                                (r["range_id"], s))

    def test_schema_from_system_descriptor(self):
        store = next(r for r in self.replicas if r["range_id"] == 3)["most_advanced_store"]
        rows, _ = mvcc_resolve({k: v for k, v in self.kv[store].items()
                                if k[:2] == bytes([0x8B, 0x89])})
        descs = {}
        for rk, v in rows.items():
            if rk.endswith(b"\x8a\x89"):
                did, _ = key_varint(rk, 2)
                self.assertEqual(v[4], 3)                  # BYTES
                descs[did] = pb_parse(v[5:])
        for t in self.all_tables:
            td = pb_parse(descs[t["table_id"]][1][0])
            self.assertEqual(td[1][0].decode(), t["table"])
            self.assertEqual(td[4][0], t["database_id"])
            self.assertEqual(td[5][0], t["descriptor_version"])
            cols = [pb_parse(c) for c in td[8]]
            self.assertEqual([(c[1][0].decode(), c[2][0], bool(c[4][0])) for c in cols],
                             [(c["name"], c["id"], c["nullable"]) for c in t["columns"]])
            fams = [pb_parse(f) for f in td[22]]
            self.assertEqual([(f[1][0].decode(), f[2][0], f.get(4, [])) for f in fams],
                             [(f["name"], f["id"], f["column_ids"]) for f in t["families"]])
            for c, want in zip(cols, t["columns"]):
                typ = pb_parse(c[3][0])
                if self.descriptors == "19.1":       # ColumnType: no OID
                    self.assertNotIn(10, typ, want)
                else:                                # types.T: OID (user types 100000 + id)
                    oid = typ[10][0]
                    self.assertEqual(oid > 100000, want["type"].startswith("ENUM"), want)
                    self.assertEqual(typ[1][0] == 15, want["type"].endswith("[]"), want)
                    if typ[1][0] == 15:
                        self.assertIn(11, typ)       # nested element type
                self.assertEqual(typ[1][0], mdc.types.FAMILY.get(
                    mdc.types.base(want["type"]), 15), want)
            if self.descriptors != "19.1":
                self.assertEqual(td[40][0], t["schema_id"])
            pi = pb_parse(td[10][0])
            self.assertEqual(pi[6], [c["column_id"] for c in t["primary_key"]["columns"]])
            self.assertEqual(pi[8], [0 if c["direction"] == "ASC" else 1
                                     for c in t["primary_key"]["columns"]])
            sec = [pb_parse(x) for x in td.get(11, [])]
            self.assertEqual([(x[1][0].decode(), x[2][0], bool(x[3][0]), x[6]) for x in sec],
                             [(x["name"], x["index_id"], x["unique"],
                               [c["column_id"] for c in x["columns"]]) for x in t["indexes"]])
        # namespace (table 2, or 30 with 23.2 descriptors): databases and tables -> their ids
        new_ns = self.descriptors != "19.1"
        ns_prefix = bytes([0xA6, 0x89]) if new_ns else bytes([0x8A, 0x89])
        rg = next(r for r in self.replicas if bytes.fromhex(r["start_key_hex"]) <= ns_prefix
                  and (r["end_key_hex"] == "ffff" or ns_prefix < bytes.fromhex(r["end_key_hex"])))
        ns, _ = mvcc_resolve({k: v for k, v in self.kv[rg["most_advanced_store"]].items()
                              if k[:2] == ns_prefix})
        names = {}
        for rk, v in ns.items():
            if rk.endswith(b"\x8c\x89" if new_ns else b"\x8b\x89"):
                pid, i = key_varint(rk, 2)
                sid = None
                if new_ns:
                    sid, i = key_varint(rk, i)
                name, _ = key_bytes(rk, i)
                names[(pid, name.decode())] = zigzag(v, 5)[0]
                if new_ns and pid in (52, 56) and name != b"public":
                    self.assertEqual(sid, mdc.PUBLIC_SCHEMA[pid])
        self.assertEqual(names[(0, "game")], 52)
        self.assertEqual(names[(0, "shop")], 56)
        for t in self.all_tables:
            self.assertEqual(names[(t["database_id"], t["table"])], t["table_id"])
        if new_ns:
            self.assertEqual(names[(56, "status")], 60)
            self.assertEqual(names[(56, "public")], 59)
            enum = pb_parse(descs[60][3][0])
            members = [pb_parse(m) for m in enum[6]]
            self.assertEqual([(m[2][0].decode(), m[1][0]) for m in members],
                             [(label, phys) for label, phys in mdc.ENUM_MEMBERS])
        else:
            self.assertNotIn(60, descs)

    def recover(self, choose):
        """Mini recovery: for each range take the replica `choose` picks, MVCC-resolve."""
        out = {t["table_id"]: {} for t in self.tables}
        tables = {t["table_id"]: t for t in self.tables}
        for r in self.replicas:
            if r["table_id"] not in tables:
                continue
            for store in choose(r):
                latest, _ = mvcc_resolve(self.range_kvs(store, r))
                t = tables[r["table_id"]]
                for rk, v in latest.items():
                    if decode_pk(rk, t) is None:
                        continue
                    pk, prefix, fam = decode_pk(rk, t)
                    row = out[t["table_id"]].setdefault(prefix, {"_fams": {}})
                    row["_fams"][fam] = v
                    row.update(pk)
        result = {}
        for tid, rows in out.items():
            res = []
            for prefix, row in rows.items():
                fams = row.pop("_fams")
                if not fams.get(0):           # sentinel family deleted/absent -> no row
                    continue
                for v in fams.values():
                    if v:
                        self.assertEqual(v[4], 10)
                        row.update(decode_tuple(v[5:], tables[tid]))
                res.append(row)
            result[tid] = res
        return result

    def test_recovery_matches_expected_csv(self):
        rows = self.recover(lambda r: [r["most_advanced_store"]] if r["most_advanced_store"]
                            else [])
        for t in self.tables:
            with open(os.path.join(self.out, "expected", t["csv"]), encoding="utf-8") as f:
                self.assertEqual(render_rows(rows[t["table_id"]], t), f.read(), t["table"])

    def test_destroyed_stores_hold_the_pre_disaster_truth(self):
        for s in self.cluster["destroyed_stores"]:
            self.kv[s] = ldb_scan(os.path.join(self.out, "destroyed", "n%d" % s))
        try:
            def up_to_date(r):
                return [next(x["store_id"] for x in r["replicas"] if x["up_to_date"])]
            rows = self.recover(up_to_date)
        finally:
            for s in self.cluster["destroyed_stores"]:
                del self.kv[s]
        for t in self.tables:
            p = os.path.join(self.out, "expected", "all_rows_before_disaster", t["csv"])
            with open(p, encoding="utf-8") as f:
                self.assertEqual(render_rows(rows[t["table_id"]], t), f.read(), t["table"])

    def test_secondary_index_entries_match_rows(self):
        """Before the disaster (every store), each live row has exactly its index entries:
        users_email_key (UNIQUE email; a NULL email carries the id in the key) and
        events_kind_at_idx (kind ASC, at DESC, then the PK ascending; STORING body)."""
        for s in self.cluster["destroyed_stores"]:
            self.kv[s] = ldb_scan(os.path.join(self.out, "destroyed", "n%d" % s))
        try:
            latest = {}
            for r in self.replicas:
                if r["table_id"] is None:
                    continue
                store = next(x["store_id"] for x in r["replicas"] if x["up_to_date"])
                latest.update(mvcc_resolve(self.range_kvs(store, r))[0])
        finally:
            for s in self.cluster["destroyed_stores"]:
                del self.kv[s]
        got = {53: set(), 54: set()}
        for rk, v in latest.items():
            tid, i = key_varint(rk, 0)
            iid, i = key_varint(rk, i)
            if iid != 2 or not v:
                continue
            self.assertEqual(v[4], 3)                     # BYTES, not a TUPLE
            if tid == 53:
                if rk[i] == 0:                            # NULL email: id in the key too
                    uid, j = key_varint(rk, i + 1)
                    self.assertEqual(key_varint(v, 5)[0], uid)
                    got[53].add((None, uid))
                else:
                    email, j = key_bytes(rk, i)
                    got[53].add((email.decode(), key_varint(v, 5)[0]))
                self.assertEqual(rk[j:], b"\x88")
            elif tid == 54:
                kind, i = key_bytes(rk, i)
                self.assertEqual(rk[i], 0x14)
                secs, i = key_varint(rk, i + 1)
                nanos, i = key_varint(rk, i)
                uid, i = key_varint(rk, i)
                seq, i = key_varint(rk, i)                # ascending although the PK is DESC
                self.assertEqual(rk[i:], b"\x88")
                stored = decode_tuple(v[5:], next(t for t in self.tables if t["table_id"] == 54))
                got[54].add((kind.decode(), ~secs * 10**6 + ~nanos // 1000, uid, seq,
                             stored.get(4)))
        want = {53: set(), 54: set()}
        with open(os.path.join(self.out, "expected", "all_rows_before_disaster", "users.csv"),
                  encoding="utf-8") as f:
            for line in csv.reader(f):
                want[53].add((None if line[2] == "\\N" else line[2], int(line[0])))
        with open(os.path.join(self.out, "expected", "all_rows_before_disaster", "events.csv"),
                  encoding="utf-8") as f:
            for line in csv.reader(f):
                at = datetime.strptime(line[4], "%Y-%m-%dT%H:%M:%S.%f").replace(
                    tzinfo=timezone.utc) if "." in line[4] else datetime.strptime(
                    line[4], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc)
                us = int(at.timestamp()) * 10**6 + at.microsecond
                body = None if line[3] == "\\N" else bytes.fromhex(line[3][2:])
                want[54].add((line[2], us, int(line[0]), int(line[1]), body))
        self.assertEqual(got[53], want[53])
        self.assertEqual(got[54], want[54])
        self.assertGreater(len(got[54]), 10)

    def test_naive_union_resurrects_deleted_rows(self):
        best = self.recover(lambda r: [r["most_advanced_store"]] if r["most_advanced_store"]
                            else [])
        resurrected = 0
        for t in self.tables:
            pkc = [c["column_id"] for c in t["primary_key"]["columns"]]
            good = {tuple(r[c] for c in pkc) for r in best[t["table_id"]]}
            # "union": rows live on any surviving replica
            for r in self.replicas:
                if r["table_id"] != t["table_id"]:
                    continue
                for s in r["lagging_surviving_stores"]:
                    latest, _ = mvcc_resolve(self.range_kvs(s, r))
                    for rk, v in latest.items():
                        if decode_pk(rk, t) is None:
                            continue
                        pk, _, fam = decode_pk(rk, t)
                        if fam == 0 and v and tuple(pk[c] for c in pkc) not in good:
                            resurrected += 1
        self.assertGreater(resurrected, 0)

    def test_intents(self):
        self.assertGreaterEqual(len(self.intents), 1)
        tables = {t["database"] + "." + t["table"]: t for t in self.all_tables}
        for it in self.intents:
            key = bytes.fromhex(it["key_hex"])
            self.assertTrue(it["surviving_stores_holding_it"])
            for s in it["surviving_stores_holding_it"]:
                kv = self.kv[s]
                meta = pb_parse(kv[key + b"\x00"])
                txn = pb_parse(meta[1][0])
                self.assertEqual(str(uuid.UUID(bytes=txn[1][0])), it["txn_id"])
                ts = pb_parse(meta[2][0])
                self.assertEqual((ts[1][0], ts[2][0]), (it["timestamp"]["wall_time"],
                                                        it["timestamp"]["logical"]))
                ver = mvcc_key(key, it["timestamp"]["wall_time"], it["timestamp"]["logical"])
                self.assertEqual(kv[ver].hex(), it["provisional_value_hex"])
                if it["index_id"] == 1:   # the record sits with the row, maybe in another range
                    self.assertIn(bytes.fromhex(it["txn_record_key_hex"]) + b"\x00", kv)
            # the provisional write is not in the expected output
            t = tables[it["table"]]
            with open(os.path.join(self.out, "expected", t["csv"]), encoding="utf-8") as f:
                text = f.read()
            if "pending rename" in bytes.fromhex(it["provisional_value_hex"]).decode(
                    "utf-8", "replace"):
                self.assertNotIn("pending rename", text)
            pk = ",".join(str(x) for x in it["primary_key"]) + ","
            present = any(line.startswith(pk) for line in text.splitlines())
            self.assertEqual(present, not it["what"].startswith("insert of a new row"), it)

    def test_determinism(self):
        other = os.path.join(self.tmp.name, "b")
        mdc.generate(other, self.seed, self.scale, quiet=True, descriptors=self.descriptors)
        cmp = filecmp.dircmp(os.path.join(self.out, "expected"), os.path.join(other, "expected"))
        self.assertFalse(cmp.left_only or cmp.right_only)
        for root, _, files in os.walk(os.path.join(self.out, "expected")):
            for f in files:
                a = os.path.join(root, f)
                b = os.path.join(other, "expected", os.path.relpath(a, os.path.join(
                    self.out, "expected")))
                self.assertTrue(filecmp.cmp(a, b, shallow=False), a)
        # and the stores hold the same key/values (file bytes differ: RocksDB ids, times)
        for s in self.cluster["surviving_stores"]:
            self.assertEqual(ldb_scan(os.path.join(other, "stores", "n%d" % s)), self.kv[s])
        third = os.path.join(self.tmp.name, "c")
        mdc.generate(third, self.seed + 1, self.scale, quiet=True, descriptors=self.descriptors)
        with open(os.path.join(third, "expected", "users.csv"), encoding="utf-8") as f, \
                open(os.path.join(self.out, "expected", "users.csv"), encoding="utf-8") as g:
            self.assertNotEqual(f.read(), g.read())


# ---------------------------------------------------------------------------------------------
# 25.4 stores: an independent reader of Pebblev7 tables, v2 blob files, MANIFEST and WAL
# (spec §1.3, §2, §5.2-5.3, §6, §7), checked on Pebble-written fixtures first.

FIXTURES = os.path.join(HERE, "..", "..", "..", "shared", "fixtures", "pebble-gen")


def uv(b, i):
    n = s = 0
    while True:
        c = b[i]
        n |= (c & 0x7F) << s
        i += 1
        if c < 0x80:
            return n, i
        s += 7


def mcrc(data):
    import crc32c
    c = crc32c.crc32c(data)
    return (((c >> 15) | (c << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def read_block(buf, off, n):
    """Checksum-verified, decompressed block bytes (types 0 none, 1 Snappy, 7 zstd)."""
    import cramjam
    data, t = buf[off:off + n], buf[off + n]
    assert struct.unpack("<I", buf[off + n + 1:off + n + 5])[0] == mcrc(buf[off:off + n + 1])
    if t == 0:
        return bytes(data)
    if t == 1:
        return bytes(cramjam.snappy.decompress_raw(data))
    assert t == 7, t
    _, i = uv(data, 0)
    return bytes(cramjam.zstd.decompress(data[i:]))


class Cols:
    """A columnar block: header after `custom` bytes, columns by index (§6.1)."""

    def __init__(self, b, custom=0):
        self.b = b
        _, ncols, self.rows = struct.unpack("<BHI", b[custom:custom + 7])
        self.cols = [struct.unpack("<BI", b[custom + 7 + 5 * i:custom + 12 + 5 * i])
                     for i in range(ncols)]

    def start(self, i):
        return self.cols[i][1]

    def uints(self, i, n):
        b, off = self.b, self.start(i)
        if n == 0:
            return []
        enc = b[off]
        w, off = enc & 0x7F, off + 1
        base = 0
        if enc & 0x80:
            base, off = struct.unpack("<Q", b[off:off + 8])[0], off + 8
        if w == 0:
            return [base] * n
        off += (-off) % w
        return [base + int.from_bytes(b[off + k * w:off + (k + 1) * w], "little")
                for k in range(n)]

    def raw(self, i, n):
        if n == 0:
            return []
        offs = self.uints(i, n + 1)
        b, off = self.b, self.start(i)
        enc = b[off]
        w = enc & 0x7F
        data = off + 1 + ((-(off + 1)) % w if w > 1 else 0) + (n + 1) * w
        return [b[data + offs[k]:data + offs[k + 1]] for k in range(n)]

    def prefix(self, i, n):
        """PrefixBytes (§6.4): shared prefix ‖ bundle prefix ‖ row suffix; an empty suffix
        repeats the previous row of the bundle."""
        b, off = self.b, self.start(i)
        shift = b[off]
        nb = 1 + ((n - 1) >> shift)
        sub = Cols.__new__(Cols)
        sub.b, sub.cols = b, [(3, off + 1)]
        sl = sub.raw(0, n + nb)             # sl[k] = data[o[k]:o[k+1]]
        w = b[off + 1] & 0x7F
        o0 = int.from_bytes(b[off + 2 + (-(off + 2)) % w:][:w], "little") if w else 0
        data = off + 2 + ((-(off + 2)) % w if w > 1 else 0) + (n + nb + 1) * w
        shared = b[data:data + o0]
        keys = []
        for r in range(n):
            k = (r >> shift) * ((1 << shift) + 1)
            j = 1 + (r >> shift) + r
            while not sl[j] and j > k + 1:
                j -= 1
            keys.append(shared + sl[k] + sl[j])
        return keys

    def bits(self, i, n):
        b, off = self.b, self.start(i)
        if b[off] == 1:
            return [False] * n
        off += 1
        off += (-off) % 8
        return [bool(b[off + (r >> 6) * 8 + ((r & 63) >> 3)] >> (r & 7) & 1) for r in range(n)]


def engine_key(roach, wall, logical, untyped):
    if untyped:
        return roach + b"\0" + untyped + bytes([len(untyped) + 1])
    if not wall and not logical:
        return roach + b"\0"
    if not logical:
        return roach + b"\0" + struct.pack(">Q", wall) + b"\x09"
    return roach + b"\0" + struct.pack(">QI", wall, logical) + b"\x0d"


def data_block_rows(b):
    """crdb1 data block (§6.5) → [(user key, trailer, stored value, external, same, obsolete)]."""
    c = Cols(b, 5)
    n = c.rows
    keys = [engine_key(*x) for x in zip(c.prefix(0, n), c.uints(1, n), c.uints(2, n),
                                        c.raw(3, n))]
    return list(zip(keys, c.uints(4, n), c.raw(6, n), c.bits(7, n),
                    [not x for x in c.bits(5, n)], c.bits(8, n)))


def kv_block(b):
    c = Cols(b)
    return dict(zip(c.raw(0, c.rows), c.raw(1, c.rows)))


def handle(v):
    off, i = uv(v, 0)
    n, _ = uv(v, i)
    return off, n


def read_table(path):
    """A Pebblev7 table: points (user key, seq, kind, stored value, external), spans, blocks."""
    with open(path, "rb") as fh:
        buf = fh.read()
    f = buf[-61:]
    assert f[-8:] == b"\xf0\x9f\xaa\xb3\xf0\x9f\xaa\xb3" and struct.unpack("<I", f[49:53])[0] == 7
    assert struct.unpack("<I", f[45:49])[0] == mcrc(f[:45] + f[49:])
    mo, i = uv(f, 1)
    mn, i = uv(f, i)
    io_, i = uv(f, i)
    in_, i = uv(f, i)
    meta = {k: handle(v) for k, v in kv_block(read_block(buf, mo, mn)).items()}
    props = kv_block(read_block(buf, *meta[b"rocksdb.properties"]))
    assert props[b"pebble.colblk.schema"] == b"crdb1"
    idx = Cols(read_block(buf, io_, in_))
    t = dict(points=[], blocks=[], meta=meta, props=props, attrs=struct.unpack("<I", f[41:45])[0],
             index=idx, buf=buf, spans=[])
    for off, n in zip(idx.uints(1, idx.rows), idx.uints(2, idx.rows)):
        raw = read_block(buf, off, n)
        t["blocks"].append(raw)
        for uk, tr, v, ext, _, _ in data_block_rows(raw):
            t["points"].append((uk, tr >> 8, tr & 0xFF, v, ext))
    for name in (b"rocksdb.range_del2", b"pebble.range_key"):
        if name in meta:
            c = Cols(read_block(buf, *meta[name]), 4)
            nb = struct.unpack("<I", c.b[:4])[0]
            bounds, ix = c.raw(0, nb), c.uints(1, nb)
            trs, sufs, vals = c.uints(2, c.rows), c.raw(3, c.rows), c.raw(4, c.rows)
            for s in range(nb - 1):
                for k in range(ix[s], ix[s + 1]):
                    t["spans"].append((bounds[s], bounds[s + 1], trs[k] >> 8, trs[k] & 0xFF,
                                       sufs[k], vals[k]))
    return t


def read_blob(path):
    """A v2 blob file → [[values of block 0], …] (§5.3)."""
    with open(path, "rb") as fh:
        buf = fh.read()
    f = buf[-70:]
    assert f[-8:] == b"\xf0\x9f\xaa\xb3\xf0\x9f\xa6\x82" and f[21] == 2
    assert struct.unpack("<I", f[:4])[0] == mcrc(f[4:])
    io_, in_ = struct.unpack("<QQ", f[4:20])
    c = Cols(read_block(buf, io_, in_), 4)
    assert struct.unpack("<I", c.b[:4])[0] == 0
    ends = c.uints(1, c.rows + 1)
    out = []
    for a, e in zip(ends, ends[1:]):
        vb = Cols(read_block(buf, a, e - a - 5))
        out.append(vb.raw(0, vb.rows))
    return out


def read_records(path):
    """Records of a MANIFEST or WAL (legacy, recyclable and WAL-sync chunks, §7.3)."""
    with open(path, "rb") as fh:
        buf = fh.read()
    recs, cur, pos = [], b"", 0
    while pos + 7 <= len(buf):
        blk_left = 32768 - pos % 32768
        if blk_left < 7:
            pos += blk_left
            continue
        crc, n, t = struct.unpack("<IHB", buf[pos:pos + 7])
        if crc == 0 and n == 0 and t == 0:
            pos += blk_left
            continue
        h = 7 if t <= 4 else 11 if t <= 8 else 19
        assert crc == mcrc(buf[pos + 6:pos + h + n]), (path, pos)
        cur += buf[pos + h:pos + h + n]
        if (t - 1) % 4 in (0, 3):
            recs.append(cur)
            cur = b""
        pos += h + n
    return recs


def read_manifest(path):
    """Tables {num: (level, [blob file ids])} and blob files {id: disk num} (§7.2)."""
    tables, blobs = {}, {}
    for r in read_records(path):
        i = 0
        while i < len(r):
            tag, i = uv(r, i)
            if tag == 1:
                n, i = uv(r, i)
                i += n
            elif tag in (2, 3, 4):
                _, i = uv(r, i)
            elif tag in (103, 104):
                level, i = uv(r, i)
                num, i = uv(r, i)
                _, i = uv(r, i)
                nkeys = 2
                if tag == 104:
                    marker = r[i]
                    i += 1
                    nkeys = 4 if marker & 1 else 2
                for _ in range(nkeys):
                    n, i = uv(r, i)
                    i += n
                _, i = uv(r, i)
                _, i = uv(r, i)
                refs = []
                while True:
                    ct, i = uv(r, i)
                    if ct == 1:
                        break
                    if ct == 69:
                        _, i = uv(r, i)
                        cnt, i = uv(r, i)
                        for _ in range(cnt):
                            fid, i = uv(r, i)
                            _, i = uv(r, i)
                            refs.append(fid)
                    else:
                        n, i = uv(r, i)
                        i += n
                tables[num] = (level, refs)
            elif tag == 107:
                fid, i = uv(r, i)
                num, i = uv(r, i)
                for _ in range(3):
                    _, i = uv(r, i)
                blobs[fid] = num
            else:
                raise AssertionError("tag %d" % tag)
    return tables, blobs


def read_store25(path):
    """Every internal entry of a store: {(user key, seq, kind): value}, blob values resolved,
    plus spans; and how many values came from blob files."""
    tables, blobs = read_manifest(os.path.join(path, "MANIFEST-000001"))
    blob_data = {fid: read_blob(os.path.join(path, "%06d.blob" % num))
                 for fid, num in blobs.items()}
    entries, spans, from_blobs = {}, [], 0
    for num, (level, refs) in tables.items():
        t = read_table(os.path.join(path, "%06d.sst" % num))
        for uk, seq, kind, v, ext in t["points"]:
            if ext:
                assert v[0] & 0xC0 == 0x40, v.hex()
                ref, i = uv(v, 1)
                n, i = uv(v, i)
                blk, i = uv(v, i)
                vid, i = uv(v, i)
                v = blob_data[refs[ref]][blk][vid]
                assert len(v) == n
                from_blobs += 1
            entries[(uk, seq, kind)] = v
        spans += t["spans"]
    for rec in read_records(os.path.join(path, "000009.log")):
        seq, count = struct.unpack("<QI", rec[:12])
        i = 12
        for k in range(count):
            kind = rec[i]
            n, i = uv(rec, i + 1)
            key, i = rec[i:i + n], i + n
            v = b""
            if kind not in (0, 7):
                n, i = uv(rec, i)
                v, i = rec[i:i + n], i + n
            if kind in (15, 21):
                spans.append((key, seq + k, kind, v))
            else:
                entries[(key, seq + k, kind)] = v
    return entries, spans, from_blobs


def roach(ek):
    return ek[:len(ek) - 1 - ek[-1]] if ek[-1] else ek[:-1]


def visible(entries, spans):
    """Newest entry per user key if it is a SET not deleted by a newer RANGEDEL."""
    dels = [(roach(sp[0]), roach(sp[1]), sp[2]) for sp in spans if sp[3] == 15 and len(sp) == 6]
    dels += [(roach(sp[0]), roach(sp[3]), sp[1]) for sp in spans if sp[2] == 15 and len(sp) == 4]
    newest = {}
    for (k, seq, kind), v in entries.items():
        if k not in newest or seq > newest[k][0]:
            newest[k] = (seq, kind, v)
    return {k: v for k, (seq, kind, v) in newest.items() if kind in (1, 18) and not any(
        lo <= roach(k) < hi and dseq > seq for lo, hi, dseq in dels)}


def model(l6, l0, wal):
    """What the writer was given, through pebble_demo's LSM model (seqnums from 10)."""
    import pebble_demo
    seqd, seq = [], 10
    for op in l6 + l0 + [op for b in wal for op in b]:
        seqd.append((seq, op))
        seq += 1
    return dict(pebble_demo.visible_model(seqd)[0])


class Pebble25Test(unittest.TestCase):
    """--version 25.4: the encoders reproduce Pebble-written blocks byte for byte, and the
    stores read back (through the reader above) to exactly what the writer was given."""

    def test_encoders_reproduce_pebble_blocks(self):
        import pebble_blob as pb
        import pebble_colblk as pc
        store = os.path.join(FIXTURES, "store")
        checked = 0
        for name in ("000011.sst", "000013.sst"):
            t = read_table(os.path.join(store, name))
            for i, raw in enumerate(t["blocks"]):
                blk = pc.DataBlock()
                rows = data_block_rows(raw)
                # the next block's first key was added before Pebble cut this block
                nxt = data_block_rows(t["blocks"][i + 1])[:1] if i + 1 < len(t["blocks"]) else []
                for uk, tr, v, ext, same, obs in rows + nxt:
                    blk.add(uk, tr, v, ext, same, obs)
                self.assertEqual(blk.finish(len(rows)), raw, (name, i))
                checked += 1
            idx = t["index"]
            cols = [pc.RawBytesColumn(), pc.UintColumn(), pc.UintColumn(), pc.RawBytesColumn()]
            for i, (s, o, n, p) in enumerate(zip(idx.raw(0, idx.rows), idx.uints(1, idx.rows),
                                                 idx.uints(2, idx.rows), idx.raw(3, idx.rows))):
                cols[0].put(s)
                cols[1].set(i, o)
                cols[2].set(i, n)
                cols[3].put(p)
            self.assertEqual(pc.encode_block(b"", idx.rows, [(c, idx.rows) for c in cols]),
                             idx.b, name)
            for blk_name in (b"rocksdb.properties",):
                raw = read_block(t["buf"], *t["meta"][blk_name])
                kv = pc.KeyValueBlock()
                for k, v in kv_block(raw).items():
                    kv.add(k, v)
                self.assertEqual(kv.finish(), raw, name)
            ref = Cols(read_block(t["buf"], *t["meta"][b"pebble.blob_ref_index"]))
            live = {}
            for uk, seq, kind, v, ext in t["points"]:
                if ext and v[0] & 0xC0 == 0x40:
                    r, i = uv(v, 1)
                    n, i = uv(v, i)
                    blk_id, i = uv(v, i)
                    vid, i = uv(v, i)
                    live.setdefault(r, []).append((blk_id, vid, n))
            self.assertEqual([pc.liveness_encoding(live[r]) for r in sorted(live)],
                             ref.raw(0, ref.rows), name)
            checked += 1
        # Blob files: the same values through the writer with the store's 4 KiB blocks give
        # the Pebble-written file byte for byte (block cuts, Snappy choices, index,
        # properties, footer).
        tmp = tempfile.mkdtemp(prefix="salvage-blob-")
        for name in ("000007.blob", "000010.blob", "000014.blob"):
            out = os.path.join(tmp, name)
            bw = pb.BlobFileWriter(out, int(name[:6]), 4096)
            for vals in read_blob(os.path.join(store, name)):
                for v in vals:
                    bw.add(v)
            bw.finish()
            with open(os.path.join(store, name), "rb") as f, open(out, "rb") as g:
                self.assertEqual(g.read(), f.read(), name)
            checked += 1
        self.assertEqual(checked, 15)

    def test_demo_store_reads_back(self):
        """pebble_demo's history (L6, L0 with a RANGEDEL and a range key, WAL) with every
        third L6 value and every other L0 value made large."""
        import pebble_demo
        from pebble_colblk import FORMAT_25_4
        from pebble_store import SET, Op, write_store
        l6, l0, wal = pebble_demo.demo_ops()
        big = lambda op, on: Op(op.kind, op.key, (op.value * 60)[:256 + len(op.value) * 9]  # noqa
                                if on and op.kind == SET and op.value else op.value, op.span)
        l6 = [big(op, i % 3 == 0) for i, op in enumerate(l6)]
        l0 = [big(op, i % 2 == 0) for i, op in enumerate(l0)]
        with tempfile.TemporaryDirectory(prefix="salvage-sim25-") as d:
            info = write_store(os.path.join(d, "s"), l6, l0, wal, 4096, FORMAT_25_4)
            self.assertEqual(sorted(info["blob_files"]), [4, 6, 8])
            entries, spans, from_blobs = read_store25(os.path.join(d, "s"))
            self.assertEqual(from_blobs, sum(1 for op in l6 + l0 if len(op.value) >= 256) -
                             self.shadowed(l6))
            self.assertEqual(visible(entries, spans), model(l6, l0, wal))

    @staticmethod
    def shadowed(l6):
        """Large L6 values the bottommost compaction dropped (a newer entry of the key)."""
        last = {}
        for i, op in enumerate(l6):
            last[op.key] = i
        return sum(1 for i, op in enumerate(l6) if len(op.value) >= 256 and last[op.key] != i)

    def test_cluster_stores_read_back(self):
        """A small --version 25.4 cluster: every store's tables reference blob files for
        values of several tables, and each store reads back to what the writer was given."""
        with tempfile.TemporaryDirectory(prefix="salvage-sim25-") as d:
            res = mdc.generate(d, 7, "small", quiet=True, version="25.4")
            sim = res["sim"]
            in_blobs = set()
            for store, w in sorted(res["written"].items()):
                where = "stores" if store in sim.survivors else "destroyed"
                entries, spans, from_blobs = read_store25(os.path.join(d, where, "n%d" % store))
                self.assertGreater(from_blobs, 10, store)
                # events 54, snapshots 55, items 57 (/Table/<id> is 0x88 + id): each one the
                # store holds a replica of has values in its blob files
                held = {k[0] - 0x88 for (k, _, _) in entries} & {54, 55, 57}
                big = {k[0] - 0x88 for (k, _, _), v in entries.items() if len(v) >= 256}
                self.assertTrue(held and held <= big, (store, held, big))
                if store in sim.survivors:
                    in_blobs |= big
                st = w["steps"]
                flat = lambda bs: [op for b in bs for op in b]  # noqa: E731
                self.assertEqual(visible(entries, spans),
                                 model(flat(st["A"]), flat(st["B"]), st["C"]), store)
            self.assertTrue({54, 55, 57} <= in_blobs, in_blobs)


class LargeClusterTest(unittest.TestCase):
    """make_large_cluster.py's range splits, on a small cluster grown by 20 000 bulk rows and
    split at 0.5 MiB: descriptors tile the keyspace, every split is at a row boundary, and each
    piece's applied state holds the MVCC stats of what its most advanced store holds."""
    range_bytes = 2**19

    @classmethod
    def setUpClass(cls):
        import make_large_cluster
        cls.tmp = tempfile.TemporaryDirectory(prefix="salvage-sim-large-")
        cls.out = os.path.join(cls.tmp.name, "a")
        make_large_cluster.main([cls.out, "--gb", "0.001", "--batch", "20000", "--range-mb", "0.5",
                                 "--seed", "3", "--", "--scale", "small"])
        def load(name):
            with open(os.path.join(cls.out, "expected", name), encoding="utf-8") as f:
                return json.load(f)
        cls.replicas, cls.bulk, cls.cluster = load("replicas.json"), load("bulk.json"), load("cluster.json")
        cls.kv = {s: ldb_scan(os.path.join(cls.out, "stores", "n%d" % s))
                  for s in cls.cluster["surviving_stores"]}

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_ranges_were_split_at_row_boundaries(self):
        pieces = self.bulk["ranges"]
        self.assertGreater(len(pieces), 10)
        self.assertEqual(sum(p["live_count"] for p in pieces) >= self.bulk["recoverable_rows"], True)
        ends = [r["end_key_hex"] for r in self.replicas]
        self.assertEqual([r["start_key_hex"] for r in self.replicas[1:]], ends[:-1])   # a tiling
        self.assertEqual(self.replicas[-1]["end_key_hex"], "ffff")
        self.assertEqual(len({r["range_id"] for r in self.replicas}), len(self.replicas))
        prefix = mdc.table_prefix(mdc.EVENTS.id)
        for p in pieces:
            for k in (bytes.fromhex(p["start_key_hex"]), bytes.fromhex(p["end_key_hex"])):
                if k.startswith(prefix):          # /Table/54/1/<user_id>: nothing after the ID
                    self.assertEqual(key_varint(k, len(prefix))[1], len(k), k.hex())
            self.assertLessEqual(p["live_bytes"], self.range_bytes + 200_000, p)

    def test_descriptors_and_applied_states(self):
        by_id = {r["range_id"]: r for r in self.replicas}
        meta_store = by_id[1]["most_advanced_store"]
        latest, _ = mvcc_resolve({k: v for k, v in self.kv[meta_store].items() if k[:1] == b"\x03"})
        self.assertEqual(len(latest), len(self.replicas))
        for mk, v in latest.items():
            d = pb_parse(v[5:])
            r = by_id[d[1][0]]
            self.assertEqual((d[2][0].hex(), d[3][0].hex(), mk[1:].hex(), d[6][0]),
                             (r["start_key_hex"], r["end_key_hex"], r["end_key_hex"], r["generation"]))
        pieces = {p["range_id"]: p for p in self.bulk["ranges"]}
        for r in self.replicas:
            start, end = bytes.fromhex(r["start_key_hex"]), bytes.fromhex(r["end_key_hex"])
            lk = b"\x01k\x12" + start.replace(b"\x00", b"\x00\xff") + b"\x00\x01rdsc"
            for s in r["surviving_stores"]:
                kv = self.kv[s]
                desc, _ = mvcc_resolve({k: v for k, v in kv.items() if split_key(k)[0] == lk})
                d = pb_parse(desc[lk][5:])
                self.assertEqual((d[1][0], d[2][0], d[3][0]), (r["range_id"], start, end))
                ak = b"\x01i" + mdc.uvarint_asc(r["range_id"]) + b"rrask"
                st = pb_parse(pb_parse(kv[ak + b"\x00"])[6][0][5:])
                rep = next(x for x in r["replicas"] if x["store_id"] == s)
                self.assertEqual((st[1][0], st[2][0]), (rep["raft_applied_index"], rep["lease_applied_index"]))
                if r["range_id"] not in pieces or s != r["most_advanced_store"]:
                    continue
                newest = {}
                for ek, v in kv.items():
                    rk, ts = split_key(ek)
                    if ts is not None and rk[:1] != b"\x01" and start <= rk < end:
                        if rk not in newest or ts > newest[rk][0]:
                            newest[rk] = (ts, v)
                live = [(rk, v) for rk, (_, v) in newest.items() if v]
                stats = pb_parse(st[3][0])
                self.assertEqual(stats[5][0], len(live), r["range_id"])
                self.assertEqual(stats[4][0], sum(len(rk) + 13 + len(v) for rk, v in live), r["range_id"])
                self.assertEqual(pieces[r["range_id"]]["live_bytes"], stats[4][0])


class OtherSeedTest(SimulatorTest):
    seed = 12345


class Descriptors232Test(SimulatorTest):
    """23.2 descriptors: types.T, namespace table 30, public schemas, an ENUM column."""
    seed = 42
    descriptors = "23.2"


class RaftLogsTest(unittest.TestCase):
    """--raft-logs (issue 17). The lone lagging survivor holds one log key per index from its
    applied index + 1 to the commit index + 1 (one entry past commit), a HardState whose
    commit is expected/raft_replay.json's, and the replayed truth gains rows over the
    applied-state-only one. The deposed leader's range: the follower holds the committed
    entries (term 3) to commit + 1, the last committed one a sideloaded AddSSTable whose
    file (rows of the range, its CRC-32C in the command) sits in the follower's store; the
    chosen leader holds only its diverged term-2 tail and knows its applied index committed."""

    def test_log_tail_on_the_survivor(self):
        with tempfile.TemporaryDirectory(prefix="salvage-sim-raft-") as d:
            mdc.generate(d, 7, "small", quiet=True, raft_logs=True)
            with open(os.path.join(d, "expected", "raft_replay.json"), encoding="utf-8") as f:
                truth = json.load(f)
            self.assertEqual([t["case"] for t in truth], ["lagging_survivor", "deposed_leader"])
            for t in truth:
                rid = t["range_id"]
                kv = ldb_scan(os.path.join(d, "stores", "n%d" % t["log_store_id"]))
                first = t["applied_index"] + 1
                if t["case"] == "deposed_leader":
                    first = self.replica(d, rid, t["log_store_id"])["raft_applied_index"] + 1
                    self.assertLess(first, t["applied_index"] + 1)   # the follower applied less
                self.assertEqual(self.held(kv, rid), list(range(first, t["commit_index"] + 2)))
                self.assertIn(b"\x18" + bytes(self.uvarint(t["commit_index"])), self.hard_state(kv, rid))
            with_replay = self.rows(os.path.join(d, "expected", "events.csv"))
            without = self.rows(os.path.join(d, "expected", "without_raft_replay", "events.csv"))
            self.assertGreater(len(with_replay - without), 0)

            t = truth[1]
            rid, log, chosen = t["range_id"], t["log_store_id"], t["store_id"]
            kv_log = ldb_scan(os.path.join(d, "stores", "n%d" % log))
            kv_leader = ldb_scan(os.path.join(d, "stores", "n%d" % chosen))
            # The leader: only the diverged tail, term 2, and a commit at its applied index.
            self.assertEqual(self.held(kv_leader, rid), t["diverged"]["indexes"])
            self.assertEqual(self.replica(d, rid, chosen)["raft_applied_index"], t["applied_index"])
            self.assertIn(b"\x18" + bytes(self.uvarint(t["applied_index"])), self.hard_state(kv_leader, rid))
            for i in t["diverged"]["indexes"]:
                self.assertIn(self.entry_head(2, i), kv_leader[self.log_key(rid, i)])
                self.assertIn(self.entry_head(3, i), kv_log[self.log_key(rid, i)])
            # The AddSSTable: version byte 1 (19.1; 3 in 23.2, 0x85 = 5 with priority 2 in 25.4),
            # data stripped, the CRC of the file.
            sl = t["sideloaded"]
            self.assertEqual((sl["store_id"], sl["index"], sl["term"], sl["version_byte"]), (log, t["commit_index"], 3, 1))
            path = os.path.join(d, "stores", "n%d" % log, sl["path"])
            self.assertEqual(sl["path"], "auxiliary/sideloading/r0XXXX/r%d/i%d.t3" % (rid, sl["index"]))
            with open(path, "rb") as f:
                sst = f.read()
            value = kv_log[self.log_key(rid, sl["index"])]
            self.assertIn(b"\x01" + struct.pack(">IHH", rid, sl["index"], 0xC0DE), value)
            crc = b"\x10" + bytes(self.uvarint(self.crc32c(sst)))   # AddSSTable{2 crc32}, no 1 data
            self.assertIn(b"\x8a\x01" + bytes([len(crc)]) + crc, value)   # eval result 17
            named = os.path.join(d, "sideloaded.sst")     # sst_dump wants the extension
            with open(named, "wb") as f:
                f.write(sst)
            scan = subprocess.run(["sst_dump", "--file=" + named, "--command=scan", "--output_hex"],
                                  capture_output=True, text=True, check=True).stdout
            keys = [bytes.fromhex(m) for m in re.findall(r"^'([0-9A-F]+)' seq:0, type:1", scan, re.M)]
            self.assertEqual(len(keys), 2)
            snap = mdc.table_prefix(mdc.SNAPSHOTS.id)
            self.assertTrue(all(k.startswith(snap) for k in keys))
            # Its rows are in the truth: the new one only with replay, the newer version too.
            with_replay = self.rows(os.path.join(d, "expected", "snapshots.csv"))
            without = self.rows(os.path.join(d, "expected", "without_raft_replay", "snapshots.csv"))
            for uid, version in sl["rows"]:
                line = next(x for x in with_replay if x.startswith("%d,%d," % (uid, version)))
                self.assertIn("AddSSTable", line)
                self.assertNotIn(line, without)

    @staticmethod
    def log_key(rid, index):
        return b"\x01i" + bytes([0x88 + rid]) + b"urftl" + struct.pack(">Q", index) + b"\x00"

    def held(self, kv, rid):
        prefix = b"\x01i" + bytes([0x88 + rid]) + b"urftl"
        return sorted(struct.unpack(">Q", k[len(prefix):-1])[0] for k in kv if k.startswith(prefix))

    @staticmethod
    def hard_state(kv, rid):
        return kv[b"\x01i" + bytes([0x88 + rid]) + b"urfth\x00"]

    def entry_head(self, term, index):
        """raftpb.Entry's first fields: 1 type 0, 2 term, 3 index."""
        return b"\x08\x00\x10" + bytes(self.uvarint(term)) + b"\x18" + bytes(self.uvarint(index))

    @staticmethod
    def replica(d, rid, store):
        with open(os.path.join(d, "expected", "replicas.json"), encoding="utf-8") as f:
            rg = next(r for r in json.load(f) if r["range_id"] == rid)
        return next(x for x in rg["replicas"] if x["store_id"] == store)

    @staticmethod
    def crc32c(data):
        c = 0xFFFFFFFF
        for b in data:
            c ^= b
            for _ in range(8):
                c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        return c ^ 0xFFFFFFFF

    @staticmethod
    def uvarint(v):
        out = []
        while v >= 0x80:
            out.append((v & 0x7F) | 0x80)
            v >>= 7
        return out + [v]

    @staticmethod
    def rows(path):
        with open(path, encoding="utf-8") as f:
            return set(f.read().splitlines())


if __name__ == "__main__":
    unittest.main()
