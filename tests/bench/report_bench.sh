#!/usr/bin/env bash
# Reporting query latency: every distribution and metric request through our API
# (QueryDistribution / QueryMetric over HTTP) against hand-written SQL for the same answer
# (HTTP interface, one curl process per query), in the same run, over generated data in a
# ClickHouse started for the run. Prints median / p95 / ratio per request and the verdict
# against ratio <= 1.5 and p95 < 1 s.
#
#   tests/bench/report_bench.sh [BUILD_DIR]      (a RelWithDebInfo or Release build)
#
# Environment: CUSTOMERS (default 1000000), VERSIONS (profile versions per customer, 3),
# INTERACTIONS (20000000), REPEAT (10).
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build_dir=${1:-$repo/build}
customers=${CUSTOMERS:-1000000}
versions=${VERSIONS:-3}
interactions=${INTERACTIONS:-20000000}
repeat=${REPEAT:-10}
bench="$build_dir/tools/loadgen/custflow-report-bench"

source "$repo/tests/bench/bench_lib.sh"
start_clickhouse
url=http://127.0.0.1:$ch_http

"$bench" load --customers "$customers" --versions "$versions" --interactions "$interactions" --clickhouse "$url"
# Parts merged before timing, so neither side pays for background merges.
curl -sS --fail-with-body "$url/" --data-binary "OPTIMIZE TABLE profile_versions FINAL" >/dev/null
curl -sS --fail-with-body "$url/" --data-binary "OPTIMIZE TABLE interactions FINAL" >/dev/null
echo "clickhouse $(curl -sS "$url/" --data-binary "SELECT version()"), $(nproc) cores"
"$bench" run --clickhouse "$url" --repeat "$repeat"
