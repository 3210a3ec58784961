// The tagging service's consumer: evaluates the rules on each profile snapshot and, when
// the tags differ from the profile's, publishes a set-tags command for the profile
// service to apply. Unchanged tags publish nothing, so the loop through the profile
// service settles after one round.
#pragma once

#include <span>
#include <string>

#include "absl/status/status.h"
#include "custflow/core/metrics.h"
#include "custflow/kafka/message.h"
#include "custflow/kafka/producer.h"
#include "custflow/v1/tagging.grpc.pb.h"

namespace custflow::tagging {

class Tagger {
 public:
  Tagger(kafka::Producer& producer, core::MetricsRegistry& metrics, std::string commands_topic);

  // Handles a batch of profile snapshots; returns once every command is durable.
  absl::Status Handle(std::span<const kafka::Message> batch);

 private:
  kafka::Producer& producer_;
  std::string commands_topic_;
  core::Counter& commands_;
};

class TaggingService final : public v1::TaggingService::Service {
 public:
  grpc::Status ListRules(grpc::ServerContext* context, const v1::ListRulesRequest* request,
                         v1::ListRulesResponse* response) override;
};

}  // namespace custflow::tagging
