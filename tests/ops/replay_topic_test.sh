#!/usr/bin/env bash
# docs/operations.md "Replay a topic into ClickHouse" on the local stack: the interaction
# rows are lost (TRUNCATE) with the sink's record of them (sink_offsets), the reporting
# service restarts under a new consumer group and stores every event again, exactly once;
# a second replay over rows still stored doubles nothing. Also `custflow-reporting
# migrate` exits 0 twice on an empty database (the migration Job of a new deployment,
# run again).
#   replay_topic_test.sh BUILD_DIR
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=ops_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/ops_lib.sh"
ops_start "$1" replay-topic "${OPS_PORT_BASE:-26000}"
topic=custflow.interactions.v1

ch "CREATE DATABASE ops_fresh"
migrate() {
  CUSTFLOW_REPORTING_CLICKHOUSE_DATABASE=ops_fresh bash -c \
    "source '$CUSTFLOW_LOCAL_DIR/stack.env' && exec '$CUSTFLOW_BUILD_DIR/services/reporting/custflow-reporting' migrate"
}
migrate || ops_fail "custflow-reporting migrate failed on an empty database"
migrate || ops_fail "custflow-reporting migrate failed the second time"
[ "$(ch "SELECT count() FROM system.tables WHERE database = 'ops_fresh' AND name = 'interactions'")" = 1 ] ||
  ops_fail "migrate did not create the tables"

"$cli" demo --customers 20 --events 200 >"$CUSTFLOW_LOCAL_DIR/demo.txt"
# What the reports count: rows, distinct events and the per-customer totals.
summary() {
  ch "SELECT count(), uniqExact(event_id), uniqExact(kafka_partition, kafka_offset), sum(amount_minor) FROM interactions"
  ch "SELECT customer_id, count() FROM interactions GROUP BY customer_id ORDER BY customer_id"
}
ops_wait 60 "200 interactions in ClickHouse" interactions_stored 200
sleep 2 # a late duplicate would show now
original=$(summary)
head -n 1 <<<"$original"
[ "$(head -n 1 <<<"$original" | cut -f1-3)" = "200	200	200" ] || ops_fail "the first load is not 200 distinct rows"

# replay GROUP: restarts the reporting service reading the topics under consumer group
# GROUP from the earliest offset, and waits until it stored 200 rows again.
replay() {
  ops_stop_service reporting
  $2
  CUSTFLOW_REPORTING_GROUP=$1 ops_start_services
  ops_wait 60 "the replay under $1 stored 200 rows" interactions_stored 200
  sleep 3 # the group reads to the end of every partition; anything doubled lands now
  local now
  now=$(summary)
  [ "$now" = "$original" ] || { diff <(echo "$original") <(echo "$now") || true; ops_fail "replay under $1 changed the rows"; }
  echo "replay under $1: $(head -n 1 <<<"$now")"
}

# ALTER ... DELETE runs asynchronously on 18.16: true once the sink's record of the topic is gone.
no_sink_record() { [ "$(ch "SELECT count() FROM sink_offsets WHERE topic = '$topic'")" = 0 ]; }

# ClickHouse lost the interactions: the rows and the sink's record of them go, so the sink
# starts at the group's (new, earliest) offset.
lose_interactions() {
  ch "TRUNCATE TABLE interactions"
  ch "ALTER TABLE sink_offsets DELETE WHERE topic = '$topic'"
  ops_wait 30 "sink_offsets of $topic deleted" no_sink_record
  [ "$(ch 'SELECT count() FROM interactions')" = 0 ] || ops_fail "TRUNCATE left rows"
}
replay custflow-reporting-replay-1 lose_interactions

# Replayed again with every row still stored, and even without the sink's record: each
# message is found stored by its partition and offset and skipped.
forget_record() {
  ch "ALTER TABLE sink_offsets DELETE WHERE topic = '$topic'"
  ops_wait 30 "sink_offsets of $topic deleted" no_sink_record
}
replay custflow-reporting-replay-2 true
replay custflow-reporting-replay-3 forget_record
echo "replay topic: ok"
