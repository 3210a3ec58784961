#!/usr/bin/env bash
# Tagging benchmarks against the targets of the tagging issue:
#   1. the default rule set evaluated over in-memory synthetic profiles on one thread:
#      at least 200,000 profiles/s per core (CPU time of the evaluating thread);
#   2. a full sweep end to end: profiles read from Redis (profile store layout), evaluated,
#      and a set-tags command published per changed customer to the local Kafka-protocol
#      broker (acks=all, every delivery awaited): under 120 s for 1,000,000 profiles.
#
#   tests/bench/tagging_bench.sh [BUILD_DIR]      (a RelWithDebInfo or Release build)
#
# Environment: PROFILES (default 1000000) for both, PASSES (3) for the evaluation, TAGGED
# (0) the share of profiles stored already carrying what the rules give them. Builds
# nothing; starts and stops its own broker and Redis. With TAGGED=0 the profiles are new
# to the rules, so the sweep publishes a command for every one of them (the worst case).
# The mock broker keeps only the last few MB of each partition; nothing reads the
# commands back, so that is fine. Redis holds about 1 KB per profile.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build_dir=${1:-$repo/build}
profiles=${PROFILES:-1000000}
passes=${PASSES:-3}
tagged=${TAGGED:-0}
bench=$build_dir/tools/loadgen/custflow-tagging-bench

source "$repo/tests/bench/bench_lib.sh"
start_broker custflow.commands.v1
start_redis
broker_pid=${pids[0]} redis_pid=${pids[1]}

# 1. Evaluation over in-memory profiles.
"$bench" evaluate --profiles "$profiles" --passes "$passes" | tee "$work/evaluate.txt"
evaluate_line=$(grep '^tagging-bench evaluate:' "$work/evaluate.txt")
cpu_rate=$(echo "$evaluate_line" | field cpu_rate)
wall_rate=$(echo "$evaluate_line" | field wall_rate)
cpu_ns=$(echo "$evaluate_line" | field cpu_ns)

# 2. Full sweep: load Redis, then one Tagger::Sweep. CPU of Redis and the broker is read
# around the whole run (loading included); the bench's own is measured over the sweep.
sweep_cpu0=("$(cpu_seconds "$redis_pid")" "$(cpu_seconds "$broker_pid")")
"$bench" sweep --profiles "$profiles" --redis "127.0.0.1:$redis_port" --brokers "$CUSTFLOW_KAFKA_BROKERS" \
  --tagged "$tagged" |
  tee "$work/sweep.txt"
sweep_line=$(grep '^tagging-bench sweep:' "$work/sweep.txt")
sweep_seconds=$(echo "$sweep_line" | field seconds)
sweep_rate=$(echo "$sweep_line" | field rate)
sweep_changed=$(echo "$sweep_line" | field changed)
sweep_cpu=$(echo "$sweep_line" | field cpu_seconds)
others_cpu=$(printf 'redis %.1f s, broker %.1f s (loading included)' \
  "$(calc "$(cpu_seconds "$redis_pid") - ${sweep_cpu0[0]}")" "$(calc "$(cpu_seconds "$broker_pid") - ${sweep_cpu0[1]}")")
redis_memory=$(redis-cli -p "$redis_port" info memory | sed -n 's/^used_memory_human:\(.*\)\r$/\1/p')

verdict() { awk -v ok="$1" 'BEGIN { print (ok ? "met" : "MISSED") }'; }
printf '\ntagging benchmark: %s, %d cores; %d profiles, default rules\n' "$(uname -m)" "$(nproc)" "$profiles"
printf '%-58s %14s %14s %8s\n' "measure" "value" "target" "verdict"
printf '%-58s %14.0f %14s %8s\n' "evaluate: profiles/s per core (CPU time, best of $passes)" "$cpu_rate" ">= 200000" \
  "$(verdict "$(calc "($cpu_rate >= 200000)")")"
printf '%-58s %14.2f %14s %8s\n' "sweep: seconds (read + evaluate + publish)" "$sweep_seconds" "< 120" \
  "$(verdict "$(calc "($sweep_seconds < 120)")")"
printf '\nevaluate: %s ns/profile CPU; %s profiles/s wall (one thread; the machine may be shared)\n' \
  "$cpu_ns" "$wall_rate"
printf 'sweep: %s profiles/s, %s commands published, bench CPU %s s; %s; Redis used %s\n' \
  "$sweep_rate" "$sweep_changed" "$sweep_cpu" "$others_cpu" "$redis_memory"
