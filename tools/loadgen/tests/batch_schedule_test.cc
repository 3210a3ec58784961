#include "tools/loadgen/batch_schedule.h"

#include <gtest/gtest.h>

#include <vector>

namespace custflow::loadgen {
namespace {

using std::chrono::milliseconds;

const Clock::time_point kStart = Clock::time_point(std::chrono::hours(1));

std::vector<ScheduledBatch> ClaimAll(BatchSchedule& schedule, Clock::time_point now) {
  std::vector<ScheduledBatch> batches;
  while (auto batch = schedule.Claim(now)) batches.push_back(*batch);
  return batches;
}

TEST(BatchSchedule, PacedBatchesAreDueOneIntervalApart) {
  BatchSchedule schedule({.rate = 1000, .batch = 100, .events = 1000}, kStart);
  std::vector<ScheduledBatch> batches = ClaimAll(schedule, kStart);
  ASSERT_EQ(batches.size(), 10u);
  for (size_t k = 0; k < batches.size(); ++k) {
    EXPECT_EQ(batches[k].index, k);
    EXPECT_EQ(batches[k].first_event, k * 100);
    EXPECT_EQ(batches[k].count, 100u);
    EXPECT_EQ(batches[k].send_at, kStart + milliseconds(100 * k));
  }
  EXPECT_EQ(schedule.interval(), std::chrono::duration<double>(0.1));
  EXPECT_EQ(schedule.planned_end(), kStart + milliseconds(1000));
}

TEST(BatchSchedule, TheLastBatchHoldsWhatIsLeft) {
  BatchSchedule schedule({.rate = 0, .batch = 100, .events = 250}, kStart);
  std::vector<ScheduledBatch> batches = ClaimAll(schedule, kStart);
  ASSERT_EQ(batches.size(), 3u);
  EXPECT_EQ(batches[2].first_event, 200u);
  EXPECT_EQ(batches[2].count, 50u);
}

TEST(BatchSchedule, APacedRunOfADurationHoldsRateTimesDurationEvents) {
  BatchSchedule schedule({.rate = 1000, .batch = 300, .duration = std::chrono::duration<double>(2)}, kStart);
  uint64_t events = 0;
  for (const ScheduledBatch& batch : ClaimAll(schedule, kStart)) {
    events += batch.count;
    EXPECT_LT(batch.send_at, kStart + std::chrono::seconds(2));
  }
  EXPECT_EQ(events, 2000u);
}

TEST(BatchSchedule, EventsAndDurationEndAtWhicheverComesFirst) {
  BatchSchedule few({.rate = 1000, .batch = 100, .events = 300, .duration = std::chrono::duration<double>(2)},
                    kStart);
  EXPECT_EQ(ClaimAll(few, kStart).size(), 3u);
  BatchSchedule short_run(
      {.rate = 1000, .batch = 100, .events = 5000, .duration = std::chrono::duration<double>(1)}, kStart);
  EXPECT_EQ(ClaimAll(short_run, kStart).size(), 10u);
}

TEST(BatchSchedule, AnUnpacedRunOfADurationEndsWhenTheTimeIsUp) {
  BatchSchedule schedule({.rate = 0, .batch = 10, .duration = std::chrono::duration<double>(1)}, kStart);
  auto first = schedule.Claim(kStart + milliseconds(999));
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->send_at, kStart + milliseconds(999));
  EXPECT_FALSE(schedule.Claim(kStart + milliseconds(1000)).has_value());
}

TEST(BatchSchedule, WorkersThatFellBehindStopAtTheEndOfTheDuration) {
  BatchSchedule schedule({.rate = 100, .batch = 10, .duration = std::chrono::duration<double>(1)}, kStart);
  ASSERT_TRUE(schedule.Claim(kStart).has_value());
  EXPECT_FALSE(schedule.Claim(kStart + std::chrono::seconds(1)).has_value());
}

TEST(BatchSchedule, StopEndsTheRunForEveryone) {
  BatchSchedule schedule({.rate = 0, .batch = 10, .events = 1000}, kStart);
  ASSERT_TRUE(schedule.Claim(kStart).has_value());
  schedule.Stop();
  EXPECT_FALSE(schedule.Claim(kStart).has_value());
}

}  // namespace
}  // namespace custflow::loadgen
