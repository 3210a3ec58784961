// custflow-freshness-bench: how long after ingest acknowledged an event a report counts
// it, for tests/bench/freshness_bench.sh.
//
//   custflow-freshness-bench --ingest HOST:PORT --clickhouse URL --reporting HOST:PORT
//       [--database DB] [--rate 5000] [--seconds 60] [--run-id X] [--batch 25]
//       [--workers 4] [--poll-ms 100] [--visible-timeout 60]
//
// Events of run X (ids "X-e<i>", customers "X-c<j>") go through IngestService.PublishBatch
// at the rate, on a fixed schedule; each event's acknowledgement time is kept. A poller
// asks ClickHouse every poll interval for the run's rows the sink stored since its last
// poll (per Kafka partition, between the offsets the sink recorded in sink_offsets then and
// now), and an event's freshness is the end of the first poll that saw it minus its
// acknowledgement. Once every acknowledged event is visible, the
// reporting service's `engagement` metric (count() of interactions per period) must count
// them all. The database is expected to hold nothing but this tool's events.
//
// Exit code 0 when freshness p99 is under the goal and the report counts every event.
#include <atomic>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "custflow/clickhouse/http_clickhouse_client.h"
#include "custflow/clickhouse/sql.h"
#include "custflow/domain/topics.h"
#include "custflow/sample/sample_generator.h"
#include "custflow/v1/ingest.grpc.pb.h"
#include "custflow/v1/reporting.grpc.pb.h"
#include "tools/custflow/cli_support.h"
#include "tools/loadgen/latency_histogram.h"
#include "tools/loadgen/transport.h"

namespace custflow::loadgen {
namespace {

constexpr auto kGoal = std::chrono::seconds(5);
// Events of the warm-up run: sent and awaited before the measured run, so the sink's
// consumer-group join and the table's creation do not count as freshness.
constexpr int kWarmupEvents = 10;

struct Options {
  std::string ingest;
  std::string clickhouse;
  std::string database;
  std::string reporting;
  double rate = 5000;
  double seconds = 60;
  std::string run;
  int batch = 25;
  int workers = 4;
  std::chrono::milliseconds poll_interval{100};
  std::chrono::seconds visible_timeout{60};
};

bool ParseOptions(int argc, char** argv, Options& options) {
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string_view flag = argv[i];
    std::string value = argv[i + 1];
    if (flag == "--ingest") {
      options.ingest = value;
    } else if (flag == "--clickhouse") {
      options.clickhouse = value;
    } else if (flag == "--database") {
      options.database = value;
    } else if (flag == "--reporting") {
      options.reporting = value;
    } else if (flag == "--rate") {
      options.rate = std::strtod(value.c_str(), nullptr);
    } else if (flag == "--seconds") {
      options.seconds = std::strtod(value.c_str(), nullptr);
    } else if (flag == "--run-id") {
      options.run = value;
    } else if (flag == "--batch") {
      options.batch = std::atoi(value.c_str());
    } else if (flag == "--workers") {
      options.workers = std::atoi(value.c_str());
    } else if (flag == "--poll-ms") {
      options.poll_interval = std::chrono::milliseconds(std::atoi(value.c_str()));
    } else if (flag == "--visible-timeout") {
      options.visible_timeout = std::chrono::seconds(std::atoi(value.c_str()));
    } else {
      return false;
    }
  }
  // The run id goes into a LIKE pattern: its wildcards would match other runs' rows.
  bool plain_run = options.run.find_first_of("%_\\'") == std::string::npos;
  return argc % 2 == 1 && !options.ingest.empty() && !options.clickhouse.empty() &&
         !options.reporting.empty() && options.rate > 0 && options.seconds > 0 && options.batch > 0 &&
         options.workers > 0 && options.poll_interval.count() > 0 && plain_run;
}

int64_t Nanos(Clock::duration duration) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(duration).count();
}

// Event number i of `run` from its id "<run>-e<i>"; -1 for any other id.
int64_t EventIndex(std::string_view event_id, std::string_view run) {
  std::string prefix = std::string(run) + "-e";
  if (event_id.substr(0, prefix.size()) != prefix) return -1;
  std::string_view digits = event_id.substr(prefix.size());
  int64_t index = -1;
  auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), index);
  return error == std::errc() && end == digits.data() + digits.size() ? index : -1;
}

// Per event of the run, nanoseconds after `origin` (0: not yet): when ingest acknowledged
// it and when a poll first saw it stored.
struct EventTimes {
  explicit EventTimes(size_t events) : acked(events), visible(events) {}
  std::vector<std::atomic<int64_t>> acked;
  std::vector<std::atomic<int64_t>> visible;
  std::atomic<uint64_t> acked_count{0};
  std::atomic<uint64_t> visible_count{0};
  std::atomic<uint64_t> rejected_count{0};
  Clock::time_point origin = Clock::now();

  int64_t Since(Clock::time_point at) const { return std::max<int64_t>(1, Nanos(at - origin)); }
};

// One sender: PublishBatch per scheduled batch, one in flight, each acknowledged event's
// time stamped in `times`.
void Send(const LoadContext& context, v1::IngestService::Stub& stub, const std::string& run,
          EventTimes& times, LatencyHistogram& ack_latency) {
  while (std::optional<PreparedBatch> batch = NextBatch(context)) {
    v1::PublishBatchRequest request;
    for (v1::Interaction& event : batch->events) *request.add_events() = std::move(event);
    grpc::ClientContext rpc;
    rpc.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    tools::AddCredentials(rpc);
    v1::PublishBatchResponse response;
    Clock::time_point sent_at = Clock::now();
    context.live.sent.fetch_add(static_cast<uint64_t>(request.events_size()));
    grpc::Status status = stub.PublishBatch(&rpc, request, &response);
    Clock::time_point answered_at = Clock::now();
    if (!status.ok()) {
      times.rejected_count.fetch_add(static_cast<uint64_t>(request.events_size()));
      continue;
    }
    for (const v1::EventResult& result : response.results()) {
      int64_t index = EventIndex(result.event_id(), run);
      if (result.code() != 0 || index < 0 || static_cast<size_t>(index) >= times.acked.size()) {
        times.rejected_count.fetch_add(1);
        continue;
      }
      times.acked[static_cast<size_t>(index)].store(times.Since(answered_at));
      times.acked_count.fetch_add(1);
      ack_latency.Record(answered_at - sent_at);
    }
  }
}

// The run's rows the sink stored since the last poll. The sink records in sink_offsets,
// after each batch's insert, the last offset it stored per partition; rows between the
// offsets read at the previous poll and the ones recorded now are complete. Offsets above
// the highest row seen would miss rows: one insert spans several monthly table partitions,
// committed one after another, so a poll can see a batch's later offsets before its
// earlier ones.
class Poller {
 public:
  Poller(clickhouse::ClickHouseClient& client, std::string run, EventTimes& times)
      : client_(client), run_(std::move(run)), times_(times) {}

  // Polls every `interval` (start to start) until Stop().
  void Run(std::chrono::milliseconds interval) {
    Clock::time_point next = Clock::now();
    while (!stopped_.load()) {
      Clock::time_point start = Clock::now();
      absl::Status polled = PollOnce();
      ++polls_;
      poll_nanos_ += static_cast<uint64_t>(Nanos(Clock::now() - start));
      if (!polled.ok()) {
        // Before the sink created its tables, or a slow moment: the next poll catches up.
        ++failed_;
        last_error_ = std::string(polled.message());
      }
      next += interval;
      std::this_thread::sleep_until(next);
    }
  }

  void Stop() { stopped_.store(true); }
  uint64_t polls() const { return polls_; }
  uint64_t failed_polls() const { return failed_; }
  std::string last_error() const { return last_error_; }
  double mean_poll_ms() const { return polls_ == 0 ? 0 : static_cast<double>(poll_nanos_) / 1e6 / polls_; }

 private:
  absl::Status PollOnce() {
    absl::StatusOr<std::string> stored_sql = clickhouse::Bind(
        "SELECT kafka_partition, max(kafka_offset) FROM sink_offsets WHERE topic = ? GROUP BY "
        "kafka_partition",
        domain::kInteractionsTopic);
    if (!stored_sql.ok()) return stored_sql.status();
    absl::StatusOr<clickhouse::QueryResult> stored = client_.Query(*stored_sql);
    if (!stored.ok()) return stored.status();
    std::map<int32_t, int64_t> recorded;
    clickhouse::SqlText sql;
    sql.Add("SELECT event_id FROM interactions WHERE customer_id LIKE ?", run_ + "-%").Add(" AND (0");
    for (size_t row = 0; row < stored->row_count(); ++row) {
      absl::StatusOr<int64_t> partition = stored->GetInt64(row, 0);
      absl::StatusOr<int64_t> last = stored->GetInt64(row, 1);
      if (!partition.ok()) return partition.status();
      if (!last.ok()) return last.status();
      auto read = read_up_to_.try_emplace(static_cast<int32_t>(*partition), -1).first;
      if (*last <= read->second) continue;
      recorded[read->first] = *last;
      sql.Add(" OR (kafka_partition = ?", read->first)
          .Add(" AND kafka_offset > ?", read->second)
          .Add(" AND kafka_offset <= ?)", *last);
    }
    if (recorded.empty()) return absl::OkStatus();
    absl::StatusOr<std::string> text = sql.Add(")").Bind();
    if (!text.ok()) return text.status();
    absl::StatusOr<clickhouse::QueryResult> rows = client_.Query(*text);
    if (!rows.ok()) return rows.status();
    const int64_t seen_at = times_.Since(Clock::now());
    for (const auto& [partition, last] : recorded) read_up_to_[partition] = last;
    for (size_t row = 0; row < rows->row_count(); ++row) {
      absl::StatusOr<std::string> event_id = rows->GetString(row, 0);
      if (!event_id.ok()) continue;
      int64_t index = EventIndex(*event_id, run_);
      if (index < 0 || static_cast<size_t>(index) >= times_.visible.size()) continue;
      int64_t unseen = 0;
      if (times_.visible[static_cast<size_t>(index)].compare_exchange_strong(unseen, seen_at)) {
        times_.visible_count.fetch_add(1);
      }
    }
    return absl::OkStatus();
  }

  clickhouse::ClickHouseClient& client_;
  const std::string run_;
  EventTimes& times_;
  std::atomic<bool> stopped_{false};
  std::map<int32_t, int64_t> read_up_to_;  // partition -> last offset whose rows were read
  uint64_t polls_ = 0;
  uint64_t failed_ = 0;
  uint64_t poll_nanos_ = 0;
  std::string last_error_;
};

struct SendResult {
  LatencyHistogram ack_latency;
  double seconds = 0;
  uint64_t sent = 0;
};

// Sends `events_or_duration` of `run` through ingest at the rate with all workers.
SendResult SendRun(const Options& options, const std::string& run, std::optional<uint64_t> events,
                   std::optional<std::chrono::duration<double>> duration, EventTimes& times) {
  sample::GeneratorOptions generator_options;
  generator_options.run = run;
  generator_options.customers = 1000;
  generator_options.identity_mix = 0;  // every event names its customer, so rows carry the run's ids
  sample::SampleGenerator generator(generator_options);
  LoadgenOptions loadgen_options;
  BatchSchedule schedule({.rate = options.rate,
                          .batch = static_cast<uint64_t>(options.batch),
                          .events = events,
                          .duration = duration},
                         Clock::now());
  LiveCounters live;
  LoadContext context{loadgen_options, generator, schedule, live};
  std::vector<LatencyHistogram> latencies(static_cast<size_t>(options.workers));
  std::vector<std::thread> workers;
  for (int worker = 0; worker < options.workers; ++worker) {
    workers.emplace_back([&, worker] {
      auto stub = v1::IngestService::NewStub(WorkerChannel(options.ingest, worker));
      Send(context, *stub, run, times, latencies[static_cast<size_t>(worker)]);
    });
  }
  for (std::thread& worker : workers) worker.join();
  SendResult result;
  result.seconds = std::chrono::duration<double>(Clock::now() - schedule.start()).count();
  result.sent = live.sent.load();
  for (const LatencyHistogram& latency : latencies) result.ack_latency.Merge(latency);
  return result;
}

// Waits until every acknowledged event of `times` is visible or `timeout` passed.
bool AwaitVisible(const EventTimes& times, std::chrono::seconds timeout) {
  Clock::time_point deadline = Clock::now() + timeout;
  while (times.visible_count.load() < times.acked_count.load()) {
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

// Interactions the reporting service counts: the `engagement` metric's numerator
// (count() of interactions) summed over yearly periods that cover every generated event.
absl::StatusOr<uint64_t> ReportedInteractions(const std::string& target) {
  auto stub = v1::ReportingService::NewStub(grpc::CreateChannel(target, grpc::InsecureChannelCredentials()));
  v1::MetricQueryRequest request;
  request.set_metric_id("engagement");
  request.set_granularity(v1::METRIC_GRANULARITY_YEAR);
  int64_t now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  request.mutable_from()->set_seconds(now - 2 * 366 * 86400);
  request.mutable_to()->set_seconds(now + 86400);
  grpc::ClientContext rpc;
  rpc.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
  tools::AddCredentials(rpc);
  v1::MetricQueryResponse response;
  grpc::Status status = stub->QueryMetric(&rpc, request, &response);
  if (!status.ok()) return absl::UnavailableError(absl::StrCat("QueryMetric: ", status.error_message()));
  double total = 0;
  for (const v1::MetricRow& row : response.rows()) total += row.numerator();
  return static_cast<uint64_t>(total + 0.5);
}

double Millis(std::chrono::microseconds value) { return static_cast<double>(value.count()) / 1000.0; }

int Run(const Options& options) {
  const std::string run = options.run.empty()
                              ? absl::StrCat("fresh", std::chrono::duration_cast<std::chrono::milliseconds>(
                                                          std::chrono::system_clock::now().time_since_epoch())
                                                          .count())
                              : options.run;
  clickhouse::HttpClickHouseOptions clickhouse_options;
  clickhouse_options.url = options.clickhouse;
  clickhouse_options.database = options.database;
  clickhouse_options.request_timeout = std::chrono::seconds(10);
  clickhouse::HttpClickHouseClient client(clickhouse_options);

  // Warm-up under a run of its own (rows outside the measured run's LIKE pattern).
  const std::string warmup_run = run + "w";
  EventTimes warmup_times(kWarmupEvents);
  Poller warmup_poller(client, warmup_run, warmup_times);
  std::thread warmup_polling([&] { warmup_poller.Run(options.poll_interval); });
  SendRun(options, warmup_run, kWarmupEvents, std::nullopt, warmup_times);
  bool warmed = warmup_times.acked_count.load() > 0 && AwaitVisible(warmup_times, options.visible_timeout);
  warmup_poller.Stop();
  warmup_polling.join();
  if (!warmed) {
    std::fprintf(stderr,
                 "freshness-bench: warm-up events acknowledged %llu, visible %llu; last poll error: %s\n",
                 static_cast<unsigned long long>(warmup_times.acked_count.load()),
                 static_cast<unsigned long long>(warmup_times.visible_count.load()),
                 warmup_poller.last_error().c_str());
    return 1;
  }

  const auto capacity =
      static_cast<size_t>(options.rate * options.seconds) + static_cast<size_t>(options.batch);
  EventTimes times(capacity);
  Poller poller(client, run, times);
  std::thread polling([&] { poller.Run(options.poll_interval); });
  SendResult sent =
      SendRun(options, run, std::nullopt, std::chrono::duration<double>(options.seconds), times);
  bool all_visible = AwaitVisible(times, options.visible_timeout);
  poller.Stop();
  polling.join();

  LatencyHistogram freshness;
  uint64_t never_seen = 0;
  uint64_t seen_before_ack = 0;
  for (size_t i = 0; i < capacity; ++i) {
    int64_t acked = times.acked[i].load();
    if (acked == 0) continue;
    int64_t visible = times.visible[i].load();
    if (visible == 0) {
      ++never_seen;
      continue;
    }
    // A poll can see a row before the acknowledgement reached this process.
    if (visible < acked) ++seen_before_ack;
    freshness.Record(std::chrono::nanoseconds(std::max<int64_t>(0, visible - acked)));
  }
  const uint64_t acked = times.acked_count.load();
  const uint64_t expected_in_report = acked + warmup_times.acked_count.load();
  absl::StatusOr<uint64_t> reported = ReportedInteractions(options.reporting);

  const bool freshness_ok =
      all_visible && never_seen == 0 && freshness.count() > 0 &&
      freshness.Quantile(0.99) < std::chrono::duration_cast<std::chrono::microseconds>(kGoal);
  const bool report_ok = reported.ok() && *reported == expected_in_report;

  std::printf(
      "freshness benchmark: run %s, target %.0f events/s for %.0f s, PublishBatch of %d, %d senders\n",
      run.c_str(), options.rate, options.seconds, options.batch, options.workers);
  std::printf("  %-40s %llu / %llu (rejected or failed %llu)\n", "events sent / acknowledged",
              static_cast<unsigned long long>(sent.sent), static_cast<unsigned long long>(acked),
              static_cast<unsigned long long>(times.rejected_count.load()));
  std::printf("  %-40s %.0f events/s over %.2f s\n", "achieved rate (acknowledged)",
              static_cast<double>(acked) / sent.seconds, sent.seconds);
  std::printf("  %-40s p50 %.1f ms, p99 %.1f ms, max %.1f ms\n", "ack latency (send to ack)",
              Millis(sent.ack_latency.Quantile(0.5)), Millis(sent.ack_latency.Quantile(0.99)),
              Millis(sent.ack_latency.max()));
  std::printf("  %-40s p50 %.0f ms, p95 %.0f ms, p99 %.0f ms, max %.0f ms (%llu events)\n",
              "freshness (ack to visible in ClickHouse)", Millis(freshness.Quantile(0.5)),
              Millis(freshness.Quantile(0.95)), Millis(freshness.Quantile(0.99)), Millis(freshness.max()),
              static_cast<unsigned long long>(freshness.count()));
  std::printf("  %-40s %llu (seen by a poll before their ack arrived: %llu, counted as 0)\n",
              "acknowledged events never seen", static_cast<unsigned long long>(never_seen),
              static_cast<unsigned long long>(seen_before_ack));
  std::printf("  %-40s every %lld ms, mean query %.1f ms, %llu polls (%llu failed); resolution ~%.0f ms\n",
              "ClickHouse poll", static_cast<long long>(options.poll_interval.count()), poller.mean_poll_ms(),
              static_cast<unsigned long long>(poller.polls()),
              static_cast<unsigned long long>(poller.failed_polls()),
              static_cast<double>(options.poll_interval.count()) + poller.mean_poll_ms());
  if (reported.ok()) {
    std::printf("  %-40s %llu interactions, expected %llu (%llu measured + %llu warm-up): %s\n",
                "report (QueryMetric engagement, count())", static_cast<unsigned long long>(*reported),
                static_cast<unsigned long long>(expected_in_report), static_cast<unsigned long long>(acked),
                static_cast<unsigned long long>(warmup_times.acked_count.load()),
                report_ok ? "ok" : "MISMATCH");
  } else {
    std::printf("  %-40s %s\n", "report (QueryMetric engagement, count())",
                reported.status().ToString().c_str());
  }
  std::printf("%s: freshness p99 %.0f ms against the goal of %lld ms%s\n",
              freshness_ok && report_ok ? "PASS" : "FAIL", Millis(freshness.Quantile(0.99)),
              static_cast<long long>(kGoal.count() * 1000),
              report_ok ? "" : "; the report does not count every acknowledged event");
  return freshness_ok && report_ok ? 0 : 1;
}

}  // namespace
}  // namespace custflow::loadgen

int main(int argc, char** argv) {
  custflow::loadgen::Options options;
  if (!custflow::loadgen::ParseOptions(argc, argv, options)) {
    std::fprintf(stderr,
                 "usage: custflow-freshness-bench --ingest HOST:PORT --clickhouse URL --reporting HOST:PORT\n"
                 "  [--database DB] [--rate 5000] [--seconds 60] [--run-id X] [--batch 25] [--workers 4]\n"
                 "  [--poll-ms 100] [--visible-timeout 60]\n"
                 "  sends $CUSTFLOW_TOKEN, when set, as the bearer token of every call\n");
    return 2;
  }
  return custflow::loadgen::Run(options);
}
