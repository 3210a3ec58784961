// Customer distribution: customers (and their interactions) counted by one dimension,
// over the latest version of every profile, merged-away customers excluded.
#pragma once

#include "absl/status/statusor.h"
#include "custflow/clickhouse/clickhouse_client.h"
#include "custflow/v1/reporting.pb.h"

namespace custflow::reporting {

// The SQL for `request`; INVALID_ARGUMENT for an unknown dimension. Dimensions map to
// fixed column names, so no request text reaches the SQL. By tag, a customer counts under
// each of its tags (under "" when it has none) and the total counts each customer once.
absl::StatusOr<std::string> DistributionSql(const v1::DistributionRequest& request);

absl::StatusOr<v1::DistributionResponse> QueryDistribution(clickhouse::ClickHouseClient& client,
                                                           const v1::DistributionRequest& request);

}  // namespace custflow::reporting
