#!/usr/bin/env bash
# docs/operations.md "Rebuild Redis" on the local stack: profiles and events are loaded and
# archived, Redis is wiped (FLUSHALL), the profile service is stopped, `custflow-profile
# rebuild` restores Redis from ClickHouse, and the restarted service serves the same
# profiles and still applies new changes.
#   rebuild_redis_test.sh BUILD_DIR
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=ops_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/ops_lib.sh"
ops_start "$1" rebuild-redis "${OPS_PORT_BASE:-25000}"

"$cli" demo --customers 20 --events 200 >"$CUSTFLOW_LOCAL_DIR/demo.txt"
ops_wait 60 "200 interactions in ClickHouse" interactions_stored 200
ops_settle

mkdir -p "$CUSTFLOW_LOCAL_DIR/before" "$CUSTFLOW_LOCAL_DIR/after"
customers=$(redis_customers)
[ "$(wc -l <<<"$customers")" -eq 20 ] || ops_fail "expected 20 profiles in Redis, found: $customers"
for id in $customers; do profile_json "$id" >"$CUSTFLOW_LOCAL_DIR/before/$id"; done

# Redis loses everything; the appliers stop before the rebuild (its precondition).
rcli flushall >/dev/null
ops_stop_service profile
[ -z "$(redis_customers)" ] || ops_fail "Redis still holds profiles after FLUSHALL"
rebuilt=$(bash -c "source '$CUSTFLOW_LOCAL_DIR/stack.env' && exec '$CUSTFLOW_BUILD_DIR/services/profile/custflow-profile' rebuild" 2>&1)
echo "$rebuilt"
[ "$(rcli exists cf:complete)" = 1 ] || ops_fail "the rebuild did not mark Redis complete"
[ "$(redis_customers)" = "$customers" ] || ops_fail "the rebuild restored other customers than Redis had"
ops_start_services

# New interactions are still folded (the appliers resumed after the restored offsets).
# First, since the demo checks how the report changes while it runs.
"$cli" demo --customers 3 --events 30 >"$CUSTFLOW_LOCAL_DIR/demo2.txt"
ops_wait 60 "230 interactions in ClickHouse" interactions_stored 230
profiles_in_redis() { [ "$(redis_customers | wc -l)" = "$1" ]; }
ops_wait 60 "23 profiles in Redis" profiles_in_redis 23

# A change after the rebuild is applied on top of the restored profile.
followed=$(echo "$customers" | head -n 1)
count=$(jq -r '.followUpCount // "0"' "$CUSTFLOW_LOCAL_DIR/before/$followed")
"$cli" follow-up "$followed" --content "回访：重建后" --agent 王芳 | tee "$CUSTFLOW_LOCAL_DIR/follow-up.txt"
grep -q "now has $((count + 1)) follow-ups" "$CUSTFLOW_LOCAL_DIR/follow-up.txt" ||
  ops_fail "the follow-up after the rebuild was not applied on top of the restored $followed"

# Every other restored profile is served exactly as before the wipe.
for id in $customers; do
  [ "$id" = "$followed" ] && continue
  profile_json "$id" >"$CUSTFLOW_LOCAL_DIR/after/$id"
  diff -u "$CUSTFLOW_LOCAL_DIR/before/$id" "$CUSTFLOW_LOCAL_DIR/after/$id" || ops_fail "profile $id changed by the rebuild"
done
echo "rebuild redis: ok"
