// custflow-reporting: the ClickHouse sink (interactions and profile snapshots, exactly
// once) and the reporting API. `custflow-reporting migrate` instead brings the ClickHouse
// schema up to date and exits (the migration Job of a deployment); the service applies the
// same migrations at start, so running both is harmless.
#include <cstdio>
#include <optional>
#include <string_view>

#include "absl/strings/str_split.h"
#include "custflow/clickhouse/http_clickhouse_client.h"
#include "custflow/core/config.h"
#include "custflow/core/grpc_status.h"
#include "custflow/core/log.h"
#include "custflow/core/service_host.h"
#include "custflow/domain/topics.h"
#include "custflow/kafka/kafka_consumer.h"
#include "custflow/runtime/auth_setup.h"
#include "custflow/runtime/batching_consumer.h"
#include "custflow/runtime/runtime.h"
#include "services/reporting/clickhouse_sink.h"
#include "services/reporting/http_reports.h"
#include "services/reporting/reporting_service.h"
#include "services/reporting/scheduled_reports.h"
#include "services/reporting/schema.h"

int main(int argc, char** argv) {
  using namespace custflow;
  core::Config config("reporting");
  core::ServiceHost host("reporting", config);
  std::string brokers = config.String("KAFKA_BROKERS", "127.0.0.1:9092", "Kafka bootstrap servers.");
  std::string group = config.String("GROUP", "custflow-reporting", "Kafka consumer group of the sink.");
  clickhouse::HttpClickHouseOptions clickhouse_options;
  clickhouse_options.url =
      config.String("CLICKHOUSE_URL", "http://127.0.0.1:8123", "ClickHouse HTTP interface.");
  clickhouse_options.database = config.String("CLICKHOUSE_DATABASE", "default", "ClickHouse database.");
  reporting::HttpReportsOptions http_options;
  http_options.allowed_origins = absl::StrSplit(
      config.String("CORS_ORIGINS", "",
                    "Web origins whose pages may read /v1/reports answers, comma-separated; * for any."),
      ',', absl::SkipEmpty());
  // A batch is written when it holds SINK_BATCH messages or SINK_WAIT passed since its
  // first message (BatchingConsumer), so a trickle of events still makes large inserts.
  kafka::ConsumeLoopOptions loop_options;
  loop_options.max_batch = static_cast<size_t>(
      config.Int("SINK_BATCH", 50'000, "Most messages written to ClickHouse in one batch."));
  std::chrono::milliseconds batch_wait = config.Duration(
      "SINK_WAIT", std::chrono::milliseconds(200), "Longest wait for more messages before writing a batch.");
  const std::string schedule_text = config.String(
      "REPORT_SCHEDULE", "",
      "Reports written to REPORT_DIR, ';'-separated TEMPLATE:FREQUENCY[:FORMATS[:LANGUAGE]], e.g. "
      "overview:monthly:pdf+xlsx:zh;sales:weekly (frequency daily, weekly or monthly; formats pdf, xlsx or "
      "pdf+xlsx, the default; language en or zh, default en). Empty writes none.");
  reporting::ReportSchedulerOptions schedule_options;
  schedule_options.folder =
      config.String("REPORT_DIR", "reports", "Folder the scheduled reports are written to.");
  schedule_options.delay = std::chrono::duration_cast<std::chrono::seconds>(config.Duration(
      "REPORT_DELAY", std::chrono::minutes(10),
      "How long after a period closes its scheduled reports are written, so late events count."));
  const std::chrono::milliseconds schedule_interval =
      config.Duration("REPORT_CHECK_INTERVAL", std::chrono::minutes(1),
                      "How often the schedule is checked for reports to write.");
  runtime::AuthSetup auth_setup(config);
  if (auto exit_code = host.Preflight(argc, argv, config)) return *exit_code;
  absl::StatusOr<auth::RequestAuthenticator> authenticator = auth_setup.Load();
  if (!authenticator.ok()) {
    core::LogError("cannot start with this token file", {{"error", authenticator.status().ToString()}});
    return 1;
  }
  absl::StatusOr<std::vector<reporting::ScheduledReport>> schedule = reporting::ParseSchedule(schedule_text);
  if (!schedule.ok()) {
    core::LogError("cannot start with this schedule", {{"error", schedule.status().ToString()}});
    return 1;
  }

  clickhouse::HttpClickHouseClient client(clickhouse_options);
  if (absl::Status migrated = reporting::ApplyMigrations(client); !migrated.ok()) {
    core::LogError("schema migration failed", {{"error", migrated.ToString()}});
    return 1;
  }
  if (argc > 1 && std::string_view(argv[1]) == "migrate") {
    std::printf("ClickHouse schema of %s is up to date\n", clickhouse_options.database.c_str());
    return 0;
  }
  host.health().AddReadinessCheck("clickhouse", [&] { return client.Ping(); });
  reporting::ReportingService service(client, *authenticator);
  host.AddGrpcService(&service);
  reporting::HttpReports http_reports(service.reports(), http_options);
  host.SetHttpHandler(
      runtime::RequireAuthentication(*authenticator, http_reports.Handler(), &http_reports.cors()));
  const bool scheduled = !schedule->empty();
  // The schedule is the operator's own configuration: its reports render in-process, over
  // every customer.
  const auth::Principal scheduler_caller{.name = "report-scheduler", .role = auth::Role::kAdmin};
  reporting::ReportScheduler scheduler(
      *std::move(schedule),
      [&service, &scheduler_caller](const v1::RenderReportRequest& request) {
        return service.reports().RenderReport(scheduler_caller, request);
      },
      schedule_options, host.metrics());
  std::optional<reporting::ScheduleLoop> schedule_loop;
  if (scheduled) schedule_loop.emplace(scheduler, schedule_interval);
  reporting::ClickHouseSink sink(client, host.metrics(),
                                 {domain::kInteractionsTopic, domain::kProfilesTopic});

  kafka::ConsumerOptions consumer_options;
  consumer_options.bootstrap_servers = brokers;
  consumer_options.group_id = group;
  consumer_options.client_id = "custflow-reporting";
  consumer_options.topics = {domain::kInteractionsTopic, domain::kProfilesTopic};
  consumer_options.on_assign = [&](std::vector<kafka::TopicPartitionOffset>& partitions) {
    return sink.StartAfterRecorded(partitions);
  };
  // Declared before the consumer so it outlives the consumer's revoke hook.
  std::optional<runtime::BatchingConsumer> batching;
  consumer_options.on_revoke = [&](const std::vector<kafka::TopicPartition>& partitions) {
    if (batching) batching->Forget(partitions);
  };
  runtime::LogConsumerEvents(consumer_options);
  auto consumer = kafka::KafkaConsumer::Create(consumer_options);
  if (!consumer.ok()) {
    core::LogError("cannot create Kafka consumer", {{"error", consumer.status().ToString()}});
    return 1;
  }
  batching.emplace(**consumer, batch_wait);
  return runtime::ServeWithConsumer(host, *batching, loop_options,
                                    [&](std::span<const kafka::Message> batch) { return sink.Write(batch); });
}
