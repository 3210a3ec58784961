// custflow-loadgen against the real ingest service (with a real local Kafka-protocol
// broker and Redis): every generated event, customer ids and identities alike, is
// acknowledged over the stream and in batches, and a resent run comes back as duplicates.
#include <gtest/gtest.h>

#include "tests/support/kafka_broker.h"
#include "tests/support/local_process.h"
#include "tests/support/redis_server.h"
#include "tools/loadgen/tests/loadgen_runner.h"

namespace custflow::loadgen {
namespace {

using custflow::testing::LocalProcess;

class LoadgenAgainstIngest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new custflow::testing::TempDir("loadgen-ingest");
    auto redis = custflow::testing::StartRedisServer();
    ASSERT_TRUE(redis.ok()) << redis.status();
    redis_ = new custflow::testing::LocalRedisServer(std::move(*redis));
    auto kafka = custflow::testing::StartKafkaBroker();
    ASSERT_TRUE(kafka.ok()) << kafka.status();
    kafka_ = new custflow::testing::LocalKafkaBroker(std::move(*kafka));
    int grpc_port = custflow::testing::FreeLoopbackPort();
    int http_port = custflow::testing::FreeLoopbackPort();
    auto ingest = LocalProcess::Start(
        {"env", "CUSTFLOW_KAFKA_BROKERS=" + kafka_->bootstrap_servers(),
         "CUSTFLOW_REDIS_ADDRESS=127.0.0.1:" + std::to_string(redis_->port()),
         "CUSTFLOW_INGEST_GRPC_ADDRESS=127.0.0.1:" + std::to_string(grpc_port),
         "CUSTFLOW_INGEST_HTTP_ADDRESS=127.0.0.1:" + std::to_string(http_port), CUSTFLOW_INGEST_BIN},
        dir_->path() / "ingest.log");
    ASSERT_TRUE(ingest.ok()) << ingest.status();
    ingest_ = new LocalProcess(std::move(*ingest));
    absl::Status listening = ingest_->WaitForPort(grpc_port, std::chrono::seconds(60));
    ASSERT_TRUE(listening.ok()) << listening;
    target_ = "127.0.0.1:" + std::to_string(grpc_port);
  }

  static void TearDownTestSuite() {
    if (ingest_ != nullptr) ingest_->Stop();
    delete ingest_;
    delete kafka_;
    delete redis_;
    delete dir_;
  }

  static inline custflow::testing::TempDir* dir_ = nullptr;
  static inline custflow::testing::LocalRedisServer* redis_ = nullptr;
  static inline custflow::testing::LocalKafkaBroker* kafka_ = nullptr;
  static inline LocalProcess* ingest_ = nullptr;
  static inline std::string target_;
};

void ExpectEveryEventAcknowledged(const LoadgenRun& run, double events) {
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(run.Number("sent"), events) << run.output;
  EXPECT_EQ(run.Number("acked"), events) << run.output;
  EXPECT_EQ(run.Number("rejected"), 0) << run.output;
  EXPECT_EQ(run.Number("unanswered"), 0) << run.output;
}

TEST_F(LoadgenAgainstIngest, StreamModeGetsEveryGeneratedEventAcknowledged) {
  LoadgenRun run =
      RunLoadgen({"--mode", "stream", "--target", target_, "--rate", "2000", "--duration", "2", "--batch",
                  "50", "--concurrency", "2", "--identity-mix", "0.3", "--customers", "300"});
  ExpectEveryEventAcknowledged(run, 4000);
  EXPECT_NEAR(run.Number("send_rate"), 2000, 100) << run.output;
}

TEST_F(LoadgenAgainstIngest, BatchModeGetsEveryGeneratedEventAcknowledged) {
  LoadgenRun run =
      RunLoadgen({"--mode", "batch", "--target", target_, "--events", "3000", "--rate", "0", "--batch", "200",
                  "--concurrency", "2", "--identity-mix", "0.5", "--customers", "300"});
  ExpectEveryEventAcknowledged(run, 3000);
}

TEST_F(LoadgenAgainstIngest, ResendingARunCountsItsEventsAsDuplicates) {
  std::vector<std::string> args = {"--mode",   "stream", "--target", target_, "--run",   "resent",
                                   "--events", "500",    "--rate",   "0",     "--batch", "100"};
  LoadgenRun first = RunLoadgen(args);
  ExpectEveryEventAcknowledged(first, 500);
  EXPECT_EQ(first.Number("duplicates"), 0) << first.output;
  LoadgenRun second = RunLoadgen(args);
  ExpectEveryEventAcknowledged(second, 500);
  EXPECT_EQ(second.Number("duplicates"), 500) << second.output;
}

}  // namespace
}  // namespace custflow::loadgen
