#include "custflow/core/shutdown.h"

#include <gtest/gtest.h>

#include <csignal>

namespace custflow::core {
namespace {

TEST(ShutdownSignal, SigtermRequestsShutdown) {
  ShutdownSignal shutdown;
  EXPECT_FALSE(shutdown.requested());
  ::kill(::getpid(), SIGTERM);
  EXPECT_TRUE(shutdown.WaitFor(std::chrono::seconds(5)));
  EXPECT_TRUE(shutdown.requested());
}

TEST(ShutdownSignal, TriggerRequestsShutdownWithoutASignal) {
  ShutdownSignal shutdown;
  EXPECT_FALSE(shutdown.WaitFor(std::chrono::milliseconds(10)));
  shutdown.Trigger();
  shutdown.Wait();
  EXPECT_TRUE(shutdown.requested());
}

}  // namespace
}  // namespace custflow::core
