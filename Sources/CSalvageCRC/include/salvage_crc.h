#ifndef SALVAGE_CRC_H
#define SALVAGE_CRC_H
#include <stddef.h>
#include <stdint.h>

/// CRC-32C (Castagnoli), standard init/final xor: crc32c("123456789") == 0xE3069283.
/// `crc` is the running value from a previous call (0 to start).
uint32_t salvage_crc32c_extend(uint32_t crc, const void *data, size_t len);

#endif
