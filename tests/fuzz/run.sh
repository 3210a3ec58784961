#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan + UBSan, CUSTFLOW_FUZZ=ON) in their own tree
# and runs each over its corpus for SECONDS_PER_TARGET seconds (default 30). Fails on any
# crash, leak, sanitizer report or timeout; prints per target the runs, the coverage and
# the corpus size. See tests/fuzz/README.md.
#
#   tests/fuzz/run.sh [SECONDS_PER_TARGET]
#   CUSTFLOW_FUZZ_BUILD_DIR   build tree (default: <repo>/build-fuzz-ci)
#   CUSTFLOW_FUZZ_TARGETS     targets to run, space separated (default: all)
set -euo pipefail

seconds=${1:-30}
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${CUSTFLOW_FUZZ_BUILD_DIR:-$repo/build-fuzz-ci}
targets=${CUSTFLOW_FUZZ_TARGETS:-fuzz_ingest_events fuzz_customer_import fuzz_tag_rules fuzz_distribution_filter fuzz_consumer_messages}

started=$(date +%s)
mkdir -p "$build"
# -O1 keeps the sanitizers' reports readable; no NDEBUG, so assertions stay on.
cmake -S "$repo" -B "$build" -G Ninja -DCUSTFLOW_FUZZ=ON \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only" \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only" >"$build/fuzz-configure.log" 2>&1 ||
  { cat "$build/fuzz-configure.log"; exit 1; }
# shellcheck disable=SC2086
cmake --build "$build" -j2 --target $targets
built=$(date +%s)
echo "fuzz: configured and built in $((built - started)) s"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
failed=()
for target in $targets; do
  # New inputs go to the build tree's corpus (kept between runs); the repository's seeds
  # are only read.
  corpus=$build/fuzz-corpus/$target
  artifacts=$build/fuzz-artifacts/$target
  log=$build/fuzz-logs/$target.log
  mkdir -p "$corpus" "$artifacts" "$(dirname "$log")"
  status=0
  "$build/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=16384 \
    -print_final_stats=1 -artifact_prefix="$artifacts/" \
    "$corpus" "$repo/tests/fuzz/corpus/$target" >"$log" 2>&1 || status=$?
  runs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$log" | tail -n 1)
  last=$(grep -E '^#[0-9]+' "$log" | tail -n 1 || true)
  coverage=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  features=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  corpus_size=$(find "$corpus" -type f | wc -l)
  printf 'fuzz: %-26s runs %-9s cov %-6s ft %-6s corpus %s\n' "$target" "${runs:-?}" "${coverage:-?}" \
    "${features:-?}" "$corpus_size"
  if [ "$status" -ne 0 ]; then
    failed+=("$target")
    echo "fuzz: $target FAILED (exit $status); the input is in $artifacts, the log follows"
    tail -n 60 "$log"
  fi
done
echo "fuzz: all done in $(($(date +%s) - started)) s"
if [ ${#failed[@]} -ne 0 ]; then
  echo "fuzz: failing targets: ${failed[*]}"
  exit 1
fi
