#!/usr/bin/env bash
# Quick start, command 2: the whole test suite. Tests read the engines' fixtures from
# ../shared/fixtures (override with SALVAGE_FIXTURES).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
swift build --build-tests 2>&1 | grep -E "error|Build complete" >&2 || true
swift test
