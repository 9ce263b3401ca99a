// CRC-32C for block and record checksums. Written here because no Debian package ships a
// CRC-32C library; uses the SSE4.2 crc32 instruction when the CPU has it (~10x a table).
#include "salvage_crc.h"
#include <pthread.h>
#include <string.h>

static uint32_t table[8][256];
// Built once (pthread_once): two threads building it at once would both write it.
static pthread_once_t table_once = PTHREAD_ONCE_INIT;

static void build_tables(void) {
  for (uint32_t i = 0; i < 256; i++) {
    uint32_t c = i;
    for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0x82F63B78u & (0u - (c & 1)));
    table[0][i] = c;
  }
  for (uint32_t i = 0; i < 256; i++)
    for (int t = 1; t < 8; t++) table[t][i] = (table[t - 1][i] >> 8) ^ table[0][table[t - 1][i] & 0xFF];
}

static uint32_t crc_sw(uint32_t c, const unsigned char *p, size_t n) {
  pthread_once(&table_once, build_tables);
  while (n >= 8) {
    uint64_t w;
    memcpy(&w, p, 8);
    w ^= c;
    c = table[7][w & 0xFF] ^ table[6][(w >> 8) & 0xFF] ^ table[5][(w >> 16) & 0xFF] ^
        table[4][(w >> 24) & 0xFF] ^ table[3][(w >> 32) & 0xFF] ^ table[2][(w >> 40) & 0xFF] ^
        table[1][(w >> 48) & 0xFF] ^ table[0][w >> 56];
    p += 8;
    n -= 8;
  }
  while (n--) c = (c >> 8) ^ table[0][(c ^ *p++) & 0xFF];
  return c;
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) static uint32_t crc_hw(uint32_t c, const unsigned char *p, size_t n) {
  uint64_t c64 = c;
  while (n >= 8) {
    uint64_t w;
    memcpy(&w, p, 8);
    c64 = __builtin_ia32_crc32di(c64, w);
    p += 8;
    n -= 8;
  }
  uint32_t c32 = (uint32_t)c64;
  while (n--) c32 = __builtin_ia32_crc32qi(c32, *p++);
  return c32;
}
#endif

uint32_t salvage_crc32c_extend(uint32_t crc, const void *data, size_t len) {
  uint32_t c = ~crc;
#if defined(__x86_64__)
  // Decided once; threads may race to decide it (same answer), so the flag is atomic.
  static int hw = -1;
  int h = __atomic_load_n(&hw, __ATOMIC_RELAXED);
  if (h < 0) {
    h = __builtin_cpu_supports("sse4.2") ? 1 : 0;
    __atomic_store_n(&hw, h, __ATOMIC_RELAXED);
  }
  if (h) return ~crc_hw(c, (const unsigned char *)data, len);
#endif
  return ~crc_sw(c, (const unsigned char *)data, len);
}
