// The watchdog ServeWithConsumer keeps beside the consume loop, on a real service host: a
// loop step that does not return (here a batch whose store call hangs) makes /healthz
// answer 503 naming the step once it runs past stuck_step, and /healthz recovers when the
// step returns. The loop's steps are also checked on the plain loop.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "custflow/core/service_host.h"
#include "custflow/kafka/consume_loop.h"
#include "custflow/runtime/runtime.h"
#include "custflow/v1/tagging.grpc.pb.h"
#include "fake_consumer.h"
#include "gtest/gtest.h"
#include "tests/http_client.h"

namespace custflow::runtime {
namespace {

using std::chrono::milliseconds;
using Step = kafka::ConsumeLoopActivity::Step;

TEST(ConsumeLoopActivityTest, TheLoopReportsEachStepItIsIn) {
  FakeClock clock;
  FakeConsumer consumer(clock);
  consumer.Script(0, 0, 10);
  kafka::ConsumeLoopActivity activity;
  kafka::ConsumeLoopOptions options;
  options.activity = &activity;
  std::vector<Step> seen;
  int failures_left = 1;
  absl::Status ended = kafka::RunConsumeLoop(
      consumer, options,
      [&](std::span<const kafka::Message>) {
        seen.push_back(activity.Read().step);
        if (failures_left-- > 0) return absl::UnavailableError("down");
        return absl::OkStatus();
      },
      [&](milliseconds wait) {
        if (wait > milliseconds(0)) seen.push_back(activity.Read().step);
        return !consumer.commits.empty();
      },
      [](const absl::Status&) {});
  ASSERT_TRUE(ended.ok()) << ended;
  seen.push_back(activity.Read().step);
  EXPECT_EQ(seen,
            (std::vector<Step>{Step::kHandling, Step::kBackingOff, Step::kHandling, Step::kCommitting}));
}

// Hands out one message, then waits out each poll's timeout with nothing.
class OneMessageConsumer final : public kafka::Consumer {
 public:
  absl::StatusOr<std::vector<kafka::Message>> Poll(size_t, milliseconds timeout) override {
    if (!handed_out_.exchange(true)) {
      std::vector<kafka::Message> batch(1);
      batch[0].topic = "custflow.interactions.v1";
      return batch;
    }
    std::this_thread::sleep_for(timeout);
    return std::vector<kafka::Message>{};
  }
  absl::Status Commit(const std::vector<kafka::TopicPartitionOffset>&) override { return absl::OkStatus(); }
  absl::Status Close() override { return absl::OkStatus(); }

 private:
  std::atomic<bool> handed_out_{false};
};

TEST(ConsumeWatchdogTest, AStepStuckPastTheLimitFailsLivenessUntilItReturns) {
  core::Config config("test", [](const char* name) -> const char* {
    std::string_view n(name);
    if (n == "CUSTFLOW_TEST_GRPC_ADDRESS" || n == "CUSTFLOW_TEST_HTTP_ADDRESS") return "127.0.0.1:0";
    return nullptr;
  });
  core::ServiceHost host("test", config);
  v1::TaggingService::Service unimplemented;  // a gRPC server needs a service
  host.AddGrpcService(&unimplemented);
  OneMessageConsumer consumer;
  kafka::ConsumeLoopOptions options;
  options.stuck_step = milliseconds(1000);

  std::mutex mutex;
  std::condition_variable released_signal;
  bool entered = false;
  bool released = false;
  auto release = [&] {
    {
      std::lock_guard lock(mutex);
      released = true;
    }
    released_signal.notify_all();
  };
  std::jthread service([&] {
    ServeWithConsumer(host, consumer, options, [&](std::span<const kafka::Message>) {
      std::unique_lock lock(mutex);
      entered = true;
      released_signal.notify_all();
      released_signal.wait(lock, [&] { return released; });
      return absl::OkStatus();
    });
  });
  // However the test ends, the service stops before `service` joins it.
  struct StopService {
    std::function<void()> stop;
    ~StopService() { stop(); }
  } stop_service{[&] {
    release();
    host.shutdown().Trigger();
  }};
  {
    std::unique_lock lock(mutex);
    ASSERT_TRUE(released_signal.wait_for(lock, std::chrono::seconds(10), [&] { return entered; }));
  }
  const std::string healthz = "http://127.0.0.1:" + std::to_string(host.http_port()) + "/healthz";
  EXPECT_EQ(core::testing::Fetch(healthz).status, 200) << "not stuck yet";

  std::this_thread::sleep_for(milliseconds(1100));
  core::testing::Fetched stuck = core::testing::Fetch(healthz);
  EXPECT_EQ(stuck.status, 503);
  EXPECT_NE(stuck.body.find("consume loop: DEADLINE_EXCEEDED: stuck"), std::string::npos) << stuck.body;
  EXPECT_NE(stuck.body.find("in storing a batch"), std::string::npos) << stuck.body;

  release();
  // The loop moves on to polling, each poll a fresh step well under the limit.
  bool recovered = false;
  for (int i = 0; i < 100 && !recovered; ++i) {
    recovered = core::testing::Fetch(healthz).status == 200;
    if (!recovered) std::this_thread::sleep_for(milliseconds(20));
  }
  EXPECT_TRUE(recovered);
}

}  // namespace
}  // namespace custflow::runtime
