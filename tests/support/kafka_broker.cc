#include "tests/support/kafka_broker.h"

#include <chrono>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"

namespace custflow::testing {

LocalKafkaBroker& LocalKafkaBroker::operator=(LocalKafkaBroker&& other) noexcept {
  if (this != &other) {
    // The old broker stops before its directory is removed.
    process_ = std::move(other.process_);
    dir_ = std::move(other.dir_);
    bootstrap_servers_ = std::move(other.bootstrap_servers_);
  }
  return *this;
}

absl::StatusOr<LocalKafkaBroker> StartKafkaBroker(int partitions) {
  LocalKafkaBroker broker;
  broker.dir_ = std::make_unique<TempDir>("custflow-kafka");
  const std::filesystem::path bootstrap_file = broker.dir_->path() / "bootstrap";
  absl::StatusOr<LocalProcess> process =
      LocalProcess::Start({CUSTFLOW_KAFKA_BROKER_BIN, "--partitions", std::to_string(partitions),
                           "--bootstrap-file", bootstrap_file.string()},
                          broker.dir_->path() / "broker.log");
  if (!process.ok()) {
    return absl::Status(process.status().code(),
                        absl::StrCat("cannot start the Kafka broker: ", process.status().message()));
  }
  broker.process_ = *std::move(process);
  absl::StatusOr<std::string> bootstrap =
      broker.process_.WaitForLine(bootstrap_file, std::chrono::seconds(10));
  if (!bootstrap.ok()) {
    return absl::Status(bootstrap.status().code(),
                        absl::StrCat("the Kafka broker did not start: ", bootstrap.status().message()));
  }
  broker.bootstrap_servers_ = *std::move(bootstrap);
  return broker;
}

}  // namespace custflow::testing
