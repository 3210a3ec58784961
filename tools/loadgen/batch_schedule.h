// Hands out the run's batches to the workers: which events each holds and when it may be
// sent. Batch k goes out at start + k * batch / rate, a fixed schedule rather than a sleep
// after each send, so the achieved rate does not drift with send times, and a worker that
// fell behind catches up. The run ends after the last event or at the end of the duration.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>

namespace custflow::loadgen {

using Clock = std::chrono::steady_clock;

struct ScheduledBatch {
  uint64_t index = 0;
  uint64_t first_event = 0;
  uint64_t count = 0;
  Clock::time_point send_at;
};

class BatchSchedule {
 public:
  struct Options {
    double rate = 0;  // events per second; 0 = unpaced
    uint64_t batch = 100;
    std::optional<uint64_t> events{};                         // total, when limited
    std::optional<std::chrono::duration<double>> duration{};  // length, when limited
  };

  BatchSchedule(Options options, Clock::time_point start);

  // The next batch, or nothing when the run is over at `now`: every event was handed out,
  // the duration has passed, or Stop() was called. Thread-safe.
  std::optional<ScheduledBatch> Claim(Clock::time_point now);

  // Ends the run early: later claims get nothing.
  void Stop();

  Clock::time_point start() const { return start_; }
  // Time between two batches; zero when unpaced.
  std::chrono::duration<double> interval() const;
  // When the last batch is due, if known in advance (paced, or unpaced without events
  // limit but with a duration).
  std::optional<Clock::time_point> planned_end() const;

 private:
  Options options_;
  Clock::time_point start_;
  std::optional<uint64_t> total_;  // events in the run, when known in advance
  std::mutex mutex_;
  uint64_t next_index_ = 0;
  uint64_t next_event_ = 0;
  bool stopped_ = false;
};

}  // namespace custflow::loadgen
