"""Blob files (`NNNNNN.blob`, format v2) as Pebble's value separation writes them (CockroachDB
25.4, format major version 26 `FormatV2BlobFiles`).

Facts from shared/spec/sstable-format.md §5.3 and Pebble crl-release-25.4
`sstable/blob/blob.go`, `blocks.go` (read, not copied):

    [value block 0] … [value block N-1]   columnar, 1 RawBytes column (row j = value j); may be Snappy
    [index block]                         columnar, 4-byte header = virtual block count (0), uncompressed
    [properties block]                    columnar key/value block (`compression_stats`), uncompressed
    [footer, 70 bytes]                    crc ‖ index handle (u64, u64) ‖ checksum type ‖ format 2 ‖
                                          original file number ‖ properties handle ‖ 16 zero bytes ‖ magic

A block is flushed before a value when it holds >= 90 % of the block size and the value would
take it past the block size (Pebble's flush governor without allocator size classes).
"""

from __future__ import annotations

import struct

from pebble_colblk import (
    BlockSink, KeyValueBlock, RawBytesColumn, UintColumn, _width, encode_block,
)
from pebble_store import masked_crc

BLOB_MAGIC_V2 = b"\xf0\x9f\xaa\xb3\xf0\x9f\xa6\x82"
BLOB_FORMAT_V2 = 2
CHECKSUM_CRC32C = 1


def value_block(values: list) -> bytes:
    """A blob value block: no custom header, one RawBytes column."""
    col = RawBytesColumn()
    for v in values:
        col.put(v)
    return encode_block(b"", len(values), [(col, len(values))])


def index_block(ends: list) -> bytes:
    """The blob index: 4-byte virtual block count (0, so a zero-row uint column), header rows =
    physical blocks, then the N+1 block file offsets (each block's end includes its trailer)."""
    virt, offs = UintColumn(), UintColumn()
    for i, e in enumerate([0] + ends):
        offs.set(i, e)
    return encode_block(struct.pack("<I", 0), len(ends), [(virt, 0), (offs, len(ends) + 1)])


class BlobFileWriter:
    """Streams values into one blob file. `add` returns (block_id, value_id) of the value."""

    def __init__(self, path: str, file_num: int, block_size: int, compress: bool = True):
        self.f = open(path, "wb")
        self.sink = BlockSink(self.f, compress)
        self.file_num, self.block_size = file_num, block_size
        self.low = (block_size * 90 + 99) // 100
        self.pending: list = []
        self.pending_size = 0
        self.ends: list = []
        self.values = 0
        self.value_bytes = 0

    def _size(self) -> int:
        """Encoded size of the pending value block (0 when empty), as Pebble computes it."""
        if not self.pending:
            return 0
        data = sum(len(v) for v in self.pending)
        w = _width(data)
        off = 7 + 5 + 1             # block header, one column header, offsets encoding byte
        if w > 1:
            off += (-off) % w
        return off + (len(self.pending) + 1) * w + data + 1

    def add(self, value: bytes) -> tuple:
        size = self._size()
        if size >= self.low and size + len(value) > self.block_size:
            self._flush()
        self.pending.append(value)
        self.values += 1
        self.value_bytes += len(value)
        return len(self.ends), len(self.pending) - 1

    def _flush(self):
        self.sink.write(value_block(self.pending), True)
        self.ends.append(self.sink.offset)
        self.pending = []

    def finish(self) -> tuple:
        """Writes the index, properties and footer; returns (file size, sum of value sizes)."""
        if self.pending:
            self._flush()
        idx = self.sink.write(index_block(self.ends), False)
        stats = self.sink.compression_stats()        # counts the index block, as Pebble does
        props = KeyValueBlock()
        if stats:
            props.add(b"compression_stats", stats.encode())
        ph = self.sink.write(props.finish(), False)
        body = struct.pack("<QQBBQQQQQ", idx[0], idx[1], CHECKSUM_CRC32C, BLOB_FORMAT_V2,
                           self.file_num, ph[0], ph[1], 0, 0) + BLOB_MAGIC_V2
        footer = struct.pack("<I", masked_crc(body)) + body
        assert len(footer) == 70
        self.f.write(footer)
        size = self.sink.offset + len(footer)
        self.f.close()
        return size, self.value_bytes
