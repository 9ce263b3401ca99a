#!/usr/bin/env bash
# Quick start, command 2: the whole test suite. Tests read the engines' fixtures from
# ../shared/fixtures (override with SALVAGE_FIXTURES). First the simulator's self-checks, the
# Spark driver's tests (contrib/spark, Spark local mode, ~30 s) with the binary swift built,
# the concurrent tests under ThreadSanitizer (scripts/tsan.sh), a short run of every fuzzer
# (scripts/fuzz.sh smoke), then `swift test` (last, so its summary closes the output).
# SALVAGE_QUICK=1 skips the sanitizer and fuzzer builds (they take most of the time).
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
if [ "${SALVAGE_QUICK:-0}" != 1 ]; then
  set +e
  bash scripts/tsan.sh 2>&1 | grep -E "WARNING: ThreadSanitizer|SUMMARY: ThreadSanitizer|✘|Test run with|error:"
  tsan=${PIPESTATUS[0]}
  bash scripts/fuzz.sh smoke 2>&1 | tail -n 25
  fuzz=${PIPESTATUS[0]}
  set -e
  [ "$tsan" -eq 0 ] || { echo "ThreadSanitizer run FAILED (exit $tsan)"; status=1; }
  [ "$fuzz" -eq 0 ] || { echo "fuzz smoke run FAILED (exit $fuzz)"; status=1; }
fi
swift test || status=$?
exit $status
