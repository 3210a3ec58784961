// custflow-sink-bench: fills the interactions topic for tests/bench/sink_bench.sh and
// writes the very rows the reporting sink will store, as one RowBinary file, so the script
// can time the sink against a raw insert of the same rows in the same run.
//
//   custflow-sink-bench --brokers B --count N --rowbinary FILE [--topic T]
//
// N synthetic interactions are published (keyed by customer, acks=all, every delivery
// awaited); each row of FILE is what ClickHouseSink writes for that message, its
// partition and offset included. The last line is machine-readable:
//   sink-bench fill: count=N seconds=S rate=R bytes=B columns=c1,c2,...
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_join.h"
#include "custflow/domain/topics.h"
#include "custflow/kafka/kafka_producer.h"
#include "custflow/v1/interaction.pb.h"
#include "services/reporting/clickhouse_sink.h"

namespace custflow::loadgen {
namespace {

constexpr int64_t kMay2024 = 1714521600;
constexpr size_t kRowsPerWrite = 100'000;

struct Options {
  std::string brokers;
  std::string topic = domain::kInteractionsTopic;
  size_t count = 0;
  std::string rowbinary;
};

std::string CustomerId(size_t n) { return "c-" + std::to_string(n % 100'000); }

// Event n, the same bytes on every call.
std::string InteractionValue(size_t n) {
  static const char* const kDepartments[] = {"销售部", "售后", "客服中心", "市场部"};
  v1::Interaction event;
  event.set_event_id("bench-" + std::to_string(n));
  event.mutable_customer()->set_customer_id(CustomerId(n));
  event.set_channel(n % 3 == 0 ? v1::CHANNEL_PHONE : v1::CHANNEL_WEB);
  event.set_type(n % 5 == 0 ? v1::INTERACTION_TYPE_ORDER_PLACED : v1::INTERACTION_TYPE_CALL_INBOUND);
  event.mutable_occurred_at()->set_seconds(kMay2024 + static_cast<int64_t>(n % 8'000'000));
  event.mutable_received_at()->set_seconds(kMay2024 + static_cast<int64_t>(n % 8'000'000) + 2);
  event.set_agent("agent-" + std::to_string(n % 97));
  event.set_department(kDepartments[n % 4]);
  event.set_team("team-" + std::to_string(n % 11));
  if (n % 5 == 0) {
    event.mutable_amount()->set_amount_minor(static_cast<int64_t>(n % 100'000) * 100);
    event.mutable_amount()->set_currency("CNY");
  }
  event.set_duration_seconds(static_cast<uint32_t>(n % 900));
  return event.SerializeAsString();
}

bool ParseOptions(int argc, char** argv, Options& options) {
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string_view flag = argv[i];
    std::string value = argv[i + 1];
    if (flag == "--brokers") {
      options.brokers = value;
    } else if (flag == "--topic") {
      options.topic = value;
    } else if (flag == "--count") {
      options.count = std::strtoull(value.c_str(), nullptr, 10);
    } else if (flag == "--rowbinary") {
      options.rowbinary = value;
    } else {
      return false;
    }
  }
  return argc % 2 == 1 && !options.brokers.empty() && options.count > 0 && !options.rowbinary.empty();
}

struct Delivered {
  int32_t partition = -1;
  int64_t offset = -1;
};

int Run(const Options& options) {
  kafka::ProducerOptions producer_options;
  producer_options.bootstrap_servers = options.brokers;
  producer_options.linger = std::chrono::milliseconds(20);
  auto producer = kafka::KafkaProducer::Create(producer_options);
  if (!producer.ok()) {
    std::fprintf(stderr, "sink-bench: %s\n", producer.status().ToString().c_str());
    return 1;
  }
  std::vector<Delivered> delivered(options.count);
  std::atomic<size_t> failed = 0;
  const auto start = std::chrono::steady_clock::now();
  for (size_t n = 0; n < options.count; ++n) {
    const std::string value = InteractionValue(n);
    for (;;) {
      absl::Status queued = (*producer)->Send(options.topic, CustomerId(n), value,
                                              [&, n](absl::StatusOr<kafka::DeliveryReport> r) {
                                                if (!r.ok()) {
                                                  failed.fetch_add(1);
                                                  return;
                                                }
                                                delivered[n] = {r->partition, r->offset};
                                              });
      if (queued.ok()) break;
      if (!absl::IsResourceExhausted(queued)) {
        std::fprintf(stderr, "sink-bench: %s\n", queued.ToString().c_str());
        return 1;
      }
      (*producer)->Flush(std::chrono::milliseconds(100)).IgnoreError();  // room in the queue
    }
  }
  if (absl::Status flushed = (*producer)->Flush(std::chrono::minutes(5)); !flushed.ok() || failed > 0) {
    std::fprintf(stderr, "sink-bench: %zu deliveries failed %s\n", failed.load(), flushed.ToString().c_str());
    return 1;
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  std::ofstream out(options.rowbinary, std::ios::binary | std::ios::trunc);
  clickhouse::RowBinaryWriter rows;
  size_t bytes = 0;
  for (size_t n = 0; n < options.count; ++n) {
    const std::string value = InteractionValue(n);
    kafka::Message message;
    message.topic = options.topic;
    message.partition = delivered[n].partition;
    message.offset = delivered[n].offset;
    message.value = value;
    reporting::AppendInteractionRow(rows, message);
    if (rows.row_count() == kRowsPerWrite || n + 1 == options.count) {
      out.write(rows.data().data(), static_cast<std::streamsize>(rows.size_bytes()));
      bytes += rows.size_bytes();
      rows.Clear();
    }
  }
  out.close();
  if (!out) {
    std::fprintf(stderr, "sink-bench: cannot write %s\n", options.rowbinary.c_str());
    return 1;
  }
  std::printf("sink-bench fill: count=%zu seconds=%.3f rate=%.0f bytes=%zu columns=%s\n", options.count,
              seconds, static_cast<double>(options.count) / seconds, bytes,
              absl::StrJoin(reporting::InteractionColumns(), ",").c_str());
  return 0;
}

}  // namespace
}  // namespace custflow::loadgen

int main(int argc, char** argv) {
  custflow::loadgen::Options options;
  if (!custflow::loadgen::ParseOptions(argc, argv, options)) {
    std::fprintf(stderr, "usage: custflow-sink-bench --brokers B --count N --rowbinary FILE [--topic T]\n");
    return 2;
  }
  return custflow::loadgen::Run(options);
}
