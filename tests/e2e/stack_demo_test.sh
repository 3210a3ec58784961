#!/usr/bin/env bash
# The README's demo path on its own data folder and ports: stack.sh up (twice: the second
# must find everything running), the CLI demo, the master-data commands (import, audit, search,
# follow-up, quality, duplicates, erase), the tag commands over the default rules (rules, explain,
# distribution by tag, segment, history, reload, sweep, validate), status, and down (which must
# stop every process it started).
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
"$cli" demo --customers 30 --events 300 | tee "$CUSTFLOW_LOCAL_DIR/demo.txt"
run=$(sed -n 's/^upserted [0-9]* customers (run \(.*\))$/\1/p' "$CUSTFLOW_LOCAL_DIR/demo.txt")
[ -n "$run" ] || { echo "FAIL: the demo did not name its run"; exit 1; }

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
# The import is audited: C0001's fields name the CLI's principal and the imported file.
audit=""
for _ in $(seq 1 100); do
  audit=$("$cli" audit --customer C0001 --limit 20)
  grep -Eq ' admin +ImportCustomers:customer_import_template.csv ' <<<"$audit" && break
  sleep 0.2
done
echo "$audit"
grep -Eq ' admin +ImportCustomers:customer_import_template.csv ' <<<"$audit" ||
  { echo "FAIL: the import is not in the audit log"; exit 1; }
followed=$("$cli" follow-up C0001 --content "电话回访" --stage 需求确认 --agent 王芳)
echo "$followed"
grep -q "has 1 follow-ups, stage '需求确认'" <<<"$followed" || { echo "FAIL: follow-up not applied"; exit 1; }
"$cli" quality | tee "$CUSTFLOW_LOCAL_DIR/quality.txt"
grep -q "customers;" "$CUSTFLOW_LOCAL_DIR/quality.txt" || { echo "FAIL: quality report"; exit 1; }
"$cli" duplicates --rule phone
# Erasure: C0001's phone leaves its profile, and the erase itself is audited.
erased=$("$cli" erase C0001)
echo "$erased"
grep -q '^erased C0001: ' <<<"$erased" || { echo "FAIL: erase"; exit 1; }
profile_after=$("$cli" profile C0001)
if grep -q '13800138000' <<<"$profile_after"; then echo "FAIL: the erased phone is still in the profile"; exit 1; fi
audit=""
for _ in $(seq 1 100); do
  audit=$("$cli" audit --customer C0001 --limit 50)
  grep -Eq ' admin +EraseCustomer +contact_phone: ' <<<"$audit" && break
  sleep 0.2
done
grep -Eq ' admin +EraseCustomer +contact_phone: ' <<<"$audit" || { echo "FAIL: the erase is not audited"; exit 1; }

# Tags: the tagging service tags the demo customers by the default rules (every customer
# gets one lifecycle tag), explains them, and serves segments, history and sweeps.
customer="$run-c0"
for _ in $(seq 1 300); do
  grep -q '"lifecycle:' <<<"$("$cli" profile "$customer")" && break
  sleep 0.2
done
"$cli" profile "$customer" | tee "$CUSTFLOW_LOCAL_DIR/profile.txt"
grep -q '"lifecycle:' "$CUSTFLOW_LOCAL_DIR/profile.txt" || { echo "FAIL: $customer has no lifecycle tag"; exit 1; }
"$cli" tags rules | tee "$CUSTFLOW_LOCAL_DIR/rules.txt"
grep -q '^lifecycle-potential@[0-9]* *lifecycle:potential ' "$CUSTFLOW_LOCAL_DIR/rules.txt" ||
  { echo "FAIL: tags rules does not list the lifecycle rules"; exit 1; }
grep -q '^customer-grade@[0-9]* -> grade:<grade>' "$CUSTFLOW_LOCAL_DIR/rules.txt" ||
  { echo "FAIL: tags rules does not list the scores"; exit 1; }
"$cli" tags explain "$customer" | tee "$CUSTFLOW_LOCAL_DIR/explain.txt"
grep -q '^  applied  *lifecycle:' "$CUSTFLOW_LOCAL_DIR/explain.txt" ||
  { echo "FAIL: tags explain shows no applied lifecycle rule"; exit 1; }
grep -q '^tags by the rules: .*lifecycle:' "$CUSTFLOW_LOCAL_DIR/explain.txt" ||
  { echo "FAIL: tags explain shows no final tags"; exit 1; }
by_tag=""
for _ in $(seq 1 150); do
  by_tag=$("$cli" distribution --by tag)
  grep -q '^lifecycle:' <<<"$by_tag" && break
  sleep 0.2
done
echo "$by_tag"
grep -q '^lifecycle:' <<<"$by_tag" || { echo "FAIL: distribution --by tag shows no lifecycle row"; exit 1; }
lifecycle='lifecycle:loyal or lifecycle:potential or lifecycle:marginal or lifecycle:lost'
"$cli" tags segment "$lifecycle" --all --page-size 7 >"$CUSTFLOW_LOCAL_DIR/segment.txt"
grep -qx "$customer" "$CUSTFLOW_LOCAL_DIR/segment.txt" ||
  { echo "FAIL: tags segment does not return $customer"; exit 1; }
"$cli" tags segment 'not (' && { echo "FAIL: a bad segment expression was accepted"; exit 1; }
"$cli" tags history "$customer" --limit 5
reloaded=$("$cli" tags reload)
echo "$reloaded"
grep -q '^rule set .* in force: ' <<<"$reloaded" || { echo "FAIL: tags reload"; exit 1; }
# A rule added to the stack's rule file is in force after SIGHUP, and the sweep that
# follows a rule change gives every customer its tag.
printf '  - id: e2e-everyone\n    tag: e2e:everyone\n    when: "true"\n' >>"$CUSTFLOW_LOCAL_DIR/rules.yaml"
kill -HUP "$(cat "$CUSTFLOW_LOCAL_DIR/run/tagging.pid")"
rules=""
for _ in $(seq 1 100); do
  rules=$("$cli" tags rules)
  grep -q '^e2e-everyone@' <<<"$rules" && break
  sleep 0.2
done
grep -q '^e2e-everyone@' <<<"$rules" || { echo "FAIL: SIGHUP did not reload the rule file"; exit 1; }
profile=""
for _ in $(seq 1 150); do
  profile=$("$cli" profile "$customer")
  grep -q '"e2e:everyone"' <<<"$profile" && break
  sleep 0.2
done
grep -q '"e2e:everyone"' <<<"$profile" || { echo "FAIL: the rule change was not swept"; exit 1; }
swept=$("$cli" tags sweep)
echo "$swept"
grep -q '^sweep done with rule set .*customers evaluated' <<<"$swept" || { echo "FAIL: tags sweep"; exit 1; }
"$cli" tags validate "$repo/data/rules/default.yaml" --dry-run
printf 'version: "broken"\nrules:\n  - id: a\n    tag: value:x\n    when: order_count >\n' \
  >"$CUSTFLOW_LOCAL_DIR/broken.yaml"
if "$cli" tags validate "$CUSTFLOW_LOCAL_DIR/broken.yaml" 2>"$CUSTFLOW_LOCAL_DIR/validate.txt"; then
  echo "FAIL: tags validate accepted a broken rule file"
  exit 1
fi
cat "$CUSTFLOW_LOCAL_DIR/validate.txt"
grep -q "broken.yaml:5:[0-9]*: " "$CUSTFLOW_LOCAL_DIR/validate.txt" ||
  { echo "FAIL: tags validate does not name file and line"; exit 1; }

pids=$(cat "$CUSTFLOW_LOCAL_DIR"/run/*.pid)
"$stack" down
for pid in $pids; do
  if kill -0 "$pid" 2>/dev/null; then echo "FAIL: pid $pid still running after down"; exit 1; fi
done
[ "$("$stack" status | grep -c stopped)" -eq 7 ] || { echo "FAIL: status after down"; exit 1; }
echo "stack demo: ok"
