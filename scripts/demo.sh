#!/usr/bin/env bash
# Quick start, command 1: builds Salvage (release) and runs it on the bundled example table
# (examples/sample-rocksdb.sst, written by RocksDB 7.8 in CockroachDB's key layout).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
swift build -c release --product salvage 2>&1 | grep -E "error|warning: unre|Compiling salvage|Build complete" >&2 || true
bin=.build/release/salvage
example=examples/sample-rocksdb.sst
echo "== salvage sst check $example"
"$bin" sst check "$example"
echo "== salvage sst properties $example (first lines)"
"$bin" sst properties "$example" | head -8
echo "== salvage sst scan $example (first 5 of $("$bin" sst scan "$example" | wc -l) entries)"
"$bin" sst scan "$example" | head -5 | cut -c1-150
