// RateLimiter on a hand-driven clock: refill over time, the burst cap, independent keys,
// all-or-nothing takes, the wait it announces, unlimited mode, dropping idle buckets, and
// concurrent takes that never grant more than the bucket holds.
#include "custflow/core/rate_limiter.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace custflow::core {
namespace {

using namespace std::chrono_literals;

// A clock that moves only when told, shared with the limiter.
class ManualClock {
 public:
  RateLimiter::Clock AsClock() {
    return [this] { return std::chrono::steady_clock::time_point(now_.load()); };
  }
  void Advance(std::chrono::nanoseconds by) { now_.store(now_.load() + by); }

 private:
  std::atomic<std::chrono::nanoseconds> now_{1h};
};

class RateLimiterTest : public ::testing::Test {
 protected:
  ManualClock clock_;
};

TEST_F(RateLimiterTest, ANewKeyMayTakeItsWholeBurstAtOnceAndNoMore) {
  RateLimiter limiter(/*rate=*/10, /*burst=*/5, clock_.AsClock());
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(limiter.TryTake("pos").granted) << i;
  EXPECT_FALSE(limiter.TryTake("pos").granted);
}

TEST_F(RateLimiterTest, TokensRefillAtTheRate) {
  RateLimiter limiter(10, 5, clock_.AsClock());
  ASSERT_TRUE(limiter.TryTake("pos", 5).granted);
  clock_.Advance(100ms);
  EXPECT_TRUE(limiter.TryTake("pos").granted) << "one token per 100 ms";
  EXPECT_FALSE(limiter.TryTake("pos").granted);
  clock_.Advance(300ms);
  EXPECT_TRUE(limiter.TryTake("pos", 3).granted);
  EXPECT_FALSE(limiter.TryTake("pos").granted);
}

TEST_F(RateLimiterTest, IdleTimeNeverFillsABucketBeyondTheBurst) {
  RateLimiter limiter(10, 5, clock_.AsClock());
  ASSERT_TRUE(limiter.TryTake("pos").granted);
  clock_.Advance(1h);
  EXPECT_TRUE(limiter.TryTake("pos", 5).granted);
  EXPECT_FALSE(limiter.TryTake("pos").granted);
}

TEST_F(RateLimiterTest, KeysHaveIndependentBuckets) {
  RateLimiter limiter(10, 5, clock_.AsClock());
  ASSERT_TRUE(limiter.TryTake("pos", 5).granted);
  EXPECT_FALSE(limiter.TryTake("pos").granted);
  EXPECT_TRUE(limiter.TryTake("web", 5).granted);
  EXPECT_FALSE(limiter.TryTake("web").granted);
}

TEST_F(RateLimiterTest, ARefusedTakeTakesNothing) {
  RateLimiter limiter(10, 5, clock_.AsClock());
  ASSERT_TRUE(limiter.TryTake("pos", 3).granted);
  EXPECT_FALSE(limiter.TryTake("pos", 3).granted) << "2 left";
  EXPECT_TRUE(limiter.TryTake("pos", 2).granted) << "the refused take left both";
}

struct WaitCase {
  const char* name;
  double taken_first;
  double asked;
  std::chrono::nanoseconds wait;
};

class RateLimiterWaitTest : public RateLimiterTest, public ::testing::WithParamInterface<WaitCase> {};

TEST_P(RateLimiterWaitTest, ARefusalSaysHowLongUntilTheTokensAreThere) {
  const WaitCase& c = GetParam();
  RateLimiter limiter(/*rate=*/4, /*burst=*/8, clock_.AsClock());
  ASSERT_TRUE(limiter.TryTake("pos", c.taken_first).granted);
  RateLimiter::Decision refused = limiter.TryTake("pos", c.asked);
  ASSERT_FALSE(refused.granted);
  EXPECT_EQ(refused.wait, c.wait);
  clock_.Advance(c.wait - 1ms);
  EXPECT_FALSE(limiter.TryTake("pos", c.asked).granted) << "not yet";
  clock_.Advance(1ms);
  EXPECT_TRUE(limiter.TryTake("pos", c.asked).granted) << "exactly when announced";
}

INSTANTIATE_TEST_SUITE_P(Waits, RateLimiterWaitTest,
                         ::testing::Values(WaitCase{"OneTokenShort", 8, 1, 250ms},
                                           WaitCase{"ABatchOnAnEmptyBucket", 8, 6, 1500ms},
                                           WaitCase{"PartlyCovered", 5, 5, 500ms}),
                         [](const ::testing::TestParamInfo<WaitCase>& param) { return param.param.name; });

TEST_F(RateLimiterTest, MoreThanTheBurstAtOnceIsNeverGranted) {
  RateLimiter limiter(10, 5, clock_.AsClock());
  RateLimiter::Decision refused = limiter.TryTake("pos", 6);
  EXPECT_FALSE(refused.granted);
  EXPECT_EQ(refused.wait, std::chrono::nanoseconds::max());
  EXPECT_TRUE(limiter.TryTake("pos", 5).granted) << "the refusal took nothing";
}

TEST_F(RateLimiterTest, RateZeroIsUnlimited) {
  RateLimiter limiter(0, 0, clock_.AsClock());
  EXPECT_TRUE(limiter.unlimited());
  for (int i = 0; i < 10'000; ++i) ASSERT_TRUE(limiter.TryTake("pos", 1000).granted);
  EXPECT_EQ(limiter.tracked_keys(), 0u);
}

TEST_F(RateLimiterTest, BucketsFullAgainAreDropped) {
  RateLimiter limiter(10, 5, clock_.AsClock());
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(limiter.TryTake("caller-" + std::to_string(i)).granted);
  clock_.Advance(100ms);
  ASSERT_TRUE(limiter.TryTake("busy", 5).granted);
  EXPECT_EQ(limiter.tracked_keys(), 101u);
  clock_.Advance(400ms);  // one refill time since the start: the next take sweeps
  ASSERT_FALSE(limiter.TryTake("busy", 5).granted) << "4 of 5 back";
  ASSERT_TRUE(limiter.TryTake("other").granted);
  EXPECT_EQ(limiter.tracked_keys(), 2u) << "busy was not full yet; other is new";
  EXPECT_TRUE(limiter.TryTake("caller-1", 5).granted) << "a dropped bucket comes back full";
}

TEST_F(RateLimiterTest, ConcurrentTakesNeverGrantMoreThanTheBucketHolds) {
  RateLimiter limiter(/*rate=*/1, /*burst=*/1000, clock_.AsClock());
  std::atomic<int> granted = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 500; ++i) granted += limiter.TryTake("pos").granted ? 1 : 0;
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(granted.load(), 1000);
}

}  // namespace
}  // namespace custflow::core
