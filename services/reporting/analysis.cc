// Customer analysis: per-customer measures as one SQL subquery that every analysis
// aggregates, and the responses assembled from ClickHouse 18.16 rows (analysis.h).
#include "services/reporting/analysis.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <optional>
#include <utility>
#include <vector>

#include "custflow/clickhouse/sql.h"
#include "custflow/domain/customer_type.h"

namespace custflow::reporting {
namespace {

using clickhouse::SqlText;

using std::chrono::seconds;
using std::chrono::sys_seconds;

constexpr char kPlaced[] = "INTERACTION_TYPE_ORDER_PLACED";
constexpr char kRefunded[] = "INTERACTION_TYPE_ORDER_REFUNDED";
constexpr char kComplaintOpened[] = "INTERACTION_TYPE_COMPLAINT_OPENED";
constexpr char kComplaintResolved[] = "INTERACTION_TYPE_COMPLAINT_RESOLVED";

// The latest version of every profile (FINAL reads each customer's highest version of the
// ReplacingMergeTree); the profile_ prefix keeps the names apart from the measures'.
constexpr char kLatestProfiles[] =
    "SELECT customer_id, name AS profile_name, customer_type AS profile_customer_type, owner AS "
    "profile_owner,"
    " department AS profile_department, province AS profile_province, industry AS profile_industry,"
    " cumulative_amount_minor AS profile_amount_minor, order_count AS profile_order_count,"
    " interaction_count AS profile_interaction_count, merged_into AS profile_merged_into"
    " FROM profile_versions FINAL";

// What every per-customer measure reads, whichever source it comes from.
constexpr char kMeasureColumns[] =
    "customer_id, net_amount_minor, order_total, interaction_total, satisfaction_sum, rated, profile_name,"
    " profile_customer_type, profile_owner, profile_province, profile_industry, profile_amount_minor";

bool HasPeriod(const v1::AnalysisScope& scope) { return scope.has_from(); }

sys_seconds Instant(const google::protobuf::Timestamp& at) { return sys_seconds(seconds(at.seconds())); }

// The conditions on the latest profile: not merged, and every filter of the scope.
SqlText ScopeConditions(const v1::AnalysisScope& scope) {
  SqlText where;
  where.Add(" WHERE profile_merged_into = ''");
  if (!scope.customer_types().empty()) {
    std::vector<std::string> words;
    for (int type : scope.customer_types())
      words.emplace_back(domain::CustomerTypeWord(static_cast<v1::CustomerType>(type)));
    where.Add(" AND profile_customer_type IN ?", clickhouse::SqlValue::Tuple(words));
  }
  if (!scope.provinces().empty())
    where.Add(" AND profile_province IN ?", clickhouse::SqlValue::Tuple(scope.provinces()));
  if (!scope.departments().empty())
    where.Add(" AND profile_department IN ?", clickhouse::SqlValue::Tuple(scope.departments()));
  return where;
}

// One row per customer in scope with kMeasureColumns: from the latest profiles (and all
// rated interactions), or from the interactions in the period.
SqlText CustomerMeasures(const v1::AnalysisScope& scope) {
  SqlText sql;
  sql.Add(std::string("SELECT ") + kMeasureColumns + " FROM ");
  if (!HasPeriod(scope)) {
    sql.Add(
        std::string("(SELECT *, profile_amount_minor AS net_amount_minor, profile_order_count AS order_total,"
                    " profile_interaction_count AS interaction_total FROM (") +
        kLatestProfiles +
        ")) ANY LEFT JOIN (SELECT customer_id, sumIf(satisfaction, satisfaction > 0) AS satisfaction_sum,"
        " countIf(satisfaction > 0) AS rated FROM interactions GROUP BY customer_id) USING customer_id");
  } else {
    sql.Add("(SELECT customer_id, sumIf(amount_minor, type = ?)", kPlaced)
        .Add(" - sumIf(amount_minor, type = ?) AS net_amount_minor,", kRefunded)
        .Add(" countIf(type = ?) AS order_total, count() AS interaction_total,", kPlaced)
        .Add(" sumIf(satisfaction, satisfaction > 0) AS satisfaction_sum, countIf(satisfaction > 0) AS rated")
        .Add(" FROM interactions WHERE occurred_at >= ?", Instant(scope.from()))
        .Add(" AND occurred_at < ? GROUP BY customer_id)", Instant(scope.to()))
        .Add(std::string(" ANY INNER JOIN (") + kLatestProfiles + ") USING customer_id");
  }
  return sql.Add(ScopeConditions(scope));
}

// A measure's value and the condition for a customer to have one.
struct MeasureSql {
  const char* value;
  const char* has_value;
};

std::optional<MeasureSql> Measure(v1::CustomerMeasure measure) {
  switch (measure) {
    case v1::CUSTOMER_MEASURE_CUMULATIVE_AMOUNT:
      return MeasureSql{"net_amount_minor / 100", "1"};
    case v1::CUSTOMER_MEASURE_ORDER_COUNT:
      return MeasureSql{"order_total", "1"};
    case v1::CUSTOMER_MEASURE_INTERACTION_COUNT:
      return MeasureSql{"interaction_total", "1"};
    case v1::CUSTOMER_MEASURE_AVERAGE_SATISFACTION:
      return MeasureSql{"satisfaction_sum / rated", "rated > 0"};
    default:
      return std::nullopt;
  }
}

absl::StatusOr<MeasureSql> ValidMeasure(v1::CustomerMeasure measure, const char* field) {
  std::optional<MeasureSql> found = Measure(measure);
  if (!found) return absl::InvalidArgumentError(std::string(field) + ": a customer measure is required");
  return *found;
}

// The customers in scope that have the measure, as one column `value`.
absl::StatusOr<SqlText> MeasureValues(const v1::DescribeRequest& request) {
  absl::StatusOr<MeasureSql> measure = ValidMeasure(request.measure(), "measure");
  if (!measure.ok()) return measure.status();
  if (absl::Status valid = ValidateScope(request.scope()); !valid.ok()) return valid;
  SqlText sql;
  sql.Add(std::string("SELECT ") + measure->value + " AS value FROM (")
      .Add(CustomerMeasures(request.scope()))
      .Add(std::string(") WHERE ") + measure->has_value);
  return sql;
}

// A percentage in (0, max]; 0 takes the default.
absl::StatusOr<double> Percent(double value, double fallback, double max, const char* field) {
  if (value == 0) return fallback;
  if (!(value > 0 && value <= max)) {
    return absl::InvalidArgumentError(std::string(field) + " must be in (0, " +
                                      std::to_string(static_cast<int>(max)) + "]");
  }
  return value;
}

absl::Status ValidateSatisfaction(const v1::SatisfactionExtremesRequest& request) {
  if (absl::Status valid = ValidateScope(request.scope()); !valid.ok()) return valid;
  if (absl::StatusOr<double> percent = Percent(request.percent(), kDefaultSatisfactionPercent, 50, "percent");
      !percent.ok())
    return percent.status();
  if (request.limit() < 0 || request.limit() > kMaxSatisfactionLimit)
    return absl::InvalidArgumentError("limit must be in [0, " + std::to_string(kMaxSatisfactionLimit) + "]");
  return absl::OkStatus();
}

const char* ComplaintKey(v1::ComplaintGrouping grouping) {
  switch (grouping) {
    case v1::COMPLAINT_GROUPING_CATEGORY:
      return "category";
    case v1::COMPLAINT_GROUPING_PRODUCT:
      return "product";
    case v1::COMPLAINT_GROUPING_DAY:
      return "toString(toDate(opened_at))";
    case v1::COMPLAINT_GROUPING_AGENT:
      return "agent";
    case v1::COMPLAINT_GROUPING_PROVINCE:
      return "profile_province";
    default:
      return nullptr;
  }
}

// An optional double from a cell; nan (an aggregate over nothing) reads as absent.
absl::StatusOr<std::optional<double>> OptionalDouble(const clickhouse::QueryResult& result, size_t row,
                                                     const char* column) {
  absl::StatusOr<double> value = result.GetDouble(row, column);
  if (!value.ok()) return value.status();
  if (!std::isfinite(*value)) return std::optional<double>();
  return std::optional<double>(*value);
}

absl::StatusOr<clickhouse::QueryResult> Run(clickhouse::ClickHouseClient& client,
                                            const absl::StatusOr<std::string>& sql) {
  if (!sql.ok()) return sql.status();
  return client.Query(*sql);
}

absl::StatusOr<v1::SatisfactionCustomer> ReadSatisfactionCustomer(const clickhouse::QueryResult& result,
                                                                  size_t row) {
  v1::SatisfactionCustomer customer;
  std::pair<const char*, std::string*> texts[] = {
      {"customer_id", customer.mutable_customer_id()},
      {"profile_name", customer.mutable_name()},
      {"profile_owner", customer.mutable_owner()},
      {"profile_province", customer.mutable_province()},
      {"profile_industry", customer.mutable_industry()},
      {"profile_customer_type", customer.mutable_customer_type()}};
  for (auto& [column, field] : texts) {
    absl::StatusOr<std::string> text = result.GetString(row, column);
    if (!text.ok()) return text.status();
    *field = std::move(*text);
  }
  absl::StatusOr<double> amount = result.GetDouble(row, "cumulative_amount");
  absl::StatusOr<double> average = result.GetDouble(row, "average");
  absl::StatusOr<uint64_t> rated = result.GetUInt64(row, "rated");
  if (!amount.ok()) return amount.status();
  if (!average.ok()) return average.status();
  if (!rated.ok()) return rated.status();
  customer.set_cumulative_amount(*amount);
  customer.set_average_satisfaction(*average);
  customer.set_rated_interactions(*rated);
  return customer;
}

}  // namespace

absl::Status ValidateScope(const v1::AnalysisScope& scope) {
  for (int type : scope.customer_types()) {
    if (domain::CustomerTypeWord(static_cast<v1::CustomerType>(type)).empty())
      return absl::InvalidArgumentError("customer_types: potential, closed or lost");
  }
  if (scope.has_from() != scope.has_to())
    return absl::InvalidArgumentError(
        "from and to: both set for a period, or neither for the latest profiles");
  if (scope.has_from() && scope.from().seconds() >= scope.to().seconds())
    return absl::InvalidArgumentError("from must be before to");
  return absl::OkStatus();
}

absl::StatusOr<std::string> DescribeSql(const v1::DescribeRequest& request) {
  absl::StatusOr<SqlText> values = MeasureValues(request);
  if (!values.ok()) return values.status();
  return SqlText()
      .Add(
          "SELECT count() AS n, avg(value) AS mean, quantileExact(0.5)(value) AS median,"
          " stddevPop(value) AS standard_deviation, min(value) AS min_value, max(value) AS max_value,"
          " quantileExact(0.1)(value) AS p10, quantileExact(0.25)(value) AS p25,"
          " quantileExact(0.75)(value) AS p75, quantileExact(0.9)(value) AS p90 FROM (")
      .Add(*values)
      .Add(")")
      .Bind();
}

absl::StatusOr<std::string> ModeSql(const v1::DescribeRequest& request) {
  absl::StatusOr<SqlText> values = MeasureValues(request);
  if (!values.ok()) return values.status();
  return SqlText()
      .Add("SELECT value, count() AS frequency FROM (")
      .Add(*values)
      .Add(") GROUP BY value ORDER BY frequency DESC, value ASC LIMIT 1")
      .Bind();
}

absl::StatusOr<std::string> CorrelateSql(const v1::CorrelateRequest& request) {
  absl::StatusOr<MeasureSql> x = ValidMeasure(request.x(), "x");
  if (!x.ok()) return x.status();
  absl::StatusOr<MeasureSql> y = ValidMeasure(request.y(), "y");
  if (!y.ok()) return y.status();
  if (absl::Status valid = ValidateScope(request.scope()); !valid.ok()) return valid;
  return SqlText()
      .Add(std::string("SELECT count() AS n, corr(x, y) AS pearson FROM (SELECT ") + x->value + " AS x, " +
           y->value + " AS y FROM (")
      .Add(CustomerMeasures(request.scope()))
      .Add(std::string(") WHERE ") + x->has_value + " AND " + y->has_value + ")")
      .Bind();
}

absl::StatusOr<std::string> ParetoSql(const v1::ParetoRequest& request) {
  if (absl::Status valid = ValidateScope(request.scope()); !valid.ok()) return valid;
  absl::StatusOr<double> percent = Percent(request.top_percent(), kDefaultParetoPercent, 100, "top_percent");
  if (!percent.ok()) return percent.status();
  // Integers (minor units) throughout, so the 80 % cut is exact.
  return SqlText()
      .Add(
          "SELECT count() AS customers, sum(revenue) AS total_minor,"
          " arrayReverseSort(groupArray(revenue)) AS sorted,"
          " toUInt64(ceil(customers * ? / 100)) AS top_customers,",
          *percent)
      .Add(
          " arraySum(arraySlice(sorted, 1, top_customers)) AS top_minor,"
          " arrayFirstIndex(running -> running * 100 >= total_minor * 80, arrayCumSum(sorted)) AS "
          "customers_for_80"
          " FROM (SELECT net_amount_minor AS revenue FROM (")
      .Add(CustomerMeasures(request.scope()))
      .Add(") WHERE net_amount_minor > 0)")
      .Bind();
}

absl::StatusOr<std::string> RatedCustomersSql(const v1::SatisfactionExtremesRequest& request) {
  if (absl::Status valid = ValidateSatisfaction(request); !valid.ok()) return valid;
  return SqlText()
      .Add("SELECT count() AS rated_customers FROM (")
      .Add(CustomerMeasures(request.scope()))
      .Add(") WHERE rated > 0")
      .Bind();
}

absl::StatusOr<std::string> SatisfactionGroupSql(const v1::SatisfactionExtremesRequest& request, bool highest,
                                                 uint64_t rows) {
  if (absl::Status valid = ValidateSatisfaction(request); !valid.ok()) return valid;
  return SqlText()
      .Add(
          "SELECT customer_id, profile_name, profile_owner, profile_province, profile_industry,"
          " profile_customer_type, profile_amount_minor / 100 AS cumulative_amount,"
          " satisfaction_sum / rated AS average, rated FROM (")
      .Add(CustomerMeasures(request.scope()))
      .Add(std::string(") WHERE rated > 0 ORDER BY average ") + (highest ? "DESC" : "ASC") +
               ", customer_id LIMIT ?",
           rows)
      .Bind();
}

absl::StatusOr<std::string> ComplaintSql(const v1::ComplaintAnalysisRequest& request) {
  const char* key = ComplaintKey(request.group_by());
  if (key == nullptr)
    return absl::InvalidArgumentError("group_by: category, product, day, agent or province");
  if (!request.has_from() || !request.has_to()) return absl::InvalidArgumentError("from and to are required");
  if (request.from().seconds() >= request.to().seconds())
    return absl::InvalidArgumentError("from must be before to");
  SqlText complaints;
  complaints
      .Add(
          "SELECT customer_id, case_id, category, product, agent, occurred_at AS opened_at FROM interactions"
          " WHERE type = ?",
          kComplaintOpened)
      .Add(" AND occurred_at >= ?", Instant(request.from()))
      .Add(" AND occurred_at < ?", Instant(request.to()));
  // Each case's earliest resolution, wherever it falls.
  SqlText matched;
  matched.Add("SELECT * FROM (")
      .Add(complaints)
      .Add(
          ") ANY LEFT JOIN (SELECT customer_id, case_id, min(occurred_at) AS resolved_at FROM interactions"
          " WHERE type = ? AND case_id != '' GROUP BY customer_id, case_id) USING customer_id, case_id",
          kComplaintResolved);
  if (request.group_by() == v1::COMPLAINT_GROUPING_PROVINCE) {
    SqlText with_province;
    with_province.Add("SELECT * FROM (")
        .Add(matched)
        .Add(
            ") ANY LEFT JOIN (SELECT customer_id, province AS profile_province"
            " FROM profile_versions FINAL) USING customer_id");
    matched = std::move(with_province);
  }
  return SqlText()
      .Add(std::string("SELECT ") + key +
           " AS value, count() AS complaints, countIf(resolved_at >= opened_at) AS resolved,"
           " sumIf(toInt64(toUInt32(resolved_at)) - toInt64(toUInt32(opened_at)), resolved_at >= opened_at)"
           " AS resolution_seconds FROM (")
      .Add(matched)
      .Add(") GROUP BY value ORDER BY complaints DESC, value")
      .Bind();
}

uint64_t SatisfactionGroupSize(uint64_t rated, const v1::SatisfactionExtremesRequest& request) {
  const double percent = request.percent() == 0 ? kDefaultSatisfactionPercent : request.percent();
  return static_cast<uint64_t>(std::ceil(static_cast<double>(rated) * percent / 100));
}

absl::StatusOr<v1::DescribeResponse> Describe(clickhouse::ClickHouseClient& client,
                                              const v1::DescribeRequest& request) {
  absl::StatusOr<clickhouse::QueryResult> stats = Run(client, DescribeSql(request));
  if (!stats.ok()) return stats.status();
  v1::DescribeResponse response;
  absl::StatusOr<uint64_t> count = stats->GetUInt64(0, "n");
  if (!count.ok()) return count.status();
  response.set_count(*count);
  if (*count == 0) return response;
  const std::pair<const char*, void (v1::DescribeResponse::*)(double)> fields[] = {
      {"mean", &v1::DescribeResponse::set_mean},
      {"median", &v1::DescribeResponse::set_median},
      {"standard_deviation", &v1::DescribeResponse::set_standard_deviation},
      {"min_value", &v1::DescribeResponse::set_min},
      {"max_value", &v1::DescribeResponse::set_max},
      {"p10", &v1::DescribeResponse::set_p10},
      {"p25", &v1::DescribeResponse::set_p25},
      {"p75", &v1::DescribeResponse::set_p75},
      {"p90", &v1::DescribeResponse::set_p90}};
  for (const auto& [column, set] : fields) {
    absl::StatusOr<double> value = stats->GetDouble(0, column);
    if (!value.ok()) return value.status();
    (response.*set)(*value);
  }
  absl::StatusOr<clickhouse::QueryResult> mode = Run(client, ModeSql(request));
  if (!mode.ok()) return mode.status();
  absl::StatusOr<double> mode_value = mode->GetDouble(0, "value");
  if (!mode_value.ok()) return mode_value.status();
  response.set_mode(*mode_value);
  return response;
}

absl::StatusOr<v1::CorrelateResponse> Correlate(clickhouse::ClickHouseClient& client,
                                                const v1::CorrelateRequest& request) {
  absl::StatusOr<clickhouse::QueryResult> result = Run(client, CorrelateSql(request));
  if (!result.ok()) return result.status();
  absl::StatusOr<uint64_t> count = result->GetUInt64(0, "n");
  if (!count.ok()) return count.status();
  absl::StatusOr<std::optional<double>> pearson = OptionalDouble(*result, 0, "pearson");
  if (!pearson.ok()) return pearson.status();
  v1::CorrelateResponse response;
  response.set_count(*count);
  if (pearson->has_value() && *count >= 2) response.set_pearson(**pearson);
  return response;
}

absl::StatusOr<v1::ParetoResponse> Pareto(clickhouse::ClickHouseClient& client,
                                          const v1::ParetoRequest& request) {
  absl::StatusOr<clickhouse::QueryResult> result = Run(client, ParetoSql(request));
  if (!result.ok()) return result.status();
  absl::StatusOr<uint64_t> customers = result->GetUInt64(0, "customers");
  absl::StatusOr<int64_t> total = result->GetInt64(0, "total_minor");
  absl::StatusOr<uint64_t> top_customers = result->GetUInt64(0, "top_customers");
  absl::StatusOr<int64_t> top = result->GetInt64(0, "top_minor");
  absl::StatusOr<uint64_t> for_80 = result->GetUInt64(0, "customers_for_80");
  for (const absl::Status& status :
       {customers.status(), total.status(), top_customers.status(), top.status(), for_80.status()}) {
    if (!status.ok()) return status;
  }
  v1::ParetoResponse response;
  response.set_customers(*customers);
  response.set_total_revenue(static_cast<double>(*total) / 100);
  response.set_top_customers(*top_customers);
  response.set_top_revenue(static_cast<double>(*top) / 100);
  response.set_customers_for_80_percent(*for_80);
  if (*total > 0) {
    response.set_top_revenue_percent(static_cast<double>(*top) * 100 / static_cast<double>(*total));
    response.set_customers_for_80_percent_share(static_cast<double>(*for_80) * 100 /
                                                static_cast<double>(*customers));
  }
  return response;
}

absl::StatusOr<v1::SatisfactionExtremesResponse> SatisfactionExtremes(
    clickhouse::ClickHouseClient& client, const v1::SatisfactionExtremesRequest& request) {
  absl::StatusOr<clickhouse::QueryResult> counted = Run(client, RatedCustomersSql(request));
  if (!counted.ok()) return counted.status();
  absl::StatusOr<uint64_t> rated = counted->GetUInt64(0, "rated_customers");
  if (!rated.ok()) return rated.status();
  v1::SatisfactionExtremesResponse response;
  response.set_rated_customers(*rated);
  response.set_group_size(SatisfactionGroupSize(*rated, request));
  const uint64_t limit = request.limit() == 0 ? kDefaultSatisfactionLimit : request.limit();
  const uint64_t rows = std::min(response.group_size(), limit);
  if (rows == 0) return response;
  for (bool highest : {true, false}) {
    absl::StatusOr<clickhouse::QueryResult> group = Run(client, SatisfactionGroupSql(request, highest, rows));
    if (!group.ok()) return group.status();
    for (size_t row = 0; row < group->row_count(); ++row) {
      absl::StatusOr<v1::SatisfactionCustomer> customer = ReadSatisfactionCustomer(*group, row);
      if (!customer.ok()) return customer.status();
      *(highest ? response.add_top() : response.add_bottom()) = std::move(*customer);
    }
  }
  return response;
}

absl::StatusOr<v1::ComplaintAnalysisResponse> ComplaintAnalysis(clickhouse::ClickHouseClient& client,
                                                                const v1::ComplaintAnalysisRequest& request) {
  absl::StatusOr<clickhouse::QueryResult> result = Run(client, ComplaintSql(request));
  if (!result.ok()) return result.status();
  v1::ComplaintAnalysisResponse response;
  int64_t total_seconds = 0;
  for (size_t row = 0; row < result->row_count(); ++row) {
    absl::StatusOr<std::string> value = result->GetString(row, "value");
    absl::StatusOr<uint64_t> complaints = result->GetUInt64(row, "complaints");
    absl::StatusOr<uint64_t> resolved = result->GetUInt64(row, "resolved");
    absl::StatusOr<int64_t> seconds_sum = result->GetInt64(row, "resolution_seconds");
    for (const absl::Status& status :
         {value.status(), complaints.status(), resolved.status(), seconds_sum.status()}) {
      if (!status.ok()) return status;
    }
    v1::ComplaintGroup& group = *response.add_groups();
    group.set_value(std::move(*value));
    group.set_complaints(*complaints);
    group.set_resolved(*resolved);
    if (*resolved > 0)
      group.set_average_resolution_seconds(static_cast<double>(*seconds_sum) /
                                           static_cast<double>(*resolved));
    response.mutable_total()->set_complaints(response.total().complaints() + *complaints);
    response.mutable_total()->set_resolved(response.total().resolved() + *resolved);
    total_seconds += *seconds_sum;
  }
  if (response.total().resolved() > 0) {
    response.mutable_total()->set_average_resolution_seconds(
        static_cast<double>(total_seconds) / static_cast<double>(response.total().resolved()));
  }
  return response;
}

}  // namespace custflow::reporting
