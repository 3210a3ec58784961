#include "tools/loadgen/batch_schedule.h"

#include <algorithm>
#include <cmath>

namespace custflow::loadgen {

BatchSchedule::BatchSchedule(Options options, Clock::time_point start)
    : options_(std::move(options)), start_(start), total_(options_.events) {
  if (options_.rate > 0 && options_.duration) {
    // A paced run of D seconds at R events/s holds exactly R * D events.
    auto in_duration = static_cast<uint64_t>(std::llround(options_.rate * options_.duration->count()));
    total_ = std::min(total_.value_or(in_duration), in_duration);
  }
}

std::chrono::duration<double> BatchSchedule::interval() const {
  if (options_.rate <= 0) return std::chrono::duration<double>::zero();
  return std::chrono::duration<double>(static_cast<double>(options_.batch) / options_.rate);
}

std::optional<Clock::time_point> BatchSchedule::planned_end() const {
  if (options_.rate > 0 && total_) {
    uint64_t batches = (*total_ + options_.batch - 1) / options_.batch;
    return start_ + std::chrono::duration_cast<Clock::duration>(interval() * static_cast<double>(batches));
  }
  if (options_.duration) return start_ + std::chrono::duration_cast<Clock::duration>(*options_.duration);
  return std::nullopt;
}

std::optional<ScheduledBatch> BatchSchedule::Claim(Clock::time_point now) {
  std::lock_guard lock(mutex_);
  if (stopped_) return std::nullopt;
  if (total_ && next_event_ >= *total_) return std::nullopt;
  // A run limited by duration ends on time even when the workers fell behind the plan.
  if (options_.duration && now >= start_ + std::chrono::duration_cast<Clock::duration>(*options_.duration)) {
    return std::nullopt;
  }
  bool unpaced = options_.rate <= 0;
  ScheduledBatch batch;
  batch.index = next_index_++;
  batch.first_event = next_event_;
  batch.count = total_ ? std::min<uint64_t>(options_.batch, *total_ - next_event_) : options_.batch;
  batch.send_at = unpaced ? now
                          : start_ + std::chrono::duration_cast<Clock::duration>(
                                         interval() * static_cast<double>(batch.index));
  next_event_ += batch.count;
  return batch;
}

void BatchSchedule::Stop() {
  std::lock_guard lock(mutex_);
  stopped_ = true;
}

}  // namespace custflow::loadgen
