// Customer distribution: customers (and their interactions) counted by one dimension or
// crossed by two, over the latest version of every profile, merged-away customers
// excluded, optionally filtered and cut to the top N values of the first dimension.
#pragma once

#include "absl/status/statusor.h"
#include "custflow/auth/principal.h"
#include "custflow/clickhouse/clickhouse_client.h"
#include "custflow/v1/reporting.pb.h"

namespace custflow::reporting {

// The SQL for `request`. INVALID_ARGUMENT, naming the field, for an unknown or repeated
// dimension or a bad filter. Dimensions map to fixed expressions and every filter value is
// bound as a literal, so no request text is pasted into the SQL. By tag, a customer
// counts under each of its tags (under "" when it has none) and the SQL also returns
// total_customers, counting each customer once. Only customers in `scope` count.
// Columns: value, second_value, is_other, customers, interactions[, total_customers].
absl::StatusOr<std::string> DistributionSql(const v1::DistributionRequest& request,
                                            const auth::RowScope& scope);

absl::StatusOr<v1::DistributionResponse> QueryDistribution(clickhouse::ClickHouseClient& client,
                                                           const v1::DistributionRequest& request,
                                                           const auth::RowScope& scope);

}  // namespace custflow::reporting
