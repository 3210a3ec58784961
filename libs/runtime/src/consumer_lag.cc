#include "custflow/runtime/consumer_lag.h"

#include <set>

namespace custflow::runtime {

void ExportConsumerLag(core::MetricsRegistry& registry, const std::string& group,
                       const std::vector<kafka::PartitionLag>& lags) {
  std::set<core::Labels> reported;
  for (const kafka::PartitionLag& lag : lags) {
    core::Labels labels = {
        {"group", group}, {"topic", lag.topic}, {"partition", std::to_string(lag.partition)}};
    registry
        .GetGauge(kConsumerLagMetric,
                  "Messages between the end of an assigned Kafka partition and the consumer's position.",
                  labels)
        .Set(lag.messages);
    reported.insert(std::move(labels));
  }
  for (const core::Labels& labels : registry.GaugeLabels(kConsumerLagMetric)) {
    auto it = labels.find("group");
    if (it != labels.end() && it->second == group && !reported.contains(labels)) {
      registry.RemoveGauge(kConsumerLagMetric, labels);
    }
  }
}

}  // namespace custflow::runtime
