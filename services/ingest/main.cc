// custflow-ingest: interaction events in over gRPC, out to Kafka once confirmed.
#include <algorithm>

#include "absl/strings/str_split.h"
#include "custflow/core/config.h"
#include "custflow/core/log.h"
#include "custflow/core/service_host.h"
#include "custflow/dedupe/dedupe_store.h"
#include "custflow/domain/topics.h"
#include "custflow/kafka/kafka_producer.h"
#include "custflow/runtime/auth_setup.h"
#include "custflow/runtime/runtime.h"
#include "services/ingest/http_ingest.h"
#include "services/ingest/identity_resolver.h"
#include "services/ingest/ingest_pipeline.h"
#include "services/ingest/ingest_rate_limit.h"
#include "services/ingest/ingest_service.h"

int main(int argc, char** argv) {
  using namespace custflow;
  core::Config config("ingest");
  core::ServiceHost host("ingest", config);
  kafka::ProducerOptions producer_options;
  producer_options.bootstrap_servers =
      config.String("KAFKA_BROKERS", "127.0.0.1:9092", "Kafka bootstrap servers.");
  producer_options.client_id = "custflow-ingest";
  producer_options.delivery_timeout =
      config.Duration("ACK_TIMEOUT", std::chrono::seconds(10),
                      "How long an event may wait for Kafka before it is answered UNAVAILABLE.");
  std::string redis_address =
      config.String("REDIS_ADDRESS", "127.0.0.1:6379", "Redis host:port (dedupe and the identity index).");
  ingest::PipelineOptions options;
  options.topic = config.String("TOPIC", domain::kInteractionsTopic, "Topic interactions are published to.");
  options.max_in_flight = static_cast<size_t>(
      config.Int("MAX_IN_FLIGHT", 100'000,
                 "Events accepted but not yet durable, at most; beyond, RESOURCE_EXHAUSTED / 429."));
  options.dedupe_window = config.Duration("DEDUPE_WINDOW", std::chrono::hours(24),
                                          "How long a retried event id is counted once.");
  options.claim_timeout = producer_options.delivery_timeout + std::chrono::seconds(5);
  options.validation.default_phone_region = config.String(
      "PHONE_REGION", "CN", "Region of phone numbers written without a country code (ISO 3166).");
  options.validation.max_age = std::chrono::duration_cast<std::chrono::hours>(
      config.Duration("MAX_EVENT_AGE", std::chrono::hours(24 * 365), "Events older than this are rejected."));
  ingest::IngestServiceOptions service_options;
  service_options.max_stream_in_flight = static_cast<size_t>(
      config.Int("STREAM_IN_FLIGHT", 10'000,
                 "Unanswered events per stream, at most, before the server stops reading it."));
  ingest::HttpIngestOptions http_options;
  http_options.allowed_origins = absl::StrSplit(
      config.String("CORS_ORIGINS", "",
                    "Web origins allowed to post events from a browser, comma-separated; * for any."),
      ',', absl::SkipEmpty());
  http_options.max_request_bytes = static_cast<size_t>(
      config.Int("MAX_REQUEST_BYTES", 1 << 20, "Largest HTTP request body accepted by POST /v1/events."));
  // One budget per principal over gRPC and HTTP together. The default burst lets any
  // valid batch (at most 1000 events) through a bucket that is full.
  int64_t rate_limit =
      config.Int("RATE_LIMIT", 0,
                 "Events per second each principal (token) may publish, gRPC and HTTP together; beyond, "
                 "RESOURCE_EXHAUSTED / 429 with a retry delay. 0: no limit.");
  int64_t rate_burst = config.Int("RATE_BURST", 0,
                                  "Events a principal may publish at once before RATE_LIMIT applies; larger "
                                  "requests are refused. 0: the larger of 2 x RATE_LIMIT and 1000.");
  if (rate_burst <= 0) rate_burst = std::max<int64_t>(2 * rate_limit, service_options.max_batch);
  runtime::AuthSetup auth_setup(config);
  if (auto exit_code = host.Preflight(argc, argv, config)) return *exit_code;
  absl::StatusOr<auth::RequestAuthenticator> authenticator = auth_setup.Load();
  if (!authenticator.ok()) {
    core::LogError("cannot start with this token file", {{"error", authenticator.status().ToString()}});
    return 1;
  }

  auto redis = runtime::ConnectRedis(redis_address, 4);
  if (!redis.ok()) {
    core::LogError("cannot reach Redis", {{"error", redis.status().ToString()}});
    return 1;
  }
  auto producer = kafka::KafkaProducer::Create(producer_options);
  if (!producer.ok()) {
    core::LogError("cannot create Kafka producer", {{"error", producer.status().ToString()}});
    return 1;
  }
  dedupe::RedisDedupeStore dedupe(**redis);
  ingest::RedisIdentityResolver identities(**redis);
  ingest::IngestPipeline pipeline(**producer, dedupe, identities, host.metrics(), options);
  ingest::IngestRateLimit rate_limiter(static_cast<double>(rate_limit), static_cast<double>(rate_burst),
                                       host.metrics());
  service_options.rate_limit = &rate_limiter;
  http_options.rate_limit = &rate_limiter;
  ingest::IngestService service(pipeline, *authenticator, service_options);
  host.AddGrpcService(&service);
  // POST /v1/events authenticates itself; the admin routes behind it (health, metrics)
  // need no token, so the handler as a whole is not wrapped.
  ingest::HttpIngest http(pipeline, *authenticator, http_options);
  host.SetHttpHandler(http.Handler());
  host.health().AddReadinessCheck("redis", runtime::RedisReadiness(**redis));
  if (absl::Status started = host.Start(); !started.ok()) {
    core::LogError("cannot start", {{"error", started.ToString()}});
    return 1;
  }
  host.shutdown().Wait();
  host.Drain();
  if (absl::Status flushed = (*producer)->Flush(std::chrono::seconds(10)); !flushed.ok()) {
    core::LogWarn("producer flush incomplete", {{"error", flushed.ToString()}});
  }
  return 0;
}
