#include "client_config.h"

#include <algorithm>
#include <chrono>
#include <initializer_list>
#include <string_view>

#include "absl/strings/str_cat.h"

namespace custflow::kafka {
namespace {

// A property custflow fixes: extra properties may repeat it with an allowed value only.
struct FixedProperty {
  absl::string_view name;
  std::initializer_list<absl::string_view> allowed;
  absl::string_view reason;
};

constexpr absl::string_view kNoLossReason =
    "custflow producers always wait for all in-sync replicas and are idempotent, so "
    "no acknowledged event is lost or duplicated";
constexpr absl::string_view kManualCommitReason =
    "custflow consumers commit offsets only after their effects are stored";

void Set(Properties& properties, absl::string_view name, std::string value) {
  auto it = std::find_if(properties.begin(), properties.end(),
                         [&](const auto& property) { return property.first == name; });
  if (it != properties.end()) {
    it->second = std::move(value);
  } else {
    properties.emplace_back(std::string(name), std::move(value));
  }
}

std::string Milliseconds(std::chrono::milliseconds duration) { return std::to_string(duration.count()); }

absl::Status AddExtraProperties(const std::map<std::string, std::string>& extra,
                                std::initializer_list<FixedProperty> fixed, Properties& properties) {
  for (const auto& [name, value] : extra) {
    for (const FixedProperty& property : fixed) {
      if (name == property.name &&
          std::find(property.allowed.begin(), property.allowed.end(), value) == property.allowed.end()) {
        return absl::InvalidArgumentError(
            absl::StrCat("Kafka property ", name, "=", value, " is not allowed: ", property.reason));
      }
    }
    Set(properties, name, value);
  }
  return absl::OkStatus();
}

absl::Status RequireNonEmpty(absl::string_view value, absl::string_view field) {
  if (!value.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(field, " is empty"));
}

absl::Status RequirePositive(std::chrono::milliseconds value, absl::string_view field) {
  if (value.count() > 0) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(field, " must be positive, got ", value.count(), " ms"));
}

std::string_view OffsetResetName(OffsetReset reset) {
  switch (reset) {
    case OffsetReset::kEarliest:
      return "earliest";
    case OffsetReset::kLatest:
      return "latest";
    case OffsetReset::kError:
      return "error";
  }
  return "earliest";
}

absl::Status ValidateProducerOptions(const ProducerOptions& options) {
  absl::Status status = RequireNonEmpty(options.bootstrap_servers, "ProducerOptions.bootstrap_servers");
  if (status.ok()) {
    status = RequirePositive(options.delivery_timeout, "ProducerOptions.delivery_timeout");
  }
  if (!status.ok()) return status;
  if (options.linger.count() < 0) {
    return absl::InvalidArgumentError("ProducerOptions.linger must not be negative");
  }
  if (options.max_queued_messages < 1 || options.max_queued_kbytes < 1) {
    return absl::InvalidArgumentError(
        "ProducerOptions.max_queued_messages and max_queued_kbytes must be positive");
  }
  return absl::OkStatus();
}

absl::Status ValidateConsumerOptions(const ConsumerOptions& options) {
  absl::Status status = RequireNonEmpty(options.bootstrap_servers, "ConsumerOptions.bootstrap_servers");
  if (status.ok()) status = RequireNonEmpty(options.group_id, "ConsumerOptions.group_id");
  if (status.ok()) {
    status = RequirePositive(options.session_timeout, "ConsumerOptions.session_timeout");
  }
  if (!status.ok()) return status;
  if (options.topics.empty() || std::any_of(options.topics.begin(), options.topics.end(),
                                            [](const std::string& topic) { return topic.empty(); })) {
    return absl::InvalidArgumentError("ConsumerOptions.topics must name at least one topic and no empty one");
  }
  if (options.max_poll_interval < options.session_timeout) {
    return absl::InvalidArgumentError(absl::StrCat(
        "ConsumerOptions.max_poll_interval (", options.max_poll_interval.count(),
        " ms) must not be shorter than session_timeout (", options.session_timeout.count(), " ms)"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Properties> ProducerProperties(const ProducerOptions& options) {
  if (absl::Status s = ValidateProducerOptions(options); !s.ok()) return s;
  Properties properties = {
      {"bootstrap.servers", options.bootstrap_servers},
      {"client.id", options.client_id},
      {"linger.ms", Milliseconds(options.linger)},
      {"delivery.timeout.ms", Milliseconds(options.delivery_timeout)},
      {"queue.buffering.max.messages", std::to_string(options.max_queued_messages)},
      {"queue.buffering.max.kbytes", std::to_string(options.max_queued_kbytes)},
      // Kafka's default partitioner in the Java client, so a key lands on the same
      // partition whichever client wrote it.
      {"partitioner", "murmur2_random"},
  };
  absl::Status extra = AddExtraProperties(options.properties,
                                          {{"acks", {"all", "-1"}, kNoLossReason},
                                           {"request.required.acks", {"all", "-1"}, kNoLossReason},
                                           {"enable.idempotence", {"true"}, kNoLossReason}},
                                          properties);
  if (!extra.ok()) return extra;
  Set(properties, "acks", "all");
  Set(properties, "enable.idempotence", "true");
  return properties;
}

absl::StatusOr<Properties> ConsumerProperties(const ConsumerOptions& options) {
  if (absl::Status s = ValidateConsumerOptions(options); !s.ok()) return s;
  // Three heartbeats per session, as Kafka recommends, but never rarer than its default.
  auto heartbeat =
      std::clamp(options.session_timeout / 3, std::chrono::milliseconds(1), std::chrono::milliseconds(3000));
  Properties properties = {
      {"bootstrap.servers", options.bootstrap_servers},
      {"group.id", options.group_id},
      {"client.id", options.client_id},
      {"auto.offset.reset", std::string(OffsetResetName(options.auto_offset_reset))},
      {"session.timeout.ms", Milliseconds(options.session_timeout)},
      {"heartbeat.interval.ms", Milliseconds(heartbeat)},
      {"max.poll.interval.ms", Milliseconds(options.max_poll_interval)},
      {"enable.partition.eof", "false"},
  };
  absl::Status extra = AddExtraProperties(options.properties,
                                          {{"enable.auto.commit", {"false"}, kManualCommitReason},
                                           {"enable.auto.offset.store", {"false"}, kManualCommitReason}},
                                          properties);
  if (!extra.ok()) return extra;
  Set(properties, "enable.auto.commit", "false");
  Set(properties, "enable.auto.offset.store", "false");
  return properties;
}

absl::StatusOr<KafkaConfPtr> NewKafkaConf(const Properties& properties) {
  KafkaConfPtr conf(rd_kafka_conf_new());
  char error[512];
  for (const auto& [name, value] : properties) {
    if (rd_kafka_conf_set(conf.get(), name.c_str(), value.c_str(), error, sizeof error) != RD_KAFKA_CONF_OK) {
      return absl::InvalidArgumentError(
          absl::StrCat("Kafka property ", name, "=", value, " rejected: ", error));
    }
  }
  return conf;
}

}  // namespace custflow::kafka
