#!/usr/bin/env bash
# The demo: installs what is missing, builds, starts the local stack (Redis, ClickHouse,
# the Kafka-protocol broker and the four services), streams sample call-center and web
# events through it and prints the customer distribution by province; then imports the
# customer template file and shows a search and the data quality report; then, once the
# tagging service has tagged the demo customers, why one customer has its tags, the
# distribution by tag and a segment.
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
demo_output=$(mktemp)
trap 'rm -f "$demo_output"' EXIT
"$cli" demo "$@" | tee "$demo_output"
run=$(sed -n 's/^upserted \([0-9]*\) customers (run \(.*\))$/\2/p' "$demo_output")
customers=$(sed -n 's/^upserted \([0-9]*\) customers (run \(.*\))$/\1/p' "$demo_output")
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
# Every customer gets exactly one lifecycle tag, so the run is tagged when all its
# customers are in this segment.
lifecycle='lifecycle:loyal or lifecycle:potential or lifecycle:marginal or lifecycle:lost'
echo "== waiting for the tagging service to tag the $customers customers of run $run"
for _ in $(seq 1 120); do
  tagged=$("$cli" tags segment "$lifecycle" --all 2>/dev/null | grep -c "^$run-c" || true)
  [ "$tagged" -ge "$customers" ] && break
  sleep 0.5
done
echo "$tagged of $customers tagged"
echo
echo "== why $run-c0 has its tags (rules that hold)"
"$cli" tags explain "$run-c0" --matched
echo
echo "== customer distribution by tag (lifecycle, value and grade)"
"$cli" distribution --by tag | grep -E '^(value +customers|lifecycle:|value:|grade:|total)'
echo
echo "== segment 'value:high or value:medium' (the first 10 ids)"
"$cli" tags segment 'value:high or value:medium' --page-size 10
echo
echo "== this month's customer overview as a PDF and an XLSX workbook with charts"
mkdir -p "$local_dir/reports"
today=$(date -u +%F)
"$cli" report overview --period "$today" --lang zh --out "$local_dir/reports/overview-$today-zh.pdf"
"$cli" report overview --period "$today" --out "$local_dir/reports/overview-$today-en.xlsx"
echo "(scheduled reports land in $local_dir/reports too: CUSTFLOW_REPORTING_REPORT_SCHEDULE in $local_dir/stack.env)"
echo
echo "The stack is still running: try '$cli tags rules', '$cli distribution --by industry' or '$cli'"
echo "for every command (after 'source $local_dir/stack.env'); stop it with: deploy/local/stack.sh down"
