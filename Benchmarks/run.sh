#!/usr/bin/env bash
# Builds release, writes a large RocksDB table with the real engine (once; cached in
# bench-out/), and prints scan throughput of Salvage next to sst_dump on it and on the
# larger fixtures. Figures are medians; the machines here are noisy 2-core VMs.
# usage: Benchmarks/run.sh [ENTRIES=2000000]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-2000000}
command -v sst_dump >/dev/null || { apt-get update -qq && apt-get install -y -qq rocksdb-tools >/dev/null; }
swift build -c release --product salvage >/dev/null
swift build -c release --product salvage-bench >/dev/null
out=bench-out/rocksdb-$n
if [ ! -f "$out/done" ]; then
  sst=$(../shared/bench/make-rocksdb-sst.sh "$out" "$n" snappy)
  echo "$sst" > "$out/done"
fi
big=$(cat "$out/done")
fixtures=../shared/fixtures
.build/release/salvage-bench "$big" \
  "$fixtures/rocksdb/sst/large-multiblock.sst" \
  "$fixtures/rocksdb/sst/partitioned-index-bloom.sst" \
  "$fixtures/pebble-gen/sst/pebblev8-zstd-twolevel-bloom-large.sst" \
  "$fixtures"/pebble-gen/sst/pebblev{3-snappy,4-zstd,6-snappy,8-snappy,8-zstd}.sst

# The text form beside sst_dump's own text scan (issue 15: at most 0.5x its time), timed
# alternately, medians of 5.
echo
echo "text scan of $big (medians of 5, alternating):"
ours=(); theirs=()
for i in 1 2 3 4 5; do
  ours+=("$( { /usr/bin/time -f "%e" .build/release/salvage sst scan "$big" >/dev/null; } 2>&1 )")
  theirs+=("$( { /usr/bin/time -f "%e" sst_dump --file="$big" --command=scan >/dev/null; } 2>&1 | tail -1)")
done
median() { printf '%s\n' "$@" | sort -n | sed -n 3p; }
a=$(median "${ours[@]}"); b=$(median "${theirs[@]}")
echo "  salvage sst scan (text):        $a s"
echo "  sst_dump --command=scan (text): $b s"
echo "  ratio: $(python3 -c "print(f'{$a / $b:.2f}')")x the time of sst_dump"

# Whole-store and whole-recovery figures (release), next to RocksDB's own ldb on the same store.
store=$(dirname "$big")
echo
echo "store scan of $store (2 runs each):"
for i in 1 2; do
  /usr/bin/time -f "  salvage store scan --format jsonl: %e s" .build/release/salvage store scan --format jsonl "$store" >/dev/null
  # (time's own line goes to a file: ldb's stderr is discarded, and it went with it)
  /usr/bin/time -o bench-out/ldb-time.txt -f "  ldb --hex scan:                    %e s" ldb --db="$store" --hex scan >/dev/null 2>&1
  cat bench-out/ldb-time.txt
done
cluster=bench-out/medium-cluster
[ -d "$cluster/stores" ] || python3 contrib/simulator/make_dead_cluster.py "$cluster" --scale medium >/dev/null
rows=$(cat "$cluster"/expected/*.csv | wc -l)
echo
echo "recover of a simulated medium cluster ($rows rows expected, 3 RocksDB stores):"
for j in 1 2; do
  rm -rf bench-out/recovered-$j
  /usr/bin/time -f "  --jobs $j: %e s, max RSS %M KB" .build/release/salvage recover "$cluster"/stores/* --out bench-out/recovered-$j --jobs $j >/dev/null 2>/tmp/salvage-bench-recover.err || true
  tail -1 /tmp/salvage-bench-recover.err
done
