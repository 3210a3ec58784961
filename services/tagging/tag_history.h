// TagHistory: the tags a customer gained and lost over time, read from ClickHouse's
// tag_history table (filled by the reporting schema's view from profile_versions).
#pragma once

#include "absl/status/statusor.h"
#include "custflow/clickhouse/clickhouse_client.h"
#include "custflow/v1/tagging.pb.h"

namespace custflow::tagging {

// Most recent first. INVALID_ARGUMENT without a customer_id or with a limit past 10,000;
// a limit of 0 means 100. An empty tag means every tag.
absl::StatusOr<v1::TagHistoryResponse> QueryTagHistory(clickhouse::ClickHouseClient& client,
                                                       const v1::TagHistoryRequest& request);

}  // namespace custflow::tagging
