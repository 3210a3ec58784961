#include "tools/loadgen/latency_histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace custflow::loadgen {
namespace {

constexpr uint64_t kExact = 128;  // values below are their own bucket
constexpr uint64_t kSteps = 64;   // buckets per power of two above
constexpr int kMaxShift = 40;     // 2^47 us: four years, more than any run
constexpr size_t kBuckets = kExact + kMaxShift * kSteps;

size_t BucketOf(uint64_t micros) {
  if (micros < kExact) return micros;
  int shift = std::min<int>(std::bit_width(micros) - 7, kMaxShift);  // micros >> shift in [64, 128)
  uint64_t step = std::min<uint64_t>((micros >> shift) - kSteps, kSteps - 1);
  return kExact + static_cast<size_t>(shift - 1) * kSteps + step;
}

// The middle of the bucket's range.
uint64_t ValueOf(size_t bucket) {
  if (bucket < kExact) return bucket;
  size_t shift = (bucket - kExact) / kSteps + 1;
  uint64_t step = (bucket - kExact) % kSteps;
  uint64_t low = (kSteps + step) << shift;
  return low + (uint64_t{1} << shift) / 2;
}

}  // namespace

LatencyHistogram::LatencyHistogram() : buckets_(kBuckets, 0) {}

void LatencyHistogram::Record(std::chrono::nanoseconds latency, uint64_t count) {
  uint64_t micros = static_cast<uint64_t>(std::max<int64_t>(0, latency.count() / 1000));
  buckets_[BucketOf(micros)] += count;
  count_ += count;
  max_us_ = std::max(max_us_, micros);
}

void LatencyHistogram::Merge(const LatencyHistogram& other) {
  for (size_t i = 0; i < kBuckets; ++i) buckets_[i] += other.buckets_[i];
  count_ += other.count_;
  max_us_ = std::max(max_us_, other.max_us_);
}

std::chrono::microseconds LatencyHistogram::Quantile(double quantile) const {
  if (count_ == 0) return std::chrono::microseconds(0);
  auto rank = static_cast<uint64_t>(std::ceil(std::clamp(quantile, 0.0, 1.0) * static_cast<double>(count_)));
  rank = std::max<uint64_t>(rank, 1);
  uint64_t seen = 0;
  for (size_t i = 0; i < kBuckets; ++i) {
    seen += buckets_[i];
    if (seen >= rank) return std::chrono::microseconds(std::min(ValueOf(i), max_us_));
  }
  return max();
}

}  // namespace custflow::loadgen
