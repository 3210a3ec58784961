#!/usr/bin/env bash
# The demo: installs what is missing, builds, starts the local stack (Redis, ClickHouse,
# the Kafka-protocol broker and the four services), streams sample call-center and web
# events through it and prints the customer distribution by province.
# The stack keeps running afterwards; stop it with: deploy/local/stack.sh down
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build_dir=${CUSTFLOW_BUILD_DIR:-$repo/build}
local_dir=${CUSTFLOW_LOCAL_DIR:-$repo/.local}

bash "$repo/deploy/local/build.sh"
"$repo/deploy/local/stack.sh" up
# shellcheck disable=SC1091
source "$local_dir/stack.env"
"$build_dir/tools/custflow/custflow" demo "$@"
echo
echo "The stack is still running: try '$build_dir/tools/custflow/custflow distribution --by industry'"
echo "(after 'source $local_dir/stack.env'); stop it with: deploy/local/stack.sh down"
