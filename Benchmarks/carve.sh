#!/usr/bin/env bash
# Carving throughput: builds a multi-GB sparse-ish image (zeros, 1 GiB of random bytes as
# overwritten or unrelated data, and the real-engine fixture stores laid at block-aligned
# offsets every 512 MiB) and prints the carver's MB/s over 3 runs (after the first, the image
# is in the page cache where memory allows: the carver's own speed rather than the disk's).
# usage: Benchmarks/carve.sh [SIZE_GIB=4]
set -euo pipefail
cd "$(dirname "$0")/.."
gib=${1:-4}
swift build -c release --product carve-bench >/dev/null
img=bench-out/carve-$gib.img
mkdir -p bench-out
if [ ! -f "$img.done" ]; then
  rm -f "$img"
  truncate -s "${gib}G" "$img"
  # 1 GiB of random bytes at 64 MiB (noise: every footer magic and chunk header check runs on it).
  head -c $((1 << 30)) /dev/urandom | dd of="$img" bs=1M seek=64 conv=notrunc status=none
  pos=$((1536 << 20))
  for store in ../shared/fixtures/pebble-gen/store ../shared/fixtures/rocksdb/store; do
    for f in "$store"/*; do
      [ -s "$f" ] || continue
      dd if="$f" of="$img" bs=4096 seek=$((pos / 4096)) conv=notrunc status=none
      pos=$(( (pos + $(stat -c %s "$f") + 8191) / 4096 * 4096 ))
    done
    pos=$((pos + (512 << 20)))
  done
  touch "$img.done"
fi
.build/release/carve-bench "$img"
