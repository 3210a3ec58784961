// Exports a Kafka consumer's lag as custflow_consumer_lag{group,topic,partition}: the
// partitions it reports get their gauge set, the group's other series (partitions it no
// longer owns) are removed, so a revoked partition stops being reported.
#pragma once

#include <string>
#include <vector>

#include "custflow/core/metrics.h"
#include "custflow/kafka/consumer.h"

namespace custflow::runtime {

inline constexpr char kConsumerLagMetric[] = "custflow_consumer_lag";

// Replaces what `registry` exports for `group` with `lags`.
void ExportConsumerLag(core::MetricsRegistry& registry, const std::string& group,
                       const std::vector<kafka::PartitionLag>& lags);

}  // namespace custflow::runtime
