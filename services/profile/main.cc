// custflow-profile: applies interactions and commands to live profiles in Redis and
// serves them over gRPC. `custflow-profile rebuild` instead restores Redis from the
// profile archive in ClickHouse and exits (see profile_rebuild.h for when to run it).
#include <cstdio>
#include <string_view>

#include "custflow/clickhouse/http_clickhouse_client.h"
#include "custflow/core/config.h"
#include "custflow/core/log.h"
#include "custflow/core/service_host.h"
#include "custflow/domain/topics.h"
#include "custflow/kafka/consume_loop.h"
#include "custflow/kafka/kafka_consumer.h"
#include "custflow/kafka/kafka_producer.h"
#include "custflow/runtime/auth_setup.h"
#include "custflow/runtime/runtime.h"
#include "services/profile/profile_applier.h"
#include "services/profile/profile_rebuild.h"
#include "services/profile/profile_service.h"

int main(int argc, char** argv) {
  using namespace custflow;
  core::Config config("profile");
  core::ServiceHost host("profile", config);
  std::string brokers = config.String("KAFKA_BROKERS", "127.0.0.1:9092", "Kafka bootstrap servers.");
  std::string group =
      config.String("GROUP", "custflow-profile", "Kafka consumer group of the profile appliers.");
  std::string redis_address = config.String("REDIS_ADDRESS", "127.0.0.1:6379", "Redis host:port.");
  int redis_pool = static_cast<int>(config.Int("REDIS_POOL", 16, "Redis connections for gRPC reads."));
  std::string phone_region = config.String(
      "PHONE_REGION", "CN", "Region of phone numbers written without a country code (ISO 3166).");
  auto dedupe_window = config.Duration("DEDUPE_WINDOW", std::chrono::hours(24),
                                       "How long a follow-up id is remembered, so a retry logs it once.");
  clickhouse::HttpClickHouseOptions clickhouse_options;
  clickhouse_options.url =
      config.String("CLICKHOUSE_URL", "http://127.0.0.1:8123",
                    "ClickHouse HTTP interface: profiles missing from Redis come back from there.");
  clickhouse_options.database = config.String("CLICKHOUSE_DATABASE", "default", "ClickHouse database.");
  runtime::AuthSetup auth_setup(config);
  if (auto exit_code = host.Preflight(argc, argv, config)) return *exit_code;
  absl::StatusOr<auth::RequestAuthenticator> authenticator = auth_setup.Load();
  if (!authenticator.ok()) {
    core::LogError("cannot start with this token file", {{"error", authenticator.status().ToString()}});
    return 1;
  }

  auto redis = runtime::ConnectRedis(redis_address, redis_pool);
  if (!redis.ok()) {
    core::LogError("cannot reach Redis", {{"error", redis.status().ToString()}});
    return 1;
  }
  clickhouse::HttpClickHouseClient clickhouse_client(clickhouse_options);
  profile::ClickHouseProfileArchive archive(clickhouse_client);
  profile::ProfileStore store(**redis, clickhouse_options.url.empty() ? nullptr : &archive, &host.metrics());

  if (argc > 1 && std::string_view(argv[1]) == "rebuild") {
    auto report = profile::RebuildFromArchive(store, archive, [](const profile::RebuildReport& so_far) {
      core::LogInfo("rebuilding", {{"restored", so_far.restored}, {"present", so_far.present}});
    });
    if (!report.ok()) {
      core::LogError("rebuild failed", {{"error", report.status().ToString()}});
      return 1;
    }
    std::printf("restored %llu profiles, %llu were present; applied offsets:\n",
                static_cast<unsigned long long>(report->restored),
                static_cast<unsigned long long>(report->present));
    for (const auto& [position, offset] : report->applied_offsets) {
      std::printf("  %s %lld\n", position.c_str(), static_cast<long long>(offset));
    }
    return 0;
  }
  // Not fatal: until Redis is known complete, misses are looked up in the archive.
  if (absl::StatusOr<bool> complete = store.EnsureComplete(); !complete.ok()) {
    core::LogWarn("cannot tell whether Redis holds every profile; misses will ask the archive",
                  {{"error", complete.status().ToString()}});
  } else if (!*complete) {
    core::LogWarn(
        "Redis lost profiles the archive has: they are restored as they are read; "
        "run `custflow-profile rebuild` to restore all at once");
  }
  kafka::ProducerOptions producer_options;
  producer_options.bootstrap_servers = brokers;
  producer_options.client_id = "custflow-profile";
  auto producer = kafka::KafkaProducer::Create(producer_options);
  if (!producer.ok()) {
    core::LogError("cannot create Kafka producer", {{"error", producer.status().ToString()}});
    return 1;
  }

  profile::ProfileApplier applier(
      store, **producer, host.metrics(),
      {domain::kInteractionsTopic, domain::kCommandsTopic, domain::kProfilesTopic, domain::kDeadLetterTopic});
  profile::ProfileService service(store, **producer, *authenticator,
                                  {.commands_topic = domain::kCommandsTopic,
                                   .interactions_topic = domain::kInteractionsTopic,
                                   .default_region = phone_region,
                                   .dedupe_window = dedupe_window});
  host.AddGrpcService(&service);
  host.health().AddReadinessCheck("redis", runtime::RedisReadiness(**redis));

  kafka::ConsumerOptions consumer_options;
  consumer_options.bootstrap_servers = brokers;
  consumer_options.group_id = group;
  consumer_options.client_id = "custflow-profile";
  consumer_options.topics = {domain::kInteractionsTopic, domain::kCommandsTopic};
  consumer_options.on_assign = [&](std::vector<kafka::TopicPartitionOffset>& partitions) {
    return applier.StartAfterApplied(partitions);
  };
  runtime::LogConsumerEvents(consumer_options);
  auto consumer = kafka::KafkaConsumer::Create(consumer_options);
  if (!consumer.ok()) {
    core::LogError("cannot create Kafka consumer", {{"error", consumer.status().ToString()}});
    return 1;
  }
  return runtime::ServeWithConsumer(
      host, **consumer, {}, [&](std::span<const kafka::Message> batch) { return applier.Apply(batch); });
}
