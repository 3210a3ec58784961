// ExportConsumerLag: one gauge per reported partition, and the series of partitions the
// group no longer reports (revoked) removed, other groups' series untouched.
#include "custflow/runtime/consumer_lag.h"

#include <gtest/gtest.h>

namespace custflow::runtime {
namespace {

core::Labels PartitionLabels(const std::string& group, int32_t partition) {
  return {{"group", group}, {"topic", "custflow.interactions.v1"}, {"partition", std::to_string(partition)}};
}

int64_t Lag(core::MetricsRegistry& registry, const std::string& group, int32_t partition) {
  return registry.GetGauge(kConsumerLagMetric, "", PartitionLabels(group, partition)).value();
}

TEST(ExportConsumerLag, SetsAGaugePerPartitionAndRemovesRevokedOnes) {
  core::MetricsRegistry registry;
  ExportConsumerLag(registry, "custflow-tagging",
                    {{.topic = "custflow.interactions.v1", .partition = 9, .messages = 4}});
  ExportConsumerLag(registry, "custflow-profile",
                    {{.topic = "custflow.interactions.v1", .partition = 0, .messages = 12},
                     {.topic = "custflow.interactions.v1", .partition = 1, .messages = 0}});
  EXPECT_EQ(Lag(registry, "custflow-profile", 0), 12);
  EXPECT_EQ(registry.GaugeLabels(kConsumerLagMetric).size(), 3u);

  ExportConsumerLag(registry, "custflow-profile",
                    {{.topic = "custflow.interactions.v1", .partition = 1, .messages = 3}});
  std::vector<core::Labels> left = registry.GaugeLabels(kConsumerLagMetric);
  ASSERT_EQ(left.size(), 2u);
  EXPECT_EQ(left[0], PartitionLabels("custflow-profile", 1));
  EXPECT_EQ(left[1], PartitionLabels("custflow-tagging", 9));
  EXPECT_EQ(Lag(registry, "custflow-profile", 1), 3);

  ExportConsumerLag(registry, "custflow-profile", {});
  EXPECT_EQ(registry.RenderPrometheus().find("custflow-profile"), std::string::npos);
  EXPECT_EQ(Lag(registry, "custflow-tagging", 9), 4);
}

}  // namespace
}  // namespace custflow::runtime
