// Start-up and run-loop wiring the service mains share: connecting Redis from a
// host:port setting, and running a Kafka consumer loop beside the gRPC server until
// SIGTERM.
#pragma once

#include <functional>
#include <memory>
#include <span>
#include <string>

#include "absl/status/statusor.h"
#include "custflow/core/service_host.h"
#include "custflow/kafka/consume_loop.h"
#include "custflow/kafka/consumer.h"
#include "custflow/kafka/kafka_consumer.h"
#include "custflow/redis/redis_client.h"

namespace custflow::runtime {

// A Redis client for "host:port"; INVALID_ARGUMENT for a malformed address,
// UNAVAILABLE when Redis cannot be reached.
absl::StatusOr<std::unique_ptr<redis::RedisClient>> ConnectRedis(const std::string& address, int pool_size);

// A readiness check that PINGs Redis.
core::Health::Check RedisReadiness(redis::RedisClient& redis);

// Makes a consumer say what happens to it: the partitions it is given and loses (info, the
// hooks already set still run) and the errors it recovers from by itself (warning).
void LogConsumerEvents(kafka::ConsumerOptions& options);

// Starts the host, runs `handle` over `consumer` on its own thread until shutdown is
// requested (or the consumer fails, which requests it), then closes the consumer and
// drains the host. Returns main's exit code. A failed batch is retried after a backoff
// that doubles from options.first_backoff up to options.max_backoff, and not committed
// until `handle` succeeds; each failure is logged and counted in
// custflow_consume_retries_total. Beside the loop, every few seconds, the consumer's lag
// goes to custflow_consumer_lag and a loop step running past options.slow_step is logged;
// past options.stuck_step /healthz fails, so an orchestrator restarts the process.
int ServeWithConsumer(core::ServiceHost& host, kafka::Consumer& consumer,
                      const kafka::ConsumeLoopOptions& options,
                      const std::function<absl::Status(std::span<const kafka::Message>)>& handle);

}  // namespace custflow::runtime
