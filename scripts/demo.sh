#!/usr/bin/env bash
# Quick start, command 1: builds Salvage (release) and recovers the small dead cluster committed
# in examples/dead-cluster (CockroachDB 23.2, Pebble stores: 3 of 7 disks survived, one block
# corrupted), then compares the result with the simulator's ground truth next to it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --demo   # build needs only: the C libraries and SQLite (no PostgreSQL, Java, Spark)
swift build -c release --product salvage 2>&1 | grep -E "error|Build complete" >&2 || true
bin=.build/release/salvage
cluster=examples/dead-cluster
out=demo-out/recovered
rm -rf demo-out
stores=("$cluster"/stores/*)
echo "== salvage survey ${stores[*]}  (before reading: versions, tables, what is lost, how long it will take)"
"$bin" survey "${stores[@]}" --verify || true
echo
echo "== salvage kv ranges ${stores[*]}  (which replica of each range survives, and where)"
"$bin" kv ranges "${stores[@]}" | grep -E "^  r|use |no surviving|^lost|^  \[" | head -24 || true
echo
echo "== salvage recover ${stores[*]} --out $out"
"$bin" recover "${stores[@]}" --out "$out" \
  || echo "(exit status $?: some key spans had no surviving replica, as reported above)"
echo
echo "== first rows of $out/game/users.csv"
head -3 "$out/game/users.csv"
echo
echo "== compared with the ground truth ($cluster/expected)"
for t in game/users game/events game/snapshots shop/items; do
  name=${t#*/}
  if diff -q <(sed -E 's/([0-9]{4}-[0-9]{2}-[0-9]{2})T([0-9]{2}:)/\1 \2/g' "$cluster/expected/$name.csv") "$out/$t.csv" >/dev/null; then
    echo "  $t: identical ($(wc -l < "$out/$t.csv") lines)"
  else
    echo "  $t: DIFFERS"; status=1
  fi
done
echo
echo "== results"
echo "  $out/report.html     the report: per table rows and lost spans, keyspace map (open in a browser)"
echo "  $out/salvage.sqlite  every recovered table in SQLite (sqlite3 $out/salvage.sqlite)"
exit "${status:-0}"
