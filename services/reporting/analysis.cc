// Customer analysis: per-customer measures as one SQL subquery that every analysis
// aggregates, and the responses assembled from ClickHouse 18.16 rows (analysis.h).
#include "services/reporting/analysis.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <limits>
#include <numeric>
#include <optional>
#include <random>
#include <utility>
#include <vector>

#include "custflow/clickhouse/sql.h"
#include "custflow/domain/customer_type.h"
#include "services/reporting/row_scope_sql.h"

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
SqlText ScopeConditions(const v1::AnalysisScope& scope, const auth::RowScope& row_scope) {
  SqlText where;
  where.Add(" WHERE profile_merged_into = ''")
      .Add(AndInRowScope(row_scope, "profile_department", "profile_owner"));
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
SqlText CustomerMeasures(const v1::AnalysisScope& scope, const auth::RowScope& row_scope) {
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
  return sql.Add(ScopeConditions(scope, row_scope));
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
absl::StatusOr<SqlText> MeasureValues(const v1::DescribeRequest& request, const auth::RowScope& row_scope) {
  absl::StatusOr<MeasureSql> measure = ValidMeasure(request.measure(), "measure");
  if (!measure.ok()) return measure.status();
  if (absl::Status valid = ValidateScope(request.scope()); !valid.ok()) return valid;
  SqlText sql;
  sql.Add(std::string("SELECT ") + measure->value + " AS value FROM (")
      .Add(CustomerMeasures(request.scope(), row_scope))
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

// RFM and Cluster need a period: recency runs to its end.
absl::Status ValidatePeriodScope(const v1::AnalysisScope& scope) {
  if (absl::Status valid = ValidateScope(scope); !valid.ok()) return valid;
  if (!HasPeriod(scope)) return absl::InvalidArgumentError("from and to are required");
  return absl::OkStatus();
}

// One row per customer in scope with at least one ORDER_PLACED in the period:
// customer_id, recency_days (whole days from the last order to the period's end),
// order_total, net_amount_minor, satisfaction_sum, rated.
SqlText OrderingCustomers(const v1::AnalysisScope& scope, const auth::RowScope& row_scope) {
  SqlText sql;
  sql.Add(
         "SELECT customer_id, recency_days, order_total, net_amount_minor, satisfaction_sum, rated FROM"
         " (SELECT customer_id, intDiv(toInt64(?)",
         scope.to().seconds())
      .Add(" - toInt64(toUInt32(maxIf(occurred_at, type = ?))), 86400) AS recency_days,", kPlaced)
      .Add(" countIf(type = ?) AS order_total,", kPlaced)
      .Add(" sumIf(amount_minor, type = ?)", kPlaced)
      .Add(" - sumIf(amount_minor, type = ?) AS net_amount_minor,", kRefunded)
      .Add(" sumIf(satisfaction, satisfaction > 0) AS satisfaction_sum, countIf(satisfaction > 0) AS rated")
      .Add(" FROM interactions WHERE occurred_at >= ?", Instant(scope.from()))
      .Add(" AND occurred_at < ? GROUP BY customer_id)", Instant(scope.to()))
      .Add(std::string(" ANY INNER JOIN (") + kLatestProfiles + ") USING customer_id")
      .Add(ScopeConditions(scope, row_scope))
      .Add(" AND order_total > 0");
  return sql;
}

// The RFM quintile levels, as quantilesExact takes them.
constexpr char kQuintiles[] = "quantilesExact(0.2, 0.4, 0.6, 0.8)";

absl::StatusOr<std::vector<int64_t>> ReadBoundaries(const clickhouse::QueryResult& result, char measure) {
  std::vector<int64_t> boundaries;
  for (int i = 1; i <= 4; ++i) {
    absl::StatusOr<int64_t> value = result.GetInt64(0, std::string(1, measure) + std::to_string(i));
    if (!value.ok()) return value.status();
    boundaries.push_back(*value);
  }
  return boundaries;
}

double Yuan(int64_t minor) { return static_cast<double>(minor) / 100; }

// Standardizes each feature column to mean 0 and population standard deviation 1; a
// constant feature becomes 0.
void Standardize(std::vector<std::vector<double>>& points) {
  const size_t dimension = points.front().size();
  const double n = static_cast<double>(points.size());
  std::vector<double> mean(dimension, 0);
  std::vector<double> deviation(dimension, 0);
  for (const std::vector<double>& point : points) {
    for (size_t d = 0; d < dimension; ++d) mean[d] += point[d] / n;
  }
  for (const std::vector<double>& point : points) {
    for (size_t d = 0; d < dimension; ++d) deviation[d] += std::pow(point[d] - mean[d], 2) / n;
  }
  for (double& value : deviation) value = std::sqrt(value);
  for (std::vector<double>& point : points) {
    for (size_t d = 0; d < dimension; ++d)
      point[d] = deviation[d] > 0 ? (point[d] - mean[d]) / deviation[d] : 0;
  }
}

double SquaredDistance(const std::vector<double>& a, const std::vector<double>& b) {
  double sum = 0;
  for (size_t d = 0; d < a.size(); ++d) sum += (a[d] - b[d]) * (a[d] - b[d]);
  return sum;
}

// A uniform number in [0, 1) from 53 bits of the generator: the same on every platform,
// unlike std::uniform_real_distribution.
double Uniform(std::mt19937_64& random) { return static_cast<double>(random() >> 11) * 0x1.0p-53; }

// The words of a cluster label, by how far (in standard deviations) its standardized
// centroid lies from the overall mean: below -kLabelBand the first word, above the second.
constexpr double kLabelBand = 0.25;
constexpr std::array<std::pair<const char*, const char*>, 4> kLabelWords = {{{"recent", "lapsed"},
                                                                             {"infrequent", "frequent"},
                                                                             {"low spend", "high spend"},
                                                                             {"dissatisfied", "satisfied"}}};

std::string ClusterLabel(const std::vector<double>& standardized_centroid) {
  std::string label;
  for (size_t d = 0; d < kLabelWords.size(); ++d) {
    const double z = standardized_centroid[d];
    if (std::abs(z) <= kLabelBand) continue;
    if (!label.empty()) label += ", ";
    label += z < 0 ? kLabelWords[d].first : kLabelWords[d].second;
  }
  return label.empty() ? "average" : label;
}

// Means in original units over the customers selected by `member`.
template <typename Member>
v1::CustomerCluster Summarize(const std::vector<ClusterCustomer>& customers, Member member) {
  v1::CustomerCluster cluster;
  double days = 0, orders = 0, spend = 0, satisfaction = 0;
  uint64_t count = 0, rated = 0;
  for (size_t i = 0; i < customers.size(); ++i) {
    if (!member(i)) continue;
    ++count;
    days += customers[i].recency_days;
    orders += customers[i].orders;
    spend += customers[i].net_spend;
    if (customers[i].satisfaction) {
      ++rated;
      satisfaction += *customers[i].satisfaction;
    }
  }
  cluster.set_customers(count);
  cluster.set_share_percent(static_cast<double>(count) * 100 / static_cast<double>(customers.size()));
  if (count == 0) return cluster;
  const double n = static_cast<double>(count);
  cluster.set_recency_days(days / n);
  cluster.set_orders(orders / n);
  cluster.set_net_spend(spend / n);
  if (rated > 0) cluster.set_satisfaction(satisfaction / static_cast<double>(rated));
  return cluster;
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

absl::StatusOr<std::string> DescribeSql(const v1::DescribeRequest& request, const auth::RowScope& row_scope) {
  absl::StatusOr<SqlText> values = MeasureValues(request, row_scope);
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

absl::StatusOr<std::string> ModeSql(const v1::DescribeRequest& request, const auth::RowScope& row_scope) {
  absl::StatusOr<SqlText> values = MeasureValues(request, row_scope);
  if (!values.ok()) return values.status();
  return SqlText()
      .Add("SELECT value, count() AS frequency FROM (")
      .Add(*values)
      .Add(") GROUP BY value ORDER BY frequency DESC, value ASC LIMIT 1")
      .Bind();
}

absl::StatusOr<std::string> CorrelateSql(const v1::CorrelateRequest& request,
                                         const auth::RowScope& row_scope) {
  absl::StatusOr<MeasureSql> x = ValidMeasure(request.x(), "x");
  if (!x.ok()) return x.status();
  absl::StatusOr<MeasureSql> y = ValidMeasure(request.y(), "y");
  if (!y.ok()) return y.status();
  if (absl::Status valid = ValidateScope(request.scope()); !valid.ok()) return valid;
  return SqlText()
      .Add(std::string("SELECT count() AS n, corr(x, y) AS pearson FROM (SELECT ") + x->value + " AS x, " +
           y->value + " AS y FROM (")
      .Add(CustomerMeasures(request.scope(), row_scope))
      .Add(std::string(") WHERE ") + x->has_value + " AND " + y->has_value + ")")
      .Bind();
}

absl::StatusOr<std::string> ParetoSql(const v1::ParetoRequest& request, const auth::RowScope& row_scope) {
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
      .Add(CustomerMeasures(request.scope(), row_scope))
      .Add(") WHERE net_amount_minor > 0)")
      .Bind();
}

absl::StatusOr<std::string> RatedCustomersSql(const v1::SatisfactionExtremesRequest& request,
                                              const auth::RowScope& row_scope) {
  if (absl::Status valid = ValidateSatisfaction(request); !valid.ok()) return valid;
  return SqlText()
      .Add("SELECT count() AS rated_customers FROM (")
      .Add(CustomerMeasures(request.scope(), row_scope))
      .Add(") WHERE rated > 0")
      .Bind();
}

absl::StatusOr<std::string> SatisfactionGroupSql(const v1::SatisfactionExtremesRequest& request,
                                                 const auth::RowScope& row_scope, bool highest,
                                                 uint64_t rows) {
  if (absl::Status valid = ValidateSatisfaction(request); !valid.ok()) return valid;
  return SqlText()
      .Add(
          "SELECT customer_id, profile_name, profile_owner, profile_province, profile_industry,"
          " profile_customer_type, profile_amount_minor / 100 AS cumulative_amount,"
          " satisfaction_sum / rated AS average, rated FROM (")
      .Add(CustomerMeasures(request.scope(), row_scope))
      .Add(std::string(") WHERE rated > 0 ORDER BY average ") + (highest ? "DESC" : "ASC") +
               ", customer_id LIMIT ?",
           rows)
      .Bind();
}

absl::StatusOr<std::string> ComplaintSql(const v1::ComplaintAnalysisRequest& request,
                                         const auth::RowScope& row_scope) {
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
      .Add(" AND occurred_at < ?", Instant(request.to()))
      .Add(AndCustomerInRowScope(row_scope));
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

absl::StatusOr<std::string> RfmBoundariesSql(const v1::RfmRequest& request, const auth::RowScope& row_scope) {
  if (absl::Status valid = ValidatePeriodScope(request.scope()); !valid.ok()) return valid;
  std::string columns = "SELECT count() AS customers, sum(net_amount_minor) AS revenue_minor";
  for (const auto& [prefix, column] : {std::pair<std::string, std::string>{"r", "recency_days"},
                                       {"f", "toInt64(order_total)"},
                                       {"m", "net_amount_minor"}}) {
    columns += ", " + std::string(kQuintiles) + "(" + column + ") AS " + prefix + "q";
    for (int i = 1; i <= 4; ++i)
      columns += ", " + prefix + "q[" + std::to_string(i) + "] AS " + prefix + std::to_string(i);
  }
  return SqlText()
      .Add(columns + " FROM (")
      .Add(OrderingCustomers(request.scope(), row_scope))
      .Add(")")
      .Bind();
}

absl::StatusOr<std::string> RfmGridSql(const v1::RfmRequest& request, const auth::RowScope& row_scope,
                                       const RfmBoundaries& boundaries) {
  if (absl::Status valid = ValidatePeriodScope(request.scope()); !valid.ok()) return valid;
  // Score = 1 + boundaries strictly below the value (strictly above the days for recency),
  // as a sum of comparisons: ClickHouse 18.16 does not resolve a column inside a lambda here.
  SqlText sql;
  sql.Add(
      "SELECT r_score, f_score, count() AS customers, sum(net_amount_minor) AS revenue_minor FROM (SELECT 1");
  for (int64_t boundary : boundaries.recency_days) sql.Add(" + (recency_days < ?)", boundary);
  sql.Add(" AS r_score, 1");
  for (int64_t boundary : boundaries.orders) sql.Add(" + (toInt64(order_total) > ?)", boundary);
  return sql.Add(" AS f_score, net_amount_minor FROM (")
      .Add(OrderingCustomers(request.scope(), row_scope))
      .Add(")) GROUP BY r_score, f_score")
      .Bind();
}

absl::StatusOr<int> ValidateCluster(const v1::ClusterRequest& request) {
  if (absl::Status valid = ValidatePeriodScope(request.scope()); !valid.ok()) return valid;
  const int k = request.k() == 0 ? kDefaultClusters : request.k();
  if (k < kMinClusters || k > kMaxClusters)
    return absl::InvalidArgumentError("k must be in [" + std::to_string(kMinClusters) + ", " +
                                      std::to_string(kMaxClusters) + "]");
  return k;
}

absl::StatusOr<std::string> ClusterSql(const v1::ClusterRequest& request, const auth::RowScope& row_scope,
                                       uint64_t rows) {
  if (absl::StatusOr<int> k = ValidateCluster(request); !k.ok()) return k.status();
  return SqlText()
      .Add("SELECT recency_days, order_total, net_amount_minor, satisfaction_sum, rated FROM (")
      .Add(OrderingCustomers(request.scope(), row_scope))
      .Add(") ORDER BY cityHash64(customer_id), customer_id LIMIT ?", rows)
      .Bind();
}

const std::vector<RfmSegmentDefinition>& RfmSegments() {
  static const std::vector<RfmSegmentDefinition> segments = {
      {.name = "champions", .r_min = 4, .r_max = 5, .f_min = 4, .f_max = 5},
      {.name = "loyal", .r_min = 3, .r_max = 3, .f_min = 3, .f_max = 5},
      {.name = "potential loyalists", .r_min = 4, .r_max = 5, .f_min = 2, .f_max = 3},
      {.name = "new", .r_min = 4, .r_max = 5, .f_min = 1, .f_max = 1},
      {.name = "at risk", .r_min = 1, .r_max = 2, .f_min = 3, .f_max = 4},
      {.name = "can't lose", .r_min = 1, .r_max = 2, .f_min = 5, .f_max = 5},
      {.name = "hibernating", .r_min = 2, .r_max = 3, .f_min = 1, .f_max = 2},
      {.name = "lost", .r_min = 1, .r_max = 1, .f_min = 1, .f_max = 2}};
  return segments;
}

size_t RfmSegmentOf(int r_score, int f_score) {
  const std::vector<RfmSegmentDefinition>& segments = RfmSegments();
  for (size_t i = 0; i < segments.size(); ++i) {
    const RfmSegmentDefinition& segment = segments[i];
    if (r_score >= segment.r_min && r_score <= segment.r_max && f_score >= segment.f_min &&
        f_score <= segment.f_max)
      return i;
  }
  return segments.size();
}

KMeansResult KMeans(const std::vector<std::vector<double>>& points, int k, uint64_t seed) {
  std::mt19937_64 random(seed);
  const size_t n = points.size();
  KMeansResult result;
  // k-means++: the first centroid uniformly, each next one with probability proportional
  // to the squared distance to the nearest chosen centroid.
  result.centroids.push_back(
      points[std::min(n - 1, static_cast<size_t>(Uniform(random) * static_cast<double>(n)))]);
  std::vector<double> nearest(n, std::numeric_limits<double>::infinity());
  while (result.centroids.size() < static_cast<size_t>(k)) {
    double total = 0;
    for (size_t i = 0; i < n; ++i) {
      nearest[i] = std::min(nearest[i], SquaredDistance(points[i], result.centroids.back()));
      total += nearest[i];
    }
    // All points on chosen centroids: any point will do; the emptied cluster keeps it.
    size_t chosen = 0;
    double target = Uniform(random) * total;
    for (size_t i = 0; i < n; ++i) {
      if (nearest[i] <= 0) continue;
      chosen = i;
      if (target < nearest[i]) break;
      target -= nearest[i];
    }
    result.centroids.push_back(points[chosen]);
  }
  result.assignment.assign(n, -1);
  for (result.iterations = 1; result.iterations <= 100; ++result.iterations) {
    bool changed = false;
    for (size_t i = 0; i < n; ++i) {
      int best = 0;
      double best_distance = SquaredDistance(points[i], result.centroids[0]);
      for (int c = 1; c < k; ++c) {
        const double distance = SquaredDistance(points[i], result.centroids[c]);
        if (distance < best_distance) {
          best = c;
          best_distance = distance;
        }
      }
      changed |= result.assignment[i] != best;
      result.assignment[i] = best;
    }
    if (!changed) break;
    std::vector<std::vector<double>> sums(k, std::vector<double>(points[0].size(), 0));
    std::vector<size_t> counts(k, 0);
    for (size_t i = 0; i < n; ++i) {
      ++counts[result.assignment[i]];
      for (size_t d = 0; d < points[i].size(); ++d) sums[result.assignment[i]][d] += points[i][d];
    }
    for (int c = 0; c < k; ++c) {
      if (counts[c] == 0) continue;
      for (double& sum : sums[c]) sum /= static_cast<double>(counts[c]);
      result.centroids[c] = std::move(sums[c]);
    }
  }
  result.iterations = std::min(result.iterations, 100);
  return result;
}

absl::StatusOr<v1::ClusterResponse> ClusterCustomers(const std::vector<ClusterCustomer>& customers, int k) {
  if (customers.size() < static_cast<size_t>(k)) {
    return absl::FailedPreconditionError(std::to_string(customers.size()) + " customers cannot form " +
                                         std::to_string(k) + " clusters");
  }
  double rated_sum = 0;
  size_t rated = 0;
  for (const ClusterCustomer& customer : customers) {
    if (customer.satisfaction) {
      rated_sum += *customer.satisfaction;
      ++rated;
    }
  }
  const double mean_satisfaction = rated > 0 ? rated_sum / static_cast<double>(rated) : 0;
  std::vector<std::vector<double>> points;
  points.reserve(customers.size());
  for (const ClusterCustomer& customer : customers) {
    points.push_back({std::log1p(customer.recency_days), std::log1p(customer.orders),
                      std::log1p(std::max(customer.net_spend, 0.0)),
                      customer.satisfaction.value_or(mean_satisfaction)});
  }
  Standardize(points);
  const KMeansResult clustered = KMeans(points, k);
  v1::ClusterResponse response;
  response.set_customers(customers.size());
  response.set_k(k);
  response.set_iterations(clustered.iterations);
  // Most customers first; equal sizes in cluster order, which the fixed seed makes stable.
  std::vector<int> order(k);
  std::iota(order.begin(), order.end(), 0);
  std::vector<size_t> sizes(k, 0);
  for (int cluster : clustered.assignment) ++sizes[cluster];
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return sizes[a] > sizes[b]; });
  for (int cluster : order) {
    if (sizes[cluster] == 0) continue;
    v1::CustomerCluster& summary = *response.add_clusters();
    summary = Summarize(customers, [&](size_t i) { return clustered.assignment[i] == cluster; });
    summary.set_label(ClusterLabel(clustered.centroids[cluster]));
  }
  *response.mutable_overall() = Summarize(customers, [](size_t) { return true; });
  response.mutable_overall()->set_label("all");
  return response;
}

uint64_t SatisfactionGroupSize(uint64_t rated, const v1::SatisfactionExtremesRequest& request) {
  const double percent = request.percent() == 0 ? kDefaultSatisfactionPercent : request.percent();
  return static_cast<uint64_t>(std::ceil(static_cast<double>(rated) * percent / 100));
}

absl::StatusOr<v1::DescribeResponse> Describe(clickhouse::ClickHouseClient& client,
                                              const v1::DescribeRequest& request,
                                              const auth::RowScope& row_scope) {
  absl::StatusOr<clickhouse::QueryResult> stats = Run(client, DescribeSql(request, row_scope));
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
  absl::StatusOr<clickhouse::QueryResult> mode = Run(client, ModeSql(request, row_scope));
  if (!mode.ok()) return mode.status();
  absl::StatusOr<double> mode_value = mode->GetDouble(0, "value");
  if (!mode_value.ok()) return mode_value.status();
  response.set_mode(*mode_value);
  return response;
}

absl::StatusOr<v1::CorrelateResponse> Correlate(clickhouse::ClickHouseClient& client,
                                                const v1::CorrelateRequest& request,
                                                const auth::RowScope& row_scope) {
  absl::StatusOr<clickhouse::QueryResult> result = Run(client, CorrelateSql(request, row_scope));
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
                                          const v1::ParetoRequest& request, const auth::RowScope& row_scope) {
  absl::StatusOr<clickhouse::QueryResult> result = Run(client, ParetoSql(request, row_scope));
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
    clickhouse::ClickHouseClient& client, const v1::SatisfactionExtremesRequest& request,
    const auth::RowScope& row_scope) {
  absl::StatusOr<clickhouse::QueryResult> counted = Run(client, RatedCustomersSql(request, row_scope));
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
    absl::StatusOr<clickhouse::QueryResult> group =
        Run(client, SatisfactionGroupSql(request, row_scope, highest, rows));
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
                                                                const v1::ComplaintAnalysisRequest& request,
                                                                const auth::RowScope& row_scope) {
  absl::StatusOr<clickhouse::QueryResult> result = Run(client, ComplaintSql(request, row_scope));
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

absl::StatusOr<v1::RfmResponse> Rfm(clickhouse::ClickHouseClient& client, const v1::RfmRequest& request,
                                    const auth::RowScope& row_scope) {
  absl::StatusOr<clickhouse::QueryResult> totals = Run(client, RfmBoundariesSql(request, row_scope));
  if (!totals.ok()) return totals.status();
  absl::StatusOr<uint64_t> customers = totals->GetUInt64(0, "customers");
  if (!customers.ok()) return customers.status();
  v1::RfmResponse response;
  response.set_customers(*customers);
  for (const RfmSegmentDefinition& definition : RfmSegments()) {
    v1::RfmSegment& segment = *response.add_segments();
    segment.set_name(definition.name);
    segment.set_r_min(definition.r_min);
    segment.set_r_max(definition.r_max);
    segment.set_f_min(definition.f_min);
    segment.set_f_max(definition.f_max);
  }
  for (uint32_t r = 5; r >= 1; --r) {
    for (uint32_t f = 1; f <= 5; ++f) {
      v1::RfmCell& cell = *response.add_grid();
      cell.set_r_score(r);
      cell.set_f_score(f);
    }
  }
  if (*customers == 0) return response;
  absl::StatusOr<int64_t> revenue = totals->GetInt64(0, "revenue_minor");
  if (!revenue.ok()) return revenue.status();
  response.set_revenue(Yuan(*revenue));
  absl::StatusOr<std::vector<int64_t>> recency = ReadBoundaries(*totals, 'r');
  absl::StatusOr<std::vector<int64_t>> orders = ReadBoundaries(*totals, 'f');
  absl::StatusOr<std::vector<int64_t>> monetary = ReadBoundaries(*totals, 'm');
  for (const absl::Status& status : {recency.status(), orders.status(), monetary.status()}) {
    if (!status.ok()) return status;
  }
  for (int64_t days : *recency) response.add_recency_boundaries(static_cast<double>(days));
  for (int64_t count : *orders) response.add_frequency_boundaries(static_cast<double>(count));
  for (int64_t minor : *monetary) response.add_monetary_boundaries(Yuan(minor));
  const RfmBoundaries boundaries{.recency_days = *recency, .orders = *orders};
  absl::StatusOr<clickhouse::QueryResult> grid = Run(client, RfmGridSql(request, row_scope, boundaries));
  if (!grid.ok()) return grid.status();
  for (size_t row = 0; row < grid->row_count(); ++row) {
    absl::StatusOr<uint64_t> r = grid->GetUInt64(row, "r_score");
    absl::StatusOr<uint64_t> f = grid->GetUInt64(row, "f_score");
    absl::StatusOr<uint64_t> count = grid->GetUInt64(row, "customers");
    absl::StatusOr<int64_t> minor = grid->GetInt64(row, "revenue_minor");
    for (const absl::Status& status : {r.status(), f.status(), count.status(), minor.status()}) {
      if (!status.ok()) return status;
    }
    if (*r < 1 || *r > 5 || *f < 1 || *f > 5) return absl::InternalError("RFM score out of 1..5");
    v1::RfmCell& cell = *response.mutable_grid((5 - *r) * 5 + (*f - 1));
    cell.set_customers(*count);
    cell.set_revenue(Yuan(*minor));
    cell.set_average_monetary(Yuan(*minor) / static_cast<double>(*count));
    v1::RfmSegment& segment = *response.mutable_segments(
        static_cast<int>(RfmSegmentOf(static_cast<int>(*r), static_cast<int>(*f))));
    segment.set_customers(segment.customers() + *count);
    segment.set_revenue(segment.revenue() + Yuan(*minor));
  }
  for (v1::RfmSegment& segment : *response.mutable_segments()) {
    segment.set_customer_percent(static_cast<double>(segment.customers()) * 100 /
                                 static_cast<double>(*customers));
  }
  return response;
}

absl::StatusOr<v1::ClusterResponse> Cluster(clickhouse::ClickHouseClient& client,
                                            const v1::ClusterRequest& request,
                                            const auth::RowScope& row_scope) {
  absl::StatusOr<int> k = ValidateCluster(request);
  if (!k.ok()) return k.status();
  // One row beyond the cap tells that it was hit.
  absl::StatusOr<clickhouse::QueryResult> rows =
      Run(client, ClusterSql(request, row_scope, kMaxClusterCustomers + 1));
  if (!rows.ok()) return rows.status();
  const bool sampled = rows->row_count() > kMaxClusterCustomers;
  std::vector<ClusterCustomer> customers;
  customers.reserve(std::min<size_t>(rows->row_count(), kMaxClusterCustomers));
  for (size_t row = 0; row < rows->row_count() && row < kMaxClusterCustomers; ++row) {
    absl::StatusOr<int64_t> days = rows->GetInt64(row, "recency_days");
    absl::StatusOr<uint64_t> orders = rows->GetUInt64(row, "order_total");
    absl::StatusOr<int64_t> net_minor = rows->GetInt64(row, "net_amount_minor");
    absl::StatusOr<double> satisfaction_sum = rows->GetDouble(row, "satisfaction_sum");
    absl::StatusOr<uint64_t> rated = rows->GetUInt64(row, "rated");
    for (const absl::Status& status :
         {days.status(), orders.status(), net_minor.status(), satisfaction_sum.status(), rated.status()}) {
      if (!status.ok()) return status;
    }
    ClusterCustomer& customer = customers.emplace_back();
    customer.recency_days = static_cast<double>(*days);
    customer.orders = static_cast<double>(*orders);
    customer.net_spend = Yuan(*net_minor);
    if (*rated > 0) customer.satisfaction = *satisfaction_sum / static_cast<double>(*rated);
  }
  absl::StatusOr<v1::ClusterResponse> response = ClusterCustomers(customers, *k);
  if (response.ok()) response->set_sampled(sampled);
  return response;
}

}  // namespace custflow::reporting
