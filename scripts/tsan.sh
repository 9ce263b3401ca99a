#!/usr/bin/env bash
# ThreadSanitizer over Salvage's concurrent paths: a debug build with `--sanitize thread` in
# .build-tsan, then the tests that run one store's iterators and span scanners on several
# threads, `sst scan --jobs`, recover with --jobs > 1 (the CLI tests run the instrumented `salvage` binary, which
# halts with exit 66 on a race), verify's parallel compare and sharded runs.
# Any data race fails the run. Called by scripts/test.sh; `bash scripts/tsan.sh FILTER` runs others.
set -euo pipefail
cd "$(dirname "$0")/.."
filter=${1:-"concurrent|outputIsTheSameWhateverTheParallelism|scanOnSeveralThreadsPrintsWhatOneDoes|RecoverBlobCLITests|VerifyTests|ShardCLITests|recoveryEqualsGroundTruth|cutChunksGiveTheSameOutputWhateverTheJobs"}
swift build --build-tests --sanitize thread --scratch-path .build-tsan 2>&1 | grep -E "error:|Build complete" >&2 || true
export TSAN_OPTIONS="halt_on_error=1 exitcode=66 second_deadlock_stack=1"
swift test --skip-build --sanitize thread --scratch-path .build-tsan --filter "$filter"
