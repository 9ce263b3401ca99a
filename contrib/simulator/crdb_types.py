"""SQL column types for the simulator: key and value encodings, descriptor type protos (19.1
ColumnType and 19.2+ types.T) and the text CockroachDB prints (what IMPORT ... CSV parses).

Spec sections: key side §5.2, value side §6.2–6.4, type protos §7.5/7.7. A type is named by its
SQL spelling ("INT4", "DECIMAL(10,2)", "STRING[]", "ENUM:status"); Python values:
INT*/OID int, FLOAT* float, DECIMAL Decimal, STRING/VARCHAR/CHAR/ENUM str, BYTES bytes,
DATE days since 1970, TIME µs of day, TIMESTAMP(TZ) µs since 1970, INTERVAL (months, days,
nanos), UUID uuid.UUID, INET (ipaddress address, mask), JSONB json value, arrays lists (None
= NULL element), BIT/VARBIT '0101' strings.
"""

from __future__ import annotations

import math
import struct
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from crdb_encoding import (
    ET_BYTES, ET_DECIMAL, ET_FALSE, ET_INT, ET_JSON, ET_TIME, ET_TRUE, TAG_BYTES, TAG_DECIMAL,
    TAG_INT, TAG_TIME, Proto, bytes_asc, bytes_desc, json_text, jsonb_encode, nonsorting_decimal,
    ns_uvarint, pb_uvarint, time_key_encoding, value_tag, varint_asc, varint_desc, zigzag_varint,
)

TAG_FLOAT = 2
ET_FLOAT, ET_DURATION, ET_UUID, ET_ARRAY, ET_IPADDR, ET_BITARRAY = 4, 9, 12, 13, 14, 17

class _JSONNull:
    """A JSONB datum holding JSON null (None is SQL NULL)."""
    def __repr__(self):
        return "JSON_NULL"


JSON_NULL = _JSONNull()
INT_TYPES = {"INT2": 16, "INT4": 32, "INT8": 64}


def base(typ: str) -> str:
    """"VARCHAR(10)" -> "VARCHAR"; "ENUM:status" -> "ENUM"."""
    return typ.split("(")[0].split(":")[0]


def params(typ: str) -> list:
    return [int(x) for x in typ.split("(")[1].rstrip(")").split(",")] if "(" in typ else []


# ---------------------------------------------------------------------------------------------
# Key side (§5.2)


def key_datum(typ: str, v, direction: str, enum_phys=None) -> bytes:
    asc = direction == "ASC"
    b = base(typ)
    if v is None:
        return b"\x00" if asc else b"\xff"
    if b in INT_TYPES or b in ("OID", "DATE", "TIME"):
        return varint_asc(v) if asc else varint_desc(v)
    if b == "BOOL":
        return varint_asc(int(v)) if asc else varint_desc(int(v))
    if b in ("STRING", "VARCHAR", "CHAR", "BYTES", "UUID", "ENUM"):
        raw = (v.encode("utf-8") if b in ("STRING", "VARCHAR", "CHAR") else
               v.bytes if b == "UUID" else enum_phys(v) if b == "ENUM" else bytes(v))
        return bytes_asc(raw) if asc else bytes_desc(raw)
    if b in ("TIMESTAMP", "TIMESTAMPTZ"):
        s, n = divmod(v, 10**6)
        n *= 1000
        return (b"\x14" + varint_asc(s) + varint_asc(n) if asc
                else b"\x14" + varint_desc(s) + varint_desc(n))
    raise ValueError("key type %s not used here" % typ)


# ---------------------------------------------------------------------------------------------
# Value side (§6.3, §6.4)


def _float_bits(typ: str, v: float) -> bytes:
    if base(typ) == "FLOAT4":
        v = struct.unpack(">f", struct.pack(">f", v))[0]
    return struct.pack(">d", v)


def _inet_buf(v) -> bytes:
    addr, mask = v
    return bytes([0 if addr.version == 4 else 1, mask]) + addr.packed


def _bit_words(bits: str) -> bytes:
    out = b""
    for i in range(0, len(bits), 64):
        chunk = bits[i:i + 64]
        out += struct.pack(">Q", int(chunk.ljust(64, "0"), 2))
    return out


def _interval(v) -> bytes:
    m, d, n = v
    return zigzag_varint(m) + zigzag_varint(d) + zigzag_varint(n)


def _array_body(typ: str, v: list, enum_phys=None) -> bytes:
    elem = typ[:-2]
    et, _ = tuple_datum(elem, _sample(elem), enum_phys)
    has_null = any(x is None for x in v)
    out = bytes([0x11 if has_null else 0x01]) + value_tag(0, et) + ns_uvarint(len(v))
    if has_null:
        bm = bytearray((len(v) + 7) // 8)
        for i, x in enumerate(v):
            if x is None:
                bm[i // 8] |= 1 << (i % 8)
        out += bytes(bm)
    for x in v:
        if x is not None:
            out += tuple_datum(elem, x, enum_phys)[1]
    return out


def _sample(elem: str):
    return {"INT8": 0, "STRING": ""}[base(elem)]


def tuple_datum(typ: str, v, enum_phys=None) -> tuple:
    """(encoding.Type, body) for a value inside a TUPLE (§6.3)."""
    b = base(typ)
    if typ.endswith("[]"):
        body = _array_body(typ, v, enum_phys)
        return ET_ARRAY, ns_uvarint(len(body)) + body
    if b in INT_TYPES or b in ("OID", "DATE", "TIME"):
        return ET_INT, zigzag_varint(v)
    if b in ("FLOAT4", "FLOAT8"):
        return ET_FLOAT, _float_bits(typ, v)
    if b in ("STRING", "VARCHAR", "CHAR", "BYTES", "ENUM"):
        raw = v.encode("utf-8") if b in ("STRING", "VARCHAR", "CHAR") else (
            enum_phys(v) if b == "ENUM" else bytes(v))
        return ET_BYTES, ns_uvarint(len(raw)) + raw
    if b == "DECIMAL":
        d = nonsorting_decimal(v)
        return ET_DECIMAL, pb_uvarint(len(d)) + d
    if b in ("TIMESTAMP", "TIMESTAMPTZ"):
        s, us = divmod(v, 10**6)
        return ET_TIME, zigzag_varint(s) + zigzag_varint(us * 1000)
    if b == "INTERVAL":
        return ET_DURATION, _interval(v)
    if b == "BOOL":
        return (ET_TRUE if v else ET_FALSE), b""
    if b == "UUID":
        return ET_UUID, v.bytes
    if b == "INET":
        return ET_IPADDR, _inet_buf(v)
    if b == "JSONB":
        j = jsonb_encode(None if v is JSON_NULL else v)
        return ET_JSON, ns_uvarint(len(j)) + j
    if b in ("BIT", "VARBIT"):
        return ET_BITARRAY, ns_uvarint(len(v)) + _bit_words(v)
    raise ValueError(typ)


def bare_datum(typ: str, v, enum_phys=None) -> tuple:
    """(roachpb ValueType tag, data) for a single-column family value (§6.3.1)."""
    b = base(typ)
    if b in INT_TYPES or b in ("OID", "DATE", "TIME"):
        return TAG_INT, zigzag_varint(v)
    if b == "BOOL":
        return TAG_INT, zigzag_varint(1 if v else 0)
    if b in ("FLOAT4", "FLOAT8"):
        return TAG_FLOAT, _float_bits(typ, v)
    if b in ("STRING", "VARCHAR", "CHAR"):
        return TAG_BYTES, v.encode("utf-8")
    if b == "BYTES":
        return TAG_BYTES, bytes(v)
    if b == "DECIMAL":
        return TAG_DECIMAL, nonsorting_decimal(v)
    if b in ("TIMESTAMP", "TIMESTAMPTZ"):
        s, us = divmod(v, 10**6)
        return TAG_TIME, time_key_encoding(s, us * 1000)
    if b == "JSONB":
        return TAG_BYTES, jsonb_encode(None if v is JSON_NULL else v)
    if b == "UUID":
        return TAG_BYTES, v.bytes
    raise ValueError("bare %s not used here" % typ)


# ---------------------------------------------------------------------------------------------
# Text (what CockroachDB prints and IMPORT ... CSV parses)


def go_float(f: float) -> str:
    """Go strconv.FormatFloat(f, 'g', -1, 64), as CockroachDB prints a FLOAT."""
    if math.isnan(f):
        return "NaN"
    if math.isinf(f):
        return "Infinity" if f > 0 else "-Infinity"
    if f == 0:
        return "-0" if math.copysign(1, f) < 0 else "0"
    sign, digits, exp = Decimal(repr(f)).normalize().as_tuple()
    ds = "".join(map(str, digits))
    x = len(ds) + exp - 1                      # decimal exponent of the first digit
    s = "-" if sign else ""
    if x < -4 or x >= 6:                       # shortest 'g': %e outside [1e-4, 1e6)
        m = ds[0] + ("." + ds[1:] if len(ds) > 1 else "")
        return s + m + "e" + ("-" if x < 0 else "+") + "%02d" % abs(x)
    if x >= len(ds) - 1:
        return s + ds + "0" * (x - len(ds) + 1)
    if x >= 0:
        return s + ds[:x + 1] + "." + ds[x + 1:]
    return s + "0." + "0" * (-x - 1) + ds


def _clock(us: int) -> str:
    s, f = divmod(us, 10**6)
    text = "%02d:%02d:%02d" % (s // 3600, s // 60 % 60, s % 60)
    return text + ((".%06d" % f).rstrip("0") if f else "")


def render_interval(v) -> str:
    m, d, n = v
    parts = []
    if abs(m) >= 12:
        parts.append("%d year%s" % (m // 12 if m > 0 else -(-m // 12), "" if m // 12 == 1 else "s"))
    if m % 12 if m > 0 else -(-m % 12):
        mm = m % 12 if m > 0 else -(-m % 12)
        parts.append("%d mon%s" % (mm, "" if mm == 1 else "s"))
    if d:
        parts.append("%d day%s" % (d, "" if d == 1 else "s"))
    if n or not parts:
        neg, a = n < 0, abs(n)
        s, ns = divmod(a, 10**9)
        text = "%02d:%02d:%02d" % (s // 3600, s // 60 % 60, s % 60)
        if ns:
            text += (".%09d" % ns).rstrip("0")
        parts.append(("-" if neg else "") + text)
    return " ".join(parts)


def render(typ: str, v) -> str | None:
    """CockroachDB's text of a datum; None for NULL."""
    if v is None:
        return None
    b = base(typ)
    if typ.endswith("[]"):
        return "ARRAY[" + ",".join("NULL" if x is None else
                                   "'" + render(typ[:-2], x).replace("'", "''") + "'"
                                   for x in v) + "]"
    if b in INT_TYPES or b == "OID":
        return str(v)
    if b in ("FLOAT4", "FLOAT8"):
        return go_float(v)
    if b in ("STRING", "VARCHAR", "CHAR", "ENUM", "BIT", "VARBIT"):
        return v
    if b == "BYTES":
        return "\\x" + bytes(v).hex()
    if b == "DECIMAL":
        return str(v)
    if b == "DATE":
        return (date(1970, 1, 1) + timedelta(days=v)).isoformat()
    if b == "TIME":
        return _clock(v)
    if b in ("TIMESTAMP", "TIMESTAMPTZ"):
        s, us = divmod(v, 10**6)
        text = datetime.fromtimestamp(s, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
        if us:
            text += (".%06d" % us).rstrip("0")
        return text + ("+00:00" if b == "TIMESTAMPTZ" else "")
    if b == "INTERVAL":
        return render_interval(v)
    if b == "BOOL":
        return "true" if v else "false"
    if b == "UUID":
        return str(v)
    if b == "INET":
        addr, mask = v
        full = 32 if addr.version == 4 else 128
        return str(addr) if mask == full else "%s/%d" % (addr, mask)
    if b == "JSONB":
        return json_text(None if v is JSON_NULL else v)
    raise ValueError(typ)


# ---------------------------------------------------------------------------------------------
# Descriptor type protos (§7.5, §7.7)

# 19.1 SemanticType / types.Family numbers
FAMILY = {"BOOL": 0, "INT2": 1, "INT4": 1, "INT8": 1, "FLOAT4": 2, "FLOAT8": 2, "DECIMAL": 3,
          "DATE": 4, "TIMESTAMP": 5, "INTERVAL": 6, "STRING": 7, "VARCHAR": 7, "CHAR": 7,
          "BYTES": 8, "TIMESTAMPTZ": 9, "OID": 12, "UUID": 14, "INET": 16, "TIME": 17,
          "JSONB": 18, "BIT": 21, "VARBIT": 21, "ENUM": 24}
# 19.1 visible_type aliases
VISIBLE = {"INT2": 2, "INT4": 1, "INT8": 3, "FLOAT4": 5, "FLOAT8": 6, "VARCHAR": 7, "CHAR": 8,
           "VARBIT": 10}
OIDS = {"BOOL": 16, "INT2": 21, "INT4": 23, "INT8": 20, "FLOAT4": 700, "FLOAT8": 701,
        "DECIMAL": 1700, "DATE": 1082, "TIMESTAMP": 1114, "INTERVAL": 1186, "STRING": 25,
        "VARCHAR": 1043, "CHAR": 1042, "BYTES": 17, "TIMESTAMPTZ": 1184, "OID": 26,
        "UUID": 2950, "INET": 869, "TIME": 1083, "JSONB": 3802, "BIT": 1560, "VARBIT": 1562}
ARRAY_OIDS = {"INT8": 1016, "STRING": 1009}
USER_TYPE_OID_OFFSET = 100_000   # oid of a user-defined type = 100000 + descriptor id


def _width_precision(typ: str):
    b, p = base(typ), params(typ)
    if b in INT_TYPES:
        return INT_TYPES[b], 0
    if b == "FLOAT4":
        return 32, 0
    if b == "FLOAT8":
        return 64, 0
    if b == "DECIMAL" and p:
        return p[1], p[0]
    if b in ("VARCHAR", "CHAR", "BIT") and p:
        return p[0], 0
    return 0, 0


def column_type_19_1(typ: str) -> Proto:
    """sqlbase.ColumnType: 1 semantic_type, 2 width, 3 precision, 6 visible_type,
    7 array_contents (element family); proto2 scalars always emitted."""
    if typ.endswith("[]"):
        elem = typ[:-2]
        w, p = _width_precision(elem)
        return (Proto().varint(1, 15).varint(2, w).varint(3, p)
                .varint(6, VISIBLE.get(base(elem), 0)).varint(7, FAMILY[base(elem)]))
    b = base(typ)
    w, p = _width_precision(typ)
    if b in ("FLOAT4", "FLOAT8"):
        w = 0                      # 19.1 told FLOAT4 from FLOAT8 by visible_type only
    return Proto().varint(1, FAMILY[b]).varint(2, w).varint(3, p).varint(6, VISIBLE.get(b, 0))


def types_t(typ: str, enum_ids=None) -> Proto:
    """types.T serialized as InternalType (19.2+): 1 family, 2 width, 3 precision,
    6 visible_type (0), 10 oid, 11 array_contents, 12 time_precision_is_set,
    15 udt_metadata {2 array_type_oid}."""
    if typ.endswith("[]"):
        elem = typ[:-2]
        return (Proto().varint(1, 15).varint(2, 0).varint(3, 0).varint(6, 0)
                .varint(10, ARRAY_OIDS[base(elem)]).msg(11, types_t(elem))
                .bool(12, False))
    b = base(typ)
    w, p = _width_precision(typ)
    if b == "ENUM":
        type_id, array_id = enum_ids
        return (Proto().varint(1, 24).varint(2, 0).varint(3, 0).varint(6, 0)
                .varint(10, USER_TYPE_OID_OFFSET + type_id).bool(12, False)
                .msg(15, Proto().varint(2, USER_TYPE_OID_OFFSET + array_id)))
    return (Proto().varint(1, FAMILY[b]).varint(2, w).varint(3, p).varint(6, 0)
            .varint(10, OIDS[b]).bool(12, False))
