#!/usr/bin/env bash
# The demo: installs what is missing, builds, starts the local stack (Redis, ClickHouse,
# the Kafka-protocol broker and the four services), streams sample call-center and web
# events through it and prints the customer distribution by province; then imports the
# customer template file and shows a search and the data quality report.
# The stack keeps running afterwards; stop it with: deploy/local/stack.sh down
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build_dir=${CUSTFLOW_BUILD_DIR:-$repo/build}
local_dir=${CUSTFLOW_LOCAL_DIR:-$repo/.local}

bash "$repo/deploy/local/build.sh"
"$repo/deploy/local/stack.sh" up
# shellcheck disable=SC1091
source "$local_dir/stack.env"
cli="$build_dir/tools/custflow/custflow"
"$cli" demo "$@"
echo
echo "== import of deploy/templates/customer_import_template.csv"
"$cli" import "$repo/deploy/templates/customer_import_template.csv"
echo
echo "== potential customers in 广东省 (the first page)"
"$cli" search --province 广东省 --type potential --limit 10
echo
echo "== data quality"
"$cli" quality | sed -n 1,12p
echo
echo "The stack is still running: try '$cli distribution --by industry' or '$cli' for every command"
echo "(after 'source $local_dir/stack.env'); stop it with: deploy/local/stack.sh down"
