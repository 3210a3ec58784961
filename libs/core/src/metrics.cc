#include "custflow/core/metrics.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "absl/strings/str_cat.h"

namespace custflow::core {
namespace {

std::string EscapeLabelValue(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') {
      out.push_back('\\');
      out.push_back(c);
    } else if (c == '\n') {
      out.append("\\n");
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string RenderLabels(const Labels& labels, const std::string& extra_name = {},
                         const std::string& extra_value = {}) {
  if (labels.empty() && extra_name.empty()) return "";
  std::string out = "{";
  bool first = true;
  for (const auto& [name, value] : labels) {
    absl::StrAppend(&out, first ? "" : ",", name, "=\"", EscapeLabelValue(value), "\"");
    first = false;
  }
  if (!extra_name.empty()) absl::StrAppend(&out, first ? "" : ",", extra_name, "=\"", extra_value, "\"");
  out.push_back('}');
  return out;
}

std::string FormatDouble(double value) {
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  return absl::StrCat(value);
}

}  // namespace

Histogram::Histogram(std::vector<double> upper_bounds)
    : upper_bounds_(std::move(upper_bounds)), buckets_(new std::atomic<uint64_t>[upper_bounds_.size() + 1]) {
  std::sort(upper_bounds_.begin(), upper_bounds_.end());
  for (size_t i = 0; i <= upper_bounds_.size(); ++i) buckets_[i].store(0);
}

void Histogram::Observe(double value) {
  size_t index = std::lower_bound(upper_bounds_.begin(), upper_bounds_.end(), value) - upper_bounds_.begin();
  buckets_[index].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_micros_.fetch_add(static_cast<uint64_t>(std::max(0.0, value) * 1e6), std::memory_order_relaxed);
}

std::vector<uint64_t> Histogram::CumulativeCounts() const {
  std::vector<uint64_t> out(upper_bounds_.size() + 1);
  uint64_t running = 0;
  for (size_t i = 0; i < out.size(); ++i) {
    running += buckets_[i].load(std::memory_order_relaxed);
    out[i] = running;
  }
  return out;
}

double Histogram::sum() const {
  return static_cast<double>(sum_micros_.load(std::memory_order_relaxed)) / 1e6;
}

std::vector<double> LatencyBuckets() {
  return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

MetricsRegistry::Family& MetricsRegistry::GetFamily(std::string_view name, std::string_view help, Kind kind) {
  auto it = families_.find(name);
  if (it == families_.end()) {
    it = families_.emplace(std::string(name), Family{kind, std::string(help), {}, {}, {}}).first;
  }
  if (it->second.kind != kind) {
    throw std::logic_error(absl::StrCat("metric ", std::string(name), " registered with two kinds"));
  }
  return it->second;
}

Counter& MetricsRegistry::GetCounter(std::string_view name, std::string_view help, const Labels& labels) {
  std::lock_guard lock(mutex_);
  auto& slot = GetFamily(name, help, Kind::kCounter).counters[labels];
  if (!slot) slot = std::make_unique<Counter>();
  return *slot;
}

Gauge& MetricsRegistry::GetGauge(std::string_view name, std::string_view help, const Labels& labels) {
  std::lock_guard lock(mutex_);
  auto& slot = GetFamily(name, help, Kind::kGauge).gauges[labels];
  if (!slot) slot = std::make_unique<Gauge>();
  return *slot;
}

Histogram& MetricsRegistry::GetHistogram(std::string_view name, std::string_view help,
                                         const std::vector<double>& upper_bounds, const Labels& labels) {
  std::lock_guard lock(mutex_);
  auto& slot = GetFamily(name, help, Kind::kHistogram).histograms[labels];
  if (!slot) slot = std::make_unique<Histogram>(upper_bounds);
  return *slot;
}

void MetricsRegistry::RemoveGauge(std::string_view name, const Labels& labels) {
  std::lock_guard lock(mutex_);
  auto it = families_.find(name);
  if (it != families_.end()) it->second.gauges.erase(labels);
}

std::vector<Labels> MetricsRegistry::GaugeLabels(std::string_view name) const {
  std::lock_guard lock(mutex_);
  std::vector<Labels> out;
  auto it = families_.find(name);
  if (it == families_.end()) return out;
  for (const auto& [labels, gauge] : it->second.gauges) out.push_back(labels);
  return out;
}

std::string MetricsRegistry::RenderPrometheus() const {
  std::lock_guard lock(mutex_);
  std::string out;
  for (const auto& [name, family] : families_) {
    const char* type = family.kind == Kind::kCounter ? "counter"
                       : family.kind == Kind::kGauge ? "gauge"
                                                     : "histogram";
    absl::StrAppend(&out, "# HELP ", name, " ", family.help, "\n# TYPE ", name, " ", type, "\n");
    for (const auto& [labels, counter] : family.counters) {
      absl::StrAppend(&out, name, RenderLabels(labels), " ", counter->value(), "\n");
    }
    for (const auto& [labels, gauge] : family.gauges) {
      absl::StrAppend(&out, name, RenderLabels(labels), " ", gauge->value(), "\n");
    }
    for (const auto& [labels, histogram] : family.histograms) {
      std::vector<uint64_t> counts = histogram->CumulativeCounts();
      const auto& bounds = histogram->upper_bounds();
      for (size_t i = 0; i < counts.size(); ++i) {
        std::string le = i < bounds.size() ? FormatDouble(bounds[i]) : "+Inf";
        absl::StrAppend(&out, name, "_bucket", RenderLabels(labels, "le", le), " ", counts[i], "\n");
      }
      absl::StrAppend(&out, name, "_sum", RenderLabels(labels), " ", FormatDouble(histogram->sum()), "\n");
      absl::StrAppend(&out, name, "_count", RenderLabels(labels), " ", counts.back(), "\n");
    }
  }
  return out;
}

}  // namespace custflow::core
