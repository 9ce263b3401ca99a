#ifndef SALVAGE_CRC_H
#define SALVAGE_CRC_H
#include <stddef.h>
#include <stdint.h>

/// CRC-32C (Castagnoli), standard init/final xor: crc32c("123456789") == 0xE3069283.
/// `crc` is the running value from a previous call (0 to start).
uint32_t salvage_crc32c_extend(uint32_t crc, const void *data, size_t len);

/// Block search (block_search.c). Blocks are payload ‖ type ‖ masked crc32c(payload ‖ type).
/// Shortest payload length (1...max_len) of a block starting at d[0] whose type is at most
/// max_type and whose trailer matches, or -1.
long salvage_crc32c_first_block(const uint8_t *d, size_t n, size_t max_len, uint8_t max_type);

/// Every block [s, s + len + 5) inside d[0..n) with s < n_starts and 1 <= len <= max_len whose
/// trailer matches, in one linear pass (a hash join of checksum terms). Writes up to `cap`
/// (start, len) pairs, in no particular order; returns how many were found.
size_t salvage_crc32c_find_blocks(const uint8_t *d, size_t n, size_t n_starts, size_t max_len,
                                  uint8_t max_type, int64_t *out_start, int64_t *out_len, size_t cap);

/// Lowercase hex of src[0..n): 2n bytes into dst (hex.c).
void salvage_hex_lower(const uint8_t *src, size_t n, uint8_t *dst);

/// Copies the leading run of src[0..n) that is printable ASCII other than a backslash
/// (0x20-0x7e, not 0x5c) to dst and returns its length; dst may be written up to the end of
/// that run rounded up to 16 bytes, never past dst[n) (plain.c).
size_t salvage_copy_plain(const uint8_t *src, size_t n, uint8_t *dst);

/// Footer magics (magic_search.c): every 8-byte LevelDB, RocksDB or Pebble table magic and
/// Pebble blob-file magic in d[0..n), as (offset of the magic's first byte, kind), grouped by
/// kind, each group in file order. Writes up to `cap`; returns how many were found.
enum { SALVAGE_MAGIC_LEVELDB = 1, SALVAGE_MAGIC_ROCKSDB = 2, SALVAGE_MAGIC_PEBBLE = 3,
       SALVAGE_MAGIC_BLOB_V1 = 4, SALVAGE_MAGIC_BLOB_V2 = 5 };
size_t salvage_find_magics(const uint8_t *d, size_t n, int64_t *out_off, uint8_t *out_kind, size_t cap);

#endif
