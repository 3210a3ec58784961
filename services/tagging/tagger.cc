#include "services/tagging/tagger.h"

#include <google/protobuf/util/time_util.h>

#include <future>
#include <vector>

#include "custflow/core/log.h"
#include "custflow/v1/command.pb.h"
#include "services/tagging/tag_rules.h"

namespace custflow::tagging {

Tagger::Tagger(kafka::Producer& producer, core::MetricsRegistry& metrics, std::string commands_topic)
    : producer_(producer),
      commands_topic_(std::move(commands_topic)),
      commands_(metrics.GetCounter("custflow_tagging_commands_total", "Set-tags commands published.")) {}

absl::Status Tagger::Handle(std::span<const kafka::Message> batch) {
  std::vector<std::future<absl::StatusOr<kafka::DeliveryReport>>> sent;
  for (const kafka::Message& message : batch) {
    v1::Profile profile;
    if (!profile.ParseFromArray(message.value.data(), static_cast<int>(message.value.size()))) {
      core::LogError("unreadable profile snapshot skipped",
                     {{"partition", message.partition}, {"offset", message.offset}});
      continue;
    }
    std::vector<std::string> tags = EvaluateTags(profile);
    std::vector<std::string> current(profile.tags().begin(), profile.tags().end());
    std::sort(current.begin(), current.end());
    if (tags == current) continue;

    v1::Command command;
    command.set_command_id("tags_" + profile.customer_id() + "_" + std::to_string(profile.version()));
    command.set_customer_id(profile.customer_id());
    command.set_actor("tagging");
    *command.mutable_issued_at() = google::protobuf::util::TimeUtil::GetCurrentTime();
    v1::SetTags& set_tags = *command.mutable_set_tags();
    for (std::string& tag : tags) set_tags.add_tags(std::move(tag));
    set_tags.set_grade(profile.grade());
    set_tags.set_rules_version(kRulesVersion);
    sent.push_back(producer_.SendAsync(commands_topic_, profile.customer_id(), command.SerializeAsString()));
  }
  for (auto& delivery : sent) {
    absl::StatusOr<kafka::DeliveryReport> report = delivery.get();
    if (!report.ok()) return report.status();
    commands_.Increment();
  }
  return absl::OkStatus();
}

grpc::Status TaggingService::ListRules(grpc::ServerContext*, const v1::ListRulesRequest*,
                                       v1::ListRulesResponse* response) {
  for (v1::TagRule& rule : BuiltinRules()) *response->add_rules() = std::move(rule);
  response->set_version(kRulesVersion);
  return grpc::Status::OK;
}

}  // namespace custflow::tagging
