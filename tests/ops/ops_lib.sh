#!/usr/bin/env bash
# Shared by the tests of docs/operations.md's local procedures: a stack of its own (data
# folder under the build directory, its own ports) that is always stopped, waiting,
# ClickHouse and Redis queries, and starting or stopping one service of the stack.
#   source ops_lib.sh; ops_start BUILD_DIR NAME PORT_BASE
set -euo pipefail

ops_repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
ops_stack="$ops_repo/deploy/local/stack.sh"

ops_fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# ops_start BUILD_DIR NAME PORT_BASE: starts the stack with the binaries of BUILD_DIR, its
# data in BUILD_DIR/ops/NAME (OPS_DATA_DIR/NAME when set), on ports from PORT_BASE
# (stack.sh's layout), and stops it when the script exits; after a failure the data folder
# stays, with the logs. Sets stack.env's variables, `cli` (the CLI) and `redis_port`.
ops_start() {
  command -v jq >/dev/null || ops_fail "jq is needed (apt-get install jq)"
  export CUSTFLOW_BUILD_DIR=$1
  export CUSTFLOW_LOCAL_DIR="${OPS_DATA_DIR:-$1/ops}/$2"
  export CUSTFLOW_PORT_BASE=$3
  rm -rf "$CUSTFLOW_LOCAL_DIR"
  mkdir -p "$CUSTFLOW_LOCAL_DIR"
  trap ops_stop EXIT
  ops_started=$SECONDS
  "$ops_stack" up
  # shellcheck disable=SC1091
  source "$CUSTFLOW_LOCAL_DIR/stack.env"
  cli="$CUSTFLOW_BUILD_DIR/tools/custflow/custflow"
  redis_port=$((CUSTFLOW_PORT_BASE + 379))
}

ops_stop() {
  local status=$?
  # OPS_KEEP=1 leaves a failed run's stack up to look at (stack.sh down when done).
  if [ "$status" -ne 0 ] && [ "${OPS_KEEP:-0}" = 1 ]; then
    echo "stack kept up: CUSTFLOW_LOCAL_DIR=$CUSTFLOW_LOCAL_DIR CUSTFLOW_PORT_BASE=$CUSTFLOW_PORT_BASE" >&2
    return
  fi
  "$ops_stack" down >/dev/null 2>&1 || true
  if [ "$status" -eq 0 ]; then
    rm -rf "$CUSTFLOW_LOCAL_DIR"
    echo "ok in $((SECONDS - ops_started)) s"
  else
    echo "data and logs kept in $CUSTFLOW_LOCAL_DIR" >&2
  fi
}

# ops_wait SECONDS WHAT COMMAND...: polls COMMAND until it succeeds, or fails naming WHAT.
ops_wait() {
  local seconds=$1 what=$2
  shift 2
  local deadline=$((SECONDS + seconds))
  until "$@"; do
    [ $SECONDS -lt $deadline ] || ops_fail "$what: not reached after ${seconds}s"
    sleep 0.5
  done
}

# ch SQL: runs SQL on the stack's ClickHouse and prints the answer (TSV); fails on an error.
ch() {
  curl -sS --fail-with-body "$CUSTFLOW_CLICKHOUSE_URL/" --data-binary "$1" || ops_fail "ClickHouse: $1"
}

rcli() { redis-cli -p "$redis_port" "$@"; }

# interactions_stored N: true when ClickHouse holds N interaction rows.
interactions_stored() { [ "$(ch 'SELECT count() FROM interactions')" = "$1" ]; }

# ops_stop_service NAME: stops one service of the stack as stack.sh does (SIGTERM, drain).
ops_stop_service() {
  local pid_file="$CUSTFLOW_LOCAL_DIR/run/$1.pid" pid
  pid=$(cat "$pid_file")
  kill -TERM "$pid"
  ops_wait 30 "$1 stopped" bash -c "! kill -0 $pid 2>/dev/null"
  rm -f "$pid_file"
}

# ops_start_services: starts whatever service is stopped (`stack.sh up` with the broker
# running keeps every store); the caller's environment reaches the services.
ops_start_services() { "$ops_stack" up >/dev/null; }

# profile_json ID: the profile as the CLI serves it, keys sorted (protobuf maps print in
# no fixed order), for comparing.
profile_json() { "$cli" profile "$1" | jq -S .; }

# The customer ids with a profile in Redis, sorted.
redis_customers() { rcli --scan --pattern 'cf:profile:*' | sed 's/^cf:profile://' | LC_ALL=C sort; }

# True when every profile in Redis is archived in ClickHouse at the version Redis holds,
# i.e. the sink has caught up with custflow.profiles.v1.
profiles_archived() {
  local id redis_versions archived
  redis_versions=$(for id in $(redis_customers); do echo "$id	$(rcli hget "cf:profile:$id" v)"; done)
  archived=$(ch "SELECT customer_id, max(version) FROM profile_versions GROUP BY customer_id ORDER BY customer_id")
  [ -n "$redis_versions" ] && [ "$redis_versions" = "$archived" ]
}

# ops_settle: waits until the profiles stop changing (the tagging loop has settled) and
# the archive holds each one's last version.
ops_settle() {
  local before=""
  local deadline=$((SECONDS + 60))
  while :; do
    [ $SECONDS -lt $deadline ] || ops_fail "profiles did not settle in 60s"
    if profiles_archived; then
      local now
      now=$(ch "SELECT customer_id, max(version) FROM profile_versions GROUP BY customer_id ORDER BY customer_id")
      [ "$now" = "$before" ] && return 0
      before=$now
    fi
    sleep 1.5
  done
}
