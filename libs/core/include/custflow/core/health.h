// Liveness and readiness. Readiness runs named dependency checks (Kafka, Redis,
// ClickHouse reachable); a draining service reports not ready so load balancers stop
// sending before it exits.
#pragma once

#include <atomic>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/status.h"

namespace custflow::core {

class Health {
 public:
  using Check = std::function<absl::Status()>;

  // Adds a readiness check; it must answer quickly (it runs on every /readyz).
  void AddReadinessCheck(std::string name, Check check);
  // From now on the service is not ready (it is shutting down).
  void SetDraining() { draining_ = true; }
  bool draining() const { return draining_; }

  struct Report {
    bool ready = true;
    // One line per check: "<name>: ok" or "<name>: <error>".
    std::vector<std::string> lines;
  };
  Report CheckReadiness() const;

 private:
  mutable std::mutex mutex_;
  std::vector<std::pair<std::string, Check>> checks_;
  std::atomic<bool> draining_{false};
};

}  // namespace custflow::core
