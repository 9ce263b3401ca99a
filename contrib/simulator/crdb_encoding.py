"""Hand-written CockroachDB 19.1 byte encodings used by the dead-cluster simulator.

Everything here follows /work/shared/spec/cockroachdb-encoding.md (section numbers in the
comments). Standard library only. Nothing is generated from CockroachDB's .proto files: the
few protobuf messages the simulator needs are written field by field with `Proto`.
"""

from __future__ import annotations

import struct
import zlib
from decimal import Decimal

# ---------------------------------------------------------------------------------------------
# Ordered (key-side) encodings, spec §5.2


def uvarint_asc(v: int) -> bytes:
    """EncodeUvarintAscending (§5.2.2)."""
    if v < 0:
        raise ValueError("uvarint_asc of negative value")
    if v <= 109:
        return bytes([0x88 + v])
    body = v.to_bytes((v.bit_length() + 7) // 8, "big")
    return bytes([0xF5 + len(body)]) + body


def varint_asc(v: int) -> bytes:
    """EncodeVarintAscending (§5.2.2)."""
    if v >= 0:
        return uvarint_asc(v)
    n = 1
    while v < -(2 ** (8 * n) - 1):
        n += 1
    return bytes([0x88 - n]) + (v & (2 ** (8 * n) - 1)).to_bytes(n, "big")


def varint_desc(v: int) -> bytes:
    """EncodeVarintDescending = ascending encoding of ^v (§5.2.2)."""
    return varint_asc(~v)


def bytes_asc(b: bytes) -> bytes:
    """EncodeBytesAscending (§5.2.3): 12, 00 escaped as 00 ff, terminator 00 01."""
    return b"\x12" + b.replace(b"\x00", b"\x00\xff") + b"\x00\x01"


def bytes_desc(b: bytes) -> bytes:
    asc = bytes_asc(b)
    return b"\x13" + bytes(x ^ 0xFF for x in asc[1:])


def family_suffix(family_id: int) -> bytes:
    """§4.5: 88 for family 0, else uvarint(id) ‖ uvarint(len(uvarint(id)))."""
    if family_id == 0:
        return b"\x88"
    f = uvarint_asc(family_id)
    return f + uvarint_asc(len(f))


# ---------------------------------------------------------------------------------------------
# Value-side encodings, spec §6.2–6.3


def ns_uvarint(v: int) -> bytes:
    """EncodeNonsortingUvarint: 7-bit groups, most significant first."""
    groups = [v & 0x7F]
    v >>= 7
    while v:
        groups.append(v & 0x7F)
        v >>= 7
    groups.reverse()
    return bytes([g | 0x80 for g in groups[:-1]] + [groups[-1]])


def pb_uvarint(v: int) -> bytes:
    """Protobuf / Go binary.PutUvarint (LEB128, low group first)."""
    if v < 0:
        v += 1 << 64
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        if v:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def zigzag_varint(v: int) -> bytes:
    """Go binary.PutVarint."""
    return pb_uvarint((v << 1) ^ (v >> 63) if v < 0 else v << 1)


def value_tag(col_delta: int, enc_type: int) -> bytes:
    if enc_type < 15:
        return ns_uvarint((col_delta << 4) | enc_type)
    return ns_uvarint((col_delta << 4) | 15) + ns_uvarint(enc_type)


def nonsorting_decimal(d: Decimal) -> bytes:
    """EncodeNonsortingDecimal (§6.3.2) for finite decimals."""
    sign, digits, exp = d.as_tuple()
    if not isinstance(exp, int):
        raise ValueError("only finite decimals are supported")
    coeff = int("".join(map(str, digits)) or "0")
    neg = sign == 1
    if coeff == 0 and not neg and exp == 0:
        return b"\x27"
    ndigits = len(str(coeff))
    e = ndigits + exp
    if neg:
        marker = 0x1A if e > 0 else (0x25 if e == 0 else 0x26)
    else:
        marker = 0x34 if e > 0 else (0x29 if e == 0 else 0x28)
    out = bytes([marker])
    if e != 0:
        out += uvarint_asc(abs(e))
    if coeff:
        out += coeff.to_bytes((coeff.bit_length() + 7) // 8, "big")
    return out


# roachpb.Value tags (§3.2)
TAG_INT, TAG_FLOAT, TAG_BYTES, TAG_TIME, TAG_DECIMAL, TAG_TUPLE = 1, 2, 3, 4, 5, 10

# encoding.Type (§6.3)
ET_INT, ET_DECIMAL, ET_BYTES, ET_TIME, ET_TRUE, ET_FALSE, ET_JSON = 3, 5, 6, 8, 10, 11, 15


def roach_value(roach_key: bytes, tag: int, data: bytes) -> bytes:
    """roachpb.Value bytes: CRC-32 IEEE over key ‖ tag ‖ data, 0 stored as 1 (§3.1)."""
    body = bytes([tag]) + data
    crc = zlib.crc32(roach_key + body) & 0xFFFFFFFF
    if crc == 0:
        crc = 1
    return struct.pack(">I", crc) + body


def time_key_encoding(secs: int, nanos: int) -> bytes:
    """14 ‖ varint-asc(secs) ‖ varint-asc(nanos): bare TIME values use the key encoding."""
    return b"\x14" + varint_asc(secs) + varint_asc(nanos)


# ---------------------------------------------------------------------------------------------
# Engine keys, spec §1.1–1.2


def mvcc_key(roach_key: bytes, wall: int = 0, logical: int = 0) -> bytes:
    if wall == 0 and logical == 0:
        return roach_key + b"\x00"
    if logical == 0:
        return roach_key + b"\x00" + struct.pack(">Q", wall) + b"\x09"
    return roach_key + b"\x00" + struct.pack(">QI", wall, logical) + b"\x0d"


def split_engine_key(k: bytes):
    """Inverse of mvcc_key: (roach_key, wall, logical) or (roach_key, None, None) if unversioned."""
    n = k[-1]
    if n == 0:
        return k[:-1], None, None
    s = len(k) - 1 - n
    if s < 0 or k[s] != 0:
        raise ValueError("not a CockroachDB engine key: " + k.hex())
    ver = k[s + 1:-1]
    if len(ver) == 8:
        return k[:s], struct.unpack(">Q", ver)[0], 0
    if len(ver) == 12:
        w, l = struct.unpack(">QI", ver)
        return k[:s], w, l
    raise ValueError("unexpected version length %d" % len(ver))


# ---------------------------------------------------------------------------------------------
# Minimal protobuf writer (proto2/gogoproto style: fields written in the order given)


class Proto:
    def __init__(self):
        self.buf = bytearray()

    def _tag(self, field: int, wire: int):
        self.buf += pb_uvarint((field << 3) | wire)

    def varint(self, field: int, v: int) -> "Proto":
        self._tag(field, 0)
        self.buf += pb_uvarint(int(v))
        return self

    def bool(self, field: int, v: bool) -> "Proto":
        return self.varint(field, 1 if v else 0)

    def bytes(self, field: int, b: bytes) -> "Proto":
        self._tag(field, 2)
        self.buf += pb_uvarint(len(b)) + bytes(b)
        return self

    def string(self, field: int, s: str) -> "Proto":
        return self.bytes(field, s.encode("utf-8"))

    def msg(self, field: int, m: "Proto | bytes") -> "Proto":
        return self.bytes(field, m.done() if isinstance(m, Proto) else m)

    def sfixed64(self, field: int, v: int) -> "Proto":
        self._tag(field, 1)
        self.buf += struct.pack("<q", v)
        return self

    def done(self) -> bytes:
        return bytes(self.buf)


def hlc_timestamp(wall: int, logical: int = 0) -> Proto:
    """util/hlc.Timestamp / LegacyTimestamp: 1 wall_time, 2 logical (zero fields omitted)."""
    p = Proto()
    if wall:
        p.varint(1, wall)
    if logical:
        p.varint(2, logical)
    return p


def legacy_timestamp(wall: int, logical: int = 0) -> Proto:
    """enginepb.LegacyTimestamp (proto2, non-nullable scalars): both fields always emitted."""
    return Proto().varint(1, wall).varint(2, logical)


def mvcc_metadata_inline(raw_value: bytes) -> bytes:
    """enginepb.MVCCMetadata for an inline value: zero timestamp, raw_bytes = roachpb.Value.
    proto2 non-nullable fields (timestamp, deleted, key_bytes, val_bytes) are always emitted,
    giving the familiar prefix 12 04 08 00 10 00 18 00 20 00 28 00 32 ..."""
    return (Proto().msg(2, legacy_timestamp(0, 0)).bool(3, False).varint(4, 0).varint(5, 0)
            .bytes(6, raw_value).done())


def txn_meta(txn_id: bytes, anchor: bytes, wall: int, logical: int, priority: int,
             sequence: int) -> Proto:
    """enginepb.TxnMeta (19.1, proto3): 1 id, 3 key, 4 epoch, 5 timestamp, 6 priority,
    7 sequence, 9 min_timestamp."""
    p = Proto().bytes(1, txn_id).bytes(3, anchor)
    p.msg(5, hlc_timestamp(wall, logical))
    p.varint(6, priority).varint(7, sequence)
    p.msg(9, hlc_timestamp(wall, logical))
    return p


def mvcc_metadata_intent(meta: Proto, wall: int, logical: int, val_len: int,
                         deleted: bool = False) -> bytes:
    """MVCCMetadata of an interleaved intent (≤21.x): txn present, timestamp of the
    provisional version, key_bytes = 12 (MVCCVersionTimestampSize), val_bytes."""
    return (Proto().msg(1, meta).msg(2, legacy_timestamp(wall, logical)).bool(3, deleted)
            .varint(4, 12).varint(5, val_len).done())


# ---------------------------------------------------------------------------------------------
# JSONB binary encoding (value side), spec §6.6: container header, JEntries, payloads.
# Python values: dict (str keys), list, str, int/Decimal (numbers), True/False, None.

_J_NULL, _J_STRING, _J_NUMBER, _J_FALSE, _J_TRUE, _J_CONTAINER = 0, 1, 2, 3, 4, 5
_J_ARRAY, _J_OBJECT, _J_SCALAR = 0x80000000, 0x40000000, 0x20000000
_J_STRIDE = 32


def _json_sorted_items(d: dict):
    """Objects are stored with keys sorted by their UTF-8 bytes."""
    return sorted(d.items(), key=lambda kv: kv[0].encode("utf-8"))


def _jentry(v):
    """(type code, payload bytes) of one JSON value inside a container."""
    if v is None:
        return _J_NULL, b""
    if v is True:
        return _J_TRUE, b""
    if v is False:
        return _J_FALSE, b""
    if isinstance(v, str):
        return _J_STRING, v.encode("utf-8")
    if isinstance(v, (int, Decimal)):
        d = nonsorting_decimal(Decimal(v))
        return _J_NUMBER, pb_uvarint(len(d)) + d
    if isinstance(v, (list, dict)):
        return _J_CONTAINER, _json_container(v)
    raise TypeError(type(v))


def _json_container(v) -> bytes:
    if isinstance(v, list):
        header, entries = _J_ARRAY | len(v), [_jentry(x) for x in v]
        groups = [entries]
    else:
        items = _json_sorted_items(v)
        header = _J_OBJECT | len(items)
        groups = [[_jentry(k) for k, _ in items], [_jentry(x) for _, x in items]]
    heads, payload, offset = b"", b"", 0
    for group in groups:                 # keys, then values; the offset runs on across both
        for i, (typ, body) in enumerate(group):
            offset += len(body)
            if i % _J_STRIDE == 0:
                heads += struct.pack(">I", 0x80000000 | (typ << 28) | offset)
            else:
                heads += struct.pack(">I", (typ << 28) | len(body))
            payload += body
    return struct.pack(">I", header) + heads + payload


def jsonb_encode(v) -> bytes:
    """EncodeJSON: containers as they are, scalars wrapped in a scalar container."""
    if isinstance(v, (list, dict)):
        return _json_container(v)
    typ, body = _jentry(v)
    return struct.pack(">II", _J_SCALAR, (typ << 28) | len(body)) + body


def json_text(v) -> str:
    """JSON text as CockroachDB prints a JSONB datum: `{"a": 1, "b": [true, null]}` (keys in
    stored order, ", " and ": " separators, non-ASCII unescaped)."""
    import json as _json
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, str):
        return _json.dumps(v, ensure_ascii=False)
    if isinstance(v, int):
        return str(v)
    if isinstance(v, Decimal):
        return format(v, "f")
    if isinstance(v, list):
        return "[" + ", ".join(json_text(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(json_text(k) + ": " + json_text(x)
                               for k, x in _json_sorted_items(v)) + "}"
    raise TypeError(type(v))
