"""Pebblev7 sstables with columnar blocks, as CockroachDB 25.4 writes them (key schema `crdb1`,
value separation into blob files).

Written from shared/spec/sstable-format.md §1.3 (61-byte footer with attributes and checksum),
§1.5, §2, §5.2 (blob inline handles), §6 (columnar blocks) and the encoders of Pebble's
crl-release-25.4 branch (`sstable/colblk/*.go`, `cockroachkvs/cockroachkvs.go`,
`sstable/colblk_writer.go`), read for the facts: encodings are chosen as Pebble chooses them
(smallest uint width, delta only when it pays, zero/const encodings, bundle prefixes).

Every column lives at an absolute offset inside its block; arrays are aligned to their element
width on that offset:

    [custom header] version=1 u8 ‖ columns u16 ‖ rows u32 ‖ columns × (type u8, start u32)
    column data …  ‖ 00 (padding byte)

Simplifications (a reader must not depend on them): no value blocks (older MVCC versions below
the blob threshold stay in place), no bloom filter, no block-property collectors, a
single-level index, Snappy or no compression.
"""

from __future__ import annotations

import struct

import cramjam

from pebble_store import (
    common_prefix,
    DEL, DELSIZED, MERGE, PEBBLE_MAGIC, RANGEDEL, RANGEKEYDEL, RANGEKEYSET, RANGEKEYUNSET,
    SEQ_MAX, SET, SINGLEDEL, BlockInfo, TableInfo, fragment, ikey_sort_key, masked_crc,
    uvarint,
)

SETWITHDEL = 18
TABLE_FORMAT_V7 = 7
KEY_SCHEMA = b"crdb1"
# Column types (§6.1).
T_BOOL, T_UINT, T_BYTES, T_PREFIX = 1, 2, 3, 4
# Footer attributes (§1.5).
A_RANGE_KEY_SETS, A_RANGE_KEY_UNSETS, A_RANGE_KEY_DELS, A_RANGE_DELS = 0x02, 0x04, 0x08, 0x10
A_BLOB_VALUES, A_POINT_KEYS = 0x40, 0x80
# crdb1 header bits: which suffix kinds the block holds.
HAS_MVCC, HAS_EMPTY, HAS_NON_MVCC = 1, 2, 4
BUNDLE_SHIFT = 4
# Value prefix (§5.1.1): blob handle kind, "same prefix as the previous key" bit.
PREFIX_BLOB, PREFIX_SAME = 0x40, 0x20


def _width(v: int) -> int:
    n = v.bit_length()
    return 0 if n == 0 else 1 if n <= 8 else 2 if n <= 16 else 4 if n <= 32 else 8


def uint_encoding(lo: int, hi: int, rows: int) -> tuple:
    """(width, delta) as Pebble's DetermineUintEncoding picks them."""
    w = _width(hi - lo)
    if w == 8:
        return 8, False
    delta = hi >= 1 << (w * 8)
    if delta and rows < 8 and rows * (_width(hi) - w) < 8:
        return _width(hi), False
    return w, delta


def _pad(off: int, w: int) -> int:
    return (-off) % w if w > 1 else 0


def encode_uints(start: int, vals: list, zero_base: bool = False) -> bytes:
    """Uint column (§6.2) of `vals` placed at absolute offset `start`."""
    if not vals:
        return b""
    lo, hi = (0 if zero_base else min(vals)), max(vals)
    w, delta = uint_encoding(lo, hi, len(vals))
    out = bytearray([w | (0x80 if delta else 0)])
    base = 0
    if delta:
        base = lo
        out += struct.pack("<Q", lo)
    if w:
        out += b"\0" * _pad(start + len(out), w)
        fmt = {1: "B", 2: "H", 4: "I", 8: "Q"}[w]
        out += struct.pack("<%d%s" % (len(vals), fmt), *[v - base for v in vals])
    return bytes(out)


class UintColumn:
    def __init__(self, zero_base: bool = False):
        self.vals: list = []
        self.zero_base = zero_base   # "with default": unset rows are 0, never delta-encoded

    def set(self, row: int, v: int):
        while len(self.vals) <= row:
            self.vals.append(0)
        self.vals[row] = v

    def kind(self):
        return T_UINT

    def encode(self, start: int, rows: int) -> bytes:
        vals = (self.vals + [0] * rows)[:rows]
        return encode_uints(start, vals, self.zero_base)


class RawBytesColumn:
    """R+1 uint offsets then the concatenated slices (§6.3)."""

    def __init__(self):
        self.items: list = []

    def put(self, b: bytes):
        self.items.append(b)

    def kind(self):
        return T_BYTES

    def encode(self, start: int, rows: int) -> bytes:
        if rows == 0:
            return b""
        offs, n = [0], 0
        for b in self.items[:rows]:
            n += len(b)
            offs.append(n)
        return encode_uints(start, offs) + b"".join(self.items[:rows])


class BitmapColumn:
    """Bool column: 01 = all zero; else 00, zero pad to 8, words, summary words (§6.1)."""

    def __init__(self, force: bool = False):
        self.bits: set = set()
        self.force = force          # the inverted prefix-changed bitmap always writes words

    def set(self, row: int):
        self.bits.add(row)

    def kind(self):
        return T_BOOL

    def encode(self, start: int, rows: int) -> bytes:
        bits = [i for i in self.bits if i < rows]
        if not bits and not self.force:
            return b"\x01"
        nw = (rows + 63) >> 6
        words = [0] * nw
        for i in bits:
            words[i >> 6] |= 1 << (i & 63)
        summary = [0] * ((nw + 63) >> 6)
        for i, w in enumerate(words):
            if w:
                summary[i >> 6] |= 1 << (i & 63)
        out = b"\x00" + b"\0" * _pad(start + 1, 8)
        return out + struct.pack("<%dQ" % (nw + len(summary)), *words, *summary)


def lcp(a: bytes, b: bytes) -> int:
    """Common prefix length."""
    return common_prefix(a, b, min(len(a), len(b)))


class PrefixBytesColumn:
    """Sorted keys in bundles of 16 (§6.4): block prefix, per-bundle prefix, row suffixes; a
    row equal to the previous row of its bundle stores an empty suffix."""

    def __init__(self):
        self.keys: list = []
        self.shared: list = []      # common prefix length with the previous key

    def put(self, k: bytes):
        self.shared.append(lcp(self.keys[-1], k) if self.keys else len(k))
        self.keys.append(k)

    def kind(self):
        return T_PREFIX

    def encode(self, start: int, rows: int) -> bytes:
        keys = self.keys[:rows]
        if not keys:
            return b""
        B = 1 << BUNDLE_SHIFT
        block_pre = min(self.shared[:rows])
        data = bytearray(keys[0][:block_pre])
        offs = [len(data)]
        if rows == 1:
            offs += [len(data), len(data)]
        else:
            for s in range(0, rows, B):
                bundle = keys[s:s + B]
                bpre = min([len(bundle[0])] + self.shared[s + 1:s + len(bundle)])
                data += bundle[0][block_pre:bpre]
                offs.append(len(data))
                for j, k in enumerate(bundle):
                    if j == 0 or k != bundle[j - 1]:
                        data += k[bpre:]
                    offs.append(len(data))
        w = _width(len(data))
        out = bytearray([BUNDLE_SHIFT, w])
        if w:
            out += b"\0" * _pad(start + 2, w)
            out += struct.pack("<%d%s" % (len(offs), {1: "B", 2: "H", 4: "I"}[w]), *offs)
        return bytes(out) + bytes(data)


def encode_block(custom: bytes, rows: int, cols: list) -> bytes:
    """A columnar block: custom header, generic header, then each (column, its row count)."""
    hdr = len(custom) + 7 + 5 * len(cols)
    body, heads = bytearray(), bytearray()
    for col, n in cols:
        start = hdr + len(body)
        heads += struct.pack("<BI", col.kind(), start)
        body += col.encode(start, n)
    return custom + struct.pack("<BHI", 1, len(cols), rows) + bytes(heads) + bytes(body) + b"\0"


def uints_size(start: int, vals: list, zero_base: bool = False) -> int:
    """Encoded size of encode_uints(start, vals) without building it."""
    if not vals:
        return 0
    w, delta = uint_encoding(0 if zero_base else min(vals), max(vals), len(vals))
    n = 1 + (8 if delta else 0)
    return n + (_pad(start + n, w) + len(vals) * w if w else 0)


def raw_size(start: int, rows: int, total: int) -> int:
    """Encoded size of a RawBytes column of `rows` slices holding `total` bytes."""
    if rows == 0:
        return 0
    w = _width(total)
    return 1 + (_pad(start + 1, w) + (rows + 1) * w if w else 0) + total


def bitmap_size(start: int, rows: int, words: bool) -> int:
    if not words:
        return 1
    nw = (rows + 63) >> 6
    return 1 + _pad(start + 1, 8) + 8 * (nw + ((nw + 63) >> 6))


class KeyValueBlock:
    """Key/value block (§6.7): metaindex, properties, blob file properties."""

    def __init__(self):
        self.keys, self.vals = RawBytesColumn(), RawBytesColumn()
        self.rows = 0

    def add(self, k: bytes, v: bytes):
        self.keys.put(k)
        self.vals.put(v)
        self.rows += 1

    def finish(self) -> bytes:
        return encode_block(b"", self.rows, [(self.keys, self.rows), (self.vals, self.rows)])


class BlockSink:
    """Writes blocks with their 5-byte trailer (§2.2). Compressible blocks use Snappy when it
    saves at least 12 % (Pebble's Snappy profile); counts `pebble.compression_stats` (every
    block written so far: uncompressed ones as None)."""

    def __init__(self, f, compress: bool):
        self.f, self.compress = f, compress
        self.offset = 0
        self.none_bytes = 0
        self.snappy = [0, 0]      # compressed, uncompressed

    def write(self, raw: bytes, compressible: bool) -> tuple:
        data, btype = raw, 0
        if compressible and self.compress:
            c = bytes(cramjam.snappy.compress_raw(raw))
            if len(c) * 100 <= len(raw) * 88:
                data, btype = c, 1
        if btype:
            self.snappy[0] += len(data)
            self.snappy[1] += len(raw)
        else:                       # also the never-compressed metadata blocks, as Pebble counts
            self.none_bytes += len(raw)
        tb = bytes([btype])
        self.f.write(data + tb + struct.pack("<I", masked_crc(tb, data)))
        handle = (self.offset, len(data))
        self.offset += len(data) + 5
        return handle

    def compression_stats(self) -> str:
        parts = ["None:%d" % self.none_bytes] if self.none_bytes else []
        if self.snappy[1]:
            parts.append("Snappy:%d/%d" % tuple(self.snappy))
        return ",".join(parts)


# ---------------------------------------------------------------------------------------------
# crdb1 data blocks


def split_engine_key(k: bytes) -> tuple:
    """(roach key without its 00 sentinel, version bytes) of an engine key (§6.6)."""
    n = k[-1]
    if n == 0:
        return k[:-1], b""
    return k[:len(k) - 1 - n], k[len(k) - n:-1]


class DataBlock:
    """A crdb1 data block (§6.5): roach key, wall, logical, untyped version, then trailer,
    prefix-changed, value, is-value-external, is-obsolete."""

    def __init__(self):
        self.roach = PrefixBytesColumn()
        self.wall = UintColumn()
        self.logical = UintColumn(zero_base=True)
        self.untyped = RawBytesColumn()
        self.trailers = UintColumn()
        self.prefix_same = set()
        self.values = RawBytesColumn()
        self.external = BitmapColumn()
        self.obsolete = BitmapColumn()
        self.suffix_types = 0
        self.max_key = 0
        self.rows = 0
        self.keys: list = []      # user keys, in order
        self.cum = [(0, 0)]       # cumulative (untyped, value) bytes, for size()

    def add(self, user_key: bytes, trailer: int, value: bytes, external: bool,
            same_prefix: bool, obsolete: bool):
        r = self.rows
        roach, ver = split_engine_key(user_key)
        self.roach.put(roach)
        wall = logical = 0
        untyped = b""
        if not ver:
            self.suffix_types |= HAS_EMPTY
        elif len(ver) in (8, 12, 13):
            self.suffix_types |= HAS_MVCC
            wall = struct.unpack(">Q", ver[:8])[0]
            if len(ver) >= 12:
                logical = struct.unpack(">I", ver[8:12])[0]
        else:
            self.suffix_types |= HAS_NON_MVCC
            untyped = ver
        self.wall.set(r, wall)
        if logical:
            self.logical.set(r, logical)
        self.untyped.put(untyped)
        self.trailers.set(r, trailer)
        if same_prefix:
            self.prefix_same.add(r)
        self.values.put(value)
        if external:
            self.external.set(r)
        if obsolete:
            self.obsolete.set(r)
        self.max_key = max(self.max_key, len(user_key))
        self.keys.append(user_key)
        self.rows += 1
        u, v = self.cum[-1]
        self.cum.append((u + len(untyped), v + len(value)))

    def size(self, rows: int) -> int:
        """len(self.finish(rows)), computed without encoding (Pebble's Size())."""
        off = 5 + 7 + 5 * 9
        keys, shared = self.roach.keys, self.roach.shared
        block_pre = min(shared[:rows])
        data = block_pre
        if rows > 1:
            for s in range(0, rows, 16):
                e = min(s + 16, rows)
                bpre = min([len(keys[s])] + shared[s + 1:e])
                data += bpre - block_pre + len(keys[s]) - bpre
                data += sum(len(keys[j]) - bpre for j in range(s + 1, e) if keys[j] != keys[j - 1])
        nb = 1 + ((rows - 1) >> 4)
        w = _width(data)
        off += 2 + (_pad(off + 2, w) + (rows + nb + 1) * w if w else 0) + data
        off += uints_size(off, self.wall.vals[:rows])
        off += uints_size(off, (self.logical.vals + [0] * rows)[:rows], True)
        off += raw_size(off, rows, self.cum[rows][0])
        off += uints_size(off, self.trailers.vals[:rows])
        off += bitmap_size(off, rows, True)
        off += raw_size(off, rows, self.cum[rows][1])
        off += bitmap_size(off, rows, any(i < rows for i in self.external.bits))
        off += bitmap_size(off, rows, any(i < rows for i in self.obsolete.bits))
        return off + 1

    def finish(self, rows: int | None = None) -> bytes:
        """The first `rows` rows (default all). As in Pebble, the header's suffix kinds and
        maximum key length also count a row added after them (the key that did not fit)."""
        rows = self.rows if rows is None else rows
        changed = BitmapColumn(force=True)
        for i in range(rows):
            if i not in self.prefix_same:
                changed.set(i)
        custom = bytes([self.suffix_types]) + struct.pack("<I", self.max_key)
        cols = [self.roach, self.wall, self.logical, self.untyped, self.trailers, changed,
                self.values, self.external, self.obsolete]
        return encode_block(custom, rows, [(c, rows) for c in cols])


def engine_prefix(k: bytes) -> bytes:
    """Split prefix (roach key ‖ 00) of an engine key."""
    n = k[-1]
    return k[:len(k) - n] if 0 < n < len(k) else k


def separator(a: bytes, b: bytes) -> bytes:
    """cockroachkvs Comparer.Separator: shortest roach key in [a, b) plus the sentinel."""
    ra, rb = split_engine_key(a)[0], split_engine_key(b)[0]
    if ra == rb or not ra or not rb:
        return a
    i = lcp(ra, rb)
    if i == len(ra) or i == len(rb) or ra[i] >= rb[i]:
        return a
    if i < len(rb) - 1 or ra[i] + 1 < rb[i]:
        return ra[:i] + bytes([ra[i] + 1]) + b"\0"
    for j in range(i + 1, len(ra)):
        if ra[j] != 0xFF:
            return ra[:j] + bytes([ra[j] + 1]) + b"\0"
    return a


def successor(a: bytes) -> bytes:
    """cockroachkvs Comparer.Successor."""
    ra = split_engine_key(a)[0]
    for i, c in enumerate(ra):
        if c != 0xFF:
            return ra[:i] + bytes([c + 1]) + b"\0"
    return a


# ---------------------------------------------------------------------------------------------
# Keyspan blocks (§6.9) and blob reference liveness (§5.2)


def keyspan_block(frags: list, range_keys: bool) -> bytes:
    """frags: [(start, end, [Span newest first])]; range keys carry suffix and value."""
    bounds, idx = RawBytesColumn(), UintColumn()
    trailers, suffixes, values = UintColumn(), RawBytesColumn(), RawBytesColumn()
    nb = nk = 0
    last = None
    for start, end, group in frags:
        if last != start:
            idx.set(nb, nk)
            bounds.put(start)
            nb += 1
        for s in group:
            trailers.set(nk, (s.seq << 8) | s.kind)
            suffixes.put(s.suffix if range_keys and s.kind != RANGEKEYDEL else b"")
            values.put(s.value if range_keys and s.kind == RANGEKEYSET else b"")
            nk += 1
        idx.set(nb, nk)
        bounds.put(end)
        nb += 1
        last = end
    return encode_block(struct.pack("<I", nb), nk, [(bounds, nb), (idx, nb), (trailers, nk),
                                                    (suffixes, nk), (values, nk)])


def rle_bitmap(ids: list) -> bytes:
    """Pebble's BitmapRunLengthEncoder over ascending bit indexes: literal bytes, `00 n` for n
    zero bytes skipped, `ff n` for n consecutive all-set bytes."""
    buf = bytearray()
    run, cur, cur_idx = 0, 0, -1

    def flush_run():
        nonlocal run
        if run:
            buf.extend(b"\xff" + uvarint(run))
            run = 0
    for i in ids:
        bi = i >> 3
        if bi == cur_idx:
            cur |= 1 << (i & 7)
            continue
        if cur == 0xFF:
            run += 1
        elif cur:
            flush_run()
            buf.append(cur)
        if bi - cur_idx - 1 > 0:
            flush_run()
            buf.extend(b"\x00" + uvarint(bi - cur_idx - 1))
        cur_idx, cur = bi, 1 << (i & 7)
    if cur == 0xFF:
        run += 1
        flush_run()
    elif cur:
        flush_run()
        buf.append(cur)
    return bytes(buf)


def liveness_encoding(values: list) -> bytes:
    """One reference's live values (`pebble.blob_ref_index` row): per blob block in order of
    first use, `block id ‖ live value bytes ‖ bitmap length ‖ run-length bitmap of value ids`."""
    out = bytearray()
    order, blocks = [], {}
    for block_id, value_id, size in values:
        if block_id not in blocks:
            order.append(block_id)
            blocks[block_id] = [0, []]
        blocks[block_id][0] += size
        blocks[block_id][1].append(value_id)
    for block_id in order:
        size, ids = blocks[block_id]
        bm = rle_bitmap(sorted(ids))
        out += uvarint(block_id) + uvarint(size) + uvarint(len(bm)) + bm
    return bytes(out)


# ---------------------------------------------------------------------------------------------
# The table writer


class ColumnarTableWriter:
    """One Pebblev7 table. `add` points in internal-key order, `add_span` in any order, then
    `finish()`. A point whose value goes to a blob file passes `blob=(file id, block id,
    value id)`: the table stores `40|20? ‖ reference id ‖ value length ‖ block id ‖ value id`
    and lists the file in `TableInfo.blob_refs` (the MANIFEST's reference list)."""

    def __init__(self, f, block_size: int, compress: bool = True):
        self.sink = BlockSink(f, compress)
        self.block_size = block_size
        self.low = (block_size * 90 + 99) // 100
        self.block = DataBlock()
        self.index = []            # (separator, offset, length)
        self.pending_size = 0
        self.spans: list = []
        self.info = TableInfo()
        self.info.blob_refs = []   # [[file id, value bytes]] in reference-id order
        self.ref_ids: dict = {}
        self.live: list = []       # per reference: [(block, value, size)]
        self.prev = None
        self.prev_key = None
        self.prev_kind = None
        self.p = dict(entries=0, raw_key=0, raw_value=0, deletions=0, sized=0, merges=0,
                      tomb_key=0, tomb_value=0, blob_values=0)

    def add(self, user_key: bytes, seq: int, kind: int, value: bytes = b"", obsolete=False,
            blob: tuple | None = None):
        k = ikey_sort_key(user_key, seq, kind)
        if self.prev is not None and k <= self.prev:
            raise ValueError("keys out of order at %s#%d,%d" % (user_key.hex(), seq, kind))
        self.prev = k
        same = self.prev_key is not None and engine_prefix(user_key) == engine_prefix(self.prev_key)
        # Pebble marks a repeated user key obsolete unless the previous key is a MERGE.
        obsolete = obsolete or (self.prev_key == user_key and self.prev_kind != MERGE)
        self.prev_key, self.prev_kind = user_key, kind
        stored, external = value, False
        if blob is not None:
            fid, block_id, value_id = blob
            if fid not in self.ref_ids:
                self.ref_ids[fid] = len(self.info.blob_refs)
                self.info.blob_refs.append([fid, 0])
                self.live.append([])
            ref = self.ref_ids[fid]
            self.info.blob_refs[ref][1] += len(value)
            self.live[ref].append((block_id, value_id, len(value)))
            prefix = PREFIX_BLOB | (PREFIX_SAME if same else 0)
            stored = bytes([prefix]) + uvarint(ref) + uvarint(len(value)) + uvarint(block_id) + \
                uvarint(value_id)
            external = True
            self.p["blob_values"] += 1
        rows_before = self.block.rows
        self.block.add(user_key, (seq << 8) | kind, stored, external, same, obsolete)
        # Flush without this KV when the block holds >= 90 % of the block size and the KV
        # would take it past the size (Pebble's flush governor without size classes).
        size = self.block.size(self.block.rows)
        if rows_before and self.pending_size >= self.low and size > self.block_size:
            self._flush(rows_before, user_key)
            self.block.add(user_key, (seq << 8) | kind, stored, external, same, obsolete)
            size = self.block.size(1)
        self.pending_size = size
        p = self.p
        p["entries"] += 1
        p["raw_key"] += len(user_key) + 8
        p["raw_value"] += len(value)
        if kind in (DEL, SINGLEDEL, DELSIZED):
            p["deletions"] += 1
            p["tomb_key"] += len(user_key)
            if kind == DELSIZED:
                p["sized"] += 1
                p["tomb_value"] += _uvarint_value(value)
        p["merges"] += kind == MERGE
        i = self.info
        ikey = user_key + struct.pack("<Q", (seq << 8) | kind)
        i.point_bounds = (ikey, ikey) if i.point_bounds is None else (i.point_bounds[0], ikey)
        i.smallest_seq, i.largest_seq = min(i.smallest_seq, seq), max(i.largest_seq, seq)

    def _flush(self, rows: int | None, next_key: bytes | None):
        blk = self.block
        rows = blk.rows if rows is None else rows
        raw = blk.finish(rows)
        off, n = self.sink.write(raw, True)
        last = blk.keys[rows - 1]
        sep = separator(last, next_key) if next_key is not None else successor(last)
        self.index.append((sep, off, n))
        self.info.blocks.append(BlockInfo(off, n, blk.keys[0], last, rows))
        self.info.blocks[-1].sep = sep          # the index separator (damaged-span model)
        self.block = DataBlock()
        self.pending_size = 0

    def add_span(self, span):
        self.spans.append(span)

    def finish(self) -> TableInfo:
        if self.block.rows:
            self._flush(None, None)
        data_size = self.sink.offset
        seps, offs, lens, props_col = RawBytesColumn(), UintColumn(), UintColumn(), RawBytesColumn()
        for i, (sep, off, n) in enumerate(self.index):
            seps.put(sep)
            offs.set(i, off)
            lens.set(i, n)
            props_col.put(b"")
        rows = len(self.index)
        index_handle = self.sink.write(encode_block(b"", rows, [
            (seps, rows), (offs, rows), (lens, rows), (props_col, rows)]), True)
        meta = []
        p = self.p
        dels = [s for s in self.spans if s.kind == RANGEDEL]
        rks = [s for s in self.spans if s.kind != RANGEDEL]
        n_dels = 0
        if dels:
            frags = fragment(dels)
            for start, end, group in frags:
                n_dels += len(group)
                p["raw_key"] += len(start) + len(end)
                for s in group:
                    self._bound_span(start + struct.pack("<Q", (s.seq << 8) | RANGEDEL),
                                     end + struct.pack("<Q", (SEQ_MAX << 8) | RANGEDEL), s.seq,
                                     point=True)
            p["entries"] += n_dels
            p["deletions"] += n_dels
            meta.append((b"rocksdb.range_del2", self.sink.write(keyspan_block(frags, False),
                                                                False)))
        rk = dict(sets=0, unsets=0, dels=0, key=0, value=0)
        if rks:
            frags = fragment(rks)
            for start, end, group in frags:
                rk["key"] += len(start) + len(end)
                for s in group:
                    rk["value"] += len(s.value) if s.kind == RANGEKEYSET else 0
                    rk[{RANGEKEYSET: "sets", RANGEKEYUNSET: "unsets", RANGEKEYDEL: "dels"}[
                        s.kind]] += 1
                    self._bound_span(start + struct.pack("<Q", (s.seq << 8) | s.kind),
                                     end + struct.pack("<Q", (SEQ_MAX << 8) | s.kind), s.seq,
                                     point=False)
            meta.append((b"pebble.range_key", self.sink.write(keyspan_block(frags, True),
                                                              False)))
        if self.live:
            refs = RawBytesColumn()
            for vals in self.live:
                refs.put(liveness_encoding(vals))
            meta.append((b"pebble.blob_ref_index", self.sink.write(
                encode_block(b"", len(self.live), [(refs, len(self.live))]), False)))
        props = {
            b"pebble.colblk.schema": KEY_SCHEMA,
            b"rocksdb.block.based.table.index.type": struct.pack("<I", 0),
            b"rocksdb.comparator": b"cockroach_comparator",
            b"rocksdb.compression": b"Snappy" if self.sink.compress else b"NoCompression",
            b"rocksdb.data.size": uvarint(data_size),
            b"rocksdb.deleted.keys": uvarint(p["deletions"]),
            b"rocksdb.filter.size": uvarint(0),
            b"rocksdb.index.size": uvarint(index_handle[1]),
            b"rocksdb.merge.operands": uvarint(p["merges"]),
            b"rocksdb.merge.operator": b"cockroach_merge_operator",
            b"rocksdb.num.data.blocks": uvarint(len(self.info.blocks)),
            b"rocksdb.num.entries": uvarint(p["entries"]),
            b"rocksdb.num.range-deletions": uvarint(n_dels),
            b"rocksdb.property.collectors": b"[]",
            b"rocksdb.raw.key.size": uvarint(p["raw_key"]),
            b"rocksdb.raw.value.size": uvarint(p["raw_value"]),
        }
        for name, v in ((b"pebble.num.deletions.sized", p["sized"]),
                        (b"pebble.num.range-key-dels", rk["dels"]),
                        (b"pebble.num.range-key-sets", rk["sets"]),
                        (b"pebble.num.range-key-unsets", rk["unsets"]),
                        (b"pebble.num.values.in.blob-files", p["blob_values"]),
                        (b"pebble.raw.point-tombstone.key.size", p["tomb_key"]),
                        (b"pebble.raw.point-tombstone.value.size", p["tomb_value"]),
                        (b"pebble.raw.range-key.key.size", rk["key"]),
                        (b"pebble.raw.range-key.value.size", rk["value"])):
            if v:
                props[name] = uvarint(v)
        # The stats cover the blocks written so far (data and index), as Pebble's do.
        stats = self.sink.compression_stats()
        if stats:
            props[b"pebble.compression_stats"] = stats.encode()
        pb = KeyValueBlock()
        for name in sorted(props):
            pb.add(name, props[name])
        meta.append((b"rocksdb.properties", self.sink.write(pb.finish(), True)))
        mb = KeyValueBlock()
        for name, (off, n) in sorted(meta):
            mb.add(name, uvarint(off) + uvarint(n))
        metaindex = self.sink.write(mb.finish(), False)
        attrs = (A_POINT_KEYS if self.info.blocks else 0) | (A_BLOB_VALUES if p["blob_values"]
                                                              else 0)
        attrs |= (A_RANGE_DELS if n_dels else 0) | (A_RANGE_KEY_SETS if rk["sets"] else 0)
        attrs |= (A_RANGE_KEY_UNSETS if rk["unsets"] else 0) | (A_RANGE_KEY_DELS if rk["dels"]
                                                                 else 0)
        handles = uvarint(metaindex[0]) + uvarint(metaindex[1]) + uvarint(index_handle[0]) + \
            uvarint(index_handle[1])
        head = b"\x01" + handles + b"\0" * (40 - len(handles)) + struct.pack("<I", attrs)
        tail = struct.pack("<I", TABLE_FORMAT_V7) + PEBBLE_MAGIC
        footer = head + struct.pack("<I", masked_crc(tail, head)) + tail
        assert len(footer) == 61
        self.sink.f.write(footer)
        i = self.info
        i.size = self.sink.offset + len(footer)
        cands = [b for b in (i.point_bounds, i.range_key_bounds) if b]
        from pebble_store import _ikey_order
        i.smallest = min((b[0] for b in cands), key=_ikey_order)
        i.largest = max((b[1] for b in cands), key=_ikey_order)
        return i

    def _bound_span(self, lo: bytes, hi: bytes, seq: int, point: bool):
        from pebble_store import _ikey_order
        i = self.info
        cur = i.point_bounds if point else i.range_key_bounds
        cur = (lo, hi) if cur is None else (min(cur[0], lo, key=_ikey_order),
                                            max(cur[1], hi, key=_ikey_order))
        if point:
            i.point_bounds = cur
        else:
            i.range_key_bounds = cur
        i.smallest_seq, i.largest_seq = min(i.smallest_seq, seq), max(i.largest_seq, seq)


def _uvarint_value(b: bytes) -> int:
    n, shift = 0, 0
    for c in b:
        n |= (c & 0x7F) << shift
        if c < 0x80:
            return n
        shift += 7
    return 0


# ---------------------------------------------------------------------------------------------
# The 25.4 store layout (pebble_store.write_store with fmt=FORMAT_25_4)

# OPTIONS in the shape Pebble crl-release-25.4 `Options.String()` prints; values as a
# CockroachDB store sets them where known (comparer, merger, key schema, FMV, value
# separation minimum 256: cockroach PR #153362), Pebble defaults elsewhere.
OPTIONS_TEXT_25_4 = """[Version]
  pebble_version=0.1

[Options]
  bytes_per_sync=524288
  cache_size=8388608
  cleaner=delete
  compaction_debt_concurrency=1073741824
  compaction_garbage_fraction_for_max_concurrency=0.40
  comparer={comparer}
  disable_wal=false
  flush_delay_delete_range=0s
  flush_delay_range_key=0s
  flush_split_bytes=4194304
  format_major_version={fmv}
  key_schema=crdb1
  l0_compaction_concurrency=10
  l0_compaction_file_threshold=500
  l0_compaction_threshold=2
  l0_stop_writes_threshold=1000
  lbase_max_bytes=67108864
  concurrent_compactions=1
  max_concurrent_compactions=3
  max_concurrent_downloads=1
  max_manifest_file_size=134217728
  max_open_files=1000
  mem_table_size=67108864
  mem_table_stop_writes_threshold=4
  min_deletion_rate=0
  free_space_threshold_bytes=17179869184
  free_space_timeframe=10s
  obsolete_bytes_max_ratio=0.200000
  obsolete_bytes_timeframe=5m0s
  merger={merger}
  read_compaction_rate=16000
  read_sampling_multiplier=16
  num_deletions_threshold=100
  deletion_size_ratio_threshold=0.500000
  tombstone_dense_compaction_threshold=0.100000
  strict_wal_tail=true
  table_cache_shards=2
  validate_on_ingest=false
  wal_dir=
  wal_bytes_per_sync=0
  secondary_cache_size_bytes=0
  create_on_shared=0

[Value Separation]
  enabled=true
  minimum_size=256
  minimum_latency_tolerant_size=32
  max_blob_reference_depth=10
  rewrite_minimum_age=5m0s
  garbage_ratio_low_priority=0.10
  garbage_ratio_high_priority=0.30
""" + "".join("""
[Level "%d"]
  block_restart_interval=16
  block_size={block_size}
  block_size_threshold=90
  compression=Snappy
  filter_policy=none
  filter_type=table
  index_block_size=262144
  target_file_size=%d
""" % (i, 2097152 << i) for i in range(7))

# CockroachDB's default `storage.value_separation.minimum_size` from 25.4 on (cockroach PR
# #153362, "set default value separation minimum size to 256 bytes", merged 2025-09-10).
MIN_SEPARATED = 256


def _format_25_4():
    from pebble_store import StoreFormat
    # Disk file numbers: MANIFEST 1, OPTIONS 3, blob 4, L6 table 5, blob 6, L0 table 7,
    # blob 8 (flushed with it), live WAL 9.
    return StoreFormat(fmv=26, options=OPTIONS_TEXT_25_4, table_writer=ColumnarTableWriter,
                       wal_num=9, wal_sync_chunks=True, min_separated=MIN_SEPARATED,
                       l6_blobs=(4, 6), l0_blob=8, creation_time=1_762_000_000)


FORMAT_25_4 = _format_25_4()
