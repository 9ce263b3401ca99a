#!/usr/bin/env python3
"""Build the dead CockroachDB cluster (19.1-era stores) Salvage practises on.

    python3 contrib/simulator/make_dead_cluster.py OUT_DIR [--seed N] [--scale small|mid|medium]
        [--version 19.1|23.2|25.4] [--descriptors 19.1|23.2]

Writes 7 RocksDB store directories with the real engine (Debian's `ldb`, rocksdb-tools),
destroys 4 of them (moved to OUT_DIR/destroyed/) and writes the exact ground truth a correct
recovery of the 3 survivors must produce to OUT_DIR/expected/. See README.md next to this file.
Python 3.11 standard library only; deterministic for a given seed and scale.
"""

from __future__ import annotations

import argparse
import bisect
import importlib
import io
import ipaddress
import json
import os
import random
import shutil
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import crdb_types as types  # noqa: E402
from crdb_encoding import (  # noqa: E402
    TAG_BYTES, TAG_INT, TAG_TUPLE, Proto, bytes_asc, family_suffix, hlc_timestamp, mvcc_key,
    mvcc_metadata_inline, mvcc_metadata_intent, roach_value, txn_meta, uvarint_asc, value_tag,
    varint_asc, zigzag_varint,
)

LDB = os.environ.get("LDB", "ldb")
NODES = 7
RAFT_INITIAL_INDEX = 10          # CockroachDB's raftInitialLogIndex
BASE_WALL = 1_559_390_400 * 10**9   # 2019-06-01T12:00:00Z, the cluster's HLC at bootstrap
NULL = "\\N"                     # CSV NULL marker (IMPORT ... WITH nullif = '\N')

VERSIONS = ["19.1", "23.2", "25.4"]
PEBBLE_VERSIONS = ("23.2", "25.4")     # written by our Pebble writer (pebble_store.py)
DESCRIPTOR_LAYOUTS = ["19.1", "23.2"]
PHASES = ["bootstrap", "load", "update1", "update2", "late", "pending"]
# Which ldb step writes a phase's entries into a store:
#   A = first load, then `ldb compact` (bottom-level SSTs)
#   B = second load (flushed to an L0 SST when the next ldb command opens the store)
#   C = last load, left in the write-ahead log only (never flushed)
PHASE_FILE = {"bootstrap": "A", "load": "A", "update1": "A", "update2": "B", "late": "C",
              "pending": "C"}

# ---------------------------------------------------------------------------------------------
# Schema model


@dataclass
class Column:
    id: int
    name: str
    type: str          # SQL spelling, see crdb_types ("INT8", "VARCHAR(10)", "STRING[]", ...)
    nullable: bool


@dataclass
class Family:
    id: int
    name: str
    column_ids: list
    default_column_id: int = 0


@dataclass
class Index:
    """A secondary index (spec §5.6); stored columns only on single-family tables here."""
    id: int
    name: str
    unique: bool
    cols: list         # [(column id, "ASC"|"DESC")]
    storing: list = field(default_factory=list)
    composite: list = field(default_factory=list)   # key columns whose value repeats them (§5.6)


@dataclass
class Table:
    id: int
    name: str
    parent_id: int
    columns: list
    families: list
    pk: list           # [(column id, "ASC"|"DESC")]
    version: int = 1
    indexes: list = field(default_factory=list)

    def __post_init__(self):
        self._cols = {c.id: c for c in self.columns}
        self.pk_ids = [c for c, _ in self.pk]

    def col(self, cid):
        return self._cols[cid]


GAME_DB_ID, SHOP_DB_ID = 52, 56
DB_NAMES = {1: "system", 50: "defaultdb", 51: "postgres", GAME_DB_ID: "game", SHOP_DB_ID: "shop"}
# 23.2 only: each user database's public schema, the ENUM type and its implicit array type
PUBLIC_SCHEMA = {GAME_DB_ID: 58, SHOP_DB_ID: 59}
ENUM_ID, ENUM_ARRAY_ID = 60, 61
ENUM_NAME = "status"
ENUM_MEMBERS = [("new", b"\x40"), ("shipped", b"\x80"), ("lost", b"\xc0")]
ENUM_PHYS = dict(ENUM_MEMBERS)

USERS = Table(53, "users", GAME_DB_ID, [
    Column(1, "id", "INT8", False), Column(2, "name", "STRING", False),
    Column(3, "email", "STRING", True), Column(4, "balance", "DECIMAL", True),
    Column(5, "created", "TIMESTAMPTZ", True), Column(6, "active", "BOOL", True)],
    [Family(0, "f1", [1, 2, 3]), Family(1, "f2", [4, 5, 6])], [(1, "ASC")],
    indexes=[Index(2, "users_email_key", True, [(3, "ASC")])])
EVENTS = Table(54, "events", GAME_DB_ID, [
    Column(1, "user_id", "INT8", False), Column(2, "seq", "INT8", False),
    Column(3, "kind", "STRING", True), Column(4, "body", "BYTES", True),
    Column(5, "at", "TIMESTAMP", True)],
    [Family(0, "primary", [1, 2, 3, 4, 5])], [(1, "ASC"), (2, "DESC")],
    indexes=[Index(2, "events_kind_at_idx", False, [(3, "ASC"), (5, "DESC")], [4])])
SNAPSHOTS = Table(55, "snapshots", GAME_DB_ID, [
    Column(1, "user_id", "INT8", False), Column(2, "version", "INT8", False),
    Column(3, "state", "JSONB", True)],
    [Family(0, "primary", [1, 2, 3])], [(1, "ASC"), (2, "ASC")])


def items_table(version: str) -> Table:
    """shop.items: one column per supported type, six families, STRING/DATE DESC/UUID key;
    with 23.2 descriptors also an ENUM column."""
    types = [("sku", "STRING"), ("made", "DATE"), ("uid", "UUID"), ("flag", "BOOL"),
             ("small", "INT2"), ("medium", "INT4"), ("big", "INT8"), ("ratio", "FLOAT4"),
             ("score", "FLOAT8"), ("price", "DECIMAL"), ("cost", "DECIMAL(10,2)"),
             ("label", "STRING"), ("code", "VARCHAR(10)"), ("grade", "CHAR(3)"),
             ("blob", "BYTES"), ("on_day", "DATE"), ("at_time", "TIME"), ("stamp", "TIMESTAMP"),
             ("stamp_tz", "TIMESTAMPTZ"), ("dur", "INTERVAL"), ("ref", "UUID"), ("addr", "INET"),
             ("doc", "JSONB"), ("tags", "STRING[]"), ("nums", "INT8[]"), ("flags4", "BIT(4)"),
             ("vbits", "VARBIT"), ("obj", "OID"), ("note", "STRING")]
    if version == "23.2":
        types.append(("status", "ENUM:" + ENUM_NAME))
    cols = [Column(i + 1, n, t, i >= 3) for i, (n, t) in enumerate(types)]
    fam0 = [1, 2, 3, 4, 5, 6, 7] + ([30] if version == "23.2" else [])
    fams = [Family(0, "primary", fam0), Family(1, "nums", [8, 9, 10, 11]),
            Family(2, "texts", [12, 13, 14, 15]), Family(3, "times", [16, 17, 18, 19, 20]),
            Family(4, "misc", [21, 22, 23, 24, 25, 26, 27, 28]), Family(5, "note", [29], 29)]
    return Table(57, "items", SHOP_DB_ID, cols, fams, [(1, "ASC"), (2, "DESC"), (3, "ASC")])


SHOP_ITEMS = items_table("19.1")
GAME_TABLES = [USERS, EVENTS, SNAPSHOTS]
USER_TABLES = GAME_TABLES + [SHOP_ITEMS]

# 19.1 system tables we write rows for (spec §7.1, §7.6)
NAMESPACE = Table(2, "namespace", 1, [
    Column(1, "parentID", "INT8", False), Column(2, "name", "STRING", False),
    Column(3, "id", "INT8", True)],
    [Family(0, "primary", [1, 2]), Family(3, "fam_3_id", [3], 3)], [(1, "ASC"), (2, "ASC")])
# 20.1+ system.namespace (table 30)
NAMESPACE2 = Table(30, "namespace", 1, [
    Column(1, "parentID", "INT8", False), Column(2, "parentSchemaID", "INT8", False),
    Column(3, "name", "STRING", False), Column(4, "id", "INT8", True)],
    [Family(0, "primary", [1, 2, 3]), Family(4, "fam_4_id", [4], 4)],
    [(1, "ASC"), (2, "ASC"), (3, "ASC")])
DESCRIPTOR = Table(3, "descriptor", 1, [
    Column(1, "id", "INT8", False), Column(2, "descriptor", "BYTES", True)],
    [Family(0, "primary", [1]), Family(2, "fam_2_descriptor", [2], 2)], [(1, "ASC")])
TABLES_BY_ID = {t.id: t for t in USER_TABLES + [NAMESPACE, NAMESPACE2, DESCRIPTOR]}


DESCRIPTOR_LAYOUT = "19.1"


def use_descriptors(version: str):
    """Switch the module's schema to the given descriptor layout (the ENUM column is 23.2-only)."""
    global SHOP_ITEMS, USER_TABLES, DESCRIPTOR_LAYOUT
    DESCRIPTOR_LAYOUT = version
    SHOP_ITEMS = items_table(version)
    USER_TABLES = GAME_TABLES + [SHOP_ITEMS]
    TABLES_BY_ID[SHOP_ITEMS.id] = SHOP_ITEMS


# --index-ranges: a DESC, composite (DECIMAL) index storing a column of each family, so that
# users' lost rows are rebuilt from two indexes (partially: created is in no index)
USERS_BALANCE_IDX = Index(3, "users_balance_idx", False, [(4, "DESC")], [2, 6], [4])


def use_index_ranges(on: bool):
    USERS.indexes = [x for x in USERS.indexes if x.id != USERS_BALANCE_IDX.id]
    if on:
        USERS.indexes.append(USERS_BALANCE_IDX)


def qualified(t: Table) -> str:
    return DB_NAMES[t.parent_id] + "." + t.name

# ---------------------------------------------------------------------------------------------
# Row encoding (spec §5, §6)


def table_prefix(table_id: int, index_id: int = 1) -> bytes:
    return uvarint_asc(table_id) + uvarint_asc(index_id)


def tenant_prefix(tenant_id: int) -> bytes:
    """A secondary tenant's keyspace: fe ‖ uvarint-asc(id) (spec §4.5)."""
    return b"\xfe" + uvarint_asc(tenant_id)


def key_datum(typ: str, v, direction: str) -> bytes:
    if types.base(typ) == "DECIMAL" and v is not None:
        return decimal_key(v if direction == "ASC" else -v)
    return types.key_datum(typ, v, direction, ENUM_PHYS.__getitem__)


def decimal_key(d: Decimal) -> bytes:
    """EncodeDecimalAscending (§5.2.5) for 0 and |d| in [0.01, 100^10): 0.M × 100^E, M in
    base-100 digits coded 2d+1 (the last 2d), inverted for negatives; descending = -d."""
    if d == 0:
        return b"\x27"
    t = abs(d).normalize().as_tuple()
    digits, n10 = "".join(map(str, t.digits)), len(t.digits) + t.exponent
    if n10 % 2:
        digits, n10 = "0" + digits, n10 + 1
    if len(digits) % 2:
        digits += "0"
    e = n10 // 2
    if not 0 <= e <= 10:
        raise ValueError("decimal %s outside the simulated key range" % d)
    pairs = [int(digits[i:i + 2]) for i in range(0, len(digits), 2)]
    mant = bytes(2 * x + 1 for x in pairs[:-1]) + bytes([2 * pairs[-1]])
    if d < 0:
        return bytes([0x25 - e]) + bytes(x ^ 0xFF for x in mant) + b"\x00"
    return bytes([0x29 + e]) + mant + b"\x00"


def is_composite(typ: str, v) -> bool:
    """A DECIMAL whose key encoding drops digits (a coefficient ending in 0, e.g. 1.50, 0.00)."""
    if types.base(typ) != "DECIMAL" or v is None:
        return False
    t = v.as_tuple()
    return int("".join(map(str, t.digits)) or "0") % 10 == 0


def row_prefix(t: Table, row: dict) -> bytes:
    k = table_prefix(t.id)
    for cid, d in t.pk:
        k += key_datum(t.col(cid).type, row[cid], d)
    return k


def tuple_datum(typ: str, v) -> tuple:
    """(encoding.Type, body) for a value inside a TUPLE (§6.3)."""
    return types.tuple_datum(typ, v, ENUM_PHYS.__getitem__)


def bare_datum(typ: str, v) -> tuple:
    """(roachpb ValueType tag, data) for a single-column family value (§6.3.1)."""
    return types.bare_datum(typ, v, ENUM_PHYS.__getitem__)


def family_payload(t: Table, fam: Family, row: dict):
    """(tag, data) of the family's KV, or None when the KV is not written (§6.1)."""
    pk = set(t.pk_ids)
    if fam.id != 0 and len(fam.column_ids) == 1 and fam.column_ids[0] == fam.default_column_id:
        v = row.get(fam.column_ids[0])
        return None if v is None else bare_datum(t.col(fam.column_ids[0]).type, v)
    data, prev, present = b"", 0, False
    for cid in sorted(c for c in fam.column_ids if c not in pk):
        v = row.get(cid)
        if v is None:
            continue
        et, body = tuple_datum(t.col(cid).type, v)
        data += value_tag(cid - prev, et) + body
        prev, present = cid, True
    if not present and fam.id != 0:
        return None
    return TAG_TUPLE, data


def index_entry(t: Table, ix: Index, row: dict):
    """(roach key, BYTES data) of a row's secondary-index KV (§5.6): key columns in their
    directions; PK columns not in the index appended ascending to the key (non-unique, or a
    NULL key) and/or key-encoded in the value (unique); then the STORING columns as an untagged
    column list."""
    k = table_prefix(t.id, ix.id)
    has_null = False
    for cid, d in ix.cols:
        v = row.get(cid)
        has_null |= v is None
        k += key_datum(t.col(cid).type, v, d)
    in_key = {c for c, _ in ix.cols}
    suffix = b"".join(key_datum(t.col(c).type, row[c], "ASC") for c in t.pk_ids
                      if c not in in_key)
    if not ix.unique or has_null:
        k += suffix
    data = suffix if ix.unique else b""
    cols = set(ix.storing) - set(split_storing(t, ix)) | {c for c in ix.composite
                                                          if is_composite(t.col(c).type, row.get(c))}
    return k + b"\x88", data + column_list(t, cols, row)


def column_list(t: Table, cids, row: dict) -> bytes:
    """Tagged columns with ID deltas (§6.2), NULLs omitted."""
    data, prev = b"", 0
    for cid in sorted(cids):
        v = row.get(cid)
        if v is not None:
            et, body = tuple_datum(t.col(cid).type, v)
            data += value_tag(cid - prev, et) + body
            prev = cid
    return data


def split_storing(t: Table, ix: Index) -> dict:
    """{column id: family id} of stored columns outside family 0 that get a KV of their family
    (index version >= 1, i.e. the 23.2 layout here, on a table with several families, §5.6)."""
    if DESCRIPTOR_LAYOUT == "19.1" or len(t.families) < 2:
        return {}
    fam = {c: f.id for f in t.families for c in f.column_ids}
    return {c: fam[c] for c in ix.storing if fam[c] != 0}


def index_family_entries(t: Table, ix: Index, row: dict) -> list:
    """[(family id, roach key, TUPLE data)] of the entry's other-family KVs (non-NULL only)."""
    k = index_entry(t, ix, row)[0][:-1]
    split, out = split_storing(t, ix), []
    for fid in sorted(set(split.values())):
        data = column_list(t, [c for c, f in split.items() if f == fid], row)
        if data:
            out.append((fid, k + family_suffix(fid), data))
    return out


def index_kvs(t: Table, ix: Index, row: dict) -> list:
    """[(roach key, roachpb.Value bytes)] of a row's whole entry in `ix`."""
    k, data = index_entry(t, ix, row)
    return [(k, roach_value(k, TAG_BYTES, data))] + [
        (fk, roach_value(fk, TAG_TUPLE, fd)) for _, fk, fd in index_family_entries(t, ix, row)]


def encode_row(t: Table, row: dict) -> dict:
    """{family id, or ("ix", index id): (roach key, roachpb.Value bytes or None)} for a row
    (None = no KV)."""
    rp = row_prefix(t, row)
    out = {}
    for fam in t.families:
        k = rp + family_suffix(fam.id)
        p = family_payload(t, fam, row)
        out[fam.id] = (k, None if p is None else roach_value(k, p[0], p[1]))
    for ix in t.indexes:
        k, data = index_entry(t, ix, row)
        out[("ix", ix.id)] = (k, roach_value(k, TAG_BYTES, data))
        for fid, fk, fd in index_family_entries(t, ix, row):
            out[("ix", ix.id, fid)] = (fk, roach_value(fk, TAG_TUPLE, fd))
    return out


# ---------------------------------------------------------------------------------------------
# Descriptors (19.1 sqlbase protos, spec §7) -- written by hand, field by field


def privileges() -> Proto:
    p = Proto()
    for user in ("admin", "root"):
        p.msg(1, Proto().string(1, user).varint(2, 2))   # ALL
    return p


def column_type(typ: str, layout: str) -> Proto:
    """19.1 ColumnType, or (23.2) types.T as InternalType with its OID (§7.5, §7.7)."""
    if layout == "19.1":
        return types.column_type_19_1(typ)
    return types.types_t(typ, (ENUM_ID, ENUM_ARRAY_ID))


def index_descriptor(t: Table, ix_id: int, name: str, unique: bool, cols: list, storing: list,
                     layout: str, composite: list = ()) -> Proto:
    """IndexDescriptor: 1 name, 2 id, 3 unique, 4 key column names, 5 store column names,
    6 key column ids, 7 key-suffix (extra) column ids, 8 directions, 14 store column ids,
    16 type, 18 version. The 23.2 primary index stores every non-key column (version 4)."""
    idx = Proto().string(1, name).varint(2, ix_id).bool(3, unique)
    key_ids = [c for c, _ in cols]
    suffix = [c for c in t.pk_ids if c not in key_ids] if ix_id != 1 else []
    for cid in key_ids:
        idx.string(4, t.col(cid).name)
    for cid in storing:
        idx.string(5, t.col(cid).name)
    for cid in key_ids:
        idx.varint(6, cid)
    for cid in suffix:
        idx.varint(7, cid)
    for _, d in cols:
        idx.varint(8, 0 if d == "ASC" else 1)
    idx.msg(9, b"").msg(11, b"")
    for cid in composite:
        idx.varint(13, cid)
    for cid in storing:
        idx.varint(14, cid)
    idx.msg(15, Proto().varint(1, 0)).varint(16, 0)
    if layout != "19.1":
        idx.varint(18, 4 if ix_id == 1 else 3)
    return idx


def table_descriptor(t: Table, version: int, mod_wall: int, layout: str = "19.1") -> bytes:
    td = Proto().string(1, t.name).varint(3, t.id).varint(4, t.parent_id).varint(5, version)
    td.bool(6, False)                                 # up_version
    td.msg(7, hlc_timestamp(mod_wall))                # modification_time
    for c in t.columns:
        td.msg(8, Proto().string(1, c.name).varint(2, c.id).msg(3, column_type(c.type, layout))
               .bool(4, c.nullable).bool(6, False))
    td.varint(9, max(c.id for c in t.columns) + 1)    # next_column_id
    stored = [c.id for c in t.columns if c.id not in t.pk_ids] if layout != "19.1" else []
    td.msg(10, index_descriptor(t, 1, "primary", True, t.pk, stored, layout))
    for ix in t.indexes:
        td.msg(11, index_descriptor(t, ix.id, ix.name, ix.unique, ix.cols, ix.storing, layout,
                                           ix.composite))
    td.varint(12, max([1] + [ix.id for ix in t.indexes]) + 1)   # next_index_id
    td.msg(13, privileges())
    td.varint(16, 1)                                  # next_mutation_id
    td.varint(17, 3)                                  # format_version = InterleavedFormatVersion
    td.varint(19, 0)                                  # state PUBLIC
    for f in t.families:
        fp = Proto().string(1, f.name).varint(2, f.id)
        for cid in f.column_ids:
            fp.string(3, t.col(cid).name)
        for cid in f.column_ids:
            fp.varint(4, cid)
        fp.varint(5, f.default_column_id)
        td.msg(22, fp)
    td.varint(23, max(f.id for f in t.families) + 1)  # next_family_id
    if layout != "19.1":
        td.varint(40, PUBLIC_SCHEMA.get(t.parent_id, 29))   # unexposed_parent_schema_id
    return Proto().msg(1, td).done()                  # Descriptor{table}


def database_descriptor(name: str, db_id: int, layout: str = "19.1") -> bytes:
    """DatabaseDescriptor: 1 name, 2 id, 3 privileges; 23.2 also 5 version and 7 schemas
    (map name -> {1 id}) naming the database's public schema."""
    d = Proto().string(1, name).varint(2, db_id).msg(3, privileges())
    if layout != "19.1":
        d.varint(5, 1)
        if db_id in PUBLIC_SCHEMA:
            d.msg(7, Proto().string(1, "public").msg(2, Proto().varint(1, PUBLIC_SCHEMA[db_id])))
    return Proto().msg(2, d).done()


def schema_descriptor(db_id: int) -> bytes:
    """SchemaDescriptor (20.2+): 1 parent_id, 2 name, 3 id, 4 privileges, 6 version."""
    return Proto().msg(4, Proto().varint(1, db_id).string(2, "public")
                       .varint(3, PUBLIC_SCHEMA[db_id]).msg(4, privileges())
                       .varint(6, 1)).done()


def enum_type_descriptors() -> list:
    """(id, Descriptor bytes) of CREATE TYPE shop.status AS ENUM (...) and its implicit array
    type _status. TypeDescriptor: 1 parent_id, 2 parent_schema_id, 3 name, 4 id, 5 kind
    (ENUM 0, ALIAS 1), 6 enum_members {1 physical, 2 logical, 3 capability}, 7 alias,
    8 array_type_id, 9 version."""
    sch = PUBLIC_SCHEMA[SHOP_DB_ID]
    enum = (Proto().varint(1, SHOP_DB_ID).varint(2, sch).string(3, ENUM_NAME)
            .varint(4, ENUM_ID).varint(5, 0))
    for label, phys in ENUM_MEMBERS:
        enum.msg(6, Proto().bytes(1, phys).string(2, label).varint(3, 0))
    enum.varint(8, ENUM_ARRAY_ID).varint(9, 1)
    elem = types.types_t("ENUM:" + ENUM_NAME, (ENUM_ID, ENUM_ARRAY_ID))
    arr_t = (Proto().varint(1, 15).varint(2, 0).varint(3, 0).varint(6, 0)
             .varint(10, types.USER_TYPE_OID_OFFSET + ENUM_ARRAY_ID).msg(11, elem).bool(12, False))
    arr = (Proto().varint(1, SHOP_DB_ID).varint(2, sch).string(3, "_" + ENUM_NAME)
           .varint(4, ENUM_ARRAY_ID).varint(5, 1).msg(7, arr_t).varint(9, 1))
    return [(ENUM_ID, Proto().msg(3, enum).done()), (ENUM_ARRAY_ID, Proto().msg(3, arr).done())]


# ---------------------------------------------------------------------------------------------
# Keyspace helpers (spec §4)

KEY_MIN, KEY_MAX = b"", b"\xff\xff"
SYSTEM_PREFIX = b"\x04"


def range_descriptor_key(start: bytes) -> bytes:
    return b"\x01k" + bytes_asc(start) + b"rdsc"


def meta2_key(end: bytes) -> bytes:
    return b"\x03" + end


def meta1_key(end: bytes) -> bytes:
    return b"\x02" + end


def txn_record_key(anchor: bytes, txn_id: bytes) -> bytes:
    return b"\x01k" + bytes_asc(anchor) + b"txn-" + txn_id


def applied_state_key(range_id: int) -> bytes:
    return b"\x01i" + uvarint_asc(range_id) + b"rrask"


STORE_IDENT_KEY = b"\x01siden"


def liveness_key(node: int) -> bytes:
    return b"\x04\x00liveness-" + uvarint_asc(node)


def _dec_uvarint(b: bytes, i: int):
    c = b[i]
    if c < 0x88:                       # negative varint (asc)
        n = 0x88 - c
        v = int.from_bytes(b[i + 1:i + 1 + n], "big") - (1 << (8 * n))
        return v, i + 1 + n
    if c <= 0xF5:
        return c - 0x88, i + 1
    n = c - 0xF5
    return int.from_bytes(b[i + 1:i + 1 + n], "big"), i + 1 + n


def _dec_bytes(b: bytes, i: int):
    assert b[i] == 0x12
    out, i = bytearray(), i + 1
    while True:
        j = b.index(b"\x00", i)
        out += b[i:j]
        if b[j + 1] == 0x01:
            return bytes(out), j + 2
        out.append(0)
        i = j + 2


def pretty_key(k: bytes) -> str:
    """CockroachDB-style pretty form of the keys this simulator writes."""
    if k == KEY_MIN:
        return "/Min"
    if k == KEY_MAX:
        return "/Max"
    if k[:1] == b"\x02":
        return "/Meta1" + (pretty_key(k[1:]) if k[1:] != KEY_MAX else "/Max")
    if k[:1] == b"\x03":
        return "/Meta2" + pretty_key(k[1:])
    if k[:1] == b"\x04":
        if k.startswith(b"\x04\x00liveness-"):
            return "/System/NodeLiveness/%d" % _dec_uvarint(k, len(b"\x04\x00liveness-"))[0]
        return "/System" + ('/"%s"' % k[1:].decode("latin-1") if len(k) > 1 else "")
    if k.startswith(b"\x01k"):
        inner, i = _dec_bytes(k, 2)
        suffix = k[i:]
        name = {b"rdsc": "RangeDescriptor"}.get(suffix[:4])
        if suffix[:4] == b"txn-":
            name = "Transaction/" + str(uuid.UUID(bytes=suffix[4:20]))
        return "/Local/Range" + pretty_key(inner) + "/" + (name or suffix.hex())
    if k.startswith(b"\x01i"):
        rid, i = _dec_uvarint(k, 2)
        return "/Local/RangeID/%d/r/%s" % (rid, {b"rrask": "RangeAppliedState"}.get(
            k[i:], k[i:].hex()))
    if k == STORE_IDENT_KEY:
        return "/Local/Store/storeIdent"
    if k[0] >= 0x88:
        tid, i = _dec_uvarint(k, 0)
        parts = ["/Table/%d" % tid]
        if i >= len(k):
            return parts[0]
        iid, i = _dec_uvarint(k, i)
        parts.append(str(iid))
        t = TABLES_BY_ID.get(tid)
        if iid != 1 or (t and any(types.base(t.col(c).type) not in ("INT8", "STRING")
                                  for c in t.pk_ids[:1])):
            return "/".join(parts) + ("/0x" + k[i:].hex() if i < len(k) else "")
        for cid, d in (t.pk if t else []):
            if i >= len(k):
                break
            typ = t.col(cid).type
            if typ in ("INT8", "DATE"):
                v, i = _dec_uvarint(k, i)
                parts.append(str(~v if d == "DESC" else v))
            else:
                s, i = _dec_bytes(k, i)
                parts.append('"%s"' % s.decode("utf-8", "replace"))
        if i < len(k):                      # family suffix
            f, j = _dec_uvarint(k, i)
            parts.append(str(f) if j == len(k) else "%d/%d" % (f, _dec_uvarint(k, j)[0]))
        return "/".join(parts)
    return "/Unknown/" + k.hex()


# ---------------------------------------------------------------------------------------------
# Cluster model


@dataclass
class Batch:
    """One applied Raft command of a range: engine puts and engine deletes."""
    phase: str
    wall: int
    logical: int
    puts: list = field(default_factory=list)      # [(engine key, value)]
    deletes: list = field(default_factory=list)   # [engine key] (RocksDB deletions)
    row_ops: list = field(default_factory=list)   # [(table id, pk tuple, row or None)]
    range_keys: list = field(default_factory=list)  # [(start, end)] MVCC range tombstones at (wall, logical)
    sys_keys: int = 0                             # range-local keys written (stats)


@dataclass
class Replica:
    node: int
    store: int
    replica_id: int
    applied: int = 0     # number of the range's batches applied


@dataclass
class Range:
    range_id: int
    start: bytes
    end: bytes
    table_id: int | None
    category: str
    replicas: list = field(default_factory=list)
    generation: int = 1
    next_replica_id: int = 4
    batches: list = field(default_factory=list)
    extra_raft_entries: int = 1


SCALES = {
    "small": dict(users=24, user_ranges=["2L", "0", "3"], ev_users=5, ev_n=(30, 50),
                  ev_ranges=["3L", "0", "1S", "2", "1"], snap_versions=(5, 9),
                  snap_ranges=["2L", "3"], new_users=3, items=30, item_ranges=["3", "2L"]),
    # small's ranges with ~10x the rows: enough concurrent work for `recover --jobs 4`
    "mid": dict(users=400, user_ranges=["2L", "0", "3"], ev_users=40, ev_n=(80, 120),
                ev_ranges=["3L", "0", "1S", "2", "1"], snap_versions=(8, 14),
                snap_ranges=["2L", "3"], new_users=10, items=300, item_ranges=["3", "2L"]),
    "medium": dict(users=10000, user_ranges=["2L", "0", "3", "2", "1", "3L"], ev_users=400,
                   ev_n=(160, 240), ev_ranges=["3L", "0", "1S", "2", "1", "2L", "3", "0", "2",
                                               "3"],
                   snap_versions=(18, 32), snap_ranges=["2L", "3", "0"], new_users=50,
                   items=3000, item_ranges=["3", "2L", "1", "0"]),
}
SYSTEM_CATEGORIES = ["3", "2", "2", "1"]   # meta, system, system config, other system tables

FIRST = ["Ada", "Bo", "Chen", "Dara", "Émile", "Farah", "Gus", "Hiro", "Ines", "Jonas", "Kemi",
         "Lars", "Mía", "Noor", "Olek", "Priya", "Quinn", "Rosa", "Sven", "Tariq", "Uma", "Vik",
         "Wen", "Xóchitl", "Yusuf", "Zoë"]
LAST = ["Ng", "O'Hara", "Smith", "Åberg", "Kowalski", "Díaz", "Okafor", "Tanaka", "Müller",
        "Levi", "Rossi", "Costa"]
KINDS = ["login", "logout", "purchase", "level_up", "quest_done", "chat", "trade", "death"]
ITEMS = ["sword", "shield", "potion", "map", "bow", "lute", "gem", "rope"]


class Clock:
    """The cluster's HLC: strictly increasing (wall, logical) timestamps."""

    def __init__(self, rng):
        self.rng, self.wall, self.logical = rng, BASE_WALL, 0

    def next(self):
        if self.rng.random() < 0.08:
            self.logical += 1
        else:
            self.wall += self.rng.randint(1, 4000) * 1000 + self.rng.randint(0, 999)
            self.logical = 0
        return self.wall, self.logical


class Simulator:
    def __init__(self, seed: int, scale: str, version: str = "19.1",
                 descriptors: str | None = None, index_ranges: bool = False,
                 tenant: int | None = None):
        self.seed, self.scale, self.version = seed, scale, version
        # --tenant: a virtual cluster's keyspace (/Tenant/<id>) in a range of its own
        self.tenant = tenant
        # issue 18: secondary indexes in ranges of their own that survive, tables' replicas
        # all up to date (rows and index entries agree), planted index/row mismatches
        self.index_ranges = index_ranges
        use_index_ranges(index_ranges)
        self.planted = []
        # descriptor layout: 19.1 ColumnType + namespace table 2, or 23.2 types.T + table 30
        self.descriptors = descriptors or ("23.2" if version == "25.4" else version)
        use_descriptors(self.descriptors)
        self.cfg = SCALES[scale]
        # --raft-logs (sim_raft.py): (range id, store) → log-tail KVs; range id → commands the
        # recovery applies (the committed tail included) and the store it applies them on;
        # what a correct replay reports; store → sideloaded files [(relative path, bytes)]
        self.raft_tails, self.replayed, self.raft_truth = {}, {}, []
        self.replay_onto, self.sideloaded = {}, {}
        self.rng = random.Random(seed)
        self.clock = Clock(self.rng)
        self.cluster_id = uuid.UUID(int=self.rng.getrandbits(128), version=4)
        stores = list(range(1, NODES + 1))
        perm = self.rng.sample(stores, NODES)
        self.survivors, self.destroyed = sorted(perm[:3]), sorted(perm[3:])
        self.ranges: list[Range] = []
        self.truth = {t.id: {} for t in USER_TABLES}        # committed rows before disaster
        self.cur = {t.id: {} for t in TABLES_BY_ID.values()}  # encoded state while writing
        self.intents = []
        self.resolved = []       # committed intents whose metadata a RocksDB deletion removed
        self.purges = []         # 23.2: MVCC range tombstones (DELETE of a whole journal)
        self.purged = set()      # (table id, pk) rows a purge removed: later ops on them no-op
        # 25.4: large values (blob files) from their own generator, so that the rest of the
        # history is the one 23.2 writes for the seed
        self.big = random.Random(seed * 7919 + 254) if version == "25.4" else None

    # -- data generation -------------------------------------------------------------------

    def gen_user(self, uid):
        r = self.rng
        name = "%s %s" % (r.choice(FIRST), r.choice(LAST))
        if r.random() < 0.06:
            name = 'The "%s", Jr.' % r.choice(FIRST)
        row = {1: uid, 2: name,
               3: None if r.random() < 0.15 else "%s%d@example.com" % (
                   name.split()[0].lower().strip('"'), uid)}
        if r.random() < 0.12:
            row.update({4: None, 5: None, 6: None})
        else:
            row[4] = self.gen_balance()
            row[5] = None if r.random() < 0.1 else (
                1_514_764_800 * 10**6 + r.randint(0, 365 * 86400 * 10**6))
            row[6] = None if r.random() < 0.1 else r.random() < 0.7
        return row

    def gen_balance(self):
        r = self.rng.random()
        if r < 0.05:
            return Decimal("0.00")
        if r < 0.1:
            return Decimal(-self.rng.randint(1, 50000)).scaleb(-2)
        if r < 0.15:
            return Decimal("%d.50" % self.rng.randint(0, 999))   # trailing zero kept
        return Decimal(self.rng.randint(0, 10**7)).scaleb(-2)

    def mutate_user(self, row):
        r, new = self.rng, dict(row)
        for _ in range(10):
            choice = r.random()
            if choice < 0.5:
                new[4] = self.gen_balance()
            elif choice < 0.65:
                new[3] = None if new[3] else "%d.%s@example.org" % (row[1], r.choice(ITEMS))
            elif choice < 0.8:
                new[6] = not bool(new[6])
            elif choice < 0.9:
                new.update({4: None, 5: None, 6: None})
            else:
                new[2] = new[2] + " " + r.choice(LAST)
            if new != row:
                return new
        new[4] = (row[4] or Decimal(0)) + Decimal("1.01")
        return new

    def gen_event(self, uid, seq):
        r = self.rng
        body = None if r.random() < 0.1 else bytes(r.getrandbits(8) for _ in range(
            r.randint(0, 24)))
        if body is not None and r.random() < 0.3:
            body = b"\x00" + body + b"\x00,\"\n"
        at = 1_546_300_800 * 10**6 + uid * 86400 * 10**6 + seq * 61 * 10**6 + r.randint(0, 999999)
        if self.big and self.big.random() < 0.3:
            body = self.big_bytes()
        return {1: uid, 2: seq, 3: r.choice(KINDS), 4: body, 5: at}

    def gen_item_value(self, cid):
        """A value for shop.items column cid: edge cases (empty strings, NULL-looking text,
        negative and huge decimals, NaN/±Inf floats, pre-1970 dates, IPv6, JSON null...)."""
        r = self.rng
        c = r.random

        def pick(*xs):
            return xs[r.randrange(len(xs))]
        gens = {
            4: lambda: c() < 0.5,
            5: lambda: r.randint(-2**15, 2**15 - 1),
            6: lambda: r.randint(-2**31, 2**31 - 1),
            7: lambda: pick(r.randint(-2**63, 2**63 - 1), 0, -1, 2**63 - 1),
            8: lambda: pick(1.5, -0.25, 3.0, 0.0, 1048576.0, 0.375),
            9: lambda: pick(r.uniform(-1e6, 1e6), r.uniform(-1, 1) * 10.0 ** r.randint(-30, 30),
                            0.1, -2.5e-07, 1e300, 1234567.0, float("nan"), float("inf"),
                            float("-inf"), -0.0),
            10: lambda: pick(Decimal(r.randint(-10**6, 10**6)).scaleb(-r.randint(0, 6)),
                             Decimal("12345678901234567890123456789.123456789"),
                             Decimal("-98765432109876543210"), Decimal("0"), Decimal("-7.50"),
                             Decimal("1E-10"), Decimal("5E+3"), Decimal("0.000"),
                             Decimal("1.3E+1001")),
            11: lambda: Decimal(r.randint(-10**8, 10**8)).scaleb(-2),
            12: lambda: pick("", 'comma, "quote"', "line\nbreak", "\\N", "naïve ☃",
                             "tab\there", r.choice(ITEMS) * r.randint(1, 3)),
            13: lambda: pick("", "v" * r.randint(1, 10), "ünï"),
            14: lambda: pick("A1x", "zzz", "é-9"),
            15: lambda: pick(b"", b"\x00", bytes(r.getrandbits(8) for _ in range(r.randint(1, 12)))),
            16: lambda: r.randint(-40000, 30000),
            17: lambda: pick(r.randint(0, 86400 * 10**6 - 1), r.randint(0, 86399) * 10**6, 0),
            18: lambda: r.randint(-2 * 10**15, 2 * 10**15),
            19: lambda: r.randint(0, 2 * 10**15),
            20: lambda: pick((r.randint(0, 30), r.randint(0, 40), r.randint(0, 10**11) * 1000),
                             (12, 0, 0), (0, 1, 0), (0, 0, 0)),
            21: lambda: uuid.UUID(int=r.getrandbits(128), version=4),
            22: lambda: pick((ipaddress.ip_address("192.168.%d.%d" % (r.randint(0, 255),
                                                                   r.randint(0, 255))), 32),
                             (ipaddress.ip_address("10.1.2.3"), 8),
                             (ipaddress.ip_address("::1"), 128),
                             (ipaddress.ip_address("2001:db8::%x" % r.randint(1, 65535)), 64)),
            23: lambda: pick({"sku": r.randint(0, 99), "tags": ["x", None, True],
                              "price": Decimal("9.90")}, [], {}, "text", 42,
                             [1, {"a": "b"}]),
            24: lambda: pick(["a", None, "b c"], [], ["it's", "", "\\N"], ["x,y", '"q"']),
            25: lambda: pick([1, -2, None, 2**62], [], [0]),
            26: lambda: "".join(r.choice("01") for _ in range(4)),
            27: lambda: "".join(r.choice("01") for _ in range(r.randint(0, 70))),
            28: lambda: r.randint(0, 2**32 - 1),
            29: lambda: pick("", "a note", "üñí"),
            30: lambda: r.choice(ENUM_MEMBERS)[0],
        }
        if cid == 23 and c() < 0.1:
            return types.JSON_NULL
        v = None if c() < 0.12 else gens[cid]()
        if cid == 29 and self.big and self.big.random() < 0.35:
            v = self.big_text()           # `note`: its own family, a bare value in a blob file
        return v

    def gen_item(self, sku, made, uid):
        row = {1: sku, 2: made, 3: uid}
        for col in SHOP_ITEMS.columns[3:]:
            row[col.id] = self.gen_item_value(col.id)
        return row

    def mutate_item(self, row):
        new = dict(row)
        while new == row:
            for cid in self.rng.sample([c.id for c in SHOP_ITEMS.columns[3:]], 3):
                new[cid] = self.gen_item_value(cid)
        return new

    def gen_snapshot(self, uid, version):
        r = self.rng
        state = {"gold": r.randint(0, 10**6), "level": version + r.randint(0, 3),
                 "items": r.sample(ITEMS, r.randint(0, 4)),
                 "pos": {"x": r.randint(-500, 500), "y": r.randint(-500, 500)},
                 "ratio": Decimal(r.randint(0, 400)).scaleb(-2), "hardcore": r.random() < 0.2}
        if r.random() < 0.1:
            state["motto"] = 'say "hi",\nthen run – ok?'
        if r.random() < 0.1:
            state["guild"] = None
        if r.random() < 0.15:     # > 32 entries: JEntries in both offset and length mode
            state["log"] = [r.randint(0, 99) for _ in range(r.randint(33, 70))]
        if r.random() < 0.05:
            return {1: uid, 2: version, 3: None}
        if self.big and self.big.random() < 0.3:
            state["journal"] = self.big_text()
        return {1: uid, 2: version, 3: state}

    def big_bytes(self):
        """300-2000 bytes, half repeated (compressible) and half random."""
        b = self.big
        n = b.randint(300, 2000)
        head = bytes([b.getrandbits(8)]) * (n // 4) + b"\x00,\"\n" * (n // 16)
        return head + bytes(b.getrandbits(8) for _ in range(n - len(head)))

    def big_text(self):
        """300-2000 characters of text with commas, quotes, newlines and non-ASCII."""
        b = self.big
        n = b.randint(300, 2000)
        words = KINDS + ITEMS + ["naïve", "☃", 'say "hi"', "a,b", "line\nbreak", "\\N"]
        out, size = [], 0
        while size < n:
            out.append(b.choice(words))
            size += len(out[-1]) + 1
        return " ".join(out)

    def plan_ops(self):
        """Logical SQL writes grouped by phase: (table, row-or-None, pk, flags)."""
        r, cfg = self.rng, self.cfg
        ops = {p: [] for p in PHASES}
        used = {p: set() for p in PHASES}

        def add(phase, t, pk, row, **flags):
            assert (t.id, pk) not in used[phase]
            used[phase].add((t.id, pk))
            ops[phase].append(dict(table=t, pk=pk, row=row, **flags))

        # users
        ids = sorted(r.sample(range(1, cfg["users"] * 4), cfg["users"]))
        self.user_ids = ids
        live = {}
        for uid in ids:
            live[uid] = self.gen_user(uid)
            add("load", USERS, (uid,), live[uid])
        n = len(ids)
        self.user_splits = [ids[n * i // len(cfg["user_ranges"])]
                            for i in range(1, len(cfg["user_ranges"]))]
        for phase, p_upd, p_del in (("update1", 0.55, 0.0), ("update2", 0.45, 0.04),
                                    ("late", 0.35, 0.08)):
            for uid in sorted(live):
                x = r.random()
                if x < p_del:
                    add(phase, USERS, (uid,), None)
                    del live[uid]
                elif x < p_del + p_upd:
                    live[uid] = self.mutate_user(live[uid])
                    add(phase, USERS, (uid,), live[uid])
        # at least one late delete per users range (resurrection case for lagging replicas)
        bounds = [0] + self.user_splits + [10**18]
        for lo, hi in zip(bounds, bounds[1:]):
            cands = [u for u in sorted(live) if lo <= u < hi and (USERS.id, (u,)) not in
                     used["late"]]
            if cands:
                uid = r.choice(cands)
                add("late", USERS, (uid,), None)
                del live[uid]
        for k in range(cfg["new_users"]):
            uid = ids[-1] + 1 + k
            live[uid] = self.gen_user(uid)
            add("late", USERS, (uid,), live[uid])

        # events and snapshots: an event-sourced journal per user, plus periodic snapshots
        ev_users = ids[:cfg["ev_users"]]
        self.ev_users = ev_users
        k = len(cfg["ev_ranges"])
        self.event_splits = [ev_users[len(ev_users) * i // k] for i in range(1, k)]
        k = len(cfg["snap_ranges"])
        self.snap_splits = [ev_users[len(ev_users) * i // k] for i in range(1, k)]

        def phase_of(i, total):
            f = i / total
            return ("load" if f <= 0.5 else "update1" if f <= 0.7 else "update2" if f <= 0.85
                    else "late")

        self.last_seq, self.last_version = {}, {}
        for uid in ev_users:
            n_ev = r.randint(*cfg["ev_n"])
            self.last_seq[uid] = n_ev
            events = {}
            for seq in range(1, n_ev + 1):
                ph = phase_of(seq, n_ev)
                events[seq] = (ph, self.gen_event(uid, seq))
                add(ph, EVENTS, (uid, seq), events[seq][1])
            early = [s for s, (ph, _) in events.items() if ph in ("load", "update1")]
            if r.random() < 0.5:
                s = r.choice(early)
                add("update2", EVENTS, (uid, s), None)
                early.remove(s)
            s = r.choice(early)                              # guaranteed late delete
            add("late", EVENTS, (uid, s), None)
            early.remove(s)
            if r.random() < 0.5:
                s = r.choice(early)
                row = dict(events[s][1])
                row[3], row[4] = "redacted", None
                add("late", EVENTS, (uid, s), row)

            n_sn = r.randint(*cfg["snap_versions"])
            self.last_version[uid] = n_sn
            versions = []
            for v in range(1, n_sn + 1):
                ph = phase_of(v, n_sn)
                versions.append((v, ph))
                add(ph, SNAPSHOTS, (uid, v), self.gen_snapshot(uid, v))
            before_late = [v for v, ph in versions if ph in ("load", "update1")]
            if r.random() < 0.5 and len(before_late) > 2:
                add("update2", SNAPSHOTS, (uid, before_late[0]), None)
                before_late.pop(0)
            add("late", SNAPSHOTS, (uid, before_late[0]), None)  # guaranteed late delete

        # shop.items: every column type; two rows per sku (DATE DESC orders them)
        items = {}
        for i in range(cfg["items"]):
            sku = "sku-%04d" % (i // 2) if i % 7 else "skü-%04d" % (i // 2)
            row = self.gen_item(sku, r.randint(-3000, 20000),
                                uuid.UUID(int=r.getrandbits(128), version=4))
            pk = (row[1], row[2], row[3])
            items[pk] = row
            add("load", SHOP_ITEMS, pk, row)
        skus = sorted({pk[0] for pk in items}, key=lambda x: x.encode("utf-8"))
        k = len(cfg["item_ranges"])
        self.item_splits = [skus[len(skus) * i // k] for i in range(1, k)]
        for phase, p_upd, p_del in (("update1", 0.4, 0.0), ("update2", 0.3, 0.05),
                                    ("late", 0.3, 0.08)):
            for pk in sorted(items, key=lambda p: row_prefix(SHOP_ITEMS, items[p])):
                x = r.random()
                if x < p_del:
                    add(phase, SHOP_ITEMS, pk, None)
                    del items[pk]
                elif x < p_del + p_upd:
                    items[pk] = self.mutate_item(items[pk])
                    add(phase, SHOP_ITEMS, pk, items[pk])
        bounds = [""] + self.item_splits + ["\U0010ffff"]
        for lo, hi in zip(bounds, bounds[1:]):      # a late delete in every items range
            cands = [pk for pk in sorted(items, key=lambda p: row_prefix(SHOP_ITEMS, items[p]))
                     if lo.encode() <= pk[0].encode() < hi.encode()
                     and (SHOP_ITEMS.id, pk) not in used["late"]]
            if cands:
                pk = r.choice(cands)
                add("late", SHOP_ITEMS, pk, None)
                del items[pk]
        return ops

    # -- ranges and placement --------------------------------------------------------------

    def build_ranges(self):
        r, cfg = self.rng, self.cfg
        t = lambda tid: uvarint_asc(tid)                       # noqa: E731
        row = lambda tid, v: table_prefix(tid) + varint_asc(v)  # noqa: E731
        bounds = [(KEY_MIN, None, "meta"), (SYSTEM_PREFIX, None, "system"),
                  (t(0), None, "sysconfig"), (t(11), None, "systables")]
        cats = {}
        sku = lambda tid, v: table_prefix(tid) + bytes_asc(v.encode("utf-8"))  # noqa: E731
        for tab, splits, key, split_key in ((USERS, self.user_splits, "user_ranges", row),
                                            (EVENTS, self.event_splits, "ev_ranges", row),
                                            (SNAPSHOTS, self.snap_splits, "snap_ranges", row),
                                            (SHOP_ITEMS, self.item_splits, "item_ranges", sku)):
            bounds.append((t(tab.id), tab.id, None))
            bounds += [(split_key(tab.id, s), tab.id, None) for s in splits]
            c = list(cfg[key])
            r.shuffle(c)
            if self.index_ranges and tab.indexes:
                c = [x.rstrip("LS") for x in c] + ["3"]    # up to date; the index range survives
                bounds.append((table_prefix(tab.id, 2), tab.id, None))
            cats[tab.id] = c
        if self.tenant is not None:     # its range survives on every survivor
            bounds.append((tenant_prefix(self.tenant), None, "tenant"))
        ends = [b[0] for b in bounds[1:]] + [KEY_MAX]
        sys_cats = iter(SYSTEM_CATEGORIES)
        for i, ((start, tid, label), end) in enumerate(zip(bounds, ends)):
            cat = "3" if label == "tenant" else next(sys_cats) if tid is None else cats[tid].pop(0)
            self.ranges.append(Range(i + 1, start, end, tid, cat))
        self.range_starts = [rg.start for rg in self.ranges]
        for rg in self.ranges:
            self.place(rg)

    def place(self, rg: Range):
        r = self.rng
        n_surv = int(rg.category[0])
        stores = r.sample(self.survivors, n_surv) + r.sample(self.destroyed, 3 - n_surv)
        r.shuffle(stores)
        rid = 1
        for s in stores:
            rg.replicas.append(Replica(s, s, rid))
            rid += r.choice([1, 1, 2])
        rg.next_replica_id = rid
        rg.generation = 1 + r.randint(0, 3) if rg.table_id else 1
        rg.extra_raft_entries = r.randint(1, 6)

    def range_of(self, key: bytes) -> Range:
        return self.ranges[bisect.bisect_right(self.range_starts, key) - 1]

    def descriptor_proto(self, rg: Range, replicas=None, generation=None) -> bytes:
        p = Proto().varint(1, rg.range_id).bytes(2, rg.start).bytes(3, rg.end)
        for rep in (replicas or rg.replicas):
            p.msg(4, Proto().varint(1, rep.node).varint(2, rep.store).varint(3, rep.replica_id))
        p.varint(5, rg.next_replica_id)
        p.varint(6, rg.generation if generation is None else generation)
        return p.done()

    # -- writing batches -------------------------------------------------------------------

    def batch(self, rg: Range, phase: str, ts=None) -> Batch:
        wall, logical = ts or self.clock.next()
        b = Batch(phase, wall, logical)
        b.range = rg
        rg.batches.append(b)
        return b

    def bootstrap(self):
        """Range descriptors, meta records, liveness, ID generators, descriptors, namespace."""
        r = self.rng
        meta = self.ranges[0]
        for rg in self.ranges:
            old_ts, new_ts = self.clock.next(), self.clock.next()
            versions = []
            if r.random() < 0.5:        # an older descriptor (before a rebalance / split)
                old_reps = [Replica(x.node, x.store, x.replica_id) for x in rg.replicas]
                gone = r.choice(old_reps)
                pool = [s for s in range(1, NODES + 1) if s not in [x.store for x in old_reps]]
                gone.node = gone.store = r.choice(pool)
                versions.append((old_ts, self.descriptor_proto(rg, old_reps,
                                                               max(rg.generation - 1, 0))))
            versions.append((new_ts, self.descriptor_proto(rg)))
            b = self.batch(rg, "bootstrap", new_ts)
            lk = range_descriptor_key(rg.start)
            mb = self.batch(meta, "bootstrap", new_ts) if rg is not meta else b
            for (w, l), desc in versions:
                b.puts.append((mvcc_key(lk, w, l), roach_value(lk, TAG_BYTES, desc)))
                b.sys_keys += 1
                mk = meta2_key(rg.end)
                mb.puts.append((mvcc_key(mk, w, l), roach_value(mk, TAG_BYTES, desc)))
                if rg is meta:
                    mk = meta1_key(KEY_MAX)
                    mb.puts.append((mvcc_key(mk, w, l), roach_value(mk, TAG_BYTES, desc)))
        # /System: liveness records and ID generators
        sysr = self.ranges[1]
        b = self.batch(sysr, "bootstrap")
        new_layout = self.descriptors != "19.1"
        max_id = ENUM_ARRAY_ID if new_layout else SHOP_ITEMS.id
        for key, v in ((b"\x04desc-idgen", max_id), (b"\x04node-idgen", NODES),
                       (b"\x04range-idgen", len(self.ranges)), (b"\x04store-idgen", NODES)):
            b.puts.append((mvcc_key(key, b.wall, b.logical), roach_value(key, TAG_INT,
                                                                        zigzag_varint(v))))
        for node in range(1, NODES + 1):
            self.liveness(sysr, node, 1, "bootstrap")
        # system.descriptor and system.namespace rows (§7.1, §7.6)
        lay = self.descriptors
        cfg = self.ranges[2]
        dbs = [("system", 1), ("defaultdb", 50), ("postgres", 51), ("game", GAME_DB_ID),
               ("shop", SHOP_DB_ID)]
        ns_table = NAMESPACE2 if new_layout else NAMESPACE
        names = [(0, 0, n, i) for n, i in dbs]
        names += [(1, 29, "namespace", ns_table.id), (1, 29, "descriptor", 3)]
        names += [(tb.parent_id, PUBLIC_SCHEMA[tb.parent_id], tb.name, tb.id)
                  for tb in USER_TABLES]
        if new_layout:
            names += [(db, 0, "public", sid) for db, sid in PUBLIC_SCHEMA.items()]
            names += [(SHOP_DB_ID, PUBLIC_SCHEMA[SHOP_DB_ID], ENUM_NAME, ENUM_ID),
                      (SHOP_DB_ID, PUBLIC_SCHEMA[SHOP_DB_ID], "_" + ENUM_NAME, ENUM_ARRAY_ID)]
        b = self.batch(cfg, "bootstrap")
        ns_rg = self.range_of(table_prefix(ns_table.id))
        nb = b if ns_rg is cfg else self.batch(ns_rg, "bootstrap", (b.wall, b.logical))
        for pid, sid, name, did in names:
            if new_layout:
                self.put_row(nb, NAMESPACE2, {1: pid, 2: sid, 3: name, 4: did})
            else:
                self.put_row(nb, NAMESPACE, {1: pid, 2: name, 3: did})
        for name, did in dbs:
            self.put_row(b, DESCRIPTOR, {1: did, 2: database_descriptor(name, did, lay)})
        for tb in (ns_table, DESCRIPTOR):
            self.put_row(b, DESCRIPTOR, {1: tb.id, 2: table_descriptor(tb, 1, BASE_WALL, lay)})
        if new_layout:
            for db in PUBLIC_SCHEMA:
                self.put_row(b, DESCRIPTOR, {1: PUBLIC_SCHEMA[db], 2: schema_descriptor(db)})
            for did, desc in enum_type_descriptors():
                self.put_row(b, DESCRIPTOR, {1: did, 2: desc})
        for tb in USER_TABLES:          # CREATE TABLE, then a second descriptor version
            self.put_row(b, DESCRIPTOR, {1: tb.id, 2: table_descriptor(tb, 1, b.wall, lay)})
        b2 = self.batch(cfg, "bootstrap")
        for tb in USER_TABLES:
            self.put_row(b2, DESCRIPTOR, {1: tb.id, 2: table_descriptor(tb, 2, b2.wall, lay)})

    def write_tenant(self):
        """--tenant: the tenant's own descriptors of database game and table users (as the
        system tenant's), and 5 row keys of users with stand-in values (Salvage names the
        tenant and its tables; it does not recover them)."""
        if self.tenant is None:
            return
        prefix = tenant_prefix(self.tenant)
        rg = self.range_of(prefix)
        b = self.batch(rg, "bootstrap")
        lay = self.descriptors
        descs = [(GAME_DB_ID, database_descriptor("game", GAME_DB_ID, lay)),
                 (USERS.id, table_descriptor(USERS, 1, b.wall, lay))]
        if lay != "19.1":           # the database's public schema has a descriptor of its own
            descs.append((PUBLIC_SCHEMA[GAME_DB_ID], schema_descriptor(GAME_DB_ID)))
        kvs = [(prefix + table_prefix(DESCRIPTOR.id) + uvarint_asc(d) + family_suffix(2), v) for d, v in descs]
        kvs += [(prefix + table_prefix(USERS.id) + varint_asc(u) + family_suffix(0), b"tenant data")
                for u in range(1, 6)]
        for k, v in kvs:
            b.puts.append((mvcc_key(k, b.wall, b.logical), roach_value(k, TAG_BYTES, v)))

    def liveness(self, rg, node, epoch, phase):
        b = self.batch(rg, phase)
        k = liveness_key(node)
        lv = (Proto().varint(1, node).varint(2, epoch)
              .msg(3, hlc_timestamp(b.wall + 9 * 10**9)).done())
        b.puts.append((mvcc_key(k, b.wall, b.logical), roach_value(k, TAG_BYTES, lv)))

    def put_row(self, b: Batch, t: Table, row, pk=None, leave_intent=None):
        """Encode a committed INSERT/UPDATE (row) or DELETE (row None) into batch b."""
        pk = pk or tuple(row[c] for c in t.pk_ids)
        if self.index_ranges and t is USERS and row is not None and row.get(4) is not None and pk[0] % 4 == 0:
            # a composite key value (1.50: the key says 1.5) in users_balance_idx (§5.6)
            row = dict(row)
            row[4] = row[4].quantize(Decimal("0.1")).quantize(Decimal("0.01"))
        old = self.cur[t.id].get(pk) or {}
        new = {} if row is None else encode_row(t, row)
        # by key, not by family: an UPDATE moving a secondary-index key tombstones the old
        # index KV and writes the new one (as CockroachDB's row updater does)
        old_kv = {k: v for k, v in old.values() if v is not None}
        new_kv = {k: v for k, v in new.values() if v is not None}
        others = {}
        for k in sorted(set(old_kv) | set(new_kv)):
            v, ov = new_kv.get(k), old_kv.get(k)
            if v == ov:
                continue
            value = v if v is not None else b""          # empty value = MVCC tombstone
            rg = self.range_of(k)
            if rg is not b.range:    # an index KV in another range: same transaction timestamp
                if rg.range_id not in others:
                    others[rg.range_id] = self.batch(rg, b.phase, (b.wall, b.logical))
                others[rg.range_id].puts.append((mvcc_key(k, b.wall, b.logical), value))
                continue
            b.puts.append((mvcc_key(k, b.wall, b.logical), value))
            if leave_intent is not None:
                b.puts.append((mvcc_key(k), mvcc_metadata_intent(
                    leave_intent, b.wall, b.logical, len(value), deleted=not value)))
                b.row_ops.append(("resolved_intent_meta", k))
        if row is None:
            new = {fid: (k, None) for fid, (k, _) in old.items()}
        self.cur[t.id][pk] = new
        if t.id in self.truth:
            b.row_ops.append((t.id, pk, None if row is None else dict(row)))

    def write_history(self, ops):
        r = self.rng
        resolved_done = False
        pending_resolutions = []
        for phase in ("load", "update1", "update2", "late"):
            lst = ops[phase]
            r.shuffle(lst)
            if phase == "update2":
                for item in pending_resolutions:
                    lst.insert(r.randint(0, len(lst)), item)
            purge_at = set()
            if self.version in PEBBLE_VERSIONS and phase in ("update2", "late"):
                # one purge after the last update2 write (an L0 range key), one in the middle
                # of late (a WAL-only range key)
                purge_at = {len(lst) if phase == "update2" else r.randint(0, len(lst))}
            for i, op in enumerate(lst + [None]):
                if i in purge_at:
                    self.purge_journal(phase)
                if op is None:
                    break
                if op.get("table") is not None and (op["table"].id, op["pk"]) in self.purged:
                    continue                    # UPDATE/DELETE of a purged row: no-op
                if op.get("resolve"):
                    rg, key = op["range"], op["key"]
                    b = self.batch(rg, phase)
                    b.deletes.append(mvcc_key(key))
                    continue
                t = op["table"]
                rg = self.range_of(row_prefix(t, dict(zip(t.pk_ids, op["pk"]))))
                b = self.batch(rg, phase)
                leave = None
                if (phase == "update1" and not resolved_done and rg.category == "3"
                        and op["row"] is not None):
                    # a committed transaction whose intent is resolved one phase later:
                    # its MVCCMetadata sits in a bottom-level SST, the RocksDB deletion that
                    # resolved it in an L0 SST above it.
                    txn_id = leave_txn = uuid.UUID(int=r.getrandbits(128), version=4).bytes
                    leave = txn_meta(txn_id, row_prefix(t, op["row"]) + b"\x88", b.wall,
                                     b.logical, r.randint(1, 2**31 - 1), 1)
                    resolved_done = True
                self.put_row(b, t, op["row"], pk=op["pk"], leave_intent=leave)
                for tag in [x for x in b.row_ops if x[0] == "resolved_intent_meta"]:
                    b.row_ops.remove(tag)
                    pending_resolutions.append(dict(resolve=True, range=rg, key=tag[1]))
                    self.resolved.append(dict(range=rg, key=tag[1], wall=b.wall,
                                              logical=b.logical, txn_id=leave_txn))
            if phase == "late":
                for node in range(1, NODES + 1):
                    self.liveness(self.ranges[1], node, 2 if node in self.destroyed else 1,
                                  "late")
        for rg in self.ranges:
            rg.batches.sort(key=lambda x: (x.wall, x.logical))

    def purge_journal(self, phase):
        """23.2: an MVCC range tombstone over one user's whole event journal (a DELETE by
        span, as CockroachDB writes with DeleteRange using range tombstones): every version
        below its timestamp is deleted; later writes to the span survive."""
        r = self.rng
        done = {p["user_id"] for p in self.purges}
        cands = [u for u in self.ev_users if u not in done and
                 self.range_of(row_prefix(EVENTS, {1: u, 2: 1})).category not in ("0", "1S")]
        uid = r.choice(cands)
        start = table_prefix(EVENTS.id) + varint_asc(uid)
        end = table_prefix(EVENTS.id) + varint_asc(uid + 1)
        rg = self.range_of(start)
        b = self.batch(rg, phase)
        b.range_keys.append((start, end))
        for pk, enc in sorted(self.cur[EVENTS.id].items()):
            if pk[0] != uid:
                continue
            if any(v is not None for _, v in enc.values()):
                b.row_ops.append((EVENTS.id, pk, None))
            self.purged.add((EVENTS.id, pk))
            del self.cur[EVENTS.id][pk]
        self.purges.append(dict(user_id=uid, range=rg, start=start, end=end, wall=b.wall,
                                logical=b.logical, phase=phase,
                                deleted=[list(x[1]) for x in b.row_ops if x[2] is None]))

    def write_intents(self):
        """Uncommitted transactions left behind by the disaster (interleaved intents)."""
        r = self.rng

        def pick(tab):
            rgs = [rg for rg in self.ranges if rg.table_id == tab.id and rg.category in
                   ("3", "2L", "3L", "2", "1") and rg.start < table_prefix(tab.id, 2)]
            rg = rgs[r.randrange(len(rgs))]
            return rg

        plans = []
        rg = pick(USERS)
        cands = [pk for pk, enc in sorted(self.cur[USERS.id].items())
                 if self.range_of(row_prefix(USERS, {1: pk[0]})) is rg and
                 enc[0][1] is not None and enc[0][0] not in {x["key"] for x in self.resolved}]
        pk = r.choice(cands)
        row = dict(self.current_row(USERS, pk))
        row[2] = row[2] + " (pending rename)"
        plans.append((rg, USERS, pk, row, "update of an existing row (family 0)"))
        rg = pick(EVENTS)
        uid = next(u for u in self.ev_users
                   if self.range_of(row_prefix(EVENTS, {1: u, 2: 1})) is rg)
        seq = self.last_seq[uid] + 1
        plans.append((rg, EVENTS, (uid, seq), self.gen_event(uid, seq), "insert of a new row"))
        rg = pick(SNAPSHOTS)
        resolved_keys = {x["key"] for x in self.resolved}
        cands = [pk for pk, enc in sorted(self.cur[SNAPSHOTS.id].items())
                 if self.range_of(row_prefix(SNAPSHOTS, {1: pk[0], 2: pk[1]})) is rg and
                 enc[0][1] is not None and enc[0][0] not in resolved_keys]
        pk = cands[0]
        plans.append((rg, SNAPSHOTS, pk, None, "delete of an existing row (provisional "
                                               "tombstone)"))
        for rg, t, pk, row, what in plans:
            b = self.batch(rg, "pending")
            txn_id = uuid.UUID(int=r.getrandbits(128), version=4).bytes
            enc = encode_row(t, row) if row else None
            key = row_prefix(t, dict(zip(t.pk_ids, pk))) + b"\x88"
            meta = txn_meta(txn_id, key, b.wall, b.logical, r.randint(1, 2**31 - 1), 1)
            value = enc[0][1] if enc else b""
            b.puts.append((mvcc_key(key), mvcc_metadata_intent(meta, b.wall, b.logical,
                                                                len(value), not value)))
            b.puts.append((mvcc_key(key, b.wall, b.logical), value))
            # the PENDING transaction record, anchored at the first key written
            # TransactionRecord (wire-compatible with Transaction): 1 meta, 4 status,
            # 5 last_heartbeat
            rec = Proto().msg(1, meta).varint(4, 0).msg(5, hlc_timestamp(b.wall)).done()
            tk = txn_record_key(key, txn_id)
            b.puts.append((mvcc_key(tk), mvcc_metadata_inline(roach_value(tk, TAG_BYTES, rec))))
            b.sys_keys += 1
            self.intents.append(dict(range=rg, table=t, key=key, txn_id=txn_id, wall=b.wall,
                                     logical=b.logical, what=what, pk=pk, index_id=1,
                                     provisional_value=value, txn_record_key=tk))
            # the same transaction's secondary-index intents (an INSERT writes every index;
            # the rename here touches no indexed column)
            cur = self.cur[t.id].get(pk) or {}
            for ix in t.indexes if enc else []:
                ik, iv = enc[("ix", ix.id)]
                if cur.get(("ix", ix.id)) == (ik, iv):
                    continue
                irg = self.range_of(ik)
                ib = b if irg is rg else self.batch(irg, "pending", (b.wall, b.logical))
                ib.puts.append((mvcc_key(ik), mvcc_metadata_intent(meta, b.wall, b.logical,
                                                                    len(iv), False)))
                ib.puts.append((mvcc_key(ik, b.wall, b.logical), iv))
                self.intents.append(dict(range=irg, table=t, key=ik, txn_id=txn_id,
                                         wall=b.wall, logical=b.logical,
                                         what=what + ": secondary index %s" % ix.name, pk=pk,
                                         index_id=ix.id, provisional_value=iv,
                                         txn_record_key=tk))

    def plant_index_mismatches(self):
        """--index-ranges: committed writes that leave an index and its rows disagreeing, one
        of each kind the cross-check names (self.planted is their ground truth)."""
        r = self.rng
        busy = {(it["table"].id, it["pk"]) for it in self.intents}

        def live(t):
            rows = self.rows_now(t)
            return [pk for pk in sorted(rows) if (t.id, pk) not in busy and
                    self.range_of(row_prefix(t, rows[pk])).category != "0"], rows

        def put(t, ix, row, delete=False):
            """Writes (or deletes) a row's whole entry in `ix`, one batch of the index range."""
            kvs = index_kvs(t, ix, row)
            b = self.batch(self.range_of(kvs[0][0]), "late")
            b.puts += [(mvcc_key(k, b.wall, b.logical), b"" if delete else v) for k, v in kvs]

        def note(t, ix, pk, kind):
            self.planted.append({"table": qualified(t), "index": ix.name,
                                 "primary_key_hex": row_prefix(t, dict(zip(t.pk_ids, pk))).hex(),
                                 "primary_key": list(pk), "kind": kind})
        users, rows = live(USERS)
        email, balance = USERS.indexes[0], USERS_BALANCE_IDX
        a, b = r.sample(users, 2)
        put(USERS, email, rows[a], delete=True)                          # entry deleted
        note(USERS, email, a, "missing entry")
        other = dict(rows[b])
        other[4] = (other[4] or Decimal(0)) + Decimal("7.25")
        put(USERS, balance, other)                                       # a second, wrong entry
        note(USERS, balance, b, "entry does not match its row")
        ghost = next(u for u in range(users[0][0], 10**6) if (u,) not in rows and
                     self.range_of(row_prefix(USERS, {1: u})).category != "0")
        put(USERS, email, {1: ghost, 3: "ghost@example.com"})
        note(USERS, email, (ghost,), "entry without row")
        events, ev_rows = live(EVENTS)
        c = r.choice(events)
        ix = EVENTS.indexes[0]
        changed = dict(ev_rows[c])
        changed[4] = b"planted"
        put(EVENTS, ix, changed)                                         # same key, other STORING value
        note(EVENTS, ix, c, "entry does not match its row")

    def rows_now(self, t):
        """The table's committed rows as of now (every range's batches)."""
        out = {}
        for rg in self.ranges:
            if rg.table_id == t.id:
                out.update({pk: row for (tid, pk), row in self.rows_after(rg, len(rg.batches)).items()
                            if tid == t.id})
        return out

    def current_row(self, t, pk):
        """Decode-free lookup: replay the truth ops of the row's range."""
        rg = self.range_of(row_prefix(t, dict(zip(t.pk_ids, pk))))
        row = None
        for b in rg.batches:
            for tid, p, rw in b.row_ops:
                if tid == t.id and p == pk:
                    row = rw
        return row

    # -- replicas: who applied what ---------------------------------------------------------

    def decide_lag(self):
        r = self.rng
        for rg in self.ranges:
            n = len(rg.batches)
            for rep in rg.replicas:
                rep.applied = n
            if rg.category in ("2L", "3L", "1S"):
                lag_phase = "update2" if rg.category == "1S" else "late"
                m = next(i for i, b in enumerate(rg.batches)
                         if PHASES.index(b.phase) >= PHASES.index(lag_phase))
                surv = [x for x in rg.replicas if x.store in self.survivors]
                r.choice(surv).applied = m

    def raft_index(self, rg, applied):
        return RAFT_INITIAL_INDEX + rg.extra_raft_entries + applied

    def applied_state(self, rg: Range, applied: int) -> bytes:
        keys, live, vals, intents, sys_count = {}, 0, 0, 0, 0
        for b in rg.batches[:applied]:
            sys_count += b.sys_keys
            for ek, v in b.puts:
                if ek[-1] == 0:
                    if ek[:1] != b"\x01":
                        intents += 1
                    continue
                rk = ek[:len(ek) - 1 - ek[-1]]
                if rk[:1] == b"\x01":
                    continue
                vals += 1
                prev = keys.get(rk)
                if prev is None or (b.wall, b.logical) >= prev[0]:
                    keys[rk] = ((b.wall, b.logical), bool(v))
            for ek in b.deletes:
                intents -= 1
        live = sum(1 for _, alive in keys.values() if alive)
        last = rg.batches[applied - 1].wall if applied else BASE_WALL
        stats = (Proto().bool(14, True).sfixed64(1, last).varint(5, live)
                 .varint(7, len(keys)).varint(9, vals).varint(11, max(intents, 0))
                 .varint(13, sys_count + 1))
        st = (Proto().varint(1, self.raft_index(rg, applied)).varint(2, applied)
              .msg(3, stats).done())
        k = applied_state_key(rg.range_id)
        return mvcc_metadata_inline(roach_value(k, TAG_BYTES, st))

    # -- stores --------------------------------------------------------------------------

    def store_inputs(self, store: int):
        """Per ldb step A/B/C: list of (key, value) lines; and deletions after B."""
        files = {"A": [], "B": [], "C": []}
        deletes = []
        ident = Proto().bytes(1, self.cluster_id.bytes).varint(2, store).varint(3, store).done()
        files["A"].append((mvcc_key(STORE_IDENT_KEY), mvcc_metadata_inline(
            roach_value(STORE_IDENT_KEY, TAG_BYTES, ident))))
        for rg in self.ranges:
            rep = next((x for x in rg.replicas if x.store == store), None)
            if rep is None:
                continue
            files["A"].extend(self.raft_tails.get((rg.range_id, store), []))
            done = 0
            for step in "ABC":
                for i, b in enumerate(rg.batches[:rep.applied]):
                    if PHASE_FILE[b.phase] != step:
                        continue
                    files[step].extend(b.puts)
                    if b.deletes:
                        if step != "B":
                            raise AssertionError("deletions are only written in step B")
                        deletes.extend(b.deletes)
                    done = max(done, i + 1)
                if step == "A" or any(PHASE_FILE[b.phase] == step
                                      for b in rg.batches[:rep.applied]):
                    files[step].append((mvcc_key(applied_state_key(rg.range_id)),
                                        self.applied_state(rg, done)))
        return files, deletes

    # -- ground truth ------------------------------------------------------------------------

    def recovered(self, rg: Range, x: Replica) -> int:
        """Commands a recovery applies on replica x: its own, plus a replayed log tail."""
        return self.replayed[rg.range_id] if self.replay_onto.get(rg.range_id) == x.store else x.applied

    def rows_after(self, rg: Range, applied: int):
        rows = {}
        for b in rg.batches[:applied]:
            for tid, pk, row in b.row_ops:
                rows[(tid, pk)] = row
        return {k: v for k, v in rows.items() if v is not None}


# ---------------------------------------------------------------------------------------------
# CSV rendering (what IMPORT INTO ... CSV DATA (...) WITH nullif = '\N' accepts)


def csv_field(text: str | None) -> str:
    """NULL is the unquoted \\N; a value that is empty, is the text \\N or holds , " CR LF
    is quoted RFC 4180-style (IMPORT never reads a quoted field as NULL)."""
    if text is None:
        return NULL
    if text in ("", NULL) or any(ch in text for ch in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def write_csv_to(buf, t: Table, rows):
    """Rows in primary-key order (the encoded key's byte order), no header."""
    for row in sorted(rows, key=lambda rw: row_prefix(t, rw)):
        buf.write(",".join(csv_field(types.render(c.type, row.get(c.id)))
                           for c in t.columns) + "\n")


def write_csv(path: str, t: Table, rows):
    buf = io.StringIO()
    write_csv_to(buf, t, rows)
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(buf.getvalue())


def dump_json(path: str, obj):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=2, sort_keys=False, ensure_ascii=False)
        f.write("\n")


def write_index_truth(sim: Simulator, exp: str, before: dict):
    """expected/index_rebuild.json (and index_rebuild/<table>.csv): per indexed table, the rows
    of its lost primary ranges as they were (what a rebuild from the surviving indexes gives),
    the columns the indexes hold, and the planted index/row mismatches."""
    os.makedirs(os.path.join(exp, "index_rebuild"), exist_ok=True)
    tables = {}
    for t in USER_TABLES:
        if not t.indexes:
            continue
        lost = [rg for rg in sim.ranges if rg.table_id == t.id and rg.category == "0"]
        rows = [row for pk, row in sorted(before[t.id].items())
                if sim.range_of(row_prefix(t, row)) in lost]
        known = set(t.pk_ids)
        for ix in t.indexes:
            known |= {c for c, _ in ix.cols} | set(ix.storing)
        write_csv(os.path.join(exp, "index_rebuild", t.name + ".csv"), t, rows)
        tables[qualified(t)] = {
            "lost_spans": [span_json(rg) for rg in lost], "rows": len(rows),
            "csv": "index_rebuild/" + t.name + ".csv",
            "full": len(known) == len(t.columns),
            "known_columns": [c.name for c in t.columns if c.id in known]}
    dump_json(os.path.join(exp, "index_rebuild.json"), {"tables": tables,
                                                        "mismatches": sim.planted})


def table_json(t: Table, layout: str) -> dict:
    return {
        "database": DB_NAMES[t.parent_id], "database_id": t.parent_id, "schema": "public",
        "schema_id": PUBLIC_SCHEMA[t.parent_id] if layout != "19.1" else 29,
        "table": t.name, "table_id": t.id, "descriptor_version": 2,
        "columns": [{"id": c.id, "name": c.name, "type": c.type, "nullable": c.nullable}
                    for c in t.columns],
        "families": [{"id": f.id, "name": f.name, "column_ids": f.column_ids,
                      "default_column_id": f.default_column_id} for f in t.families],
        "primary_key": {"index_id": 1, "name": "primary",
                        "columns": [{"column_id": c, "name": t.col(c).name, "direction": d}
                                    for c, d in t.pk]},
        "indexes": [{"index_id": ix.id, "name": ix.name, "unique": ix.unique,
                     "columns": [{"column_id": c, "name": t.col(c).name, "direction": d}
                                 for c, d in ix.cols],
                     "storing": [t.col(c).name for c in ix.storing]} for ix in t.indexes],
        "csv": t.name + ".csv",
        "csv_columns": [c.name for c in t.columns],
    }


def span_indexes(rg: Range) -> list:
    """Tables and their indexes (primary = 1) whose keys the range's span holds (§5.6)."""
    out = []
    for t in USER_TABLES:
        ids = [ix for ix in [1] + [x.id for x in t.indexes]
               if rg.start < table_prefix(t.id, ix + 1) and table_prefix(t.id, ix) < rg.end]
        if ids:
            names = {1: "primary", **{x.id: x.name for x in t.indexes}}
            out.append({"table_id": t.id, "table": qualified(t), "index_ids": ids,
                        "indexes": [names[i] for i in ids]})
    return out


def expected_readme() -> str:
    """The ground-truth section of contrib/simulator/README.md, copied into expected/."""
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "README.md"),
              encoding="utf-8") as f:
        text = f.read()
    body = text.split("<!-- expected-readme:start -->")[1].split("<!-- expected-readme:end -->")[0]
    return ("# Ground truth of a simulated dead cluster\n\nWritten by "
            "contrib/simulator/make_dead_cluster.py; see contrib/simulator/README.md for the "
            "store layout.\n\n"
            + body.replace("## Ground truth: `OUT_DIR/expected/`", "", 1).strip()
            + "\n")


def span_json(rg: Range) -> dict:
    return {"start_key_pretty": pretty_key(rg.start), "end_key_pretty": pretty_key(rg.end),
            "start_key_hex": rg.start.hex(), "end_key_hex": rg.end.hex()}


# ---------------------------------------------------------------------------------------------
# Driver


def run_ldb(args, stdin_text=None):
    res = subprocess.run([LDB] + args, input=stdin_text, capture_output=True, text=True)
    if res.returncode != 0 or "Failed" in res.stdout or "Invalid" in res.stdout:
        raise RuntimeError("ldb %s failed: %s %s" % (" ".join(args[:3]), res.stdout[-500:],
                                                      res.stderr[-500:]))
    return res.stdout


def write_store(path: str, files: dict, deletes: list):
    def lines(kvs):
        return "".join("0x%s ==> 0x%s\n" % (k.hex().upper(), v.hex().upper()) for k, v in kvs)
    db = "--db=" + path
    run_ldb([db, "--create_if_missing", "--hex", "--compression_type=snappy", "load"],
            lines(files["A"]))
    run_ldb([db, "compact"])
    run_ldb([db, "--hex", "load"], lines(files["B"]))
    for k in deletes:
        run_ldb([db, "--hex", "delete", "0x" + k.hex().upper()])
    run_ldb([db, "--hex", "load"], lines(files["C"]))   # stays in the WAL


def add_raft_tails(sim: Simulator, sim_pebble=None):
    """--raft-logs: each "1S" range (one survivor, lagging) keeps its committed log tail on
    the survivor (sim_raft.log_tail), and the "2L" snapshots range becomes a deposed leader
    (add_deposed_leader); the ground truth then counts those commands applied.
    Pebble stores (`sim_pebble` given) log their commands as the Pebble batches they wrote
    (lock-table intents, single deletes, MVCC range keys)."""
    import sim_raft
    batch_of = None
    if sim_pebble is not None:
        import pebble_store
        txns = sim_pebble.intent_txns(sim)
        batch_of = lambda b: sim_raft.encode_ops(  # noqa: E731
            [pebble_store._wal_entry(op) for op in sim_pebble.batch_ops(b, txns)])
    for rg in sim.ranges:
        if rg.category != "1S":
            continue
        rep = next(x for x in rg.replicas if x.store in sim.survivors)
        n = len(rg.batches)
        if rep.applied >= n:
            continue
        rows = sorted(sim.rows_after(rg, n))
        if not rows:
            continue
        tid, pk = rows[0]
        t = TABLES_BY_ID[tid]
        victim = row_prefix(t, dict(zip(t.pk_ids, pk))) + b"\x88"
        kvs, want = sim_raft.log_tail(rg, rep.applied, sim.raft_index(rg, rep.applied) + 1,
                                      rep.store, victim, batch_of)
        sim.raft_tails[(rg.range_id, rep.store)] = kvs
        sim.replayed[rg.range_id] = n
        sim.replay_onto[rg.range_id] = rep.store
        sim.raft_truth.append(want)
    add_deposed_leader(sim, sim_pebble, batch_of)


def add_sstable_batch(sim: Simulator, rg: Range) -> Batch:
    """The last command of `rg` (a snapshots range): an AddSSTable, as IMPORT INTO or a
    restore sends one, holding a new row (the next version of the range's last user) and a
    newer version of an existing row (no intent on it), 1 s after every other write."""
    t = SNAPSHOTS
    live = sim.rows_after(rg, len(rg.batches))
    pending = {(it["table"].id, tuple(it["pk"])) for it in sim.intents}
    mine = sorted(pk for (tid, pk) in live if tid == t.id and (tid, pk) not in pending)
    uid = mine[-1][0]
    top = max(pk[1] for b in rg.batches for tid, pk, _ in b.row_ops if tid == t.id and pk[0] == uid)
    wall = max(b.wall for r in sim.ranges for b in r.batches) + 10**9
    b = Batch("late", wall, 0)
    b.range = rg
    old = mine[len(mine) // 2]
    newer = dict(live[(t.id, old)])
    newer[3] = {"restored": True, "version": old[1], "note": "AddSSTable, newer version"}
    rows = [newer, {1: uid, 2: top + 1, 3: {"gold": 0, "level": top + 1, "items": [],
                                            "note": "AddSSTable, new row"}}]
    for row in rows:
        for k, v in encode_row(t, row).values():
            assert rg.start <= k < rg.end and v is not None
            b.puts.append((mvcc_key(k, wall, 0), v))
        b.row_ops.append((t.id, (row[1], row[2]), row))
    b.puts.sort()
    rg.batches.append(b)
    return b


def rocksdb_sst(kvs) -> bytes:
    """An SST file as RocksDB's SstFileWriter writes it (`ldb write_extern_sst`), keys sorted."""
    import tempfile
    with tempfile.TemporaryDirectory(prefix="salvage-sst-") as d:
        lines = "".join("0x%s ==> 0x%s\n" % (k.hex().upper(), v.hex().upper())
                        for k, v in sorted(kvs))
        run_ldb(["--db=" + os.path.join(d, "db"), "--create_if_missing", "--hex", "load"], "")
        out = os.path.join(d, "add.sst")
        run_ldb(["--db=" + os.path.join(d, "db"), "--hex", "--compression_type=snappy",
                 "write_extern_sst", out], lines)
        with open(out, "rb") as f:
            return f.read()


def add_deposed_leader(sim: Simulator, sim_pebble=None, batch_of=None):
    """--raft-logs, second case (sim_raft.deposed_leader): the "2L" snapshots range's two
    survivors become a deposed term-2 leader (the lagging one, which applied up to the late
    phase) with a diverged tail and a follower that applied less (up to update2) but holds
    the entries term 3 committed, the last one a sideloaded AddSSTable (add_sstable_batch)."""
    import sim_raft
    rg = next((r for r in sim.ranges if r.category == "2L" and r.table_id == SNAPSHOTS.id), None)
    if rg is None:
        return
    surv = sorted((x for x in rg.replicas if x.store in sim.survivors), key=lambda x: x.applied)
    leader, follower = surv
    n = len(rg.batches)
    if leader.applied >= n:
        return
    j = next(i for i, b in enumerate(rg.batches) if PHASES.index(b.phase) >= PHASES.index("update2"))
    follower.applied = min(j, leader.applied - 1)
    new_leader = next(x for x in rg.replicas if x.store not in sim.survivors)
    b = add_sstable_batch(sim, rg)
    new_leader.applied = len(rg.batches)
    if sim_pebble is None:
        sst = rocksdb_sst(b.puts)
    else:
        sst = sim_pebble.ingestion_sst(b.puts, sim.version)
    tid, pk = sorted(sim.rows_after(rg, len(rg.batches)))[0]
    t = TABLES_BY_ID[tid]
    victim = row_prefix(t, dict(zip(t.pk_ids, pk))) + b"\x88"
    kvs, files, want = sim_raft.deposed_leader(
        rg, leader.store, follower.store, new_leader.store, leader.applied, follower.applied,
        lambda a: sim.raft_index(rg, a), victim, sst, batch_of,
        admission=0 if sim_pebble is None else 2 if sim.version == "25.4" else 1)
    for store, tail in kvs.items():
        sim.raft_tails[(rg.range_id, store)] = tail
    for store, fs in files.items():
        sim.sideloaded.setdefault(store, []).extend(fs)
    want["sideloaded"]["rows"] = [list(pk) for _, pk, _ in b.row_ops]
    sim.replayed[rg.range_id] = len(rg.batches)
    sim.replay_onto[rg.range_id] = leader.store
    sim.raft_truth.append(want)


def simulate(seed: int, scale: str, version: str = "19.1", descriptors: str | None = None,
             index_ranges: bool = False, plant: bool = True, tenant: int | None = None) -> Simulator:
    """The whole history in memory (ranges, batches, lag); nothing written. make_large_cluster
    rebuilds it to split ranges of a cluster generated earlier."""
    sim = Simulator(seed, scale, version, descriptors, index_ranges, tenant)
    ops = sim.plan_ops()
    sim.build_ranges()
    sim.bootstrap()
    sim.write_tenant()
    sim.write_history(ops)
    sim.write_intents()
    if index_ranges and plant:
        sim.plant_index_mismatches()
    for rg in sim.ranges:
        rg.batches.sort(key=lambda x: (x.wall, x.logical))
    sim.decide_lag()
    return sim


def generate(out_dir: str, seed: int = 1, scale: str = "small", quiet: bool = False,
             version: str = "19.1", descriptors: str | None = None, damage: int = 0,
             index_ranges: bool = False, plant: bool = True, raft_logs: bool = False,
             tenant: int | None = None) -> dict:
    t0 = time.time()
    if version not in VERSIONS:
        raise SystemExit("unknown --version %s (choose from %s)" % (version, ", ".join(VERSIONS)))
    if version == "19.1" and shutil.which(LDB) is None:
        raise SystemExit("ldb not found: apt-get install -y rocksdb-tools")
    pebble = version in PEBBLE_VERSIONS
    if damage and not pebble:
        raise SystemExit("--damage needs --version 23.2 or 25.4 (the Pebble writer knows its blocks)")
    # the Pebble writer needs PyPI packages (crc32c, cramjam): only imported for Pebble stores
    sim_pebble = importlib.import_module("sim_pebble") if pebble else None
    sim = simulate(seed, scale, version, descriptors, index_ranges, plant, tenant)
    if raft_logs:
        add_raft_tails(sim, sim_pebble)

    os.makedirs(out_dir, exist_ok=True)
    ours = os.path.exists(os.path.join(out_dir, "expected", "cluster.json"))
    clash = [s for s in ("stores", "destroyed", "expected")
             if os.path.exists(os.path.join(out_dir, s))]
    if clash and not ours:
        raise SystemExit("%s already has %s but no expected/cluster.json: not a simulator output, "
                         "refusing to overwrite" % (out_dir, ", ".join(clash)))
    for sub in ("stores", "destroyed", "expected"):
        shutil.rmtree(os.path.join(out_dir, sub), ignore_errors=True)
    os.makedirs(os.path.join(out_dir, "stores"))
    os.makedirs(os.path.join(out_dir, "destroyed"))
    exp = os.path.join(out_dir, "expected")
    os.makedirs(os.path.join(exp, "all_rows_before_disaster"))

    written = {}

    def one(store):
        path = os.path.join(out_dir, "stores", "n%d" % store)
        if pebble:
            ident = Proto().bytes(1, sim.cluster_id.bytes).varint(2, store).varint(3, store).done()
            ident_kv = (mvcc_key(STORE_IDENT_KEY), mvcc_metadata_inline(
                roach_value(STORE_IDENT_KEY, TAG_BYTES, ident)))
            steps = sim_pebble.store_batches(sim, store, PHASE_FILE, ident_kv, applied_state_key)
            written[store] = sim_pebble.write_pebble_store(
                path, steps, sim_pebble.block_size(scale), version)
            written[store]["steps"] = steps
        else:
            files, deletes = sim.store_inputs(store)
            write_store(path, files, deletes)
        for rel, data in sim.sideloaded.get(store, []):     # --raft-logs: AddSSTable payloads
            os.makedirs(os.path.dirname(os.path.join(path, rel)), exist_ok=True)
            with open(os.path.join(path, rel), "wb") as f:
                f.write(data)
    if pebble:
        for s in range(1, NODES + 1):      # pure Python: threads would only contend
            one(s)
    else:
        with ThreadPoolExecutor(max_workers=4) as pool:
            list(pool.map(one, range(1, NODES + 1)))
    for s in sim.destroyed:
        os.rename(os.path.join(out_dir, "stores", "n%d" % s),
                  os.path.join(out_dir, "destroyed", "n%d" % s))

    damaged = []
    if damage:
        best = {}
        for rg in sim.ranges:
            surv = [x for x in rg.replicas if x.store in sim.survivors]
            if surv:
                best[rg.range_id] = max(surv, key=lambda x: (x.applied, -x.store)).store
        cands = sim_pebble.damage_candidates(
            sim, {s: w for s, w in written.items() if s in sim.survivors},
            {EVENTS.id, SNAPSHOTS.id}, best, {it["key"] for it in sim.intents})
        row_keys = {}       # range id → sorted row keys of the most advanced replica's state

        def has_rows(c):
            rg = c["range"]
            if rg.range_id not in row_keys:
                best_rep = next(x for x in rg.replicas if x.store == best[rg.range_id])
                row_keys[rg.range_id] = sorted(
                    row_prefix(TABLES_BY_ID[tid], dict(zip(TABLES_BY_ID[tid].pk_ids, pk)))
                    for (tid, pk) in sim.rows_after(rg, best_rep.applied))
            keys = row_keys[rg.range_id]
            for k in keys[max(bisect.bisect_left(keys, c["lo"]) - 1, 0):]:
                if k >= c["hi"]:
                    return False
                if c["lo"] <= k + b"\x88" < c["hi"]:
                    return True
            return False
        damaged = sim_pebble.choose_damage(cands, damage, random.Random(seed * 7919 + damage),
                                           has_rows)
        for d in damaged:
            sim_pebble.corrupt(os.path.join(out_dir, "stores", "n%d" % d["store"],
                                            "%06d.sst" % d["file"]), d["offset"], d["length"])

    # ---- ground truth
    before = {t.id: {} for t in USER_TABLES}
    after = {t.id: {} for t in USER_TABLES}
    unreplayed = {t.id: {} for t in USER_TABLES}     # what a recovery without Raft replay gets
    replicas_json, lost_json = [], []
    for rg in sim.ranges:
        full = sim.rows_after(rg, len(rg.batches))
        for (tid, pk), row in full.items():
            before[tid][pk] = row
        surv = [x for x in rg.replicas if x.store in sim.survivors]
        best = max(surv, key=lambda x: (x.applied, -x.store)) if surv else None
        if best:
            for (tid, pk), row in sim.rows_after(rg, best.applied).items():
                unreplayed[tid][pk] = row
            # A committed log tail on the survivor is applied by the recovery (--raft-logs).
            for (tid, pk), row in sim.rows_after(rg, sim.replayed.get(rg.range_id, best.applied)).items():
                after[tid][pk] = row
        n = len(rg.batches)
        entry = {"range_id": rg.range_id, **span_json(rg),
                 "table": qualified(TABLES_BY_ID[rg.table_id]) if rg.table_id else None,
                 "table_id": rg.table_id, "generation": rg.generation,
                 "status": ("lost" if not surv else "stale" if best.applied < n else "ok"),
                 "raft_applied_index_before_disaster": sim.raft_index(rg, n),
                 "replicas": [{"node_id": x.node, "store_id": x.store, "replica_id": x.replica_id,
                               "survived": x.store in sim.survivors,
                               "raft_applied_index": sim.raft_index(rg, x.applied),
                               "lease_applied_index": x.applied,
                               "up_to_date": x.applied == n} for x in rg.replicas],
                 "surviving_stores": sorted(x.store for x in surv),
                 "most_advanced_store": best.store if best else None,
                 "lagging_surviving_stores": sorted(x.store for x in surv
                                                    if best and x.applied < best.applied)}
        replicas_json.append(entry)
        if not surv:
            lost_rows = {}
            for (tid, pk) in full:
                lost_rows[tid] = lost_rows.get(tid, 0) + 1
            lost_json.append({"range_id": rg.range_id, **span_json(rg),
                              "tables": span_indexes(rg),
                              "destroyed_replica_stores": sorted(x.store for x in rg.replicas),
                              "rows_lost": sum(lost_rows.values()),
                              "rows_lost_by_table": {qualified(TABLES_BY_ID[t]): c
                                                     for t, c in sorted(lost_rows.items())}})
    damaged_json = []
    for d in damaged:
        # The damaged span is read from the next surviving replica (applied index order);
        # with none left, its rows are lost.
        rg = d["range"]
        order = sorted((x for x in rg.replicas if x.store in sim.survivors),
                       key=lambda x: (-x.applied, x.store))
        fb = order[1] if len(order) > 1 else None

        def in_span(tid, pk):
            t = TABLES_BY_ID[tid]
            return d["lo"] <= row_prefix(t, dict(zip(t.pk_ids, pk))) + b"\x88" < d["hi"]
        chosen_rows = {k: v for k, v in sim.rows_after(rg, order[0].applied).items()
                       if in_span(*k)}
        fb_rows = ({k: v for k, v in sim.rows_after(rg, fb.applied).items() if in_span(*k)}
                   if fb else {})
        for (tid, pk) in chosen_rows:
            del after[tid][pk]
        for (tid, pk), row in fb_rows.items():
            after[tid][pk] = row
        damaged_json.append({
            "store_id": d["store"], "file": "%06d.sst" % d["file"], "level": d["level"],
            "block_index": d["block"], "block_offset": d["offset"], "block_length": d["length"],
            "first_key_hex": d["first_key"].hex(), "last_key_hex": d["last_key"].hex(),
            "damaged_span": {"start_key_pretty": pretty_key(d["lo"]),
                             "end_key_pretty": pretty_key(d["hi"][:-1]) + " (exclusive: ‖ 00)",
                             "start_key_hex": d["lo"].hex(), "end_key_hex": d["hi"].hex()},
            "range_id": rg.range_id, "table": qualified(TABLES_BY_ID[rg.table_id]),
            "fallback_store": fb.store if fb else None,
            "rows_in_span_on_damaged_replica": len(chosen_rows),
            "rows_read_from_fallback": len(fb_rows),
            "rows_lost": sorted(list(pk) for (tid, pk) in chosen_rows
                                if (tid, pk) not in fb_rows)})
    if pebble:
        dump_json(os.path.join(exp, "damaged_blocks.json"), damaged_json)
    if raft_logs:
        os.makedirs(os.path.join(exp, "without_raft_replay"))
        dump_json(os.path.join(exp, "raft_replay.json"), sim.raft_truth)
    for t in USER_TABLES:
        write_csv(os.path.join(exp, t.name + ".csv"), t, after[t.id].values())
        if raft_logs:
            write_csv(os.path.join(exp, "without_raft_replay", t.name + ".csv"), t,
                      unreplayed[t.id].values())
        write_csv(os.path.join(exp, "all_rows_before_disaster", t.name + ".csv"), t,
                  before[t.id].values())
    dump_json(os.path.join(exp, "tables.json"), [table_json(t, sim.descriptors)
                                                      for t in USER_TABLES])
    with open(os.path.join(exp, "README.md"), "w", encoding="utf-8") as f:
        f.write(expected_readme())
    dump_json(os.path.join(exp, "lost_spans.json"), lost_json)
    if index_ranges:
        write_index_truth(sim, exp, before)
    dump_json(os.path.join(exp, "replicas.json"), replicas_json)
    intents_json = []
    for it in sim.intents:
        rg = it["range"]
        holders = sorted(x.store for x in rg.replicas if x.store in sim.survivors and
                         any(b.wall == it["wall"] and b.logical == it["logical"] and
                             b.phase == "pending" for b in rg.batches[:sim.recovered(rg, x)]))
        intents_json.append({
            "key_pretty": pretty_key(it["key"]), "key_hex": it["key"].hex(),
            "table": qualified(it["table"]), "index_id": it["index_id"],
            "primary_key": list(it["pk"]),
            "txn_id": str(uuid.UUID(bytes=it["txn_id"])),
            "timestamp": {"wall_time": it["wall"], "logical": it["logical"]},
            "what": it["what"], "provisional_value_hex": it["provisional_value"].hex(),
            "metadata_engine_key_hex": (it["key"] + b"\x00" if version == "19.1" else
                                        sim_pebble.lock_table_key(it["key"], it["txn_id"])).hex(),
            "txn_record_key_hex": it["txn_record_key"].hex(), "txn_status": "PENDING",
            "range_id": rg.range_id, "surviving_stores_holding_it": holders})
    dump_json(os.path.join(exp, "intents.json"), intents_json)
    if pebble:
        dump_json(os.path.join(exp, "range_tombstones.json"), [{
            **span_json(Range(0, p["start"], p["end"], None, "")),
            "table": "game.events", "user_id": p["user_id"],
            "timestamp": {"wall_time": p["wall"], "logical": p["logical"]},
            "range_id": p["range"].range_id, "rows_deleted": len(p["deleted"]),
            "deleted_primary_keys": p["deleted"],
            "written_to": "L0 sstable" if PHASE_FILE[p["phase"]] == "B" else "WAL only",
            "surviving_stores_holding_it": sorted(
                x.store for x in p["range"].replicas if x.store in sim.survivors and
                any(b.range_keys and b.wall == p["wall"] and b.logical == p["logical"]
                    for b in p["range"].batches[:sim.recovered(p["range"], x)]))}
        for p in sim.purges])
    dump_json(os.path.join(exp, "resolved_intents.json"), [{
        "key_pretty": pretty_key(x["key"]), "key_hex": x["key"].hex(),
        "metadata_engine_key_hex": (x["key"] + b"\x00" if version == "19.1" else
                                    sim_pebble.lock_table_key(x["key"], x["txn_id"])).hex(),
        "txn_id": str(uuid.UUID(bytes=x["txn_id"])),
        "timestamp": {"wall_time": x["wall"], "logical": x["logical"]},
        "range_id": x["range"].range_id,
        "surviving_stores": sorted(s.store for s in x["range"].replicas
                                   if s.store in sim.survivors)} for x in sim.resolved])
    dump_json(os.path.join(exp, "cluster.json"), {
        "generator": "contrib/simulator/make_dead_cluster.py", "seed": seed, "scale": scale,
        "cockroachdb_version": sim.version + " (simulated)",
        "descriptors": sim.descriptors, "cluster_id": str(sim.cluster_id),
        "nodes": [{"node_id": s, "store_id": s, "store_dir": ("stores/n%d" if s in sim.survivors
                                                              else "destroyed/n%d") % s,
                   "survived": s in sim.survivors} for s in range(1, NODES + 1)],
        "surviving_stores": sim.survivors, "destroyed_stores": sim.destroyed,
        "row_counts": {qualified(t): {"before_disaster": len(before[t.id]),
                                          "recoverable": len(after[t.id])}
                       for t in USER_TABLES},
        "ranges": len(sim.ranges)})
    dt = time.time() - t0
    if not quiet:
        print("wrote %s: %d ranges, stores %s survive, %s destroyed; rows %s; %.2fs" % (
            out_dir, len(sim.ranges), sim.survivors, sim.destroyed,
            {t.name: len(after[t.id]) for t in USER_TABLES}, dt))
    return {"seconds": dt, "sim": sim, "written": written}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out_dir")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--scale", choices=sorted(SCALES), default="small")
    ap.add_argument("--version", choices=VERSIONS, default="19.1",
                    help="19.1: RocksDB stores written by ldb, ColumnType descriptors; 23.2: Pebble "
                         "stores (Pebblev4 tables, separated intents, MVCC range tombstones), "
                         "types.T descriptors; 25.4: as 23.2 with Pebblev7 columnar tables, "
                         "large values separated into blob files")
    ap.add_argument("--descriptors", choices=DESCRIPTOR_LAYOUTS, default=None,
                    help="descriptor layout, default from --version: 19.1 = ColumnType and "
                         "system.namespace 2; 23.2 = types.T, namespace 30, public schemas, ENUM")
    ap.add_argument("--damage", type=int, default=0, metavar="N",
                    help="23.2/25.4 only: corrupt N data blocks of surviving stores "
                         "(expected/damaged_blocks.json says which keys that costs)")
    ap.add_argument("--index-ranges", action="store_true",
                    help="secondary indexes in ranges of their own that survive while primary "
                         "ranges are lost (users gains users_balance_idx), no lagging replicas in "
                         "indexed tables, planted index/row mismatches; ground truth in "
                         "expected/index_rebuild.json")
    ap.add_argument("--no-planted-mismatches", action="store_true",
                    help="with --index-ranges: indexes and rows agree everywhere")
    ap.add_argument("--raft-logs", action="store_true",
                    help="a lagging lone survivor keeps its committed Raft log tail, and "
                         "a snapshots range's two survivors are a deposed leader with a "
                         "diverged tail and a follower holding the committed entries, a "
                         "sideloaded AddSSTable among them (sim_raft.py); expected/ then "
                         "holds the replayed truth, expected/without_raft_replay/ the "
                         "applied-state-only one")
    ap.add_argument("--tenant", type=int, default=None, metavar="ID",
                    help="a virtual cluster's keyspace (/Tenant/ID, ID >= 2) in a range of its "
                         "own that every survivor holds, with a few keys (its tables are not "
                         "recovered: Salvage reports them)")
    a = ap.parse_args(argv)
    generate(a.out_dir, a.seed, a.scale, version=a.version, descriptors=a.descriptors,
             damage=a.damage, index_ranges=a.index_ranges, plant=not a.no_planted_mismatches,
             raft_logs=a.raft_logs, tenant=a.tenant)


if __name__ == "__main__":
    main()
