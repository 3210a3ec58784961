// The loop every custflow consumer runs: poll a batch, hand it to the service until the
// service has stored its effects (retrying with backoff, never skipping), then commit.
// Offsets are committed only after the effects are stored, so a crash re-delivers what
// was not committed and the service's idempotent effects make that harmless.
#pragma once

#include <algorithm>
#include <chrono>
#include <functional>
#include <mutex>
#include <span>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "custflow/kafka/consumer.h"
#include "custflow/kafka/message.h"

namespace custflow::kafka {

// Which step the consume loop is in and since when, for a watchdog on another thread: a
// step that never returns (a commit waiting on a coordinator that never answers, a store
// call hung in a dependency) stops a consumer without any error to log, and only this
// shows it.
class ConsumeLoopActivity {
 public:
  using Clock = std::chrono::steady_clock;
  enum class Step { kStarting, kPolling, kHandling, kBackingOff, kCommitting };

  void Enter(Step step) {
    std::lock_guard lock(mutex_);
    step_ = step;
    since_ = Clock::now();
  }

  struct Snapshot {
    Step step;
    Clock::duration running;  // how long the step has been running
  };
  Snapshot Read() const {
    std::lock_guard lock(mutex_);
    return {step_, Clock::now() - since_};
  }

  static std::string_view StepName(Step step) {
    switch (step) {
      case Step::kStarting:
        return "starting";
      case Step::kPolling:
        return "polling";
      case Step::kHandling:
        return "storing a batch";
      case Step::kBackingOff:
        return "backing off before a retry";
      case Step::kCommitting:
        return "committing offsets";
    }
    return "unknown";
  }

 private:
  mutable std::mutex mutex_;
  Step step_ = Step::kStarting;
  Clock::time_point since_ = Clock::now();
};

struct ConsumeLoopOptions {
  size_t max_batch = 5000;
  std::chrono::milliseconds poll_timeout{100};
  std::chrono::milliseconds first_backoff{100};
  std::chrono::milliseconds max_backoff{5000};
  // When set, told of every step the loop enters.
  ConsumeLoopActivity* activity = nullptr;
  // For a watchdog of `activity` (runtime::ServeWithConsumer): a step running longer than
  // `slow_step` is logged, one past `stuck_step` makes the service report itself not alive.
  // No healthy step comes near the latter: a poll returns within poll_timeout, an attempt
  // to store a batch is bounded by the stores' request timeouts (each retry is a step of
  // its own), a commit is one broker round trip.
  std::chrono::milliseconds slow_step{std::chrono::seconds(30)};
  std::chrono::milliseconds stuck_step{std::chrono::minutes(5)};
};

// Runs until `wait_for_stop(d)` returns true (it waits up to d for a stop request; a zero
// d just asks). Returns the consumer's fatal error, or OK after a requested stop. When a
// stop comes while a batch is being retried, the batch is left uncommitted.
// `on_retry` hears every failed attempt (for logs and metrics).
inline absl::Status RunConsumeLoop(Consumer& consumer, const ConsumeLoopOptions& options,
                                   const std::function<absl::Status(std::span<const Message>)>& handle,
                                   const std::function<bool(std::chrono::milliseconds)>& wait_for_stop,
                                   const std::function<void(const absl::Status&)>& on_retry) {
  auto enter = [&options](ConsumeLoopActivity::Step step) {
    if (options.activity != nullptr) options.activity->Enter(step);
  };
  using Step = ConsumeLoopActivity::Step;
  while (!wait_for_stop(std::chrono::milliseconds(0))) {
    enter(Step::kPolling);
    absl::StatusOr<std::vector<Message>> batch = consumer.Poll(options.max_batch, options.poll_timeout);
    if (!batch.ok()) return batch.status();
    if (batch->empty()) continue;
    std::chrono::milliseconds backoff = options.first_backoff;
    enter(Step::kHandling);
    for (absl::Status handled = handle(*batch); !handled.ok(); handled = handle(*batch)) {
      on_retry(handled);
      enter(Step::kBackingOff);
      if (wait_for_stop(backoff)) return absl::OkStatus();
      backoff = std::min(backoff * 2, options.max_backoff);
      enter(Step::kHandling);
    }
    enter(Step::kCommitting);
    if (absl::Status committed = consumer.Commit(NextOffsets(*batch)); !committed.ok()) {
      // A rebalance moved the partitions: the next owner resumes from stored effects.
      on_retry(committed);
    }
  }
  return absl::OkStatus();
}

}  // namespace custflow::kafka
