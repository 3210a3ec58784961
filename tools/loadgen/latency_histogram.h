// Acknowledgement latencies of millions of events in a few kilobytes: log-linear buckets
// of 64 steps per power of two (under 1.6% error), exact below 128 microseconds, with the
// exact maximum. Each worker keeps its own and the report merges them.
#pragma once

#include <chrono>
#include <cstdint>
#include <vector>

namespace custflow::loadgen {

class LatencyHistogram {
 public:
  LatencyHistogram();

  void Record(std::chrono::nanoseconds latency, uint64_t count = 1);
  void Merge(const LatencyHistogram& other);

  uint64_t count() const { return count_; }
  // The latency below which `quantile` (0 to 1) of the recorded ones fall; zero when empty.
  std::chrono::microseconds Quantile(double quantile) const;
  std::chrono::microseconds max() const { return std::chrono::microseconds(max_us_); }

 private:
  std::vector<uint64_t> buckets_;
  uint64_t count_ = 0;
  uint64_t max_us_ = 0;
};

}  // namespace custflow::loadgen
