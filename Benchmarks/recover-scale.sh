#!/usr/bin/env bash
# End-to-end `salvage recover` on a simulated dead cluster of a few GB (release build), as
# issue 15 asks: MB/s of surviving store bytes per core with --jobs 1, the time ratio to
# `sst_dump --command=scan --output_hex` over the same SSTs (all stores, timed in the same
# run, alternately with recover), the 1 -> 2 core speed-up and peak RSS. The cluster is made
# once and cached in bench-out/ (contrib/simulator/make_large_cluster.py: the medium simulated
# cluster plus bulk-loaded events rows in the surviving RocksDB stores, its ranges split at
# --range-mb as CockroachDB's split queue would have).
# usage: Benchmarks/recover-scale.sh [--gb 2] [--runs 3] [--range-mb 64] [--uncut] [--version V]
#   --uncut  also times --jobs 2 with chunks kept whole (SALVAGE_PIECE_BYTES=0: before
#            work units inside a range existed)
# SALVAGE_BIN=path uses that binary instead of building .build/release/salvage.
# SALVAGE_BENCH_OUT=dir writes the recoveries there (default bench-out; /dev/shm takes the
# output disk out of the figures: ~4 GB of CSV per 2 GB of stores).
set -euo pipefail
cd "$(dirname "$0")/.."
gb=2 runs=3 range_mb=64 uncut=0 sim_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --gb) gb=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --range-mb) range_mb=$2; shift 2 ;;
    --uncut) uncut=1; shift ;;
    --version) sim_args+=(--version "$2"); shift 2 ;;
    *) echo "usage: $0 [--gb N] [--runs N] [--range-mb N] [--uncut] [--version V]" >&2; exit 1 ;;
  esac
done
command -v sst_dump >/dev/null || { echo "sst_dump not found: apt-get install -y rocksdb-tools" >&2; exit 1; }
bin=${SALVAGE_BIN:-}
if [ -z "$bin" ]; then swift build -c release --product salvage >/dev/null; bin=.build/release/salvage; fi
cluster=bench-out/cluster-${gb}gb${sim_args[1]:+-${sim_args[1]}}
[ "$range_mb" = 64 ] || cluster=$cluster-r$range_mb
if [ ! -f "$cluster/expected/bulk.json" ] || ! grep -q '"range_mb"\|"ranges"' "$cluster/expected/bulk.json"; then
  [ ! -d "$cluster" ] || { echo "$cluster is unfinished or made before range splits: delete it first" >&2; exit 1; }
  python3 contrib/simulator/make_large_cluster.py "$cluster" --gb "$gb" --range-mb "$range_mb" ${sim_args[@]+-- "${sim_args[@]}"}
fi
input=$(cat "$cluster"/stores/*/*.sst "$cluster"/stores/*/*.log 2>/dev/null | wc -c)
expected=$(python3 -c '
import json, sys
d = sys.argv[1]
n = sum(t["recoverable"] for t in json.load(open(d + "/expected/cluster.json"))["row_counts"].values())
print(n + json.load(open(d + "/expected/bulk.json"))["recoverable_rows"])' "$cluster")
echo "cluster: $cluster, $(ls "$cluster"/stores | wc -l) surviving stores, $((input / 1000000)) MB of table and log files, $expected rows expected"
python3 -c '
import json, sys
b = json.load(open(sys.argv[1] + "/expected/bulk.json"))
r = json.load(open(sys.argv[1] + "/expected/replicas.json"))
p = b.get("ranges", [])
if p:
    mib = sorted(x["live_bytes"] / 2**20 for x in p)
    print("ranges: %d in all; the bulk rows in %d ranges split at %g MiB: %.1f-%.1f MiB of MVCC live bytes (median %.1f)"
          % (len(r), len(p), b["range_mb"], mib[0], mib[-1], mib[len(mib) // 2]))' "$cluster"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(date -u +%Y-%m-%dT%H:%MZ)"

# One timed command: seconds and peak RSS (KB) into $s and $rss.
timed() {
  /usr/bin/time -v -o bench-out/time.txt "$@" || [ $? -eq 2 ]
  s=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); t = 0; for (i = 1; i <= n; i++) t = t * 60 + p[i]; print t }' bench-out/time.txt)
  rss=$(awk -F': ' '/Maximum resident/ { print $2 }' bench-out/time.txt)
  cpu=$(awk -F': ' '/User time|System time/ { t += $2 } END { print t }' bench-out/time.txt)
}
recover() {   # jobs label [env...]
  local jobs=$1 label=$2; shift 2
  out=${SALVAGE_BENCH_OUT:-bench-out}/recovered-scale-$label
  rm -rf "$out"
  timed env "$@" "$bin" recover "$cluster"/stores/* --out "$out" --jobs "$jobs" --no-sqlite >bench-out/recover.out 2>bench-out/recover.err
  rows=$(python3 -c 'import json,sys; print(sum(t["rows"] for t in json.load(open(sys.argv[1]))["tables"]))' "$out/report.json")
  [ "$rows" -eq "$expected" ] || { echo "  $label: $rows rows recovered, $expected expected" >&2; exit 1; }
  rm -rf "$out"
}
dump_all() {
  for f in "$cluster"/stores/*/*.sst; do sst_dump --file="$f" --command=scan --output_hex; done >/dev/null
}
median() { printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

labels=(jobs1 jobs2) ; [ "$uncut" = 0 ] || labels+=(jobs2-uncut)
declare -A t peak
t[dump]=""
for i in $(seq "$runs"); do
  # Alternately: sst_dump, then each recover, so that load on the shared box hits all alike.
  timed bash -c "$(declare -f dump_all); cluster=$cluster; dump_all"
  t[dump]+=" $s"
  printf '  run %d: sst_dump scan --output_hex %.2f s' "$i" "$s"
  for l in "${labels[@]}"; do
    case $l in
      jobs1) recover 1 "$l" ;;
      jobs2) recover 2 "$l" ;;
      jobs2-uncut) recover 2 "$l" SALVAGE_PIECE_BYTES=0 ;;
    esac
    t[$l]+=" $s"
    [ "${peak[$l]:-0}" -ge "$rss" ] || peak[$l]=$rss
    printf ', %s %.2f s (CPU %.1f s, %d MB)' "$l" "$s" "$cpu" $((rss / 1024))
  done
  echo
done
d=$(median ${t[dump]}) j1=$(median ${t[jobs1]}) j2=$(median ${t[jobs2]})
awk -v s="$j1" -v b="$input" -v r="$expected" -v d="$d" -v m="${peak[jobs1]}" 'BEGIN {
  printf "--jobs 1: median %.2f s, %.1f MB/s per core, %.0f rows/s, peak RSS %d MB\n", s, b / s / 1e6, r / s, m / 1024
  printf "sst_dump --command=scan --output_hex over the same SSTs: median %.2f s; recover --jobs 1 / sst_dump = %.2f\n", d, s / d }'
awk -v a="$j1" -v s="$j2" -v b="$input" -v m="${peak[jobs2]}" 'BEGIN {
  printf "--jobs 2: median %.2f s, %.1f MB/s, speed-up %.2fx, peak RSS %d MB\n", s, b / s / 1e6, a / s, m / 1024 }'
if [ "$uncut" = 1 ]; then
  u=$(median ${t[jobs2-uncut]})
  awk -v a="$j1" -v s="$u" -v b="$input" -v m="${peak[jobs2-uncut]}" 'BEGIN {
    printf "--jobs 2, chunks whole (SALVAGE_PIECE_BYTES=0): median %.2f s, %.1f MB/s, speed-up %.2fx, peak RSS %d MB\n", s, b / s / 1e6, a / s, m / 1024 }'
fi
# MVCC-resolved scan of the stores, no SQL (issue 15's own share, target >= 400 MB/s per core).
bench=${SALVAGE_BENCH_BIN:-.build/release/salvage-bench}
if [ -z "${SALVAGE_BENCH_BIN:-}" ]; then swift build -c release --product salvage-bench >/dev/null; fi
BENCH_RUNS=$runs "$bench" mvcc "$cluster"/stores/* | sed 's/^/mvcc: /'
