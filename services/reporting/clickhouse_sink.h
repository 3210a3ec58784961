// The reporting sink: interactions and profile snapshots from Kafka into ClickHouse,
// exactly once. Every row carries its Kafka partition and offset. After each batch the
// sink records the last offset per partition in sink_offsets; a new owner of a partition
// starts after that record and skips rows already stored past it (an insert interrupted
// by a crash, or one that failed after storing some blocks), so nothing is lost or
// doubled.
// A snapshot made by EraseCustomer blanks the personal data of the customer's older rows
// (profile_versions, audit_log) before its batch is recorded, whether the snapshot is
// stored now or was before a crash, so a replay repeats the idempotent blanking.
#pragma once

#include <map>
#include <set>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "custflow/clickhouse/clickhouse_client.h"
#include "custflow/clickhouse/row_binary_writer.h"
#include "custflow/core/metrics.h"
#include "custflow/kafka/message.h"

namespace custflow::reporting {

struct SinkTopics {
  std::string interactions;
  std::string profiles;
};

// The interactions columns the sink writes, in the order AppendInteractionRow writes them.
const std::vector<std::string>& InteractionColumns();

// Appends `message` (a serialized v1::Interaction) as one interactions row, with its
// partition and offset; false when it does not parse. Shared with the throughput
// benchmark, which inserts the very rows the sink would.
bool AppendInteractionRow(clickhouse::RowBinaryWriter& rows, const kafka::Message& message);

class ClickHouseSink {
 public:
  ClickHouseSink(clickhouse::ClickHouseClient& client, core::MetricsRegistry& metrics, SinkTopics topics);

  // For the consumer's on_assign hook: each partition starts after its recorded offset.
  absl::Status StartAfterRecorded(std::vector<kafka::TopicPartitionOffset>& partitions);

  // Stores a polled batch. After an error, calling again with the same batch stores what
  // is missing and nothing twice.
  absl::Status Write(std::span<const kafka::Message> batch);

 private:
  using Partition = std::pair<std::string, int32_t>;
  struct PartitionState {
    std::optional<int64_t> recorded;  // last offset in sink_offsets
    std::set<int64_t> stored;         // offsets past `recorded` already in the data table
    bool stale = true;                // `stored` must be reloaded before use
  };

  absl::Status Reload(const Partition& partition, PartitionState& state);
  // Blanks the rows of each customer older than its erase version (customer id -> version).
  absl::Status BlankBeforeErasures(const std::map<std::string, uint64_t>& erasures);
  const char* TableFor(const std::string& topic) const;

  clickhouse::ClickHouseClient& client_;
  SinkTopics topics_;
  std::map<Partition, PartitionState> partitions_;
  core::Counter& rows_;
  core::Counter& skipped_;
  core::Counter& unreadable_;
  core::Counter& erasures_;
};

}  // namespace custflow::reporting
