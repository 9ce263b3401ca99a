#!/usr/bin/env bash
# Installs the Debian packages Salvage builds and tests against (rocksdb-tools: ldb builds test stores), if any is missing (Debian 12, root).
# Quiet when everything is already there.
set -euo pipefail
# libsqlite3-dev: GRDB (Export); postgresql: a real server for the Export PostgreSQL tests.
needed=(libzstd-dev liblz4-dev zlib1g-dev libxxhash-dev pkg-config libsqlite3-dev postgresql rocksdb-tools)
missing=()
for p in "${needed[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi
