# Sourced by the benchmark scripts: a work folder and the processes started into `pids`,
# both cleaned up on exit, and small helpers.
work=$(mktemp -d "${TMPDIR:-/tmp}/custflow-bench-XXXXXX")
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_for() { for _ in $(seq 1 300); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done; echo "timed out: $*" >&2; exit 1; }
now() { date +%s.%N; }
calc() { awk "BEGIN { printf \"%.6f\", $1 }"; }
# The value of `name=value` in a loadgen-style report line on stdin.
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p"; }
# Starts the local Kafka-protocol broker with `topics` (comma-separated) and exports its
# address as CUSTFLOW_KAFKA_BROKERS.
start_broker() {
  "$build_dir/tools/kafka-broker/custflow-kafka-broker" --partitions 6 --topics "$1" \
    --bootstrap-file "$work/bootstrap" >"$work/broker.log" 2>&1 &
  pids+=($!)
  wait_for test -s "$work/bootstrap"
  CUSTFLOW_KAFKA_BROKERS=$(cat "$work/bootstrap")
  export CUSTFLOW_KAFKA_BROKERS
}
# Starts a throw-away redis-server and sets redis_port.
start_redis() {
  redis_port=$(free_port)
  redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no >"$work/redis.log" 2>&1 &
  pids+=($!)
  wait_for redis-cli -p "$redis_port" ping
}
# Starts a throw-away clickhouse-server with the project's config and sets ch_http (its
# HTTP port).
start_clickhouse() {
  ch_http=$(free_port)
  "$repo/deploy/local/clickhouse/render-config.sh" "$work/clickhouse" "$ch_http" "$(free_port)"
  "$(command -v clickhouse-server || echo /usr/sbin/clickhouse-server)" \
    --config-file="$work/clickhouse/config.xml" >"$work/clickhouse.log" 2>&1 &
  pids+=($!)
  wait_for curl -sf "http://127.0.0.1:$ch_http/ping"
}
# CPU seconds (user + system) a process has used so far.
cpu_seconds() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$1/stat"; }
