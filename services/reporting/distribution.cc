#include "services/reporting/distribution.h"

#include <chrono>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "custflow/clickhouse/sql.h"
#include "custflow/domain/customer_type.h"
#include "services/reporting/row_scope_sql.h"

namespace custflow::reporting {
namespace {

// How a dimension groups customers. `column` is the profile_versions column it reads;
// `expression` reads that column's latest value, always as `latest_<column>` (the tag
// dimension reads the ARRAY JOIN alias `tag`).
struct Grouping {
  std::string column;
  std::string expression;
  bool spreads_tags = false;
};

// The period start of the first contact, "" when the first contact is unknown (stored as
// 1970-01-01 00:00:00). Periods are UTC whatever the server's time zone.
Grouping FirstContactPeriod(const char* function) {
  return {"first_contact_at", std::string("if(latest_first_contact_at = 0, '', toString(") + function +
                                  "(latest_first_contact_at, 'UTC')))"};
}

Grouping Plain(const char* column) { return {column, std::string("latest_") + column}; }

std::optional<Grouping> GroupingFor(v1::Dimension dimension) {
  switch (dimension) {
    case v1::DIMENSION_DEPARTMENT:
      return Plain("department");
    case v1::DIMENSION_TEAM:
      return Plain("team");
    case v1::DIMENSION_OWNER:
      return Plain("owner");
    case v1::DIMENSION_CUSTOMER_TYPE:
      return Plain("customer_type");
    case v1::DIMENSION_FOLLOW_UP_STAGE:
      return Plain("follow_up_stage");
    case v1::DIMENSION_PROVINCE:
      return Plain("province");
    case v1::DIMENSION_CITY:
      return Plain("city");
    case v1::DIMENSION_DISTRICT:
      return Plain("district");
    case v1::DIMENSION_INDUSTRY:
      return Plain("industry");
    case v1::DIMENSION_SOURCE:
      return Plain("source");
    // A customer counts under each of its tags, and under "" when it has none, so every
    // customer is in some group.
    case v1::DIMENSION_TAG:
      return Grouping{"tags", "tag", true};
    case v1::DIMENSION_FIRST_CONTACT_DAY:
      return FirstContactPeriod("toDate");
    case v1::DIMENSION_FIRST_CONTACT_WEEK:
      return FirstContactPeriod("toMonday");
    case v1::DIMENSION_FIRST_CONTACT_MONTH:
      return FirstContactPeriod("toStartOfMonth");
    case v1::DIMENSION_FIRST_CONTACT_QUARTER:
      return FirstContactPeriod("toStartOfQuarter");
    case v1::DIMENSION_FIRST_CONTACT_YEAR:
      return FirstContactPeriod("toStartOfYear");
    default:
      return std::nullopt;
  }
}

absl::Status UnknownDimension(const char* field, v1::Dimension dimension) {
  return absl::InvalidArgumentError(std::string(field) + ": '" + v1::Dimension_Name(dimension) + "' (" +
                                    std::to_string(static_cast<int>(dimension)) +
                                    ") is not a dimension customers can be counted by");
}

// The WHERE conditions of a filter over the latest_<column> values, every value bound,
// and the columns they read.
struct FilterSql {
  std::vector<std::string> conditions;
  std::set<std::string> columns;
};

absl::Status AddAnyOf(FilterSql& out, const char* column,
                      const google::protobuf::RepeatedPtrField<std::string>& values) {
  if (values.empty()) return absl::OkStatus();
  absl::StatusOr<std::string> condition =
      clickhouse::Bind(std::string("latest_") + column + " IN ?", clickhouse::SqlValue::Tuple(values));
  if (!condition.ok()) return condition.status();
  out.conditions.push_back(*std::move(condition));
  out.columns.insert(column);
  return absl::OkStatus();
}

// DateTime holds whole seconds from 1970 to 2106.
absl::StatusOr<std::chrono::sys_seconds> FirstContactBound(const google::protobuf::Timestamp& instant,
                                                           const char* field) {
  if (instant.seconds() < 0 || instant.seconds() > UINT32_MAX) {
    return absl::InvalidArgumentError(std::string(field) + " is outside 1970-01-01 to 2106-02-07");
  }
  return std::chrono::sys_seconds(std::chrono::seconds(instant.seconds()));
}

absl::StatusOr<FilterSql> BuildFilter(const v1::DistributionFilter& filter) {
  FilterSql out;
  std::vector<std::string> type_words;
  for (int i = 0; i < filter.customer_types_size(); ++i) {
    const auto type = static_cast<v1::CustomerType>(filter.customer_types(i));
    const std::string word(domain::CustomerTypeWord(type));
    if (word.empty()) {
      return absl::InvalidArgumentError("filter.customer_types[" + std::to_string(i) +
                                        "]: " + std::to_string(static_cast<int>(type)) +
                                        " is not potential, closed or lost");
    }
    type_words.push_back(word);
  }
  if (!type_words.empty()) {
    absl::StatusOr<std::string> condition =
        clickhouse::Bind("latest_customer_type IN ?", clickhouse::SqlValue::Tuple(type_words));
    if (!condition.ok()) return condition.status();
    out.conditions.push_back(*std::move(condition));
    out.columns.insert("customer_type");
  }
  std::optional<std::chrono::sys_seconds> from;
  std::optional<std::chrono::sys_seconds> to;
  if (filter.has_first_contact_from()) {
    absl::StatusOr<std::chrono::sys_seconds> bound =
        FirstContactBound(filter.first_contact_from(), "filter.first_contact_from");
    if (!bound.ok()) return bound.status();
    from = *bound;
  }
  if (filter.has_first_contact_to()) {
    absl::StatusOr<std::chrono::sys_seconds> bound =
        FirstContactBound(filter.first_contact_to(), "filter.first_contact_to");
    if (!bound.ok()) return bound.status();
    to = *bound;
  }
  if (from && to && *from > *to) {
    return absl::InvalidArgumentError("filter.first_contact_from is after filter.first_contact_to");
  }
  for (const auto& [bound, comparison] : {std::pair{from, " >= ?"}, std::pair{to, " <= ?"}}) {
    if (!bound) continue;
    absl::StatusOr<std::string> condition =
        clickhouse::Bind(std::string("latest_first_contact_at") + comparison, *bound);
    if (!condition.ok()) return condition.status();
    out.conditions.push_back(*std::move(condition));
    out.columns.insert("first_contact_at");
  }
  const std::pair<const char*, const google::protobuf::RepeatedPtrField<std::string>*> exact[] = {
      {"follow_up_stage", &filter.follow_up_stages()},
      {"department", &filter.departments()},
      {"team", &filter.teams()},
      {"owner", &filter.owners()},
      {"province", &filter.provinces()},
      {"city", &filter.cities()},
      {"district", &filter.districts()},
      {"industry", &filter.industries()},
      {"source", &filter.sources()},
  };
  for (const auto& [column, values] : exact) {
    if (absl::Status added = AddAnyOf(out, column, *values); !added.ok()) return added;
  }
  if (!filter.tags().empty()) {
    absl::StatusOr<std::string> condition = clickhouse::Bind(
        "hasAny(latest_tags, ?)", std::vector<std::string>(filter.tags().begin(), filter.tags().end()));
    if (!condition.ok()) return condition.status();
    out.conditions.push_back(*std::move(condition));
    out.columns.insert("tags");
  }
  return out;
}

// The latest version of each customer: the columns in `columns`, as latest_<column>, with
// its interactions and whether it was merged away. profile_versions is a
// ReplacingMergeTree on version ordered by customer id, so FINAL reads exactly the highest
// version of each customer, merging on read what the background merges have not yet.
std::string LatestVersionsSql(const std::set<std::string>& columns) {
  std::string sql =
      "SELECT customer_id, interaction_count AS latest_interactions, merged_into AS latest_merged_into";
  for (const std::string& column : columns) sql += ", " + column + " AS latest_" + column;
  return sql + " FROM profile_versions FINAL";
}

std::string WhereSql(const FilterSql& filter) {
  std::string sql = " WHERE latest_merged_into = ''";
  for (const std::string& condition : filter.conditions) sql += " AND " + condition;
  return sql;
}

}  // namespace

absl::StatusOr<std::string> DistributionSql(const v1::DistributionRequest& request,
                                            const auth::RowScope& scope) {
  std::optional<Grouping> first = GroupingFor(request.dimension());
  if (!first) return UnknownDimension("dimension", request.dimension());
  std::optional<Grouping> second;
  if (request.second_dimension() != v1::DIMENSION_UNSPECIFIED) {
    second = GroupingFor(request.second_dimension());
    if (!second) return UnknownDimension("second_dimension", request.second_dimension());
    if (request.second_dimension() == request.dimension()) {
      return absl::InvalidArgumentError("second_dimension: is the same as dimension");
    }
  }
  absl::StatusOr<FilterSql> filter = BuildFilter(request.filter());
  if (!filter.ok()) return filter.status();
  absl::StatusOr<std::string> in_scope = AndInRowScope(scope, "latest_department", "latest_owner").Bind();
  if (!in_scope.ok()) return in_scope.status();
  if (!in_scope->empty()) filter->columns.insert({"department", "owner"});

  std::set<std::string> columns = filter->columns;
  columns.insert(first->column);
  if (second) columns.insert(second->column);
  const std::string latest = LatestVersionsSql(columns);
  const std::string where = WhereSql(*filter) + *in_scope;
  const bool spreads_tags = first->spreads_tags || (second && second->spreads_tags);

  // One row per customer and group (several per customer by tag).
  const std::string grouped =
      "SELECT customer_id, latest_interactions AS interactions, " + first->expression + " AS group_value, " +
      // Without a second dimension cross_value is the number 0, never read back: grouping by
      // a constant string would make ClickHouse hash serialized keys instead of fixed-size ones.
      (second ? second->expression : std::string("toUInt8(0)")) + " AS cross_value FROM (" + latest + ")" +
      (spreads_tags ? " ARRAY JOIN if(empty(latest_tags), [''], arrayDistinct(latest_tags)) AS tag" : "") +
      where;
  // The top values of the first dimension by distinct customers, ties by value.
  std::string is_other = "0";
  if (request.top() > 0) {
    absl::StatusOr<std::string> limit = clickhouse::Bind(" LIMIT ?", request.top());
    if (!limit.ok()) return limit.status();
    is_other = "group_value NOT IN (SELECT group_value FROM (" + grouped +
               ") GROUP BY group_value ORDER BY uniqExact(customer_id) DESC, group_value" + *limit + ")";
  }
  // A customer counts once in a group, "other" included, and so do its interactions.
  // FINAL gives one row per customer and spreading its distinct tags one per tag, so only
  // the "other" group of a top N can meet a customer twice (through two of its tags): then
  // the rows are made DISTINCT first.
  const bool repeats_customers = spreads_tags && request.top() > 0;
  std::string sql =
      "SELECT shown_value, cross_value, is_other, count() AS customers,"
      " sum(interactions) AS interactions";
  if (spreads_tags) sql += ", (SELECT count() FROM (" + latest + ")" + where + ") AS total_customers";
  sql += std::string(" FROM (SELECT ") + (repeats_customers ? "DISTINCT customer_id, " : "") +
         "interactions, cross_value, " + is_other +
         " AS is_other, if(is_other, '', group_value) AS shown_value FROM (" + grouped +
         ")) GROUP BY is_other, shown_value, cross_value"
         " ORDER BY is_other, customers DESC, shown_value, cross_value";
  return sql;
}

absl::StatusOr<v1::DistributionResponse> QueryDistribution(clickhouse::ClickHouseClient& client,
                                                           const v1::DistributionRequest& request,
                                                           const auth::RowScope& scope) {
  absl::StatusOr<std::string> sql = DistributionSql(request, scope);
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
    absl::StatusOr<std::string> second_value =
        request.second_dimension() == v1::DIMENSION_UNSPECIFIED ? std::string() : result->GetString(row, 1);
    absl::StatusOr<uint64_t> is_other = result->GetUInt64(row, 2);
    absl::StatusOr<uint64_t> customers = result->GetUInt64(row, 3);
    absl::StatusOr<uint64_t> interactions = result->GetUInt64(row, 4);
    for (const absl::Status& status : {value.status(), second_value.status(), is_other.status(),
                                       customers.status(), interactions.status()}) {
      if (!status.ok()) return status;
    }
    v1::DistributionRow& out = *response.add_rows();
    out.set_value(*std::move(value));
    out.set_second_value(*std::move(second_value));
    out.set_is_other(*is_other != 0);
    out.set_customers(*customers);
    out.set_interactions(*interactions);
    if (!total_counted) response.set_total_customers(response.total_customers() + *customers);
  }
  return response;
}

}  // namespace custflow::reporting
