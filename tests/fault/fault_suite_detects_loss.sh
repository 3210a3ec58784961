#!/usr/bin/env bash
# The fault suite's self-test: a short run (one fault) with FAULT_SUITE_SELFTEST=lose, which
# deletes the stored rows of five acknowledged events before the checks. Passes only when
# the suite exits 2 (a check failed, not a broken run) and reports at least those five as
# lost. It shows the loss check can fail; it says nothing about faults inside the services.
#   fault_suite_detects_loss.sh BUILD_DIR
set -euo pipefail
suite="$(dirname "${BASH_SOURCE[0]}")/fault_suite_test.sh"
status=0
output=$(FAULT_SUITE_SELFTEST=lose FAULT_SUITE_FAULTS=${FAULT_SUITE_FAULTS:-kill-reporting} \
  FAULT_SUITE_SETTLE_SECONDS=${FAULT_SUITE_SETTLE_SECONDS:-120} "$suite" "$1" 2>&1) ||
  status=$?
echo "$output"
[ "$status" -eq 2 ] || { echo "FAIL: the suite exited $status, expected 2 (a failed check)"; exit 1; }
lost=$(sed -n 's/^lost (acked, not stored) *\([0-9]*\)$/\1/p' <<<"$output")
if [ -z "$lost" ] || [ "$lost" -lt 5 ]; then
  echo "FAIL: the suite reported '${lost:-nothing}' lost, expected at least 5"
  exit 1
fi
grep -q '^CHECK FAILED: acknowledged events not stored' <<<"$output" ||
  { echo "FAIL: the suite did not name the lost events as the failed check"; exit 1; }
echo "fault suite self-test: the $lost deleted events were reported lost"
