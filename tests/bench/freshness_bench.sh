#!/usr/bin/env bash
# Freshness: time from ingest's acknowledgement of an event to the event being visible in
# ClickHouse and counted by a report, at a steady rate through the real custflow-ingest,
# local broker and custflow-reporting sink.
#
#   tests/bench/freshness_bench.sh [BUILD_DIR]      (a RelWithDebInfo or Release build)
#
# Environment: RATE (default 5000 events/s), SECONDS (60), SINK_BATCH and SINK_WAIT (unset:
# the reporting service's defaults). Starts and stops its own broker, Redis, ClickHouse,
# ingest and reporting; prints custflow-freshness-bench's table with the sink settings and
# exits with its code (0: freshness p99 under 5 s and the report counts every event).
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build_dir=${1:-$repo/build}
rate=${RATE:-5000}
# SECONDS is bash's own counter: only a value from the environment (exported) is a choice.
seconds=$(printenv SECONDS || echo 60)

source "$repo/tests/bench/bench_lib.sh"
start_broker custflow.interactions.v1,custflow.profiles.v1
bootstrap=$CUSTFLOW_KAFKA_BROKERS
start_redis

start_clickhouse

ingest_grpc=$(free_port)
ingest_http=$(free_port)
CUSTFLOW_KAFKA_BROKERS=$bootstrap CUSTFLOW_REDIS_ADDRESS=127.0.0.1:$redis_port \
  CUSTFLOW_INGEST_GRPC_ADDRESS=127.0.0.1:$ingest_grpc CUSTFLOW_INGEST_HTTP_ADDRESS=127.0.0.1:$ingest_http \
  CUSTFLOW_INGEST_LOG_LEVEL=warn "$build_dir/services/ingest/custflow-ingest" >"$work/ingest.log" 2>&1 &
pids+=($!)

reporting_grpc=$(free_port)
reporting_http=$(free_port)
sink_env=()
[ -n "${SINK_BATCH:-}" ] && sink_env+=("CUSTFLOW_REPORTING_SINK_BATCH=$SINK_BATCH")
[ -n "${SINK_WAIT:-}" ] && sink_env+=("CUSTFLOW_REPORTING_SINK_WAIT=$SINK_WAIT")
env "${sink_env[@]}" CUSTFLOW_KAFKA_BROKERS="$bootstrap" CUSTFLOW_CLICKHOUSE_URL="http://127.0.0.1:$ch_http" \
  CUSTFLOW_REPORTING_GRPC_ADDRESS="127.0.0.1:$reporting_grpc" \
  CUSTFLOW_REPORTING_HTTP_ADDRESS="127.0.0.1:$reporting_http" CUSTFLOW_REPORTING_REPORT_DIR="$work/reports" \
  CUSTFLOW_REPORTING_LOG_LEVEL=warn "$build_dir/services/reporting/custflow-reporting" \
  >"$work/reporting.log" 2>&1 &
pids+=($!)
wait_for curl -sf "http://127.0.0.1:$ingest_http/readyz"
wait_for curl -sf "http://127.0.0.1:$reporting_http/readyz"

status=0
"$build_dir/tools/loadgen/custflow-freshness-bench" --ingest "127.0.0.1:$ingest_grpc" \
  --clickhouse "http://127.0.0.1:$ch_http" --database default --reporting "127.0.0.1:$reporting_grpc" \
  --rate "$rate" --seconds "$seconds" || status=$?
printf 'sink: SINK_BATCH=%s SINK_WAIT=%s; broker partitions 6; %s, %d cores\n' \
  "${SINK_BATCH:-default (50000)}" "${SINK_WAIT:-default (200ms)}" "$(uname -m)" "$(nproc)"
if [ "$status" -ne 0 ]; then
  echo "--- reporting.log (tail)" >&2
  tail -20 "$work/reporting.log" >&2
fi
exit "$status"
