#!/usr/bin/env bash
# The README's demo path on its own data folder and ports: stack.sh up (twice: the second
# must find everything running), the CLI demo, the master-data commands (import, search,
# follow-up, quality, duplicates), status, and down (which must stop every process it
# started).
#   stack_demo_test.sh BUILD_DIR
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export CUSTFLOW_BUILD_DIR=$1
export CUSTFLOW_LOCAL_DIR
CUSTFLOW_LOCAL_DIR=$(mktemp -d "${TMPDIR:-/tmp}/custflow-stack-XXXXXX")
export CUSTFLOW_PORT_BASE=$((21000 + RANDOM % 30000))
stack="$repo/deploy/local/stack.sh"
trap '"$stack" down >/dev/null 2>&1 || true; rm -rf "$CUSTFLOW_LOCAL_DIR"' EXIT

"$stack" up
second=$("$stack" up)
echo "$second"
[ "$(grep -c 'already running' <<<"$second")" -eq 7 ] || { echo "FAIL: a second up restarted something"; exit 1; }

# shellcheck disable=SC1091
source "$CUSTFLOW_LOCAL_DIR/stack.env"
cli="$CUSTFLOW_BUILD_DIR/tools/custflow/custflow"
"$cli" demo --customers 30 --events 300

# Master data through the CLI: the import template, then search, a follow-up, the
# quality report and duplicates over what is stored.
"$cli" import "$repo/deploy/templates/customer_import_template.csv"
found=""
for _ in $(seq 1 100); do
  found=$("$cli" search --province 广东省 --text 前海)
  grep -q '^C0001 ' <<<"$found" && break
  sleep 0.1
done
echo "$found"
grep -q '^C0001 ' <<<"$found" || { echo "FAIL: the imported customer is not found by search"; exit 1; }
followed=$("$cli" follow-up C0001 --content "电话回访" --stage 需求确认 --agent 王芳)
echo "$followed"
grep -q "has 1 follow-ups, stage '需求确认'" <<<"$followed" || { echo "FAIL: follow-up not applied"; exit 1; }
"$cli" quality | tee "$CUSTFLOW_LOCAL_DIR/quality.txt"
grep -q "customers;" "$CUSTFLOW_LOCAL_DIR/quality.txt" || { echo "FAIL: quality report"; exit 1; }
"$cli" duplicates --rule phone

pids=$(cat "$CUSTFLOW_LOCAL_DIR"/run/*.pid)
"$stack" down
for pid in $pids; do
  if kill -0 "$pid" 2>/dev/null; then echo "FAIL: pid $pid still running after down"; exit 1; fi
done
[ "$("$stack" status | grep -c stopped)" -eq 7 ] || { echo "FAIL: status after down"; exit 1; }
echo "stack demo: ok"
