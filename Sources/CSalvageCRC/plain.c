// The leading run of bytes a text scan prints as themselves (0x20-0x7e, not a backslash),
// copied 16 bytes per step with SSE2 compares (x86-64's baseline); the portable loop is the
// fallback and the tail. `sst scan` prints every key and value through it.
#include "salvage_crc.h"

static inline int plain(uint8_t b) { return b >= 0x20 && b < 0x7f && b != 0x5c; }

#if defined(__x86_64__)
#include <emmintrin.h>
#endif

size_t salvage_copy_plain(const uint8_t *src, size_t n, uint8_t *dst) {
  size_t i = 0;
#if defined(__x86_64__)
  const __m128i space = _mm_set1_epi8(0x20), del = _mm_set1_epi8(0x7f), backslash = _mm_set1_epi8(0x5c);
  for (; i + 16 <= n; i += 16) {
    __m128i v = _mm_loadu_si128((const __m128i *)(src + i));
    _mm_storeu_si128((__m128i *)(dst + i), v);
    // Signed compare: bytes >= 0x80 are negative, so "less than 0x20" catches them too.
    __m128i bad = _mm_or_si128(_mm_cmplt_epi8(v, space), _mm_or_si128(_mm_cmpeq_epi8(v, del), _mm_cmpeq_epi8(v, backslash)));
    unsigned mask = (unsigned)_mm_movemask_epi8(bad);
    if (mask) return i + (size_t)__builtin_ctz(mask);
  }
#endif
  for (; i < n && plain(src[i]); i++) dst[i] = src[i];
  return i;
}
