#!/usr/bin/env bash
# Installs the Debian packages Salvage builds and tests against, if any is missing (Debian 12, root).
# `--demo`: only what building Salvage and running scripts/demo.sh need (the C libraries of
# Package.swift's system library targets and GRDB's SQLite, found through pkg-config).
# Without it, also what the tests need: rocksdb-tools (ldb builds test stores), PostgreSQL (a
# real server for the Export tests), Chromium (report.html in a headless browser), Java 17 and
# pyspark (the Spark driver's tests), crc32c and
# cramjam (the simulator's Pebble writer). Quiet when everything is already there.
set -euo pipefail
demo=0
[ "${1:-}" = "--demo" ] && demo=1
# CZstd, CLZ4, CZlib, CXXHash (Package.swift) via pkg-config; libsqlite3-dev: GRDB (Export).
needed=(libzstd-dev liblz4-dev zlib1g-dev libxxhash-dev pkg-config libsqlite3-dev)
if [ "$demo" = 0 ]; then
  # chromium: a test renders report.html headless (ReportHTMLCLITests).
  # e2fsprogs: the carving tests build ext4 images (mke2fs -d) and delete files in them (debugfs).
  needed+=(postgresql rocksdb-tools chromium e2fsprogs)
  command -v java >/dev/null 2>&1 || needed+=(openjdk-17-jre-headless)
fi
missing=()
for p in "${needed[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi
[ "$demo" = 1 ] && exit 0
# crc32c + cramjam (Snappy): the simulator's Pebble store writer (contrib/simulator/pebble_store.py).
if ! python3 -c "import crc32c, cramjam" >/dev/null 2>&1; then
  echo "installing crc32c cramjam" >&2
  python3 -m pip install -q --disable-pip-version-check "crc32c==2.*" "cramjam==2.*" 2>&1 | grep -v "running pip as the 'root' user" >&2 || true
  python3 -c "import crc32c, cramjam" || { echo "crc32c/cramjam did not install" >&2; exit 1; }
fi
if ! python3 -c "import pyspark" >/dev/null 2>&1; then
  echo "installing pyspark" >&2
  python3 -m pip install -q --disable-pip-version-check "pyspark==3.5.*" 2>&1 | grep -v "running pip as the 'root' user" >&2 || true
  python3 -c "import pyspark" || { echo "pyspark did not install" >&2; exit 1; }
fi
