// Lowercase hex of bytes, 16 bytes per step with SSSE3's byte shuffle as the digit table
// (CSV renders every BYTES value as \x…; the portable loop is the fallback and the tail).
#include "salvage_crc.h"

static const char digits[16] = "0123456789abcdef";

static void hex_portable(const uint8_t *s, size_t n, uint8_t *d) {
  for (size_t i = 0; i < n; i++) {
    d[2 * i] = (uint8_t)digits[s[i] >> 4];
    d[2 * i + 1] = (uint8_t)digits[s[i] & 15];
  }
}

#if defined(__x86_64__)
#include <immintrin.h>

__attribute__((target("ssse3")))
static void hex_ssse3(const uint8_t *s, size_t n, uint8_t *d) {
  const __m128i table = _mm_loadu_si128((const __m128i *)digits);
  const __m128i low4 = _mm_set1_epi8(0x0f);
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    __m128i v = _mm_loadu_si128((const __m128i *)(s + i));
    __m128i hi = _mm_shuffle_epi8(table, _mm_and_si128(_mm_srli_epi16(v, 4), low4));
    __m128i lo = _mm_shuffle_epi8(table, _mm_and_si128(v, low4));
    _mm_storeu_si128((__m128i *)(d + 2 * i), _mm_unpacklo_epi8(hi, lo));
    _mm_storeu_si128((__m128i *)(d + 2 * i + 16), _mm_unpackhi_epi8(hi, lo));
  }
  hex_portable(s + i, n - i, d + 2 * i);
}
#endif

void salvage_hex_lower(const uint8_t *src, size_t n, uint8_t *dst) {
#if defined(__x86_64__)
  // Decided once; threads may race to decide it (same answer), so the flag is atomic.
  static int ssse3 = -1;
  int has = __atomic_load_n(&ssse3, __ATOMIC_RELAXED);
  if (has < 0) {
    has = __builtin_cpu_supports("ssse3") ? 1 : 0;
    __atomic_store_n(&ssse3, has, __ATOMIC_RELAXED);
  }
  if (has) { hex_ssse3(src, n, dst); return; }
#endif
  hex_portable(src, n, dst);
}
