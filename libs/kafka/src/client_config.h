// Maps ProducerOptions and ConsumerOptions to librdkafka properties. The guarantees of
// DESIGN.md (acks=all, idempotence, manual commits) are enforced here, in one place.
#pragma once

#include <librdkafka/rdkafka.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "custflow/kafka/kafka_consumer.h"
#include "custflow/kafka/kafka_producer.h"

namespace custflow::kafka {

// librdkafka property names and values, applied in order (a later one wins).
using Properties = std::vector<std::pair<std::string, std::string>>;

absl::StatusOr<Properties> ProducerProperties(const ProducerOptions& options);
absl::StatusOr<Properties> ConsumerProperties(const ConsumerOptions& options);

struct KafkaConfDeleter {
  void operator()(rd_kafka_conf_t* conf) const { rd_kafka_conf_destroy(conf); }
};
using KafkaConfPtr = std::unique_ptr<rd_kafka_conf_t, KafkaConfDeleter>;

// INVALID_ARGUMENT naming the property and carrying librdkafka's reason.
absl::StatusOr<KafkaConfPtr> NewKafkaConf(const Properties& properties);

}  // namespace custflow::kafka
