#include "custflow/core/health.h"

#include "absl/strings/str_cat.h"

namespace custflow::core {

void Health::AddReadinessCheck(std::string name, Check check) {
  std::lock_guard lock(mutex_);
  checks_.emplace_back(std::move(name), std::move(check));
}

void Health::AddLivenessCheck(std::string name, Check check) {
  std::lock_guard lock(mutex_);
  liveness_checks_.emplace_back(std::move(name), std::move(check));
}

Health::Report Health::CheckLiveness() const {
  Report report;
  std::lock_guard lock(mutex_);
  for (const auto& [name, check] : liveness_checks_) {
    absl::Status status = check();
    if (status.ok()) continue;
    report.ready = false;
    report.lines.push_back(absl::StrCat(name, ": ", status.ToString()));
  }
  return report;
}

Health::Report Health::CheckReadiness() const {
  Report report;
  if (draining_) {
    report.ready = false;
    report.lines.push_back("draining: shutting down");
  }
  std::lock_guard lock(mutex_);
  for (const auto& [name, check] : checks_) {
    absl::Status status = check();
    if (!status.ok()) report.ready = false;
    report.lines.push_back(absl::StrCat(name, ": ", status.ok() ? "ok" : status.ToString()));
  }
  return report;
}

}  // namespace custflow::core
