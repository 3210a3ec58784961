// Token-bucket arithmetic: buckets refill lazily, on the next take, from the time elapsed.
#include "custflow/core/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace custflow::core {
namespace {

using Nanoseconds = std::chrono::nanoseconds;

// Refill arithmetic in doubles may land a hair below a whole token that is due.
constexpr double kTolerance = 1e-9;

Nanoseconds SecondsToNanoseconds(double seconds) {
  double nanoseconds = std::ceil(seconds * 1e9);
  if (nanoseconds >= static_cast<double>(Nanoseconds::max().count())) return Nanoseconds::max();
  return Nanoseconds(static_cast<Nanoseconds::rep>(nanoseconds));
}

}  // namespace

RateLimiter::RateLimiter(double rate, double burst, Clock clock)
    : rate_(rate),
      burst_(burst),
      clock_(clock ? std::move(clock) : Clock([] { return std::chrono::steady_clock::now(); })),
      refill_time_(rate > 0 ? SecondsToNanoseconds(burst / rate) : Nanoseconds(0)),
      last_sweep_(clock_()) {}

RateLimiter::Decision RateLimiter::TryTake(std::string_view key, double n) {
  if (unlimited() || n <= 0) return {.granted = true};
  if (n > burst_) return {.granted = false, .wait = Nanoseconds::max()};
  std::chrono::steady_clock::time_point now = clock_();
  std::lock_guard lock(mutex_);
  if (now - last_sweep_ >= refill_time_) DropFullBuckets(now);
  auto [it, created] = buckets_.try_emplace(std::string(key), Bucket{.tokens = burst_, .updated = now});
  Bucket& bucket = it->second;
  if (!created && now > bucket.updated) {
    double elapsed = std::chrono::duration<double>(now - bucket.updated).count();
    bucket.tokens = std::min(burst_, bucket.tokens + elapsed * rate_);
    bucket.updated = now;
  }
  if (bucket.tokens + kTolerance >= n) {
    bucket.tokens = std::max(0.0, bucket.tokens - n);
    return {.granted = true};
  }
  return {.granted = false, .wait = SecondsToNanoseconds((n - bucket.tokens) / rate_)};
}

size_t RateLimiter::tracked_keys() const {
  std::lock_guard lock(mutex_);
  return buckets_.size();
}

void RateLimiter::DropFullBuckets(std::chrono::steady_clock::time_point now) {
  last_sweep_ = now;
  std::erase_if(buckets_, [&](const auto& entry) {
    const Bucket& bucket = entry.second;
    double elapsed = std::chrono::duration<double>(now - bucket.updated).count();
    return bucket.tokens + elapsed * rate_ + kTolerance >= burst_;
  });
}

}  // namespace custflow::core
