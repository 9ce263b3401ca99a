#!/usr/bin/env bash
# Quick start, command 1: builds Salvage (release), simulates a dead CockroachDB 19.1 cluster
# (7 RocksDB stores written by the real engine, 4 of them destroyed: contrib/simulator) and
# recovers it from the 3 survivors, then compares the result with the simulator's ground truth.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
swift build -c release --product salvage 2>&1 | grep -E "error|Build complete" >&2 || true
bin=.build/release/salvage
demo=demo-out
rm -rf "$demo"
python3 contrib/simulator/make_dead_cluster.py "$demo/cluster" >/dev/null
stores=("$demo"/cluster/stores/*)
echo "== the cluster: 7 nodes, 4 disks destroyed; surviving stores: ${stores[*]}"
echo "== salvage kv ranges (which replica of each range survives, and where)"
"$bin" kv ranges "${stores[@]}" | grep -E "^  r|use |no surviving|^lost|^  \[" | head -24 || true
echo "== salvage recover ${stores[*]} --out $demo/recovered"
"$bin" recover "${stores[@]}" --out "$demo/recovered" || echo "(exit status $?: some key spans had no surviving replica, as reported above)"
echo "== first rows of $demo/recovered/game/users.csv"
head -3 "$demo/recovered/game/users.csv"
echo "== compared with the simulator's ground truth ($demo/cluster/expected)"
for t in users events snapshots; do
  if diff -q <(sed -E 's/([0-9]{4}-[0-9]{2}-[0-9]{2})T([0-9]{2}:)/\1 \2/g' "$demo/cluster/expected/$t.csv") "$demo/recovered/game/$t.csv" >/dev/null; then
    echo "  $t: identical ($(wc -l < "$demo/recovered/game/$t.csv") rows)"
  else
    echo "  $t: DIFFERS"
  fi
done
