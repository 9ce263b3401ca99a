// Finding table and blob footers in a raw disk image by their 8-byte magic (spec §1.2).
// memmem (glibc's two-way search with a vectorised first-byte skip) runs at memory speed;
// checking a footer at every byte offset instead would not.
#define _GNU_SOURCE
#include "salvage_crc.h"
#include <string.h>

static const uint8_t leveldb_magic[8] = {0x57, 0xfb, 0x80, 0x8b, 0x24, 0x75, 0x47, 0xdb};
static const uint8_t rocksdb_magic[8] = {0xf7, 0xcf, 0xf4, 0x85, 0xb7, 0x41, 0xe2, 0x88};
// "🪳" then 🪳 (Pebble table), 🦀 (blob v1) or 🦂 (blob v2): one search for the shared 6 bytes.
static const uint8_t roach_prefix[6] = {0xf0, 0x9f, 0xaa, 0xb3, 0xf0, 0x9f};

static size_t search(const uint8_t *d, size_t n, const uint8_t *pat, size_t plen, int kind,
                     int64_t *out_off, uint8_t *out_kind, size_t cap, size_t found) {
  const uint8_t *p = d, *end = d + n;
  while ((size_t)(end - p) >= 8) {
    const uint8_t *hit = memmem(p, (size_t)(end - p), pat, plen);
    if (!hit || (size_t)(end - hit) < 8) break;
    int k = kind;
    if (k == 0) {  // roach prefix: the last two bytes name the file kind
      if (hit[6] == 0xaa && hit[7] == 0xb3) k = SALVAGE_MAGIC_PEBBLE;
      else if (hit[6] == 0xa6 && hit[7] == 0x80) k = SALVAGE_MAGIC_BLOB_V1;
      else if (hit[6] == 0xa6 && hit[7] == 0x82) k = SALVAGE_MAGIC_BLOB_V2;
    }
    if (k != 0) {
      if (found < cap) { out_off[found] = (int64_t)(hit - d); out_kind[found] = (uint8_t)k; }
      found++;
    }
    p = hit + 1;
  }
  return found;
}

size_t salvage_find_magics(const uint8_t *d, size_t n, int64_t *out_off, uint8_t *out_kind, size_t cap) {
  size_t found = 0;
  found = search(d, n, leveldb_magic, 8, SALVAGE_MAGIC_LEVELDB, out_off, out_kind, cap, found);
  found = search(d, n, rocksdb_magic, 8, SALVAGE_MAGIC_ROCKSDB, out_off, out_kind, cap, found);
  found = search(d, n, roach_prefix, 6, 0, out_off, out_kind, cap, found);
  return found;
}
