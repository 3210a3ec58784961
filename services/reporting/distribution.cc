#include "services/reporting/distribution.h"

namespace custflow::reporting {
namespace {

const char* DimensionColumn(v1::Dimension dimension) {
  switch (dimension) {
    case v1::DIMENSION_DEPARTMENT:
      return "department";
    case v1::DIMENSION_TEAM:
      return "team";
    case v1::DIMENSION_OWNER:
      return "owner";
    case v1::DIMENSION_CUSTOMER_TYPE:
      return "customer_type";
    case v1::DIMENSION_FOLLOW_UP_STAGE:
      return "follow_up_stage";
    case v1::DIMENSION_PROVINCE:
      return "province";
    case v1::DIMENSION_CITY:
      return "city";
    case v1::DIMENSION_DISTRICT:
      return "district";
    case v1::DIMENSION_INDUSTRY:
      return "industry";
    case v1::DIMENSION_SOURCE:
      return "source";
    default:
      return nullptr;
  }
}

// Latest version of each customer: its tags, interactions and whether it was merged away.
constexpr char kLatestTags[] =
    "SELECT customer_id, argMax(tags, version) AS tag_list,"
    " argMax(interaction_count, version) AS interactions,"
    " argMax(merged_into, version) AS merged"
    " FROM profile_versions GROUP BY customer_id";

// A customer counts under each of its tags, and under "" when it has none, so every
// customer is in some group; total_customers counts each customer once.
std::string TagDistributionSql() {
  return std::string(
             "SELECT value, count() AS customers, sum(interactions) AS interactions,"
             " (SELECT count() FROM (") +
         kLatestTags +
         ") WHERE merged = '') AS total_customers"
         " FROM (" +
         kLatestTags +
         ") ARRAY JOIN if(empty(tag_list), [''], tag_list) AS value"
         " WHERE merged = '' GROUP BY value ORDER BY customers DESC, value";
}

}  // namespace

absl::StatusOr<std::string> DistributionSql(const v1::DistributionRequest& request) {
  if (request.dimension() == v1::DIMENSION_TAG) return TagDistributionSql();
  const char* column = DimensionColumn(request.dimension());
  if (column == nullptr) {
    return absl::InvalidArgumentError("dimension: '" + v1::Dimension_Name(request.dimension()) +
                                      "' is not a dimension customers can be counted by");
  }
  std::string c(column);
  return "SELECT value, count() AS customers, sum(interactions) AS interactions FROM ("
         " SELECT customer_id, argMax(" +
         c +
         ", version) AS value,"
         " argMax(interaction_count, version) AS interactions,"
         " argMax(merged_into, version) AS merged"
         " FROM profile_versions GROUP BY customer_id)"
         " WHERE merged = '' GROUP BY value ORDER BY customers DESC, value";
}

absl::StatusOr<v1::DistributionResponse> QueryDistribution(clickhouse::ClickHouseClient& client,
                                                           const v1::DistributionRequest& request) {
  absl::StatusOr<std::string> sql = DistributionSql(request);
  if (!sql.ok()) return sql.status();
  absl::StatusOr<clickhouse::QueryResult> result = client.Query(*sql);
  if (!result.ok()) return result.status();
  v1::DistributionResponse response;
  // Where a customer may be in several groups the SQL counts the total itself.
  const bool total_counted = result->ColumnIndex("total_customers").ok();
  if (total_counted && result->row_count() > 0) {
    absl::StatusOr<uint64_t> total = result->GetUInt64(0, "total_customers");
    if (!total.ok()) return total.status();
    response.set_total_customers(*total);
  }
  for (size_t row = 0; row < result->row_count(); ++row) {
    absl::StatusOr<std::string> value = result->GetString(row, 0);
    absl::StatusOr<uint64_t> customers = result->GetUInt64(row, 1);
    absl::StatusOr<uint64_t> interactions = result->GetUInt64(row, 2);
    if (!value.ok()) return value.status();
    if (!customers.ok()) return customers.status();
    if (!interactions.ok()) return interactions.status();
    v1::DistributionRow& out = *response.add_rows();
    out.set_value(std::move(*value));
    out.set_customers(*customers);
    out.set_interactions(*interactions);
    if (!total_counted) response.set_total_customers(response.total_customers() + *customers);
  }
  return response;
}

}  // namespace custflow::reporting
