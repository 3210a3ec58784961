#include "tools/loadgen/latency_histogram.h"

#include <gtest/gtest.h>

namespace custflow::loadgen {
namespace {

using std::chrono::microseconds;

TEST(LatencyHistogram, QuantilesOfAUniformSpreadAreWithinTwoPercent) {
  LatencyHistogram histogram;
  for (int us = 1; us <= 100'000; ++us) histogram.Record(microseconds(us));
  EXPECT_EQ(histogram.count(), 100'000u);
  EXPECT_NEAR(histogram.Quantile(0.50).count(), 50'000, 1000);
  EXPECT_NEAR(histogram.Quantile(0.95).count(), 95'000, 1900);
  EXPECT_NEAR(histogram.Quantile(0.99).count(), 99'000, 1980);
  EXPECT_EQ(histogram.max(), microseconds(100'000));
}

TEST(LatencyHistogram, SmallValuesAreExact) {
  LatencyHistogram histogram;
  histogram.Record(microseconds(7), 99);
  histogram.Record(microseconds(120));
  EXPECT_EQ(histogram.Quantile(0.5), microseconds(7));
  EXPECT_EQ(histogram.Quantile(1.0), microseconds(120));
}

TEST(LatencyHistogram, MergeAddsCountsAndKeepsTheLargestMax) {
  LatencyHistogram first, second;
  first.Record(microseconds(1000), 10);
  second.Record(std::chrono::seconds(3));
  first.Merge(second);
  EXPECT_EQ(first.count(), 11u);
  EXPECT_EQ(first.max(), std::chrono::seconds(3));
  EXPECT_NEAR(first.Quantile(0.5).count(), 1000, 20);
}

TEST(LatencyHistogram, AnEmptyHistogramReportsZero) {
  LatencyHistogram histogram;
  EXPECT_EQ(histogram.Quantile(0.99), microseconds(0));
  EXPECT_EQ(histogram.max(), microseconds(0));
}

TEST(LatencyHistogram, HugeValuesDoNotOverflowTheBuckets) {
  LatencyHistogram histogram;
  histogram.Record(std::chrono::hours(24 * 365 * 100));
  EXPECT_GT(histogram.Quantile(0.5).count(), 0);
}

}  // namespace
}  // namespace custflow::loadgen
