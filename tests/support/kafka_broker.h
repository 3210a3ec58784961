// Starts the local Kafka broker (tools/kafka-broker, librdkafka's mock cluster) for an
// integration test and stops it when the handle goes away.
#pragma once

#include <csignal>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "tests/support/local_process.h"

namespace custflow::testing {

// A running custflow-kafka-broker with the four custflow topics; data lives in memory.
class LocalKafkaBroker {
 public:
  LocalKafkaBroker(LocalKafkaBroker&& other) noexcept = default;
  LocalKafkaBroker& operator=(LocalKafkaBroker&& other) noexcept;
  ~LocalKafkaBroker() = default;

  // The value for bootstrap.servers, e.g. "127.0.0.1:40213".
  const std::string& bootstrap_servers() const { return bootstrap_servers_; }

  // Stops the broker (SIGTERM); its data is gone.
  void Stop() { process_.Stop(); }
  // Takes every broker down (connections refused, data kept) or brings them back.
  void SetDown(bool down) { ::kill(process_.pid(), down ? SIGUSR1 : SIGUSR2); }

 private:
  friend absl::StatusOr<LocalKafkaBroker> StartKafkaBroker(int partitions);
  LocalKafkaBroker() = default;

  // Declared before the process so the directory outlives it on destruction.
  std::unique_ptr<TempDir> dir_;
  LocalProcess process_;
  std::string bootstrap_servers_;
};

// Starts a broker whose topics have `partitions` partitions each and waits until it
// accepts connections.
absl::StatusOr<LocalKafkaBroker> StartKafkaBroker(int partitions = 6);

}  // namespace custflow::testing
