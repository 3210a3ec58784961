// Which absl::StatusCode each librdkafka error becomes, and what the message says.
#include "kafka_status.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace custflow::kafka {
namespace {

using ::testing::HasSubstr;

struct ErrorMapping {
  rd_kafka_resp_err_t error;
  absl::StatusCode code;
};

class StatusCodeForKafkaErrorTest : public ::testing::TestWithParam<ErrorMapping> {};

TEST_P(StatusCodeForKafkaErrorTest, MapsToTheCodeCallersActOn) {
  EXPECT_EQ(StatusCodeForKafkaError(GetParam().error), GetParam().code)
      << rd_kafka_err2name(GetParam().error);
}

INSTANTIATE_TEST_SUITE_P(
    Errors, StatusCodeForKafkaErrorTest,
    ::testing::Values(
        ErrorMapping{RD_KAFKA_RESP_ERR_NO_ERROR, absl::StatusCode::kOk},
        ErrorMapping{RD_KAFKA_RESP_ERR__QUEUE_FULL, absl::StatusCode::kResourceExhausted},
        ErrorMapping{RD_KAFKA_RESP_ERR__MSG_TIMED_OUT, absl::StatusCode::kDeadlineExceeded},
        ErrorMapping{RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT, absl::StatusCode::kDeadlineExceeded},
        ErrorMapping{RD_KAFKA_RESP_ERR__TRANSPORT, absl::StatusCode::kUnavailable},
        ErrorMapping{RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN, absl::StatusCode::kUnavailable},
        ErrorMapping{RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS, absl::StatusCode::kUnavailable},
        ErrorMapping{RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION, absl::StatusCode::kUnavailable},
        ErrorMapping{RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE, absl::StatusCode::kInvalidArgument},
        ErrorMapping{RD_KAFKA_RESP_ERR__INVALID_ARG, absl::StatusCode::kInvalidArgument},
        ErrorMapping{RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART, absl::StatusCode::kNotFound},
        ErrorMapping{RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION, absl::StatusCode::kNotFound},
        ErrorMapping{RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED, absl::StatusCode::kPermissionDenied},
        ErrorMapping{RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED, absl::StatusCode::kUnauthenticated},
        ErrorMapping{RD_KAFKA_RESP_ERR__PURGE_QUEUE, absl::StatusCode::kCancelled},
        ErrorMapping{RD_KAFKA_RESP_ERR__PURGE_INFLIGHT, absl::StatusCode::kCancelled},
        ErrorMapping{RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS, absl::StatusCode::kAborted},
        ErrorMapping{RD_KAFKA_RESP_ERR_ILLEGAL_GENERATION, absl::StatusCode::kAborted},
        ErrorMapping{RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE, absl::StatusCode::kOutOfRange},
        ErrorMapping{RD_KAFKA_RESP_ERR__FATAL, absl::StatusCode::kInternal},
        ErrorMapping{RD_KAFKA_RESP_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER, absl::StatusCode::kInternal},
        ErrorMapping{RD_KAFKA_RESP_ERR__BAD_COMPRESSION, absl::StatusCode::kUnknown}));

TEST(KafkaErrorStatusTest, MessageHasContextLibrdkafkaTextAndErrorName) {
  absl::Status status = KafkaErrorStatus(RD_KAFKA_RESP_ERR__MSG_TIMED_OUT, "delivery to t");
  EXPECT_EQ(status.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(status.message(), "delivery to t: Local: Message timed out (_MSG_TIMED_OUT)");
}

TEST(KafkaErrorStatusTest, DetailReplacesTheGenericText) {
  absl::Status status =
      KafkaErrorStatus(RD_KAFKA_RESP_ERR__TRANSPORT, "consumer", "Connect to 127.0.0.1:1 failed");
  EXPECT_EQ(status.message(), "consumer: Connect to 127.0.0.1:1 failed (_TRANSPORT)");
}

TEST(KafkaErrorStatusTest, NoErrorIsOk) {
  EXPECT_TRUE(KafkaErrorStatus(RD_KAFKA_RESP_ERR_NO_ERROR, "anything").ok());
}

}  // namespace
}  // namespace custflow::kafka
