#!/usr/bin/env bash
# Profile service benchmarks, each against the raw component in the same run:
#   1. apply rate: interactions folded per second by one profile instance from a topic
#      pre-filled through ingest;
#   2. GetProfile on cached profiles at fixed concurrency, against redis-benchmark GET of
#      values of the same size on the same Redis with the same client count (no pipelining);
#   3. GetProfile latency at a fixed rate;
#   4. import of a generated CSV through `custflow import`.
#
#   tests/bench/profile_bench.sh [BUILD_DIR]      (a RelWithDebInfo or Release build)
#
# Environment: EVENTS (default 100000), CUSTOMERS (10000), CLIENTS (50), REQUESTS (200000),
# LATENCY_RATE (5000), LATENCY_SECONDS (10), IMPORT_ROWS (100000). Prints one table; starts
# and stops its own broker, Redis, ingest and profile service.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build_dir=${1:-$repo/build}
events=${EVENTS:-100000}
customers=${CUSTOMERS:-10000}
clients=${CLIENTS:-50}
requests=${REQUESTS:-200000}
latency_rate=${LATENCY_RATE:-5000}
latency_seconds=${LATENCY_SECONDS:-10}
import_rows=${IMPORT_ROWS:-100000}

source "$repo/tests/bench/bench_lib.sh"
start_broker custflow.interactions.v1,custflow.commands.v1,custflow.profiles.v1,custflow.deadletter.v1
start_redis
export CUSTFLOW_REDIS_ADDRESS=127.0.0.1:$redis_port CUSTFLOW_LOG_LEVEL=warn
ingest_grpc=127.0.0.1:$(free_port)
ingest_http=127.0.0.1:$(free_port)
CUSTFLOW_INGEST_GRPC_ADDRESS=$ingest_grpc CUSTFLOW_INGEST_HTTP_ADDRESS=$ingest_http \
  "$build_dir/services/ingest/custflow-ingest" >"$work/ingest.log" 2>&1 &
pids+=($!)
wait_for curl -sf "http://$ingest_http/readyz"

# 1. Pre-fill the interactions topic, then start the profile service and time its applier.
"$build_dir/tools/loadgen/custflow-loadgen" --mode batch --target "$ingest_grpc" --events "$events" \
  --customers "$customers" --identity-mix 0 --rate 0 --batch 500 --concurrency 4 --seed 7 --run bench \
  >"$work/fill.txt"
grep -q " acked=$events " "$work/fill.txt" || { cat "$work/fill.txt"; echo "fill failed" >&2; exit 1; }
profile_grpc=127.0.0.1:$(free_port)
profile_http=127.0.0.1:$(free_port)
CUSTFLOW_PROFILE_GRPC_ADDRESS=$profile_grpc CUSTFLOW_PROFILE_HTTP_ADDRESS=$profile_http CUSTFLOW_PROFILE_CLICKHOUSE_URL= \
  "$build_dir/services/profile/custflow-profile" >"$work/profile.log" 2>&1 &
profile_pid=$!
pids+=($profile_pid)
redis_pid=$(pgrep -f "redis-server.*:$redis_port") broker_pid=$(pgrep -f custflow-kafka-broker | head -n 1)
applied() {
  curl -sf "http://$profile_http/metrics" 2>/dev/null | awk '$1 == "custflow_profile_applied_total" { print $2 }'
}
first_at="" first_count=0
for _ in $(seq 1 6000); do
  count=$(applied || true)
  count=${count:-0}
  if [ -z "$first_at" ] && [ "${count%.*}" -gt 0 ]; then
    first_at=$(now) first_count=${count%.*}
    apply_cpu0=("$(cpu_seconds "$profile_pid")" "$(cpu_seconds "$redis_pid")" "$(cpu_seconds "$broker_pid")")
  fi
  [ "${count%.*}" -ge "$events" ] && break
  sleep 0.05
done
[ "${count%.*}" -ge "$events" ] || { tail -n 20 "$work/profile.log"; echo "applier did not finish" >&2; exit 1; }
apply_seconds=$(calc "$(now) - $first_at")
apply_cpu=$(printf 'profile %.2f s, redis %.2f s, broker %.2f s' "$(calc "$(cpu_seconds "$profile_pid") - ${apply_cpu0[0]}")" \
  "$(calc "$(cpu_seconds "$redis_pid") - ${apply_cpu0[1]}")" "$(calc "$(cpu_seconds "$broker_pid") - ${apply_cpu0[2]}")")
apply_rate=$(calc "($events - $first_count) / $apply_seconds")

# 2. GetProfile against redis-benchmark GET of values the size of the stored profiles.
redis-cli -p "$redis_port" --scan --pattern 'cf:profile:*' | sed 's/^cf:profile://' >"$work/ids"
profiles=$(wc -l <"$work/ids")
size=$(head -n 500 "$work/ids" | while read -r id; do redis-cli -p "$redis_port" HSTRLEN "cf:profile:$id" p; done |
  awk '{ s += $1 } END { printf "%d", s / NR }')
redis_line=$(redis-benchmark -p "$redis_port" -c "$clients" -n "$requests" -d "$size" -t set,get -q 2>/dev/null |
  tr '\r' '\n' | grep '^GET:' | tail -n 1)
redis_rate=$(echo "$redis_line" | sed -n 's/^GET: \([0-9.]*\) requests per second.*/\1/p')
redis_p50=$(echo "$redis_line" | sed -n 's/.*p50=\([0-9.]*\) msec.*/\1/p')
bench=$build_dir/tools/loadgen/custflow-profile-bench
# A failed request is counted in the line (errors=N) rather than ending the run. CPU of
# each process is read from /proc around the run (the client's from its own exit).
get_cpu0=("$(cpu_seconds "$profile_pid")" "$(cpu_seconds "$redis_pid")")
get_line=$(/usr/bin/env time -f 'client_cpu=%U+%S' "$bench" --target "$profile_grpc" --ids "$work/ids" \
  --concurrency "$clients" --requests "$requests" 2>&1 | grep -E '^profile-bench:|^client_cpu=' | tr '\n' ' ' || true)
get_cpu=$(awk -v p="$(calc "$(cpu_seconds "$profile_pid") - ${get_cpu0[0]}")" \
  -v r="$(calc "$(cpu_seconds "$redis_pid") - ${get_cpu0[1]}")" \
  -v c="$(echo "$get_line" | sed -n 's/.*client_cpu=\([0-9.+]*\).*/\1/p')" -v n="$requests" \
  'BEGIN { split(c, parts, "+"); printf "profile %.0f us, redis %.0f us, client %.0f us", p / n * 1e6, r / n * 1e6, (parts[1] + parts[2]) / n * 1e6 }')
get_rate=$(echo "$get_line" | field rate)

# 3. Latency at a fixed rate.
latency_line=$("$bench" --target "$profile_grpc" --ids "$work/ids" --rate "$latency_rate" \
  --seconds "$latency_seconds" | grep '^profile-bench:' || true)

# 4. Import of a generated CSV laid out like the template (UTF-8, new customers).
awk -v rows="$import_rows" 'BEGIN {
  print "客户编号,客户名称,联系人,联系电话,行业,客户类型,负责人,部门,团队,省份,城市"
  for (i = 1; i <= rows; i++)
    printf "IMP%07d,示例客户%07d有限公司,联系人%d,1390%07d,制造业,潜在客户,王芳,华南销售部,一组,广东省,深圳市\n", i, i, i, i
}' >"$work/import.csv"
start=$(now)
CUSTFLOW_PROFILE_ADDRESS=$profile_grpc "$build_dir/tools/custflow/custflow" import "$work/import.csv" \
  >"$work/import.txt" 2>"$work/import.err" || { cat "$work/import.txt" "$work/import.err"; exit 1; }
import_seconds=$(calc "$(now) - $start")
import_rate=$(calc "$import_rows / $import_seconds")

printf '\nprofile benchmark: %s, %d cores; %d profiles of about %d bytes\n' "$(uname -m)" "$(nproc)" "$profiles" "$size"
printf '%-52s %12s %8s\n' "measure" "per second" "ratio"
printf '%-52s %12.0f %8s\n' "redis-benchmark GET ($clients clients, -d $size, no pipelining)" "$redis_rate" "1.00"
printf '%-52s %12.0f %8.2f\n' "GetProfile over gRPC ($clients in flight)" "$get_rate" "$(calc "$get_rate / $redis_rate")"
printf '%-52s %12.0f\n' "apply: interactions folded by one instance" "$apply_rate"
printf '%-52s %12.0f\n' "import: CSV rows through custflow import" "$import_rate"
printf '\nredis-benchmark GET p50: %s ms\n' "$redis_p50"
echo "GetProfile at max:        $get_line"
echo "  CPU per GetProfile:      $get_cpu"
echo "GetProfile at $latency_rate/s: $latency_line"
echo "apply: $((events - first_count)) events in $apply_seconds s (first $first_count applied before the first sample)"
echo "  CPU meanwhile:           $apply_cpu"
echo "import: $(head -n 1 "$work/import.txt")"
