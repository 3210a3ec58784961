#!/usr/bin/env bash
# Ingest throughput and ack latency, measured against raw kcat producing the same events
# to the same local broker in the same run (acks=all, idempotence on for both).
#
#   tests/bench/ingest_bench.sh [BUILD_DIR]      (a RelWithDebInfo or Release build)
#
# Environment: EVENTS (default 200000), BATCH (500), CONCURRENCY (4), LATENCY_RATE (5000),
# LATENCY_SECONDS (10). Prints one table; starts and stops its own broker, Redis and ingest.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build_dir=${1:-$repo/build}
events=${EVENTS:-200000}
batch=${BATCH:-500}
concurrency=${CONCURRENCY:-4}
latency_rate=${LATENCY_RATE:-5000}
latency_seconds=${LATENCY_SECONDS:-10}
latency_batch=${LATENCY_BATCH:-10}
loadgen=$build_dir/tools/loadgen/custflow-loadgen

source "$repo/tests/bench/bench_lib.sh"
start_broker custflow.interactions.v1,bench.kcat
bootstrap=$CUSTFLOW_KAFKA_BROKERS
start_redis
grpc_port=$(free_port)
http_port=$(free_port)
CUSTFLOW_KAFKA_BROKERS=$bootstrap CUSTFLOW_REDIS_ADDRESS=127.0.0.1:$redis_port \
  CUSTFLOW_INGEST_GRPC_ADDRESS=127.0.0.1:$grpc_port CUSTFLOW_INGEST_HTTP_ADDRESS=127.0.0.1:$http_port \
  CUSTFLOW_INGEST_LOG_LEVEL=warn "$build_dir/services/ingest/custflow-ingest" >"$work/ingest.log" 2>&1 &
pids+=($!)
wait_for curl -sf "http://127.0.0.1:$http_port/readyz"

# The same events for everyone: loadgen writes them once; kcat sends each line as a message.
"$loadgen" --mode file --format json --output "$work/events.ndjson" --events "$events" --rate 0 \
  --seed 7 --run bench >/dev/null
bytes=$(wc -c <"$work/events.ndjson")

start=$(now)
kcat -P -b "$bootstrap" -t bench.kcat -X acks=all -X enable.idempotence=true -X linger.ms=5 \
  -l "$work/events.ndjson"
kcat_seconds=$(calc "$(now) - $start")
kcat_rate=$(calc "$events / $kcat_seconds")

result() { grep '^loadgen:' | tail -n 1; }
stream=$("$loadgen" --mode stream --target "127.0.0.1:$grpc_port" --events "$events" --rate 0 \
  --batch "$batch" --concurrency "$concurrency" --seed 7 --run stream | result)
batch_line=$("$loadgen" --mode batch --target "127.0.0.1:$grpc_port" --events "$events" --rate 0 \
  --batch "$batch" --concurrency "$concurrency" --seed 8 --run batch | result)
http_line=$("$loadgen" --mode http --url "http://127.0.0.1:$http_port/v1/events" --events "$events" --rate 0 \
  --batch "$batch" --concurrency "$concurrency" --seed 10 --run http | result)
latency=$("$loadgen" --mode stream --target "127.0.0.1:$grpc_port" --rate "$latency_rate" \
  --duration "$latency_seconds" --batch "$latency_batch" --concurrency 1 --seed 9 --run latency | result)

stream_rate=$(echo "$stream" | field rate)
batch_rate=$(echo "$batch_line" | field rate)
http_rate=$(echo "$http_line" | field rate)
printf '\ningest benchmark: %d events (%d bytes as JSON lines), %s, %d cores\n' \
  "$events" "$bytes" "$(uname -m)" "$(nproc)"
printf '%-34s %12s %8s\n' "path" "events/s" "vs kcat"
printf '%-34s %12.0f %8s\n' "kcat -P (raw, same broker)" "$kcat_rate" "1.00"
printf '%-34s %12.0f %8.2f\n' "ingest StreamEvents (batch $batch x$concurrency)" "$stream_rate" \
  "$(calc "$stream_rate / $kcat_rate")"
printf '%-34s %12.0f %8.2f\n' "ingest PublishBatch (batch $batch x$concurrency)" "$batch_rate" \
  "$(calc "$batch_rate / $kcat_rate")"
printf '%-34s %12.0f %8.2f\n' "ingest HTTP POST (batch $batch x$concurrency)" "$http_rate" \
  "$(calc "$http_rate / $kcat_rate")"
printf '\nack latency at %s events/s for %s s (%s events per stream message):\n' "$latency_rate" "$latency_seconds" "$latency_batch"
echo "  $latency"
echo "  stream run: $stream"
echo "  batch run:  $batch_line"
echo "  http run:   $http_line"
