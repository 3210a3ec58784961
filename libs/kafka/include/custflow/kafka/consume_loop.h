// The loop every custflow consumer runs: poll a batch, hand it to the service until the
// service has stored its effects (retrying with backoff, never skipping), then commit.
// Offsets are committed only after the effects are stored, so a crash re-delivers what
// was not committed and the service's idempotent effects make that harmless.
#pragma once

#include <algorithm>
#include <chrono>
#include <functional>
#include <span>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "custflow/kafka/consumer.h"
#include "custflow/kafka/message.h"

namespace custflow::kafka {

struct ConsumeLoopOptions {
  size_t max_batch = 5000;
  std::chrono::milliseconds poll_timeout{100};
  std::chrono::milliseconds first_backoff{100};
  std::chrono::milliseconds max_backoff{5000};
};

// Runs until `wait_for_stop(d)` returns true (it waits up to d for a stop request; a zero
// d just asks). Returns the consumer's fatal error, or OK after a requested stop. When a
// stop comes while a batch is being retried, the batch is left uncommitted.
// `on_retry` hears every failed attempt (for logs and metrics).
inline absl::Status RunConsumeLoop(Consumer& consumer, const ConsumeLoopOptions& options,
                                   const std::function<absl::Status(std::span<const Message>)>& handle,
                                   const std::function<bool(std::chrono::milliseconds)>& wait_for_stop,
                                   const std::function<void(const absl::Status&)>& on_retry) {
  while (!wait_for_stop(std::chrono::milliseconds(0))) {
    absl::StatusOr<std::vector<Message>> batch = consumer.Poll(options.max_batch, options.poll_timeout);
    if (!batch.ok()) return batch.status();
    if (batch->empty()) continue;
    std::chrono::milliseconds backoff = options.first_backoff;
    for (absl::Status handled = handle(*batch); !handled.ok(); handled = handle(*batch)) {
      on_retry(handled);
      if (wait_for_stop(backoff)) return absl::OkStatus();
      backoff = std::min(backoff * 2, options.max_backoff);
    }
    if (absl::Status committed = consumer.Commit(NextOffsets(*batch)); !committed.ok()) {
      // A rebalance moved the partitions: the next owner resumes from stored effects.
      on_retry(committed);
    }
  }
  return absl::OkStatus();
}

}  // namespace custflow::kafka
