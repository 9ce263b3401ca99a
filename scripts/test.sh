#!/usr/bin/env bash
# Quick start, command 2: the whole test suite. Tests read the engines' fixtures from
# ../shared/fixtures (override with SALVAGE_FIXTURES). First the simulator's self-checks, the
# Spark driver's tests (contrib/spark, Spark local mode, ~30 s) with the binary swift built,
# then `swift test` (last, so its summary closes the output).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
swift build --build-tests 2>&1 | grep -E "error|Build complete" >&2 || true
status=0
# The dead-cluster simulator's own checks (it reads its stores back with ldb/sst_dump and its own decoders).
set +e
python3 -m unittest discover -s contrib/simulator -p 'test_*.py' 2>&1 | tail -3
sim=${PIPESTATUS[0]}
set -e
[ "$sim" -eq 0 ] || { echo "simulator tests FAILED (exit $sim)"; status=1; }
# Spark's stack traces of the injected task failure are hidden; the test's own status counts.
set +e
SALVAGE_BIN="$(swift build --show-bin-path)/salvage" python3 contrib/spark/test_salvage_spark.py 2>&1 \
  | grep -vE "^\s+at |ResourceWarning|self._sock = None"
spark=${PIPESTATUS[0]}
set -e
[ "$spark" -eq 0 ] || { echo "Spark driver tests FAILED (exit $spark)"; status=$spark; }
swift test || status=$?
exit $status
