#!/usr/bin/env bash
# End-to-end `salvage recover` on a simulated dead cluster of a few GB (release build):
# MB/s per core, rows/s, the 1 -> 2 core speed-up and peak RSS. The cluster is made once and
# cached in bench-out/ (contrib/simulator/make_large_cluster.py: the medium simulated cluster
# plus bulk-loaded events rows in the surviving RocksDB stores).
# usage: Benchmarks/recover-scale.sh [--gb 2] [--runs 3] [--version V (passed to the simulator)]
# SALVAGE_BIN=path uses that binary instead of building .build/release/salvage.
set -euo pipefail
cd "$(dirname "$0")/.."
gb=2 runs=3 sim_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --gb) gb=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --version) sim_args+=(--version "$2"); shift 2 ;;
    *) echo "usage: $0 [--gb N] [--runs N] [--version V]" >&2; exit 1 ;;
  esac
done
bin=${SALVAGE_BIN:-}
if [ -z "$bin" ]; then swift build -c release --product salvage >/dev/null; bin=.build/release/salvage; fi
cluster=bench-out/cluster-${gb}gb${sim_args[1]:+-${sim_args[1]}}
if [ ! -f "$cluster/expected/bulk.json" ]; then
  python3 contrib/simulator/make_large_cluster.py "$cluster" --gb "$gb" ${sim_args[@]+-- "${sim_args[@]}"}
fi
input=$(cat "$cluster"/stores/*/*.sst "$cluster"/stores/*/*.log 2>/dev/null | wc -c)
expected=$(python3 -c '
import json, sys
d = sys.argv[1]
n = sum(t["recoverable"] for t in json.load(open(d + "/expected/cluster.json"))["row_counts"].values())
print(n + json.load(open(d + "/expected/bulk.json"))["recoverable_rows"])' "$cluster")
echo "cluster: $cluster, $(ls "$cluster"/stores | wc -l) surviving stores, $((input / 1000000)) MB of table and log files, $expected rows expected"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(date -u +%Y-%m-%dT%H:%MZ)"

declare -A median_s
for jobs in 1 2; do
  times=()
  for i in $(seq "$runs"); do
    out=bench-out/recovered-scale-$jobs
    rm -rf "$out"
    /usr/bin/time -v -o bench-out/time.txt "$bin" recover "$cluster"/stores/* --out "$out" --jobs "$jobs" --no-sqlite \
      >bench-out/recover.out 2>bench-out/recover.err || [ $? -eq 2 ]
    s=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); t = 0; for (i = 1; i <= n; i++) t = t * 60 + p[i]; print t }' bench-out/time.txt)
    rss=$(awk -F': ' '/Maximum resident/ { print $2 }' bench-out/time.txt)
    rows=$(python3 -c 'import json,sys; print(sum(t["rows"] for t in json.load(open(sys.argv[1]))["tables"]))' "$out/report.json")
    [ "$rows" -eq "$expected" ] || { echo "  run $i: $rows rows recovered, $expected expected" >&2; exit 1; }
    printf '  --jobs %d run %d: %.2f s, peak RSS %d MB\n' "$jobs" "$i" "$s" $((rss / 1024))
    times+=("$s")
  done
  m=$(printf '%s\n' "${times[@]}" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
  median_s[$jobs]=$m
  awk -v j="$jobs" -v s="$m" -v b="$input" -v r="$rows" 'BEGIN {
    printf "--jobs %d: median %.2f s, %.1f MB/s, %.1f MB/s per core, %.0f rows/s (%d rows)\n", j, s, b / s / 1e6, b / s / 1e6 / j, r / s, r }'
done
awk -v a="${median_s[1]}" -v b="${median_s[2]}" 'BEGIN { printf "speed-up 1 -> 2 cores: %.2fx\n", a / b }'
