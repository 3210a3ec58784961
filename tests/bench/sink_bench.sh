#!/usr/bin/env bash
# Reporting sink throughput: rows/s the real custflow-reporting moves from a pre-filled
# interactions topic into ClickHouse, against a raw RowBinary insert of the same rows over
# HTTP (curl --data-binary) into a copy of the table, in the same run.
#
#   tests/bench/sink_bench.sh [BUILD_DIR]      (a RelWithDebInfo or Release build)
#
# Environment: EVENTS (default 2000000), PARTITIONS (64: the local broker keeps about
# 5 MB or 100,000 messages per partition, so the topic needs that many to hold EVENTS),
# SINK_BATCH (50000). Starts and stops its own broker, ClickHouse and sink.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build_dir=${1:-$repo/build}
events=${EVENTS:-2000000}
partitions=${PARTITIONS:-64}
sink_batch=${SINK_BATCH:-50000}

source "$repo/tests/bench/bench_lib.sh"
"$build_dir/tools/kafka-broker/custflow-kafka-broker" --partitions "$partitions" \
  --topics custflow.interactions.v1,custflow.profiles.v1 --bootstrap-file "$work/bootstrap" \
  >"$work/broker.log" 2>&1 &
pids+=($!)
wait_for test -s "$work/bootstrap"
bootstrap=$(cat "$work/bootstrap")

start_clickhouse
query() { curl -sS --fail-with-body "http://127.0.0.1:$ch_http/" --data-binary "$1"; }

fill=$("$build_dir/tools/loadgen/custflow-sink-bench" --brokers "$bootstrap" --count "$events" \
  --rowbinary "$work/rows.bin" | tail -1)
columns=$(echo "$fill" | field columns)
echo "$fill" | sed 's/ columns=.*//'

grpc_port=$(free_port)
http_port=$(free_port)
start=$(now)
CUSTFLOW_KAFKA_BROKERS=$bootstrap CUSTFLOW_CLICKHOUSE_URL=http://127.0.0.1:$ch_http \
  CUSTFLOW_REPORTING_GRPC_ADDRESS=127.0.0.1:$grpc_port CUSTFLOW_REPORTING_HTTP_ADDRESS=127.0.0.1:$http_port \
  CUSTFLOW_REPORTING_SINK_BATCH=$sink_batch CUSTFLOW_REPORTING_LOG_LEVEL=warn \
  "$build_dir/services/reporting/custflow-reporting" >"$work/reporting.log" 2>&1 &
sink_pid=$!
pids+=($sink_pid)
first=""
for _ in $(seq 1 6000); do
  # 0 until the sink created the table.
  stored=$(curl -sf "http://127.0.0.1:$ch_http/" --data-binary "SELECT count() FROM interactions" || echo 0)
  if [ -z "$first" ] && [ "$stored" -gt 0 ]; then first=$(now); fi
  [ "$stored" -ge "$events" ] && break
  kill -0 "$sink_pid" 2>/dev/null || break
  sleep 0.1
done
done_at=$(now)
sink_cpu=$(cpu_seconds "$sink_pid")
if [ "$stored" -ne "$events" ]; then
  echo "the sink stored $stored of $events rows" >&2
  tail -20 "$work/reporting.log" >&2
  exit 1
fi
distinct=$(query "SELECT uniqExact(event_id) FROM interactions")
sink_seconds=$(calc "$done_at - $start")
drain_seconds=$(calc "$done_at - $first")

query "CREATE TABLE bench_raw AS interactions" >/dev/null
raw_start=$(now)
curl -sS --fail-with-body --data-binary @"$work/rows.bin" \
  "http://127.0.0.1:$ch_http/?query=$(echo "INSERT INTO bench_raw ($columns) FORMAT RowBinary" | sed 's/ /%20/g')"
raw_seconds=$(calc "$(now) - $raw_start")
raw_rows=$(query "SELECT count() FROM bench_raw")

printf '\n%-52s %12s %10s\n' measure rows/s seconds
printf '%-52s %12.0f %10.2f\n' "sink, process start to last row (incl. group join)" \
  "$(calc "$events / $sink_seconds")" "$sink_seconds"
printf '%-52s %12.0f %10.2f\n' "sink, first row to last row" "$(calc "$events / $drain_seconds")" "$drain_seconds"
printf '%-52s %12.0f %10.2f\n' "raw RowBinary insert over HTTP ($raw_rows rows)" \
  "$(calc "$events / $raw_seconds")" "$raw_seconds"
printf 'ratio sink/raw: %.2f (first row to last), %.2f (from process start)\n' \
  "$(calc "$raw_seconds / $drain_seconds")" "$(calc "$raw_seconds / $sink_seconds")"
printf 'rows stored=%s distinct event ids=%s sink CPU=%ss RowBinary=%s bytes\n' "$stored" "$distinct" \
  "$sink_cpu" "$(stat -c %s "$work/rows.bin")"
