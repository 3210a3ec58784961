#include "custflow/runtime/runtime.h"

#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "custflow/core/log.h"
#include "custflow/redis/hiredis_client.h"
#include "custflow/runtime/consumer_lag.h"

namespace custflow::runtime {
namespace {

// Often enough for lag alerts measured in minutes, rare enough to cost nothing.
constexpr auto kLagReportInterval = std::chrono::seconds(5);

std::string Seconds(std::chrono::steady_clock::duration duration) {
  return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(duration).count()) + " s";
}

}  // namespace

absl::StatusOr<std::unique_ptr<redis::RedisClient>> ConnectRedis(const std::string& address, int pool_size) {
  redis::HiredisOptions options;
  options.pool_size = pool_size;
  if (!core::SplitHostPort(address, options.host, options.port)) {
    return absl::InvalidArgumentError("Redis address '" + address + "' is not host:port");
  }
  return redis::HiredisClient::Create(options);
}

core::Health::Check RedisReadiness(redis::RedisClient& redis) {
  return [&redis] {
    absl::StatusOr<redis::Reply> reply = redis.Command({"PING"});
    if (!reply.ok()) return reply.status();
    return reply->ToStatus();
  };
}

void LogConsumerEvents(kafka::ConsumerOptions& options) {
  options.on_assign = [group = options.group_id, next = std::move(options.on_assign)](
                          std::vector<kafka::TopicPartitionOffset>& partitions) {
    core::LogInfo("Kafka partitions assigned", {{"group", group}, {"partitions", partitions.size()}});
    return next ? next(partitions) : absl::OkStatus();
  };
  options.on_revoke = [group = options.group_id, next = std::move(options.on_revoke)](
                          const std::vector<kafka::TopicPartition>& partitions) {
    core::LogInfo("Kafka partitions revoked", {{"group", group}, {"partitions", partitions.size()}});
    if (next) next(partitions);
  };
  options.on_error = [](const absl::Status& error) {
    core::LogWarn("Kafka consumer error, retried by the client", {{"error", error.ToString()}});
  };
}

int ServeWithConsumer(core::ServiceHost& host, kafka::Consumer& consumer,
                      const kafka::ConsumeLoopOptions& options,
                      const std::function<absl::Status(std::span<const kafka::Message>)>& handle) {
  if (absl::Status started = host.Start(); !started.ok()) {
    core::LogError("cannot start", {{"error", started.ToString()}});
    return 1;
  }
  int exit_code = 0;
  core::Counter& retries = host.metrics().GetCounter(
      "custflow_consume_retries_total",
      "Failed attempts to store a polled batch (each retried after a growing backoff) or to commit it.");
  kafka::ConsumeLoopActivity activity;
  kafka::ConsumeLoopOptions loop_options = options;
  loop_options.activity = &activity;
  host.health().AddLivenessCheck("consume loop", [&activity, stuck = options.stuck_step] {
    kafka::ConsumeLoopActivity::Snapshot now = activity.Read();
    if (now.running < stuck) return absl::OkStatus();
    return absl::DeadlineExceededError(absl::StrCat(
        "stuck ", Seconds(now.running), " in ", std::string(kafka::ConsumeLoopActivity::StepName(now.step))));
  });
  // Lag and long steps are watched beside the consume loop: Consumer::Lag is safe from any
  // thread, and the gauges are atomics the HTTP thread renders.
  std::thread monitor([&] {
    const std::string group = consumer.group();
    do {
      ExportConsumerLag(host.metrics(), group, consumer.Lag());
      kafka::ConsumeLoopActivity::Snapshot now = activity.Read();
      if (now.running >= options.slow_step) {
        core::LogWarn("consume loop step is taking long",
                      {{"group", group},
                       {"step", std::string(kafka::ConsumeLoopActivity::StepName(now.step))},
                       {"seconds", std::chrono::duration_cast<std::chrono::seconds>(now.running).count()}});
      }
    } while (!host.shutdown().WaitFor(kLagReportInterval));
    ExportConsumerLag(host.metrics(), group, {});
  });
  std::thread consume([&] {
    absl::Status ended = kafka::RunConsumeLoop(
        consumer, loop_options, handle,
        [&](std::chrono::milliseconds wait) { return host.shutdown().WaitFor(wait); },
        [&](const absl::Status& error) {
          retries.Increment();
          core::LogWarn("batch not stored yet; retrying after a backoff", {{"error", error.ToString()}});
        });
    if (!ended.ok()) {
      core::LogError("consumer failed", {{"error", ended.ToString()}});
      exit_code = 1;
      host.shutdown().Trigger();
    }
    if (absl::Status closed = consumer.Close(); !closed.ok()) {
      core::LogWarn("consumer did not leave its group cleanly", {{"error", closed.ToString()}});
    }
  });
  host.shutdown().Wait();
  monitor.join();
  consume.join();
  host.Drain();
  return exit_code;
}

}  // namespace custflow::runtime
