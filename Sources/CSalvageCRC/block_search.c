// Finding blocks by their CRC-32C trailers when a table's footer and index are lost.
//
// A block is payload ‖ type(1) ‖ masked crc32c(payload ‖ type)(4). From a known block start
// the next block is the shortest length whose trailer matches (one pass). After damage the
// start is unknown; trying every start against every end is quadratic. CRC is affine, so with
// G(p) the raw register over d[0..p) from 0 and Z the "one zero byte" map (multiplication by
// x^8 mod P), the register over d[s..q) from ~0 is G(q) ^ Z^(q-s)(G(s) ^ ~0). A block [s, q)
// matches iff that equals the stored value T(q), i.e. iff
//     A(s) = (G(s) ^ ~0) · x^(-8s)  ==  B(q) = (T(q) ^ G(q)) · x^(-8q)      (mod P)
// so one pass computing A and B and a hash join finds every matching (s, q): linear.
// (x^(-8) exists because P has a constant term; Z^(-1) is one table step, `unstep`.)
#include "salvage_crc.h"
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define POLY 0x82F63B78u  // CRC-32C, reflected

static uint32_t tab[256];   // tab[i] = i · x^8 (reflected): one byte step from register i
static uint8_t rev[256];    // rev[top byte of tab[i]] = i: the byte step is invertible
static pthread_once_t once = PTHREAD_ONCE_INIT;  // two threads building at once would race

static void build(void) {
  for (uint32_t i = 0; i < 256; i++) {
    uint32_t c = i;
    for (int k = 0; k < 8; k++) c = (c >> 1) ^ (POLY & (0u - (c & 1)));
    tab[i] = c;
  }
  for (uint32_t i = 0; i < 256; i++) rev[tab[i] >> 24] = (uint8_t)i;
}

static inline uint32_t step(uint32_t r, uint8_t b) { return (r >> 8) ^ tab[(r ^ b) & 0xFF]; }

// r · x^(-8): undoes one zero-byte step (the top byte of tab[i] names i).
static inline uint32_t unstep(uint32_t y) {
  uint8_t i = rev[y >> 24];
  return ((y ^ tab[i]) << 8) | i;
}

// a · b mod P, reflected (bit 31 is x^0), as zlib's multmodp.
static inline uint32_t mulmod(uint32_t a, uint32_t b) {
  uint32_t p = 0;
  for (uint32_t m = 1u << 31; m != 0; m >>= 1) {
    p ^= b & (0u - ((a & m) != 0));
    b = (b >> 1) ^ (POLY & (0u - (b & 1)));
  }
  return p;
}

static inline uint32_t le32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint32_t unmask(uint32_t m) {
  uint32_t rot = m - 0xA282EAD8u;
  return (rot >> 17) | (rot << 15);
}

long salvage_crc32c_first_block(const uint8_t *d, size_t n, size_t max_len, uint8_t max_type) {
  pthread_once(&once, build);
  uint32_t r = 0xFFFFFFFFu;
  for (size_t len = 0; len + 5 <= n && len <= max_len; len++) {
    r = step(r, d[len]);  // register over payload ‖ type when d[len] is the type byte
    if (len > 0 && d[len] <= max_type && unmask(le32(d + len + 1)) == ~r) return (long)len;
  }
  return -1;
}

// d·x^(-8s) for a byte d (register bits 0-7, i.e. x^31..x^24), given e = x^24·x^(-8s).
static inline uint32_t mulbyte(uint8_t d, uint32_t e) {
  uint32_t p = 0;
  for (uint32_t m = 0x80; m != 0; m >>= 1) {
    p ^= e & (0u - ((d & m) != 0));
    e = (e >> 1) ^ (POLY & (0u - (e & 1)));
  }
  return p;
}

// Sorts by the high 32 bits (LSD radix, 4 passes of 8 bits); `tmp` has room for n.
static void sort_by_key(uint64_t *a, uint64_t *tmp, size_t n) {
  for (int shift = 32; shift < 64; shift += 8) {
    size_t count[257] = {0};
    for (size_t i = 0; i < n; i++) count[((a[i] >> shift) & 0xFF) + 1]++;
    for (int b = 0; b < 256; b++) count[b + 1] += count[b];
    for (size_t i = 0; i < n; i++) tmp[count[(a[i] >> shift) & 0xFF]++] = a[i];
    memcpy(a, tmp, n * sizeof *a);
  }
}

size_t salvage_crc32c_find_blocks(const uint8_t *d, size_t n, size_t n_starts, size_t max_len,
                                  uint8_t max_type, int64_t *out_start, int64_t *out_len, size_t cap) {
  pthread_once(&once, build);
  if (n_starts > n) n_starts = n;
  // Terms as key << 32 | position, sorted by key and merged (sequential memory: a hash
  // table of a million random probes was 4x slower).
  uint64_t *as = malloc((n_starts + 1) * sizeof *as), *bs = malloc((n + 1) * sizeof *bs);
  uint64_t *tmp = malloc((n + n_starts + 1) * sizeof *tmp);
  if (!as || !bs || !tmp) { free(as); free(bs); free(tmp); return 0; }
  size_t na = 0, nb = 0;
  // Kept incrementally, one cheap step each per byte: inv = x^(-8p); h = G(p)·inv (the
  // normalised register: h(p+1) = h(p) ^ d_p·inv); e = x^24·inv (for d_p·inv); c = ~0·inv;
  // z = T0·inv for an all-zero stored checksum (zeroed regions), T0 = ~unmask(0).
  const uint32_t t0 = ~unmask(0);
  uint32_t inv = 1u << 31, h = 0, e = 0x80, c = 0xFFFFFFFFu, z = t0;
  for (size_t p = 0; p <= n; p++) {
    // p as an end: type byte at p-1, checksum at p..p+3, payload of at least one byte.
    if (p >= 2 && p + 4 <= n && d[p - 1] <= max_type) {
      uint32_t stored = le32(d + p);
      uint32_t b = h ^ (stored == 0 ? z : mulmod(~unmask(stored), inv));
      bs[nb++] = (uint64_t)b << 32 | (uint32_t)p;
    }
    if (p == n) break;
    if (p < n_starts) as[na++] = (uint64_t)(h ^ c) << 32 | (uint32_t)p;
    h ^= mulbyte(d[p], e);
    inv = unstep(inv);
    e = unstep(e);
    c = unstep(c);
    z = unstep(z);
  }
  sort_by_key(as, tmp, na);
  sort_by_key(bs, tmp, nb);
  size_t found = 0;
  for (size_t i = 0, j = 0; i < na && j < nb;) {
    uint32_t ka = (uint32_t)(as[i] >> 32), kb = (uint32_t)(bs[j] >> 32);
    if (ka < kb) { i++; continue; }
    if (kb < ka) { j++; continue; }
    size_t i2 = i;
    while (i2 < na && (uint32_t)(as[i2] >> 32) == ka) i2++;
    for (; j < nb && (uint32_t)(bs[j] >> 32) == ka; j++) {
      size_t q = (uint32_t)bs[j];
      for (size_t k = i; k < i2; k++) {
        size_t s = (uint32_t)as[k];
        if (s + 2 <= q && q - 1 - s <= max_len) {
          if (found < cap) { out_start[found] = (int64_t)s; out_len[found] = (int64_t)(q - 1 - s); }
          found++;
        }
      }
    }
    i = i2;
  }
  free(as);
  free(bs);
  free(tmp);
  return found;
}
