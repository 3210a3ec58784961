// Token buckets keyed by a string (e.g. a principal's name): each key may take `rate`
// tokens a second on average and up to `burst` at once. Pure and thread-safe; the clock
// is injectable so tests control time.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace custflow::core {

class RateLimiter {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;

  // The answer to one TryTake.
  struct Decision {
    bool granted = false;
    // When refused: how long until the tokens asked for are available, or
    // std::chrono::nanoseconds::max() when they never are (more than `burst` at once).
    std::chrono::nanoseconds wait{0};
  };

  // `rate` tokens a second per key, 0 (or less) for unlimited; `burst` tokens at most in a
  // bucket, and in a new one. `clock` defaults to std::chrono::steady_clock::now.
  RateLimiter(double rate, double burst, Clock clock = nullptr);

  // Takes `n` tokens from `key`'s bucket, or none: a refused request leaves the bucket
  // as it was, so a client retrying too early does not push its own wait further out.
  Decision TryTake(std::string_view key, double n = 1);

  bool unlimited() const { return rate_ <= 0; }
  double rate() const { return rate_; }
  double burst() const { return burst_; }
  // Keys with a bucket; buckets full again are dropped, so this stays bounded by the
  // keys active within one refill time (burst / rate).
  size_t tracked_keys() const;

 private:
  struct Bucket {
    double tokens;
    std::chrono::steady_clock::time_point updated;
  };

  // Drops the buckets that have refilled completely; a new bucket starts full, so
  // dropping them changes no answer.
  void DropFullBuckets(std::chrono::steady_clock::time_point now);

  const double rate_;
  const double burst_;
  const Clock clock_;
  // How long an empty bucket takes to fill: the period of DropFullBuckets.
  const std::chrono::nanoseconds refill_time_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Bucket> buckets_;
  std::chrono::steady_clock::time_point last_sweep_;
};

}  // namespace custflow::core
