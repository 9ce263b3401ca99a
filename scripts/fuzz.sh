#!/usr/bin/env bash
# libFuzzer runs of the four fuzz targets (README "Fuzzing"; style guide §4).
#
#   bash scripts/fuzz.sh smoke            build, seed, ~40 s per target; stops at the first finding,
#                                         exits non-zero (CI)
#   bash scripts/fuzz.sh long SECONDS     build, seed, SECONDS per target, one after another; keeps
#                                         going past findings (libFuzzer fork mode) and lists them
#   bash scripts/fuzz.sh run TARGET SECONDS [libFuzzer flags...]
#   bash scripts/fuzz.sh build | seed
#
# Targets are built with `--sanitize fuzzer --sanitize address` into .build-fuzz. Swift 6.3's
# `-sanitize=fuzzer` alone instruments no Swift code for coverage (libFuzzer then sees ~30
# edges), so `-sanitize-coverage` is passed to every module explicitly. Corpora, findings and logs go to .fuzz/ (git-ignored):
# .fuzz/seeds/T (regenerated from ../shared/fixtures and Tests/Fuzz/seeds/T), .fuzz/corpus/T
# (what libFuzzer adds), .fuzz/findings/T (crash-*, timeout-*, oom-* inputs), .fuzz/logs/T.log.
# A finding becomes a regression test under Tests/<Module>Tests (see README).
# FUZZ_SKIP_BLOCK_SCAN=1 makes FuzzSSTable leave out the footer-less block search (see there).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
fixtures=${SALVAGE_FIXTURES:-$root/../shared/fixtures}
work=$root/.fuzz
targets=(FuzzSSTable FuzzStore FuzzKV FuzzSQL)
# Bounds: a 10 s input or 2 GiB of memory is a finding. Inputs stay small enough to run fast.
flags=(-rss_limit_mb=2048 -timeout=10 -detect_leaks=0 -print_final_stats=1)
export SWIFT_BACKTRACE=enable=no   # else swift-backtrace hangs after a crash

max_len() {
  case $1 in
    FuzzSSTable) echo 98304 ;;
    FuzzStore) echo 65536 ;;
    *) echo 4096 ;;
  esac
}

build() {
  [ -d "$fixtures" ] || { echo "fuzz: fixtures not found at $fixtures" >&2; exit 1; }
  for t in "${targets[@]}"; do
    echo "fuzz: building $t" >&2
    swift build --product "$t" --sanitize fuzzer --sanitize address --scratch-path .build-fuzz \
      -Xswiftc -sanitize-coverage=edge,trace-cmp,inline-8bit-counters,pc-table 2>&1 | grep -E "error:" >&2 || true
    [ -x ".build-fuzz/debug/$t" ] || { echo "fuzz: $t did not build" >&2; exit 1; }
  done
}

# A seed file: one mode byte (hex), optional extra bytes (printf escapes), then the file.
seed_file() {  # out mode-hex extra src
  { printf "\\x$2"; printf "$3"; cat "$4"; } > "$1"
}
flat() { echo "${1#"$fixtures"/}" | tr / _; }

seed() {
  rm -rf "$work/seeds"
  for t in "${targets[@]}"; do
    mkdir -p "$work/seeds/$t" "$work/corpus/$t" "$work/findings/$t" "$work/logs"
    if [ -d "Tests/Fuzz/seeds/$t" ]; then cp "Tests/Fuzz/seeds/$t"/* "$work/seeds/$t/"; fi
  done
  local f s=$work/seeds/FuzzStore
  # Whole files as the engines wrote them, and the damaged copies.
  while IFS= read -r f; do cp "$f" "$work/seeds/FuzzSSTable/$(flat "$f")"; done \
    < <(find "$fixtures" -type f \( -name '*.sst' -o -name '*.blob' \) -size -96k | sort)
  while IFS= read -r f; do seed_file "$s/$(flat "$f")" 00 "" "$f"; done \
    < <(find "$fixtures" -type f -name '*MANIFEST-*' | sort)
  while IFS= read -r f; do
    # Mode 1 takes the log number (from the file name) as 4 LE bytes.
    local n=$((10#$(basename "$f" .log)))
    seed_file "$s/$(flat "$f")" 01 "$(printf '\\x%02x\\x%02x\\x%02x\\x%02x' $((n & 255)) $((n >> 8 & 255)) $((n >> 16 & 255)) $((n >> 24 & 255)))" "$f"
  done < <(find "$fixtures" -type f -name '[0-9]*.log' | sort)
  while IFS= read -r f; do seed_file "$s/$(flat "$f")" 04 "" "$f"; done \
    < <(find "$fixtures" -type f -name 'OPTIONS-*' | sort)
  for t in "${targets[@]}"; do echo "fuzz: $t: $(ls "$work/seeds/$t" | wc -l) seeds" >&2; done
}

# Runs one target for $2 seconds; non-zero when it left a finding in .fuzz/findings/T.
run() {
  local t=$1 secs=$2; shift 2
  local log=$work/logs/$t.log findings=$work/findings/$t
  echo "fuzz: $t for ${secs}s (log: ${log#"$root"/})" >&2
  local before; before=$(ls "$findings" | wc -l)
  local status=0
  ".build-fuzz/debug/$t" "$work/corpus/$t" "$work/seeds/$t" -max_total_time="$secs" -max_len="$(max_len "$t")" \
    -artifact_prefix="$findings/" "${flags[@]}" "$@" > "$log" 2>&1 || status=$?
  # The last status line: executions, coverage (cov = edges, ft = features), corpus, speed.
  grep -E "^#[0-9]+" "$log" | tail -1 >&2 || true
  local after; after=$(ls "$findings" | wc -l)
  if [ "$status" -ne 0 ] || [ "$after" -gt "$before" ]; then
    echo "fuzz: $t FOUND A PROBLEM (exit $status); new inputs in ${findings#"$root"/}:" >&2
    ls -t "$findings" | head -$((after - before > 0 ? after - before : 1)) | sed 's/^/  /' >&2
    grep -E "^SUMMARY|ERROR: libFuzzer|Fatal error" "$log" | sort | uniq -c | head -8 >&2 || true
    return 1
  fi
}

cmd=${1:-smoke}
case $cmd in
  build) build ;;
  seed) seed ;;
  smoke|long)
    secs=${FUZZ_SMOKE_SECONDS:-40}
    [ "$cmd" = long ] && secs=${2:?usage: fuzz.sh long SECONDS}
    build; seed
    failed=()
    extra=()
    # Long runs go on past a finding (each input in a child process) so one run lists them all.
    [ "$cmd" = long ] && extra=(-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
    for t in "${targets[@]}"; do run "$t" "$secs" "${extra[@]}" || failed+=("$t"); done
    if [ ${#failed[@]} -gt 0 ]; then
      echo "fuzz: findings in ${failed[*]}: see .fuzz/findings/ and .fuzz/logs/" >&2
      exit 1
    fi
    echo "fuzz: no findings" >&2 ;;
  run)
    t=${2:?usage: fuzz.sh run TARGET SECONDS [flags]}; secs=${3:?usage: fuzz.sh run TARGET SECONDS [flags]}; shift 3
    [ -d "$work/seeds/$t" ] || seed
    run "$t" "$secs" "$@" ;;
  *) echo "usage: fuzz.sh smoke | long SECONDS | run TARGET SECONDS [flags] | build | seed" >&2; exit 2 ;;
esac
