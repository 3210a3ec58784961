#!/usr/bin/env bash
# The end-to-end fault suite: steady load from custflow-loadgen (stream mode, customer ids
# only) against a local stack of its own (ops_lib.sh), while faults are injected in turn at
# random moments: kill -9 of each service (restarted after 2 s by `stack.sh up`), Redis
# stopped 10 s (SIGTERM as stack.sh does, so the append-only file is complete; restarted on
# the same data folder), ClickHouse stopped 10 s and restarted, the broker frozen 10 s
# (SIGSTOP/SIGCONT: the local broker keeps its topics in memory, so restarting it would lose
# them and `stack.sh up` would then empty every store). Then the load stops, the stores
# settle, and it checks and prints:
#   - every acknowledged event is in ClickHouse `interactions` exactly once (lost, doubled);
#   - no event refused as INVALID_ARGUMENT or RESOURCE_EXHAUSTED is stored; events refused
#     otherwise (UNAVAILABLE, DEADLINE_EXCEEDED: the broker may have them) or unanswered may
#     be stored, at most once, and are counted apart;
#   - for a sample of customers, the profile's interaction count (the CLI) equals the number
#     of that customer's distinct stored events (folded exactly once);
#   - all four services answer /readyz with 200 at the end, with no manual step;
#   - no service's RSS, sampled every second, went above FAULT_SUITE_RSS_MB (default 1024).
#
# What a pass proves: under these faults, on one machine, acknowledged events were neither
# lost nor doubled by ingest, broker, sink and profile fold, and the services recovered by
# themselves. What it does not prove: anything about a real Kafka cluster (the local broker
# is an in-memory mock that is frozen, never restarted), network partitions, disk loss,
# several replicas, or faults at every moment (one random moment per fault per run).
#
# Self-test (fault_suite_detects_loss): FAULT_SUITE_SELFTEST=lose deletes a few stored rows
# of acknowledged events before the checks; the suite must then report them as lost and exit
# 2. That proves the loss check compares against what ClickHouse holds now, not that it would
# notice every kind of fault inside the services.
#
#   fault_suite_test.sh BUILD_DIR
# Settings: FAULT_SUITE_SEED (default random; printed), FAULT_SUITE_FAULTS (space-separated
# subset of the faults below, in that order instead of shuffled), FAULT_SUITE_RATE (events/s,
# default 400), FAULT_SUITE_LOADGEN (the loadgen binary, default BUILD_DIR's),
# FAULT_SUITE_RSS_MB, FAULT_SUITE_SETTLE_SECONDS (longest wait for quiescence, default 300),
# OPS_PORT_BASE, OPS_KEEP=1 (leave a failed run's stack up).
# Exit status: 0 all checks held, 2 a check failed (summary printed), 1 the run broke.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../ops/ops_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../ops/ops_lib.sh"

seed=${FAULT_SUITE_SEED:-$((RANDOM * 32768 + RANDOM))}
rate=${FAULT_SUITE_RATE:-400}
rss_bound_mb=${FAULT_SUITE_RSS_MB:-1024}
loadgen=${FAULT_SUITE_LOADGEN:-$1/tools/loadgen/custflow-loadgen}
all_faults="kill-ingest kill-profile kill-tagging kill-reporting stop-redis stop-clickhouse freeze-kafka"
services=(ingest profile tagging reporting)
RANDOM=$seed
echo "fault suite: seed $seed (FAULT_SUITE_SEED=$seed repeats the fault order and moments)"
[ -x "$loadgen" ] || ops_fail "no loadgen at $loadgen"
grep -q -- --acked-ids <<<"$("$loadgen" --help)" || ops_fail "$loadgen has no --acked-ids (rebuild it)"

ops_start "$1" "fault-suite-${FAULT_SUITE_SELFTEST:-run}" "${OPS_PORT_BASE:-28000}"
work=$CUSTFLOW_LOCAL_DIR/fault
mkdir -p "$work/load"
started=$SECONDS

load_pid=""
sampler_pid=""
# Stops what this script runs in the background (the broker is never left frozen), then
# the stack (ops_stop keeps the data of a failed run).
fault_suite_exit() {
  local status=$?
  # Clean-up goes on past any failure here; ops_stop reads the script's status from $?.
  set +e
  touch "$work/stop"
  [ -z "$load_pid" ] || { kill "$load_pid" 2>/dev/null || true; }
  [ -f "$work/loadgen.pid" ] && { kill "$(cat "$work/loadgen.pid")" 2>/dev/null || true; }
  [ -z "$sampler_pid" ] || { kill "$sampler_pid" 2>/dev/null || true; }
  [ -f "$CUSTFLOW_LOCAL_DIR/run/kafka.pid" ] && { kill -CONT "$(cat "$CUSTFLOW_LOCAL_DIR/run/kafka.pid")" 2>/dev/null || true; }
  (exit "$status")
  ops_stop
}
trap fault_suite_exit EXIT

# Back-to-back loadgen runs of 15 s, each with new event and customer ids and id files of
# its own, until $work/stop exists. The loadgen retries nothing: a run that gives up (no
# answer on several streams in a row) ends, and the next one starts.
load_loop() {
  local k=0
  while [ ! -e "$work/stop" ]; do
    k=$((k + 1))
    "$loadgen" --mode stream --rate "$rate" --batch 20 --concurrency 2 --duration 15 \
      --customers 1000 --identity-mix 0 --seed "$((seed + k))" --run "fs${seed}r$k" \
      --timeout 15 --drain-timeout 20 \
      --acked-ids "$work/load/$k.acked" --refused-ids "$work/load/$k.refused" \
      >"$work/load/$k.out" 2>"$work/load/$k.err" &
    echo $! >"$work/loadgen.pid"
    local status=0
    wait $! || status=$?
    echo "$status" >"$work/load/$k.status"
  done
  rm -f "$work/loadgen.pid"
}

# Every second, each service's resident set (kB) from /proc, one "name kB" line each.
sample_rss() {
  while [ ! -e "$work/stop" ]; do
    for name in "${services[@]}"; do
      local pid
      pid=$(cat "$CUSTFLOW_LOCAL_DIR/run/$name.pid" 2>/dev/null) || continue
      awk -v name="$name" '/^VmRSS:/ {print name, $2}' "/proc/$pid/status" 2>/dev/null || true
    done >>"$work/rss"
    sleep 1
  done
}

pid_of() { cat "$CUSTFLOW_LOCAL_DIR/run/$1.pid"; }

# stop_like_stack NAME: SIGTERM and wait, as `stack.sh down` stops it.
stop_like_stack() {
  local pid
  pid=$(pid_of "$1")
  kill -TERM "$pid"
  ops_wait 60 "$1 stopped" bash -c "! kill -0 $pid 2>/dev/null"
}

inject() {
  local pid
  case $1 in
    kill-*)
      kill -KILL "$(pid_of "${1#kill-}")"
      sleep 2
      ops_start_services
      ;;
    stop-redis | stop-clickhouse)
      stop_like_stack "${1#stop-}"
      sleep 10
      # `up` with the broker running starts only what is stopped, on the same data folder.
      ops_start_services
      ;;
    freeze-kafka)
      pid=$(pid_of kafka)
      kill -STOP "$pid"
      sleep 10
      kill -CONT "$pid"
      ;;
    *) ops_fail "unknown fault $1" ;;
  esac
}

load_loop &
load_pid=$!
sample_rss &
sampler_pid=$!

if [ -n "${FAULT_SUITE_FAULTS:-}" ]; then
  faults=$FAULT_SUITE_FAULTS
else
  # A Fisher-Yates shuffle driven by the seeded $RANDOM.
  read -r -a order <<<"$all_faults"
  for ((i = ${#order[@]} - 1; i > 0; i--)); do
    j=$((RANDOM % (i + 1)))
    tmp=${order[i]} order[i]=${order[j]} order[j]=$tmp
  done
  faults=${order[*]}
fi
injected=0
sleep 5
for fault in $faults; do
  pause=$((3 + RANDOM % 8))
  sleep "$pause"
  echo "$((SECONDS - started)) s: $fault (after $pause s of load)"
  inject "$fault"
  injected=$((injected + 1))
done
sleep 5
touch "$work/stop"
echo "$((SECONDS - started)) s: faults done, stopping the load"
wait "$load_pid" || true
load_pid=""
wait "$sampler_pid" || true
sampler_pid=""

# Quiescence: every consumer group's lag 0 (the services' custflow_consumer_lag), and the
# stored events and every archived profile's last version unchanged for 10 s (not the row
# count of profile_versions: background merges of the ReplacingMergeTree change it).
# A consumer restarted after kill -9 owns no partition until the group has rebalanced (the
# killed member's session must expire first) and then reports no lag series at all: that
# is "unassigned", not 0.
consumer_lag() {
  local i series sum=0 lag
  for i in 2 3 4; do
    lag=$(curl -sf "http://127.0.0.1:$((CUSTFLOW_PORT_BASE + 80 + i))/metrics" |
      awk '/^custflow_consumer_lag[{ ]/ {n++; sum += $2} END {print n + 0, sum + 0}') || lag="0 0"
    series=${lag% *}
    [ "$series" -gt 0 ] || { echo "unassigned"; return; }
    sum=$((sum + ${lag#* }))
  done
  echo "$sum"
}
settled() {
  echo "lag $(consumer_lag)" \
    "$(ch "SELECT count(), (SELECT sum(last) FROM (SELECT max(version) AS last FROM profile_versions GROUP BY customer_id)) FROM interactions")"
}
settle_started=$SECONDS
unsettled=0
before=""
stable_since=$SECONDS
settle_limit=${FAULT_SUITE_SETTLE_SECONDS:-300}
deadline=$((SECONDS + settle_limit))
while :; do
  now=$(settled)
  if [ "$now" != "$before" ] || [[ $now != "lag 0 "* ]]; then
    before=$now
    stable_since=$SECONDS
  elif [ $((SECONDS - stable_since)) -ge 10 ]; then
    break
  fi
  if [ $SECONDS -ge $deadline ]; then
    # The checks still run: the summary shows what the backlog left unfolded or unstored.
    echo "the stores did not settle in $settle_limit s (last: $now)"
    unsettled=1
    break
  fi
  sleep 1
done
settle_seconds=$((SECONDS - settle_started))
[ "$unsettled" = 1 ] || echo "$((SECONDS - started)) s: settled (consumer lag 0, counts stable 10 s) after $settle_seconds s"

# Self-test: a few acknowledged events disappear from ClickHouse behind the suite's back.
selftest_deleted=0
if [ "${FAULT_SUITE_SELFTEST:-}" = lose ]; then
  cat "$work"/load/*.acked | LC_ALL=C sort -u >"$work/acked_before_selftest"
  victims=$(sed -n 1,5p "$work/acked_before_selftest")
  selftest_deleted=$(wc -l <<<"$victims")
  # shellcheck disable=SC2086 # one quoted SQL string per id
  list=$(printf "'%s'," $victims)
  # This ClickHouse has no mutations_sync: wait for the mutation to finish instead.
  ch "ALTER TABLE interactions DELETE WHERE event_id IN (${list%,})" >/dev/null
  mutations_done() { [ "$(ch "SELECT count() FROM system.mutations WHERE table = 'interactions' AND is_done = 0")" = 0 ]; }
  ops_wait 60 "the self-test's delete" mutations_done
  echo "self-test: deleted the stored rows of $selftest_deleted acknowledged events"
fi

# The comparison, on sorted id files.
export LC_ALL=C
cat "$work"/load/*.acked | sort -u >"$work/acked"
cat "$work"/load/*.refused | sort -u >"$work/refused"
ch "SELECT event_id, count() FROM interactions GROUP BY event_id ORDER BY event_id FORMAT TSV" >"$work/stored_counts"
cut -f1 "$work/stored_counts" >"$work/stored"
awk -F'\t' '$2 > 1' "$work/stored_counts" >"$work/doubled"
comm -23 "$work/acked" "$work/stored" >"$work/lost"
awk '$2 == "INVALID_ARGUMENT" || $2 == "RESOURCE_EXHAUSTED" {print $1}' "$work/refused" | sort -u >"$work/refused_final"
awk '!($2 == "INVALID_ARGUMENT" || $2 == "RESOURCE_EXHAUSTED") {print $1}' "$work/refused" | sort -u >"$work/refused_ambiguous"
comm -12 "$work/refused_final" "$work/stored" >"$work/refused_final_stored"
comm -12 "$work/refused_ambiguous" "$work/stored" >"$work/refused_ambiguous_stored"
# Stored but neither acknowledged nor refused: sent events whose answer never came.
sort -u "$work/acked" "$work/refused_final" "$work/refused_ambiguous" | comm -23 "$work/stored" - >"$work/stored_unanswered"

sent=0
runs=0
gave_up=0
for out in "$work"/load/*.out; do
  runs=$((runs + 1))
  line=$(grep '^loadgen: ' "$out" || true)
  sent=$((sent + $(sed -n 's/.* sent=\([0-9]*\).*/\1/p' <<<"${line:-loadgen: sent=0}")))
  status=$(cat "${out%.out}.status")
  [ "$status" -le 1 ] || gave_up=$((gave_up + 1))
done
refused_by_code=$(cut -d' ' -f2 "$work/refused" | sort | uniq -c | awk '{printf "%s%s=%s", (NR > 1 ? " " : ""), $2, $1}')

# Folded exactly once: a seeded sample of the customers with stored events.
ch "SELECT customer_id, uniqExact(event_id) FROM interactions GROUP BY customer_id ORDER BY customer_id FORMAT TSV" \
  >"$work/stored_by_customer"
shuf -n 150 --random-source=<(yes "$seed") "$work/stored_by_customer" >"$work/profile_sample"
profiles_checked=0
: >"$work/profile_mismatches"
while IFS=$'\t' read -r customer stored_events; do
  # A customer without a profile (the CLI fails) counts as a mismatch, not as a broken run.
  folded=$("$cli" profile "$customer" 2>/dev/null | jq '[(.interactionCounts // {})[] | tonumber] | add // 0') ||
    folded=none
  profiles_checked=$((profiles_checked + 1))
  [ "$folded" = "$stored_events" ] || echo "$customer stored=$stored_events folded=$folded" >>"$work/profile_mismatches"
done <"$work/profile_sample"

ready=0
for i in 1 2 3 4; do
  code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$((CUSTFLOW_PORT_BASE + 80 + i))/readyz" || true)
  [ "$code" = 200 ] && ready=$((ready + 1))
done
rss_over=0
rss_table=""
for name in "${services[@]}"; do
  max_kb=$(awk -v name="$name" '$1 == name && $2 > max {max = $2} END {print max + 0}' "$work/rss")
  rss_table+=$(printf '  %-10s %6d MiB\n' "$name" $((max_kb / 1024)))$'\n'
  [ $((max_kb / 1024)) -le "$rss_bound_mb" ] || rss_over=$((rss_over + 1))
done

count() { wc -l <"$1" | tr -d ' '; }
cat <<SUMMARY

==== fault suite summary (seed $seed) ====
faults injected        $injected: $faults
settled after load     $settle_seconds s$([ "$unsettled" = 0 ] || echo " (NOT settled: $now)")
loadgen runs           $runs ($gave_up gave up before their end)
events sent            $sent
acknowledged           $(count "$work/acked")
refused by code        ${refused_by_code:-none}
stored (distinct ids)  $(count "$work/stored")
lost (acked, not stored)                        $(count "$work/lost")
doubled (stored more than once)                 $(count "$work/doubled")
refused INVALID_ARGUMENT/RESOURCE_EXHAUSTED, stored  $(count "$work/refused_final_stored")
refused otherwise (ambiguous), stored           $(count "$work/refused_ambiguous_stored") of $(count "$work/refused_ambiguous")
unanswered, stored                              $(count "$work/stored_unanswered")
profiles checked       $profiles_checked, mismatched $(count "$work/profile_mismatches")
services ready         $ready of 4
max RSS (bound $rss_bound_mb MiB)
${rss_table}wall time              $((SECONDS - started)) s
SUMMARY

failed=0
check() {
  if [ "$1" -ne 0 ]; then
    echo "CHECK FAILED: $2" >&2
    failed=1
  fi
}
check "$(count "$work/lost")" "acknowledged events not stored (first: $(head -n 3 "$work/lost" | paste -sd' '))"
check "$(count "$work/doubled")" "events stored more than once (first: $(head -n 3 "$work/doubled" | paste -sd' '))"
check "$(count "$work/refused_final_stored")" "events refused for good were stored"
check "$(count "$work/profile_mismatches")" "profiles disagree with the stored events: $(head -n 3 "$work/profile_mismatches" | paste -sd' ')"
check "$unsettled" "the stores did not settle (consumer lag 0, counts stable) within $settle_limit s: $now"
check $((4 - ready)) "only $ready of 4 services ready at the end"
check "$rss_over" "a service went over $rss_bound_mb MiB"
[ "$(count "$work/acked")" -gt 0 ] || check 1 "nothing was acknowledged"
[ "$injected" -gt 0 ] || check 1 "no fault was injected"
if [ "$failed" -ne 0 ]; then exit 2; fi
echo "fault suite: all checks held"
