// Turns librdkafka error codes into absl::Status values with a clear message. The one
// place where Kafka errors meet custflow's error type.
#pragma once

#include <librdkafka/rdkafka.h>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace custflow::kafka {

absl::StatusCode StatusCodeForKafkaError(rd_kafka_resp_err_t error);

// "<context>: <detail or librdkafka's text> (<librdkafka's error name>)"; OK for
// RD_KAFKA_RESP_ERR_NO_ERROR.
absl::Status KafkaErrorStatus(rd_kafka_resp_err_t error, absl::string_view context,
                              absl::string_view detail = {});

}  // namespace custflow::kafka
