#!/usr/bin/env python3
"""Writes Pebble store directories the way CockroachDB 23.2 leaves them on disk.

Row-format sstables in table format Pebblev4 (what format major version 16, CockroachDB
23.2, writes), a MANIFEST in Pebble's version-edit dialect, the `marker.*` files, an OPTIONS
file and a WAL with recyclable chunks. Written from the byte-level facts in
shared/spec/sstable-format.md §1–4 and §7 (no Pebble code). Needs the PyPI packages `crc32c`
and `cramjam` (Snappy); scripts/setup.sh installs them.

Entry points: `write_store(path, l6, l0, wal)` (three layers, like the ldb steps A/B/C of
make_dead_cluster.py) and `TableWriter` for single tables. `pebble_demo.py` writes a small
store with its expected contents (the writer's test). Limits: `write_store` sorts each layer in
memory (the table writer itself streams blocks out); range deletions are applied to the L6
layer by a linear scan, so keep them few.
"""

from __future__ import annotations

import os
import struct
from bisect import bisect_left
from dataclasses import dataclass, field

import cramjam
import crc32c as _crc32c

from crdb_encoding import pb_uvarint

# Internal key kinds (spec §4.2).
DEL, SET, MERGE, SINGLEDEL, RANGEDEL, SEPARATOR, SETWITHDEL = 0, 1, 2, 7, 15, 17, 18
RANGEKEYDEL, RANGEKEYUNSET, RANGEKEYSET, DELSIZED = 19, 20, 21, 23
OBSOLETE_BIT = 0x40
SEQ_MAX = (1 << 56) - 1
PEBBLE_MAGIC = b"\xf0\x9f\xaa\xb3\xf0\x9f\xaa\xb3"
TABLE_FORMAT = 4            # Pebblev4 (FMV 16, CockroachDB 23.2)
FORMAT_MAJOR_VERSION = 16   # FormatVirtualSSTables
SEQ_START = 10              # Pebble's first seqnum
COMPARATOR = "cockroach_comparator"
MERGER = "cockroach_merge_operator"
BLOCK_SIZE = 32768          # CockroachDB's data block size
RECORD_BLOCK = 32768


# ---------------------------------------------------------------------------------------------
# Primitive encodings


uvarint = pb_uvarint   # LEB128 (crdb_encoding's one implementation)


def varstring(b: bytes) -> bytes:
    return uvarint(len(b)) + b


def masked_crc(data: bytes, prefix: bytes = b"") -> int:
    c = _crc32c.crc32c(data, _crc32c.crc32c(prefix)) if prefix else _crc32c.crc32c(data)
    return (((c >> 15) | (c << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def trailer(seq: int, kind: int) -> bytes:
    return struct.pack("<Q", (seq << 8) | kind)


def engine_sort_key(k: bytes):
    """CockroachDB engine-key order (encoding spec §1.3) as a Python sort key: roach key
    ascending, the unversioned key first, then versions newest first. Versions compare as
    normalized bytes in reverse (synthetic 13th byte and a zero logical part dropped)."""
    n = k[-1] if k else 0
    if n == 0 or n >= len(k) or k[len(k) - 1 - n] != 0:
        return (k[:-1] if n == 0 and k else k, (0,))
    s = len(k) - 1 - n
    v = k[s + 1:-1]
    if len(v) == 13:
        v = v[:12]
    if len(v) == 12 and v[8:] == b"\0\0\0\0":
        v = v[:8]
    # Reverse byte order, a version that is a prefix of another sorting after it (so
    # wall,1 comes before wall,0): inverted bytes, then 256, above every byte.
    return (k[:s], (1,) + tuple(255 - b for b in v) + (256,))


def prefix_len(k: bytes) -> int:
    """Length of the Split prefix (roach key ‖ 00) of an engine key."""
    n = k[-1] if k else 0
    return len(k) - n if 0 < n < len(k) else len(k)


def ikey_sort_key(user_key: bytes, seq: int, kind: int):
    return (engine_sort_key(user_key), -((seq << 8) | kind))


def common_prefix(a: bytes, b: bytes, limit: int) -> int:
    """Shared prefix length of a and b, at most limit (binary search: C-speed compares)."""
    lo, hi = 0, min(len(a), len(b), limit)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[:mid] == b[:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


class RowBlock:
    """Row-oriented block (spec §3.1): prefix-compressed entries + uint32 restart offsets."""

    def __init__(self, restart_interval: int, limit_to_prefix: bool = False):
        self.interval, self.limit = restart_interval, limit_to_prefix
        self.parts: list = []
        self.restarts: list = []
        self.size = 0
        self.count = 0
        self.last = b""
        self.last_prefix = 0

    def add(self, key: bytes, value: bytes):
        if self.count % self.interval == 0:
            self.restarts.append(self.size)
            shared = 0
        else:
            shared = common_prefix(self.last, key, self.last_prefix if self.limit else len(key))
        head = uvarint(shared) + uvarint(len(key) - shared) + uvarint(len(value))
        self.parts += (head, key[shared:], value)
        self.size += len(head) + len(key) - shared + len(value)
        self.count += 1
        self.last = key
        if self.limit:
            self.last_prefix = prefix_len(key[:-8])

    def estimated(self) -> int:
        return self.size + 4 * (len(self.restarts) + 1)

    def finish(self) -> bytes:
        restarts = self.restarts or [0]
        return b"".join(self.parts) + struct.pack("<%dI" % (len(restarts) + 1), *restarts,
                                                  len(restarts))


# ---------------------------------------------------------------------------------------------
# Range keys and range deletions: fragmenting (spec §3.6, §4.5, §4.6)


@dataclass
class Span:
    start: bytes      # user keys (engine keys roach ‖ 00)
    end: bytes
    seq: int
    kind: int         # RANGEDEL, RANGEKEYSET, RANGEKEYUNSET, RANGEKEYDEL
    suffix: bytes = b""   # range keys: MVCC version bytes incl. the length byte
    value: bytes = b""


def fragment(spans: list) -> list:
    """Splits overlapping spans at every boundary: [(start, end, [spans newest first])]."""
    if not spans:
        return []
    bounds = sorted({s.start for s in spans} | {s.end for s in spans}, key=engine_sort_key)
    keys = [engine_sort_key(b) for b in bounds]
    pieces: dict = {}
    for s in spans:
        i, j = bisect_left(keys, engine_sort_key(s.start)), bisect_left(keys, engine_sort_key(s.end))
        for x in range(i, j):
            pieces.setdefault(x, []).append(s)
    out = []
    for x in sorted(pieces):
        group = sorted(pieces[x], key=lambda s: (-((s.seq << 8) | s.kind),
                                                 engine_sort_key(b"\0" + s.suffix)))
        out.append((bounds[x], bounds[x + 1], group))
    return out


def range_key_entries(frags: list):
    """Internal keys of a range-key block: one per (fragment, seq, kind) with all suffixes."""
    for start, end, group in frags:
        i = 0
        while i < len(group):
            j = i
            while j < len(group) and (group[j].seq, group[j].kind) == (group[i].seq, group[i].kind):
                j += 1
            g, kind = group[i:j], group[i].kind
            if kind == RANGEKEYSET:
                val = varstring(end) + b"".join(varstring(s.suffix) + varstring(s.value) for s in g)
            elif kind == RANGEKEYUNSET:
                val = varstring(end) + b"".join(varstring(s.suffix) for s in g)
            else:
                val = end
            yield start + trailer(group[i].seq, kind), val, g
            i = j


# ---------------------------------------------------------------------------------------------
# Sstable writer


@dataclass
class BlockInfo:
    """A data block as written: where it is and which internal keys it holds."""
    offset: int
    length: int           # without the 5-byte trailer
    first_key: bytes      # user keys
    last_key: bytes
    entries: int


@dataclass
class TableInfo:
    size: int = 0
    smallest: bytes = b""     # internal keys (user key ‖ trailer), MANIFEST bounds
    largest: bytes = b""
    point_bounds: tuple | None = None
    range_key_bounds: tuple | None = None
    smallest_seq: int = SEQ_MAX
    largest_seq: int = 0
    blocks: list = field(default_factory=list)


class TableWriter:
    """One Pebblev4 row-format table. Add points in internal-key order (`add`), spans in any
    order (`add_span`), then `finish()`. A subclass may write an older row format
    (`FORMAT` 2: no value prefix) or name another merger."""

    FORMAT = TABLE_FORMAT
    MERGER_NAME = MERGER

    def __init__(self, f, block_size: int = BLOCK_SIZE, compress: bool = True):
        self.f, self.block_size, self.compress = f, block_size, compress
        self.offset = 0
        self.block = RowBlock(16, limit_to_prefix=True)
        self.block_first = None
        self.block_last_ikey = b""
        self.index = RowBlock(1)
        self.spans: list = []
        self.info = TableInfo()
        self.prev = None
        self.props = dict(entries=0, raw_key=0, raw_value=0, deletions=0, sized=0, merges=0,
                          data_size=0, tomb_key=0, tomb_value=0)
        self.compressed_blocks = 0

    def _write_block(self, raw: bytes, compressible: bool) -> tuple:
        btype = 0
        data = raw
        if compressible and self.compress:
            c = bytes(cramjam.snappy.compress_raw(raw))
            if len(c) < len(raw) - len(raw) // 8:     # Pebble keeps a block raw below ~12%
                data, btype = c, 1
                self.compressed_blocks += 1
        tb = bytes([btype])
        self.f.write(data)
        self.f.write(tb + struct.pack("<I", masked_crc(tb, data)))
        handle = (self.offset, len(data))
        self.offset += len(data) + 5
        return handle

    def add(self, user_key: bytes, seq: int, kind: int, value: bytes = b"", obsolete=False):
        k = ikey_sort_key(user_key, seq, kind)
        if self.prev is not None and k <= self.prev:
            raise ValueError("keys out of order at %s#%d,%d" % (user_key.hex(), seq, kind))
        self.prev = k
        if kind == SET and self.FORMAT >= 3:
            value = b"\x00" + value            # value prefix (v3+): in place, no attribute
        ikey = user_key + trailer(seq, kind | (OBSOLETE_BIT if obsolete else 0))
        if self.block_first is None:
            self.block_first = user_key
        self.block.add(ikey, value)
        self.block_last_ikey = ikey
        p = self.props
        p["entries"] += 1
        p["raw_key"] += len(user_key) + 8
        p["raw_value"] += len(value) - (1 if kind == SET else 0)
        if kind in (DEL, SINGLEDEL, DELSIZED):
            p["deletions"] += 1
            p["tomb_key"] += len(user_key) + 8
            p["sized"] += kind == DELSIZED
        p["merges"] += kind == MERGE
        self._bound_point(user_key + trailer(seq, kind), seq)
        if self.block.estimated() >= self.block_size:
            self._flush_block()

    def _bound_point(self, ikey: bytes, seq: int):
        i = self.info
        if i.point_bounds is None:
            i.point_bounds = (ikey, ikey)
        else:
            i.point_bounds = (i.point_bounds[0], ikey)
        i.smallest_seq, i.largest_seq = min(i.smallest_seq, seq), max(i.largest_seq, seq)

    def _flush_block(self):
        if self.block.count == 0:
            return
        raw = self.block.finish()
        off, n = self._write_block(raw, True)
        self.props["data_size"] = self.offset
        last_user = self.block_last_ikey[:-8]
        self.info.blocks.append(BlockInfo(off, n, self.block_first, last_user, self.block.count))
        # Separator: the block's last internal key (>= every key in it, < the next block's).
        self.index.add(self.block_last_ikey, uvarint(off) + uvarint(n))
        self.block = RowBlock(16, limit_to_prefix=True)
        self.block_first = None

    def add_span(self, span: Span):
        self.spans.append(span)

    def finish(self) -> TableInfo:
        self._flush_block()
        data_size = self.offset
        index_handle = self._write_block(self.index.finish(), True)
        meta = []
        dels = [s for s in self.spans if s.kind == RANGEDEL]
        rks = [s for s in self.spans if s.kind != RANGEDEL]
        p = self.props
        if dels:
            b = RowBlock(1)
            for start, end, group in fragment(dels):
                for s in group:
                    b.add(start + trailer(s.seq, RANGEDEL), end)
                    self._bound_span(start + trailer(s.seq, RANGEDEL),
                                     end + trailer(SEQ_MAX, RANGEDEL), s.seq, point=True)
                    p["entries"] += 1
                    p["deletions"] += 1
            meta.append((b"rocksdb.range_del2", self._write_block(b.finish(), False)))
        rk = dict(sets=0, unsets=0, dels=0, key=0, value=0)
        if rks:
            b = RowBlock(1)
            for ikey, val, g in range_key_entries(fragment(rks)):
                b.add(ikey, val)
                kind = ikey[-8]
                rk[{RANGEKEYSET: "sets", RANGEKEYUNSET: "unsets", RANGEKEYDEL: "dels"}[kind]] += 1
                rk["key"] += len(ikey)
                rk["value"] += len(val)
                end = val if kind == RANGEKEYDEL else _first_varstring(val)
                self._bound_span(ikey, end + trailer(SEQ_MAX, RANGEKEYSET), g[0].seq, point=False)
            meta.append((b"pebble.range_key", self._write_block(b.finish(), False)))
        props = {
            b"pebble.num.deletions.sized": uvarint(p["sized"]),
            b"pebble.num.range-key-dels": uvarint(rk["dels"]),
            b"pebble.num.range-key-sets": uvarint(rk["sets"]),
            b"pebble.num.range-key-unsets": uvarint(rk["unsets"]),
            b"pebble.raw.point-tombstone.key.size": uvarint(p["tomb_key"]),
            b"pebble.raw.point-tombstone.value.size": uvarint(0),
            b"pebble.raw.range-key.key.size": uvarint(rk["key"]),
            b"pebble.raw.range-key.value.size": uvarint(rk["value"]),
            b"rocksdb.block.based.table.index.type": struct.pack("<I", 0),
            b"rocksdb.comparator": COMPARATOR.encode(),
            b"rocksdb.compression": b"Snappy" if self.compress else b"NoCompression",
            b"rocksdb.data.size": uvarint(data_size),
            b"rocksdb.deleted.keys": uvarint(p["deletions"]),
            b"rocksdb.index.size": uvarint(index_handle[1]),
            b"rocksdb.merge.operands": uvarint(p["merges"]),
            b"rocksdb.merge.operator": self.MERGER_NAME.encode(),
            b"rocksdb.num.data.blocks": uvarint(len(self.info.blocks)),
            b"rocksdb.num.entries": uvarint(p["entries"]),
            b"rocksdb.num.range-deletions": uvarint(len(dels) and sum(
                len(g) for _, _, g in fragment(dels))),
            b"rocksdb.property.collectors": b"[]",
            b"rocksdb.raw.key.size": uvarint(p["raw_key"]),
            b"rocksdb.raw.value.size": uvarint(p["raw_value"]),
        }
        pb = RowBlock(1 << 31)   # one restart: prefix sharing across the whole block
        for name in sorted(props):
            pb.add(name, props[name])
        meta.append((b"rocksdb.properties", self._write_block(pb.finish(), False)))
        mb = RowBlock(1)
        for name, (off, n) in sorted(meta):
            mb.add(name, uvarint(off) + uvarint(n))
        metaindex = self._write_block(mb.finish(), False)
        handles = uvarint(metaindex[0]) + uvarint(metaindex[1]) + uvarint(index_handle[0]) + \
            uvarint(index_handle[1])
        footer = b"\x01" + handles + b"\0" * (40 - len(handles)) + \
            struct.pack("<I", self.FORMAT) + PEBBLE_MAGIC
        assert len(footer) == 53
        self.f.write(footer)
        self.offset += len(footer)
        i = self.info
        i.size = self.offset
        cands = [b for b in (i.point_bounds, i.range_key_bounds) if b]
        i.smallest = min((b[0] for b in cands), key=_ikey_order)
        i.largest = max((b[1] for b in cands), key=_ikey_order)
        return i

    def _bound_span(self, lo: bytes, hi: bytes, seq: int, point: bool):
        i = self.info
        cur = i.point_bounds if point else i.range_key_bounds
        if cur is None:
            cur = (lo, hi)
        else:
            cur = (min(cur[0], lo, key=_ikey_order), max(cur[1], hi, key=_ikey_order))
        if point:
            i.point_bounds = cur
        else:
            i.range_key_bounds = cur
        i.smallest_seq, i.largest_seq = min(i.smallest_seq, seq), max(i.largest_seq, seq)


def _ikey_order(ikey: bytes):
    t = struct.unpack("<Q", ikey[-8:])[0]
    return (engine_sort_key(ikey[:-8]), -t)


def _first_varstring(b: bytes) -> bytes:
    n, shift, i = 0, 0, 0
    while True:
        c = b[i]
        n |= (c & 0x7F) << shift
        i += 1
        if c < 0x80:
            break
        shift += 7
    return b[i:i + n]


# ---------------------------------------------------------------------------------------------
# Record logs (MANIFEST, WAL; spec §7.3) and version edits (§7.2)


class RecordWriter:
    """32 KiB-block record log. log_num None: legacy 7-byte chunks (MANIFEST); else
    recyclable 11-byte chunks carrying the WAL's number (Pebble WALs before FMV 20), or with
    `sync_offsets` the 19-byte WAL-sync chunks (types 9-12, FMV >= 20) that also carry the
    offset synced so far (every batch is synced, so the record's own start)."""

    def __init__(self, f, log_num: int | None = None, sync_offsets: bool = False):
        self.f, self.log_num, self.sync_offsets = f, log_num, sync_offsets
        self.pos = 0
        self.hlen = 7 if log_num is None else 19 if sync_offsets else 11

    def add(self, payload: bytes):
        first, i = True, 0
        synced = self.pos
        while True:
            left = RECORD_BLOCK - self.pos % RECORD_BLOCK
            if left < self.hlen:
                self.f.write(b"\0" * left)
                self.pos += left
                left = RECORD_BLOCK
            n = min(len(payload) - i, left - self.hlen)
            last = i + n == len(payload)
            t = (1 if last else 2) if first else (4 if last else 3)
            if self.log_num is not None:
                t += 8 if self.sync_offsets else 4
                extra = struct.pack("<I", self.log_num & 0xFFFFFFFF)
                if self.sync_offsets:
                    extra += struct.pack("<Q", synced)
            else:
                extra = b""
            chunk = payload[i:i + n]
            head = bytes([t]) + extra
            self.f.write(struct.pack("<IH", masked_crc(chunk, head), n) + head)
            self.f.write(chunk)
            self.pos += self.hlen + n
            i += n
            first = False
            if last:
                return


def version_edit(comparator=None, log_num=None, next_file=None, last_seq=None,
                 new_files=(), blob_files=(), creation_time=None) -> bytes:
    """new_files: (level, num, TableInfo); a table with `blob_refs` gets the custom fields
    creation time (6) and blob references (69: depth, n, (blob file id, value bytes)*), as
    FMV 26 writes them. blob_files: (file id, disk num, size, value bytes) → tag 107."""
    out = []
    if comparator is not None:
        out.append(uvarint(1) + varstring(comparator.encode()))
    if log_num is not None:
        out.append(uvarint(2) + uvarint(log_num))
    if next_file is not None:
        out.append(uvarint(3) + uvarint(next_file))
    if last_seq is not None:
        out.append(uvarint(4) + uvarint(last_seq))
    for level, num, t in new_files:
        if t.range_key_bounds is None:      # tag 103: points only
            body = uvarint(103) + uvarint(level) + uvarint(num) + uvarint(t.size) + \
                varstring(t.smallest) + varstring(t.largest)
        else:                               # tag 104: with range-key bounds
            marker = 0
            if t.point_bounds:
                marker |= 1
                marker |= 2 if t.smallest == t.point_bounds[0] else 0
                marker |= 4 if t.largest == t.point_bounds[1] else 0
            body = uvarint(104) + uvarint(level) + uvarint(num) + uvarint(t.size) + bytes([marker])
            if t.point_bounds:
                body += varstring(t.point_bounds[0]) + varstring(t.point_bounds[1])
            body += varstring(t.range_key_bounds[0]) + varstring(t.range_key_bounds[1])
        body += uvarint(t.smallest_seq) + uvarint(t.largest_seq)
        if creation_time is not None:
            body += uvarint(6) + varstring(uvarint(creation_time))
        refs = getattr(t, "blob_refs", None)
        if refs:
            body += uvarint(69) + uvarint(t.blob_depth) + uvarint(len(refs)) + b"".join(
                uvarint(fid) + uvarint(size) for fid, size in refs)
        out.append(body + uvarint(1))           # 1 = end of custom fields
    for fid, num, size, value_size in blob_files:
        out.append(uvarint(107) + uvarint(fid) + uvarint(num) + uvarint(size) +
                   uvarint(value_size) + uvarint(creation_time or 0))
    return b"".join(out)


def batch_repr(seq: int, ops) -> bytes:
    """WAL batch (spec §7.4): ops are (kind, key, value)."""
    parts = [struct.pack("<QI", seq, len(ops))]
    for kind, key, value in ops:
        parts.append(bytes([kind]) + varstring(key))
        if kind not in (DEL, SINGLEDEL):
            parts.append(varstring(value))
    return b"".join(parts)


# ---------------------------------------------------------------------------------------------
# Store directory


OPTIONS_TEXT = """[Version]
  pebble_version=0.1

[Options]
  bytes_per_sync=524288
  cache_size=8388608
  cleaner=delete
  comparer={comparer}
  disable_wal=false
  flush_split_bytes=4194304
  format_major_version={fmv}
  l0_compaction_concurrency=10
  l0_compaction_file_threshold=500
  l0_compaction_threshold=2
  l0_stop_writes_threshold=1000
  lbase_max_bytes=67108864
  max_concurrent_compactions=3
  max_manifest_file_size=134217728
  max_open_files=1000
  mem_table_size=67108864
  mem_table_stop_writes_threshold=4
  merger={merger}
  strict_wal_tail=true
  wal_dir=
  wal_bytes_per_sync=0

[Level "0"]
  block_restart_interval=16
  block_size={block_size}
  block_size_threshold=90
  compression=Snappy
  filter_policy=none
  filter_type=table
  index_block_size=262144
  target_file_size=2097152
"""

# Disk file numbers: MANIFEST 1, OPTIONS 3, L6 table 5, L0 table 7, live WAL 8.
MANIFEST_NUM, OPTIONS_NUM, L6_NUM, L0_NUM, WAL_NUM = 1, 3, 5, 7, 8


@dataclass
class Op:
    """One write: kind SET/DEL/SINGLEDEL/DELSIZED/MERGE with key/value, or a span
    (RANGEDEL: value = end; range keys: see `span`)."""
    kind: int
    key: bytes
    value: bytes = b""
    span: Span | None = None     # RANGEDEL / RANGEKEY*: end, suffix, value live here


def _wal_entry(op: Op):
    if op.span is None:
        return (op.kind, op.key, op.value)
    s = op.span
    if op.kind == RANGEDEL:
        return (RANGEDEL, s.start, s.end)
    if op.kind == RANGEKEYSET:
        return (RANGEKEYSET, s.start, varstring(s.end) + varstring(s.suffix) + varstring(s.value))
    if op.kind == RANGEKEYUNSET:
        return (RANGEKEYUNSET, s.start, varstring(s.end) + varstring(s.suffix))
    return (RANGEKEYDEL, s.start, s.end)


def write_table(path: str, points, spans, block_size: int, writer=None, blob_for=None
                ) -> TableInfo:
    """points: (user key, seq, kind, value, obsolete) in any order. `writer`: the table writer
    class (default TableWriter, Pebblev4); `blob_for(point)`: a blob file writer the point's
    value is separated into, or None (25.4 value separation)."""
    points = sorted(points, key=lambda p: ikey_sort_key(p[0], p[1], p[2]))
    with open(path, "wb") as f:
        w = (writer or TableWriter)(f, block_size)
        for p in points:
            uk, seq, kind, value, obsolete = p
            blob = blob_for(p) if blob_for else None
            if blob is not None:
                w.add(uk, seq, kind, value, obsolete, blob=(blob.file_num,) + blob.add(value))
            else:
                w.add(uk, seq, kind, value, obsolete)
        for s in spans:
            w.add_span(s)
        return w.finish()


def _covered(spans, key: bytes, seq: int) -> bool:
    k = engine_sort_key(key)
    return any(s.seq > seq and engine_sort_key(s.start) <= k < engine_sort_key(s.end)
               for s in spans)


@dataclass
class StoreFormat:
    """What differs between the releases write_store simulates (None fields: 23.2's)."""
    fmv: int = FORMAT_MAJOR_VERSION
    options: str = OPTIONS_TEXT
    table_writer: type | None = None        # None: TableWriter (Pebblev4 row blocks)
    wal_num: int = WAL_NUM
    wal_sync_chunks: bool = False
    min_separated: int | None = None        # values this long go to blob files
    l6_blobs: tuple = ()                    # blob file numbers of the L6 table's two "flushes"
    l0_blob: int | None = None
    creation_time: int | None = None        # MANIFEST custom field 6 and blob records


FORMAT_23_2 = StoreFormat()


class _Blobs:
    """Blob files opened on first use (Pebble writes none for a table without large values)."""

    def __init__(self, path: str, block_size: int):
        self.path, self.block_size, self.open = path, block_size, {}

    def get(self, num: int):
        if num not in self.open:
            from pebble_blob import BlobFileWriter
            self.open[num] = BlobFileWriter(os.path.join(self.path, "%06d.blob" % num), num,
                                            self.block_size)
        return self.open[num]

    def finish(self, nums) -> list:
        """(file id, disk num, size, value bytes) of the used ones among `nums`."""
        out = []
        for n in nums:
            if n in self.open:
                size, values = self.open.pop(n).finish()
                out.append((n, n, size, values))
        return out


def write_store(path: str, l6: list, l0: list, wal: list, block_size: int = BLOCK_SIZE,
                fmt: StoreFormat = FORMAT_23_2) -> dict:
    """A Pebble store directory whose data lives in three places:
    l6  = [Op]: written, then "compacted" into one L6 table (newest entry per key kept;
          point deletions, RANGEDELs and what they delete dropped, as a bottommost
          compaction without snapshots does; range keys kept);
    l0  = [Op]: one flushed L0 table (every entry kept, older duplicates marked obsolete);
    wal = [[Op]]: batches left only in the WAL (never flushed).
    Seqnums are assigned in that order from 10. Returns {"tables": {num: TableInfo},
    "last_seq": int, "wal_seqs": [first seq of each batch], "blob_files": {num: size}}.
    With a `fmt` that separates values, SET values of at least `min_separated` bytes go to
    blob files: the L6 table's to two files split by seqnum (as if it were compacted from two
    flushes, references preserved: reference depth 2), the L0 table's to one."""
    os.makedirs(path, exist_ok=False)
    blobs = _Blobs(path, block_size)

    def separator(nums, mid):
        if fmt.min_separated is None:
            return None

        def pick(p):
            if p[2] not in (SET, SETWITHDEL) or len(p[3]) < fmt.min_separated:
                return None
            return blobs.get(nums[0] if len(nums) == 1 or p[1] < mid else nums[1])
        return pick
    seq = SEQ_START
    # L6: bottommost compaction of the first layer.
    newest: dict = {}
    dels = []
    for op in l6:
        if op.kind == MERGE:
            raise ValueError("merge operands are not combined by this writer's compaction")
        if op.span is not None:
            op.span.seq = seq
            if op.kind == RANGEDEL:
                dels.append(op.span)
        newest[op.key if op.span is None else (op.span.start, op.span.end, op.span.suffix, seq)] = (op, seq)
        seq += 1
    points, spans = [], []
    for k, (op, s) in newest.items():
        if op.span is not None:
            if op.kind != RANGEDEL:
                spans.append(op.span)
        elif op.kind in (SET, MERGE) and not _covered(dels, op.key, s):
            points.append((op.key, s, op.kind, op.value, False))
    tables = {}
    if points or spans:
        tables[L6_NUM] = (6, write_table(os.path.join(path, "%06d.sst" % L6_NUM), points, spans,
                                         block_size, fmt.table_writer,
                                         separator(fmt.l6_blobs, (SEQ_START + seq) // 2)))
    l6_blobs = blobs.finish(fmt.l6_blobs)
    if l6_blobs:
        tables[L6_NUM][1].blob_depth = len(tables[L6_NUM][1].blob_refs)
    # L0: a flush keeps everything.
    points, spans, seen = [], [], {}
    for op in l0:
        if op.span is not None:
            op.span.seq = seq
            spans.append(op.span)
        else:
            points.append([op.key, seq, op.kind, op.value, False])
            if op.key in seen:
                seen[op.key][4] = True        # an older entry of the same key in this table
            seen[op.key] = points[-1]
        seq += 1
    if points or spans:
        tables[L0_NUM] = (0, write_table(os.path.join(path, "%06d.sst" % L0_NUM),
                                         [tuple(p) for p in points], spans, block_size,
                                         fmt.table_writer, separator((fmt.l0_blob,), 0)))
    l0_blobs = blobs.finish((fmt.l0_blob,))
    if l0_blobs:
        tables[L0_NUM][1].blob_depth = 1
    last_seq = seq - 1
    # WAL: batches with consecutive seqnums.
    wal_seqs = []
    wal_num = fmt.wal_num
    with open(os.path.join(path, "%06d.log" % wal_num), "wb") as f:
        rw = RecordWriter(f, log_num=wal_num, sync_offsets=fmt.wal_sync_chunks)
        for b in wal:
            wal_seqs.append(seq)
            entries = []
            for i, op in enumerate(b):
                if op.span is not None:
                    op.span.seq = seq + i
                entries.append(_wal_entry(op))
            rw.add(batch_repr(seq, entries))
            seq += len(b)
    # MANIFEST: the L6 table (a compaction's result), then the flush of the L0 table.
    with open(os.path.join(path, "MANIFEST-%06d" % MANIFEST_NUM), "wb") as f:
        rw = RecordWriter(f)
        l6_last = max((t.largest_seq for lv, t in tables.values() if lv == 6), default=SEQ_START)
        rw.add(version_edit(COMPARATOR, log_num=L6_NUM - 1,
                            next_file=max([L6_NUM] + [b[1] for b in l6_blobs]) + 1,
                            last_seq=l6_last,
                            new_files=[(lv, n, t) for n, (lv, t) in tables.items() if lv == 6],
                            blob_files=l6_blobs, creation_time=fmt.creation_time))
        rw.add(version_edit(log_num=wal_num, next_file=wal_num + 1, last_seq=last_seq,
                            new_files=[(lv, n, t) for n, (lv, t) in tables.items() if lv == 0],
                            blob_files=l0_blobs, creation_time=fmt.creation_time))
    open(os.path.join(path, "marker.manifest.000001.MANIFEST-%06d" % MANIFEST_NUM), "w").close()
    open(os.path.join(path, "marker.format-version.000001.%03d" % fmt.fmv), "w").close()
    open(os.path.join(path, "LOCK"), "w").close()
    with open(os.path.join(path, "OPTIONS-%06d" % OPTIONS_NUM), "w") as f:
        f.write(fmt.options.format(comparer=COMPARATOR, merger=MERGER, fmv=fmt.fmv,
                                   block_size=block_size))
    return {"tables": {n: t for n, (lv, t) in tables.items()}, "last_seq": last_seq,
            "wal_seqs": wal_seqs, "blob_files": {b[1]: b[2] for b in l6_blobs + l0_blobs}}
