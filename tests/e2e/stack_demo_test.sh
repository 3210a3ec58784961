#!/usr/bin/env bash
# The README's demo path on its own data folder and ports: stack.sh up (twice: the second
# must find everything running), the CLI demo, status, and down (which must stop every
# process it started).
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
"$CUSTFLOW_BUILD_DIR/tools/custflow/custflow" demo --customers 30 --events 300

pids=$(cat "$CUSTFLOW_LOCAL_DIR"/run/*.pid)
"$stack" down
for pid in $pids; do
  if kill -0 "$pid" 2>/dev/null; then echo "FAIL: pid $pid still running after down"; exit 1; fi
done
[ "$("$stack" status | grep -c stopped)" -eq 7 ] || { echo "FAIL: status after down"; exit 1; }
echo "stack demo: ok"
