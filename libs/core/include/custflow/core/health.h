// Liveness and readiness. Readiness runs named dependency checks (Kafka, Redis,
// ClickHouse reachable); a draining service reports not ready so load balancers stop
// sending before it exits. Liveness runs checks of the process itself (a consume loop
// stuck in one step): failing, /healthz answers 503 and an orchestrator restarts it.
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
  // Adds a liveness check; it must answer at once, without I/O (it runs on every /healthz),
  // and outlive the HTTP port.
  void AddLivenessCheck(std::string name, Check check);
  // From now on the service is not ready (it is shutting down).
  void SetDraining() { draining_ = true; }
  bool draining() const { return draining_; }

  struct Report {
    bool ready = true;
    // One line per check: "<name>: ok" or "<name>: <error>".
    std::vector<std::string> lines;
  };
  Report CheckReadiness() const;
  // `ready` says alive here; lines name the failing checks only.
  Report CheckLiveness() const;

 private:
  mutable std::mutex mutex_;
  std::vector<std::pair<std::string, Check>> checks_;
  std::vector<std::pair<std::string, Check>> liveness_checks_;
  std::atomic<bool> draining_{false};
};

}  // namespace custflow::core
