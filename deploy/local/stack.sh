#!/usr/bin/env bash
# The local custflow stack on loopback: Redis, ClickHouse, the Kafka-protocol broker and
# the four services, all under one data folder.
#
#   deploy/local/stack.sh up       start whatever is not running (idempotent); when the
#                                  broker is not running, every store starts empty
#                                  (the broker's topics live in memory)
#   deploy/local/stack.sh down     stop what `up` started (by pid), services first
#   deploy/local/stack.sh status   say what runs where
#
# Settings (environment):
#   CUSTFLOW_BUILD_DIR   where the binaries were built        (default: <repo>/build)
#   CUSTFLOW_LOCAL_DIR   data, logs and pid files              (default: <repo>/.local)
#   CUSTFLOW_PORT_BASE   first of the ports used, see below    (default: 17000)
# Ports: Redis base+379, ClickHouse HTTP base+123 and TCP base+900, services' gRPC
# base+51..54 and HTTP base+81..84 (ingest, profile, tagging, reporting). The broker's
# port is chosen by the broker and written to <data>/kafka/bootstrap.
# `up` writes <data>/stack.env with every address, for the CLI and for scripts:
#   source .local/stack.env
# Authentication is on: the first `up` mints a token per principal of <data>/tokens.yaml
# (the services' AUTH_TOKENS_FILE) and keeps the tokens in <data>/tokens.env (mode 600):
# CUSTFLOW_ADMIN_TOKEN (admin), CUSTFLOW_SALES_TOKEN (li.na, sales of 销售一部),
# CUSTFLOW_MANAGER_TOKEN (manager.wang, manager of 销售一部), CUSTFLOW_INGEST_TOKEN (ingest).
# stack.env sends the admin token (CUSTFLOW_TOKEN); to act as another principal:
#   source .local/tokens.env && export CUSTFLOW_TOKEN=$CUSTFLOW_SALES_TOKEN
# To mint new tokens, delete both files, then `down` and `up` (`up` mints them only when missing;
# running services pick up a changed tokens.yaml by themselves within AUTH_TOKENS_RELOAD).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build_dir=${CUSTFLOW_BUILD_DIR:-$repo/build}
local_dir=${CUSTFLOW_LOCAL_DIR:-$repo/.local}
base=${CUSTFLOW_PORT_BASE:-17000}
run_dir=$local_dir/run
log_dir=$local_dir/logs

redis_port=$((base + 379))
ch_http_port=$((base + 123))
ch_tcp_port=$((base + 900))
services=(ingest profile tagging reporting)
declare -A grpc_port=([ingest]=$((base + 51)) [profile]=$((base + 52)) [tagging]=$((base + 53)) [reporting]=$((base + 54)))
declare -A http_port=([ingest]=$((base + 81)) [profile]=$((base + 82)) [tagging]=$((base + 83)) [reporting]=$((base + 84)))

say() { printf '%-11s %s\n' "$1" "$2"; }
fail() {
  say "$1" "FAILED: $2"
  if [ -f "$log_dir/$1.log" ]; then
    echo "---- last lines of $log_dir/$1.log"
    tail -n 25 "$log_dir/$1.log"
  fi
  exit 1
}

pid_of() { cat "$run_dir/$1.pid" 2>/dev/null || true; }
running() {
  local pid
  pid=$(pid_of "$1")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}

# wait_until NAME SECONDS COMMAND...: polls COMMAND until it succeeds or NAME's process dies.
wait_until() {
  local name=$1 seconds=$2
  shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    running "$name" || fail "$name" "exited while starting"
    [ $SECONDS -lt $deadline ] || fail "$name" "not ready after ${seconds}s"
    sleep 0.2
  done
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# launch NAME COMMAND...: starts COMMAND in the background, logging to logs/NAME.log.
launch() {
  local name=$1
  shift
  nohup "$@" >>"$log_dir/$name.log" 2>&1 </dev/null &
  echo $! >"$run_dir/$name.pid"
}

require_binary() {
  [ -x "$1" ] || { echo "missing $1: build first (cmake --build $build_dir)" >&2; exit 1; }
}

start_redis() {
  if running redis; then say redis "already running on 127.0.0.1:$redis_port"; return; fi
  port_open "$redis_port" && fail redis "port $redis_port is taken by another program"
  mkdir -p "$local_dir/redis"
  launch redis redis-server --bind 127.0.0.1 --port "$redis_port" --dir "$local_dir/redis" \
    --save "" --appendonly yes --protected-mode yes
  wait_until redis 20 redis-cli -p "$redis_port" ping
  say redis "running on 127.0.0.1:$redis_port"
}

start_clickhouse() {
  if running clickhouse; then say clickhouse "already running on 127.0.0.1:$ch_http_port"; return; fi
  port_open "$ch_http_port" && fail clickhouse "port $ch_http_port is taken by another program"
  "$repo/deploy/local/clickhouse/render-config.sh" "$local_dir/clickhouse" "$ch_http_port" "$ch_tcp_port"
  local server
  server=$(command -v clickhouse-server || echo /usr/sbin/clickhouse-server)
  launch clickhouse "$server" --config-file="$local_dir/clickhouse/config.xml"
  wait_until clickhouse 60 curl -sf "http://127.0.0.1:$ch_http_port/ping"
  say clickhouse "running on 127.0.0.1:$ch_http_port (HTTP), 127.0.0.1:$ch_tcp_port (native)"
}

start_kafka() {
  if running kafka; then say kafka "already running at $(cat "$local_dir/kafka/bootstrap")"; return; fi
  require_binary "$build_dir/tools/kafka-broker/custflow-kafka-broker"
  mkdir -p "$local_dir/kafka"
  rm -f "$local_dir/kafka/bootstrap"
  launch kafka "$build_dir/tools/kafka-broker/custflow-kafka-broker" --bootstrap-file "$local_dir/kafka/bootstrap"
  wait_until kafka 20 test -s "$local_dir/kafka/bootstrap"
  say kafka "running at $(cat "$local_dir/kafka/bootstrap") (in-memory mock cluster)"
}

# write_tokens: mints the local principals' tokens once (docs/SECURITY.md): the digests go
# to tokens.yaml, the tokens themselves only to tokens.env, both readable by this user only.
write_tokens() {
  if [ -f "$local_dir/tokens.yaml" ] && [ -f "$local_dir/tokens.env" ]; then return; fi
  local minter="$build_dir/libs/auth/custflow-token"
  require_binary "$minter"
  (
    umask 077
    printf '# the local stack'"'"'s principals (deploy/local/stack.sh); tokens in tokens.env\nprincipals:\n' \
      >"$local_dir/tokens.yaml.tmp"
    : >"$local_dir/tokens.env.tmp"
    # name role department owner variable
    while read -r name role department owner variable; do
      minted=$("$minter" new)
      token=$(sed -n 's/^token: //p' <<<"$minted")
      digest=$(sed -n 's/^token_sha256: //p' <<<"$minted")
      if [ -z "$token" ] || [ -z "$digest" ]; then
        echo "custflow-token new printed no token" >&2
        exit 1
      fi
      {
        echo "  - name: $name"
        echo "    role: $role"
        [ "$department" = - ] || echo "    department: $department"
        [ "$owner" = - ] || echo "    owner: $owner"
        echo "    token_sha256: $digest"
      } >>"$local_dir/tokens.yaml.tmp"
      echo "$variable=$token" >>"$local_dir/tokens.env.tmp"
    done <<'PRINCIPALS'
admin admin - - CUSTFLOW_ADMIN_TOKEN
li.na sales 销售一部 李娜 CUSTFLOW_SALES_TOKEN
manager.wang manager 销售一部 - CUSTFLOW_MANAGER_TOKEN
ingest ingest - - CUSTFLOW_INGEST_TOKEN
PRINCIPALS
  )
  mv "$local_dir/tokens.env.tmp" "$local_dir/tokens.env"
  mv "$local_dir/tokens.yaml.tmp" "$local_dir/tokens.yaml"
  say tokens "minted into $local_dir/tokens.env (digests in $local_dir/tokens.yaml)"
}

write_env() {
  # The reporting service writes the scheduled reports of REPORT_SCHEDULE to
  # .local/reports. The tagging service's rule file: a copy of the default rules to edit locally; after an
  # edit, `custflow tags reload` or SIGHUP puts it in force (a bad file is refused).
  [ -f "$local_dir/rules.yaml" ] || cp "$repo/data/rules/default.yaml" "$local_dir/rules.yaml"
  local admin_token
  admin_token=$(sed -n 's/^CUSTFLOW_ADMIN_TOKEN=//p' "$local_dir/tokens.env")
  # It holds the admin token: readable by this user only.
  (umask 077 && : >"$local_dir/stack.env.tmp")
  cat >"$local_dir/stack.env.tmp" <<ENV
export CUSTFLOW_KAFKA_BROKERS=$(cat "$local_dir/kafka/bootstrap")
export CUSTFLOW_REDIS_ADDRESS=127.0.0.1:$redis_port
export CUSTFLOW_CLICKHOUSE_URL=http://127.0.0.1:$ch_http_port
export CUSTFLOW_INGEST_ADDRESS=127.0.0.1:${grpc_port[ingest]}
export CUSTFLOW_PROFILE_ADDRESS=127.0.0.1:${grpc_port[profile]}
export CUSTFLOW_TAGGING_ADDRESS=127.0.0.1:${grpc_port[tagging]}
export CUSTFLOW_REPORTING_ADDRESS=127.0.0.1:${grpc_port[reporting]}
export CUSTFLOW_TAGGING_RULES_FILE=$local_dir/rules.yaml
export CUSTFLOW_REPORTING_REPORT_DIR=$local_dir/reports
export CUSTFLOW_REPORTING_REPORT_SCHEDULE='overview:daily:pdf+xlsx;service:weekly:pdf:zh;region:monthly:xlsx:zh'
export CUSTFLOW_AUTH_TOKENS_FILE=$local_dir/tokens.yaml
export CUSTFLOW_TOKEN=$admin_token
ENV
  mv "$local_dir/stack.env.tmp" "$local_dir/stack.env"
}

start_service() {
  local name=$1
  if running "$name"; then say "$name" "already running on 127.0.0.1:${grpc_port[$name]}"; return; fi
  local binary="$build_dir/services/$name/custflow-$name"
  require_binary "$binary"
  local upper=${name^^}
  # The service reads the shared addresses from stack.env and its own ports from here.
  launch "$name" env "CUSTFLOW_${upper}_GRPC_ADDRESS=127.0.0.1:${grpc_port[$name]}" \
    "CUSTFLOW_${upper}_HTTP_ADDRESS=127.0.0.1:${http_port[$name]}" \
    bash -c "source '$local_dir/stack.env' && exec '$binary'"
  wait_until "$name" 60 curl -sf "http://127.0.0.1:${http_port[$name]}/readyz"
  say "$name" "running on 127.0.0.1:${grpc_port[$name]} (gRPC), http://127.0.0.1:${http_port[$name]} (/metrics)"
}

stop() {
  local name=$1 pid
  pid=$(pid_of "$name")
  if [ -z "$pid" ]; then say "$name" "not started"; return; fi
  if ! kill -0 "$pid" 2>/dev/null; then
    rm -f "$run_dir/$name.pid"
    say "$name" "was not running"
    return
  fi
  kill -TERM "$pid"
  for _ in $(seq 1 150); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    kill -KILL "$pid"
    say "$name" "stopped (killed after 15 s)"
  else
    say "$name" "stopped"
  fi
  rm -f "$run_dir/$name.pid"
}

status() {
  local name
  for name in redis clickhouse kafka "${services[@]}"; do
    if running "$name"; then say "$name" "running (pid $(pid_of "$name"))"; else say "$name" "stopped"; fi
  done
}

case "${1:-}" in
  up)
    mkdir -p "$run_dir" "$log_dir"
    # The broker keeps its topics in memory, so a new broker starts with empty topics.
    # Redis and ClickHouse remember how far they read the old ones (applied offsets), and
    # would skip the new events at those offsets: with a new broker every store starts
    # empty too. The rule file and the written reports stay.
    if ! running kafka; then
      for s in reporting tagging profile ingest clickhouse redis; do running "$s" && stop "$s"; done
      rm -rf "$local_dir/redis" "$local_dir/clickhouse"
    fi
    start_redis
    start_clickhouse
    start_kafka
    write_tokens
    write_env
    for s in "${services[@]}"; do start_service "$s"; done
    echo "stack is up; addresses in $local_dir/stack.env"
    ;;
  down)
    for s in reporting tagging profile ingest kafka clickhouse redis; do stop "$s"; done
    ;;
  status)
    status
    ;;
  *)
    echo "usage: $0 up|down|status" >&2
    exit 2
    ;;
esac
