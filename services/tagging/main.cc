// custflow-tagging: evaluates the tag rules on every profile snapshot and in scheduled
// sweeps, publishes set-tags commands, and serves TaggingService. SIGHUP (or the
// ReloadRules call) reads the rule file again; a changed rule set is swept at once.
#include <pthread.h>

#include <atomic>
#include <csignal>
#include <thread>

#include "custflow/clickhouse/http_clickhouse_client.h"
#include "custflow/core/config.h"
#include "custflow/core/log.h"
#include "custflow/core/service_host.h"
#include "custflow/domain/topics.h"
#include "custflow/kafka/kafka_consumer.h"
#include "custflow/kafka/kafka_producer.h"
#include "custflow/runtime/auth_setup.h"
#include "custflow/runtime/runtime.h"
#include "services/profile/profile_archive.h"
#include "services/tagging/tagger.h"
#include "services/tagging/tagging_service.h"

int main(int argc, char** argv) {
  using namespace custflow;
  // SIGHUP is blocked before any thread starts, so only the sweep thread's sigtimedwait
  // sees it.
  sigset_t hangup;
  sigemptyset(&hangup);
  sigaddset(&hangup, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &hangup, nullptr);

  core::Config config("tagging");
  core::ServiceHost host("tagging", config);
  std::string brokers = config.String("KAFKA_BROKERS", "127.0.0.1:9092", "Kafka bootstrap servers.");
  std::string group = config.String("GROUP", "custflow-tagging", "Kafka consumer group of the taggers.");
  std::string redis_address = config.String("REDIS_ADDRESS", "127.0.0.1:6379",
                                            "Redis of the profile service (read-only): host:port.");
  int redis_pool = static_cast<int>(config.Int("REDIS_POOL", 4, "Redis connections."));
  std::string rules_file = config.String(
      "RULES_FILE", "", "Tag rule file (YAML, docs/TAGGING.md); empty for the built-in default rules.");
  auto sweep_interval = config.Duration("SWEEP_INTERVAL", std::chrono::hours(1),
                                        "How often every profile is evaluated again (time-based rules); 0 "
                                        "turns scheduled sweeps off.");
  clickhouse::HttpClickHouseOptions clickhouse_options;
  clickhouse_options.url =
      config.String("CLICKHOUSE_URL", "http://127.0.0.1:8123",
                    "ClickHouse HTTP interface: tag history, and profiles missing from Redis; "
                    "empty to run without.");
  clickhouse_options.database = config.String("CLICKHOUSE_DATABASE", "default", "ClickHouse database.");
  runtime::AuthSetup auth_setup(config);
  if (auto exit_code = host.Preflight(argc, argv, config)) return *exit_code;
  absl::StatusOr<auth::RequestAuthenticator> authenticator = auth_setup.Load();
  if (!authenticator.ok()) {
    core::LogError("cannot start with this token file", {{"error", authenticator.status().ToString()}});
    return 1;
  }

  tagging::RuleBook rules(rules_file);
  if (absl::StatusOr<bool> loaded = rules.Reload(); !loaded.ok()) {
    core::LogError("cannot start without valid rules", {{"error", loaded.status().ToString()}});
    return 1;
  }
  auto redis = runtime::ConnectRedis(redis_address, redis_pool);
  if (!redis.ok()) {
    core::LogError("cannot reach Redis", {{"error", redis.status().ToString()}});
    return 1;
  }
  clickhouse::HttpClickHouseClient clickhouse_client(clickhouse_options);
  profile::ClickHouseProfileArchive archive(clickhouse_client);
  bool with_clickhouse = !clickhouse_options.url.empty();
  profile::ProfileStore store(**redis, with_clickhouse ? &archive : nullptr, &host.metrics());

  kafka::ProducerOptions producer_options;
  producer_options.bootstrap_servers = brokers;
  producer_options.client_id = "custflow-tagging";
  auto producer = kafka::KafkaProducer::Create(producer_options);
  if (!producer.ok()) {
    core::LogError("cannot create Kafka producer", {{"error", producer.status().ToString()}});
    return 1;
  }
  tagging::Tagger tagger(rules, **producer, host.metrics(), domain::kCommandsTopic);
  std::atomic<bool> sweep_requested{false};
  tagging::TaggingService service(rules, tagger, store, with_clickhouse ? &clickhouse_client : nullptr,
                                  *authenticator, [&] { sweep_requested = true; });
  host.AddGrpcService(&service);
  host.health().AddReadinessCheck("redis", runtime::RedisReadiness(**redis));

  // Scheduled sweeps, sweeps after a rule change, and SIGHUP reloads, checked each second.
  // The first scheduled sweep comes a minute after start (or after one interval, if
  // shorter), so rules changed while the service was down reach every customer soon.
  std::thread sweeper([&] {
    auto next = std::chrono::steady_clock::now() +
                std::min<std::chrono::steady_clock::duration>(sweep_interval, std::chrono::minutes(1));
    while (!host.shutdown().requested()) {
      timespec second{.tv_sec = 1, .tv_nsec = 0};
      if (sigtimedwait(&hangup, nullptr, &second) == SIGHUP) {
        absl::StatusOr<bool> changed = rules.Reload();
        if (changed.ok() && *changed) sweep_requested = true;
      }
      bool scheduled = sweep_interval.count() > 0 && std::chrono::steady_clock::now() >= next;
      if (!sweep_requested.exchange(false) && !scheduled) continue;
      if (scheduled) {
        next = std::chrono::steady_clock::now() + sweep_interval;
        auto hold = std::chrono::duration_cast<std::chrono::milliseconds>(sweep_interval) * 9 / 10;
        absl::StatusOr<bool> turn = tagging::TakeSweepTurn(**redis, hold);
        if (!turn.ok() || !*turn) continue;  // another replica sweeps this round
      }
      if (absl::StatusOr<tagging::SweepStatus> swept = tagger.Sweep(store); !swept.ok()) {
        core::LogError("sweep failed; the next one retries", {{"error", swept.status().ToString()}});
      }
    }
  });

  kafka::ConsumerOptions consumer_options;
  consumer_options.bootstrap_servers = brokers;
  consumer_options.group_id = group;
  consumer_options.client_id = "custflow-tagging";
  consumer_options.topics = {domain::kProfilesTopic};
  runtime::LogConsumerEvents(consumer_options);
  auto consumer = kafka::KafkaConsumer::Create(consumer_options);
  if (!consumer.ok()) {
    core::LogError("cannot create Kafka consumer", {{"error", consumer.status().ToString()}});
    host.shutdown().Trigger();
    sweeper.join();
    return 1;
  }
  int exit_code = runtime::ServeWithConsumer(
      host, **consumer, {}, [&](std::span<const kafka::Message> batch) { return tagger.Handle(batch); });
  sweeper.join();
  return exit_code;
}
