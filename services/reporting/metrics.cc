#include "services/reporting/metrics.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include "custflow/clickhouse/sql.h"
#include "services/reporting/row_scope_sql.h"

namespace custflow::reporting {
namespace {

using std::chrono::days;
using std::chrono::sys_days;
using std::chrono::sys_seconds;

// How a metric's SQL is shaped.
enum class Family {
  kInteractions,   // aggregates over the period's interactions
  kRepurchase,     // orders counted per customer, then customers counted
  kFirstOrder,     // each customer's first ORDER_PLACED, in the period it falls in
  kActivityPairs,  // customers active in the previous period against this one
  kNewCustomers,   // latest profiles by the period of their first contact
  kGrowth,         // as kNewCustomers over all time; the denominator is summed in C++
  kConversion,     // latest profiles by first contact, with whether they ever ordered
  kLifetime,       // every buyer's spend and customer months up to each period's end
};

// How the value follows from numerator and denominator.
enum class Kind {
  kCount,  // value = numerator; a period without data is 0
  kRatio,  // value = numerator / denominator x scale; no value when the denominator is 0
  kGoal,   // value = numerator / goal x 100
};

struct Metric {
  const char* id;
  const char* name;
  const char* formula;
  const char* unit;
  Family family;
  Kind kind;
  double scale;
  // SQL aggregates for kInteractions and kActivityPairs, with `?` for interaction types
  // bound from `types` in order; the activity pairs read `was` (active in the previous
  // period) and `now` (active in this one).
  const char* numerator_sql;
  const char* denominator_sql;
  std::vector<std::string> types;
};

constexpr char kPlaced[] = "INTERACTION_TYPE_ORDER_PLACED";
constexpr char kRefunded[] = "INTERACTION_TYPE_ORDER_REFUNDED";
constexpr char kComplaint[] = "INTERACTION_TYPE_COMPLAINT_OPENED";
constexpr char kInboundCall[] = "INTERACTION_TYPE_CALL_INBOUND";
constexpr char kMissedCall[] = "INTERACTION_TYPE_CALL_MISSED";
constexpr char kCallBack[] = "INTERACTION_TYPE_CALL_CALLBACK";

const std::vector<Metric>& Catalog() {
  static const std::vector<Metric> catalog = {
      {"new_customers",
       "New customers",
       "customers whose first contact falls in the period",
       "customers",
       Family::kNewCustomers,
       Kind::kCount,
       1,
       "",
       "",
       {}},
      {"active_customers",
       "Active customers",
       "distinct customers with at least one interaction in the period",
       "customers",
       Family::kInteractions,
       Kind::kCount,
       1,
       "uniqExact(customer_id)",
       "1",
       {}},
      {"churned_customers",
       "Churned customers",
       "customers active in the previous period and not in this one",
       "customers",
       Family::kActivityPairs,
       Kind::kCount,
       1,
       "countIf(was AND NOT now)",
       "1",
       {}},
      {"churn_rate",
       "Churn rate",
       "churned customers / customers active in the previous period x 100 %",
       "%",
       Family::kActivityPairs,
       Kind::kRatio,
       100,
       "countIf(was AND NOT now)",
       "countIf(was)",
       {}},
      {"retention_rate",
       "Retention rate",
       "customers active in both the previous period and this one / customers active in the previous "
       "period x 100 %",
       "%",
       Family::kActivityPairs,
       Kind::kRatio,
       100,
       "countIf(was AND now)",
       "countIf(was)",
       {}},
      {"customer_growth_rate",
       "Customer growth rate",
       "(customers at the period's end - customers at its start) / customers at its start x 100 %, "
       "customers at t being those first contacted before t",
       "%",
       Family::kGrowth,
       Kind::kRatio,
       100,
       "",
       "",
       {}},
      {"closed_customers",
       "Closed customers",
       "customers whose first ORDER_PLACED falls in the period",
       "customers",
       Family::kFirstOrder,
       Kind::kCount,
       1,
       "",
       "",
       {}},
      {"total_sales",
       "Total sales",
       "sum of ORDER_PLACED amounts - sum of ORDER_REFUNDED amounts in the period",
       "yuan",
       Family::kInteractions,
       Kind::kCount,
       1,
       "(sumIf(amount_minor, type = ?) - sumIf(amount_minor, type = ?)) / 100",
       "1",
       {kPlaced, kRefunded}},
      {"average_order_value",
       "Average order value",
       "sum of ORDER_PLACED amounts / number of ORDER_PLACED in the period",
       "yuan",
       Family::kInteractions,
       Kind::kRatio,
       1,
       "sumIf(amount_minor, type = ?) / 100",
       "countIf(type = ?)",
       {kPlaced, kPlaced}},
      {"conversion_rate",
       "Conversion rate",
       "of the customers first contacted in the period, those who have placed an order (at any time) / "
       "those customers x 100 %",
       "%",
       Family::kConversion,
       Kind::kRatio,
       100,
       "",
       "",
       {kPlaced}},
      {"repurchase_rate",
       "Repurchase rate",
       "customers with 2 or more ORDER_PLACED in the period / customers with at least one x 100 %",
       "%",
       Family::kRepurchase,
       Kind::kRatio,
       100,
       "",
       "",
       {kPlaced}},
      {"goal_attainment",
       "Goal attainment",
       "total sales / goal x 100 %, the goal (yuan) given in the request",
       "%",
       Family::kInteractions,
       Kind::kGoal,
       100,
       "(sumIf(amount_minor, type = ?) - sumIf(amount_minor, type = ?)) / 100",
       "1",
       {kPlaced, kRefunded}},
      {"customer_lifetime_value",
       "Customer lifetime value",
       "spend (orders placed minus refunds) up to the period's end / customer months (30.4375 days) from "
       "first contact to the period's end, summed over the customers who have ordered by then",
       "yuan/customer-month",
       Family::kLifetime,
       Kind::kRatio,
       1,
       "",
       "",
       {kPlaced, kRefunded}},
      {"satisfaction",
       "Satisfaction",
       "average satisfaction score (1-5) of the interactions in the period that have one",
       "score",
       Family::kInteractions,
       Kind::kRatio,
       1,
       "sumIf(satisfaction, satisfaction > 0)",
       "countIf(satisfaction > 0)",
       {}},
      {"average_response_time",
       "Average response time",
       "average wait_seconds of the CALL_INBOUND interactions in the period",
       "seconds",
       Family::kInteractions,
       Kind::kRatio,
       1,
       "sumIf(wait_seconds, type = ?)",
       "countIf(type = ?)",
       {kInboundCall, kInboundCall}},
      {"complaint_rate",
       "Complaint rate",
       "COMPLAINT_OPENED interactions in the period / active customers x 100 %",
       "%",
       Family::kInteractions,
       Kind::kRatio,
       100,
       "countIf(type = ?)",
       "uniqExact(customer_id)",
       {kComplaint}},
      {"call_backs",
       "Call-backs",
       "CALL_CALLBACK interactions in the period",
       "calls",
       Family::kInteractions,
       Kind::kCount,
       1,
       "countIf(type = ?)",
       "1",
       {kCallBack}},
      {"call_back_rate",
       "Call-back rate",
       "CALL_CALLBACK interactions in the period / CALL_MISSED interactions in the period x 100 %",
       "%",
       Family::kInteractions,
       Kind::kRatio,
       100,
       "countIf(type = ?)",
       "countIf(type = ?)",
       {kCallBack, kMissedCall}},
      {"engagement",
       "Engagement",
       "interactions in the period / active customers",
       "interactions/customer",
       Family::kInteractions,
       Kind::kRatio,
       1,
       "count()",
       "uniqExact(customer_id)",
       {}},
  };
  return catalog;
}

bool OverProfiles(Family family) {
  return family == Family::kNewCustomers || family == Family::kGrowth || family == Family::kConversion ||
         family == Family::kLifetime;
}

// The column a breakdown reads, or nullptr when the metric's rows have no such dimension.
// Interactions carry their own department, team, agent and channel; everything else comes
// from the customer's latest profile (the profile_* columns of kLatestProfiles).
const char* DimensionColumn(v1::MetricDimension dimension, bool over_profiles) {
  switch (dimension) {
    case v1::METRIC_DIMENSION_DEPARTMENT:
      return over_profiles ? "profile_department" : "department";
    case v1::METRIC_DIMENSION_TEAM:
      return over_profiles ? "profile_team" : "team";
    case v1::METRIC_DIMENSION_OWNER:
      return over_profiles ? "profile_owner" : "agent";
    case v1::METRIC_DIMENSION_CHANNEL:
      return over_profiles ? nullptr : "channel";
    case v1::METRIC_DIMENSION_PROVINCE:
      return "profile_province";
    case v1::METRIC_DIMENSION_CITY:
      return "profile_city";
    case v1::METRIC_DIMENSION_DISTRICT:
      return "profile_district";
    case v1::METRIC_DIMENSION_CUSTOMER_TYPE:
      return "profile_customer_type";
    case v1::METRIC_DIMENSION_INDUSTRY:
      return "profile_industry";
    case v1::METRIC_DIMENSION_SOURCE:
      return "profile_source";
    default:
      return nullptr;
  }
}

const Metric* FindMetric(const std::string& id) {
  for (const Metric& metric : Catalog()) {
    if (metric.id == id) return &metric;
  }
  return nullptr;
}

v1::MetricDefinition Definition(const Metric& metric) {
  v1::MetricDefinition definition;
  definition.set_id(metric.id);
  definition.set_name(metric.name);
  definition.set_formula(metric.formula);
  definition.set_unit(metric.unit);
  definition.set_needs_goal(metric.kind == Kind::kGoal);
  const google::protobuf::EnumDescriptor* dimensions = v1::MetricDimension_descriptor();
  for (int i = 0; i < dimensions->value_count(); ++i) {
    const auto dimension = static_cast<v1::MetricDimension>(dimensions->value(i)->number());
    if (DimensionColumn(dimension, OverProfiles(metric.family)) != nullptr)
      definition.add_dimensions(dimension);
  }
  return definition;
}

using clickhouse::SqlText;

// Adds `text`, which holds one `?` per interaction type it names, with the next of `types`.
SqlText& AddTyped(SqlText& sql, std::string_view text, const std::vector<std::string>& types,
                  size_t& next_type) {
  sql.Add(text);
  const size_t placeholders = static_cast<size_t>(std::count(text.begin(), text.end(), '?'));
  for (size_t i = 0; i < placeholders; ++i) sql.Add("", types.at(next_type++));
  return sql;
}

const char* PeriodFunction(v1::MetricGranularity granularity) {
  switch (granularity) {
    case v1::METRIC_GRANULARITY_DAY:
      return "toDate";
    case v1::METRIC_GRANULARITY_WEEK:
      return "toMonday";
    case v1::METRIC_GRANULARITY_MONTH:
      return "toStartOfMonth";
    case v1::METRIC_GRANULARITY_QUARTER:
      return "toStartOfQuarter";
    default:
      return "toStartOfYear";
  }
}

// `date` moved by one period, in SQL: "add" or "subtract".
std::string ShiftSql(v1::MetricGranularity granularity, const std::string& direction,
                     const std::string& date) {
  switch (granularity) {
    case v1::METRIC_GRANULARITY_DAY:
      return direction + "Days(" + date + ", 1)";
    case v1::METRIC_GRANULARITY_WEEK:
      return direction + "Weeks(" + date + ", 1)";
    case v1::METRIC_GRANULARITY_MONTH:
      return direction + "Months(" + date + ", 1)";
    case v1::METRIC_GRANULARITY_QUARTER:
      return direction + "Months(" + date + ", 3)";
    default:
      return direction + "Years(" + date + ", 1)";
  }
}

// The latest version of every profile: profile_versions is a ReplacingMergeTree on
// version ordered by customer id, so FINAL reads each customer's highest version, merging on
// read what the background merges have not yet (several times faster than argMax over a
// GROUP BY). The profile_ prefix keeps the names apart from the interactions' columns.
constexpr char kLatestProfiles[] =
    "SELECT customer_id, first_contact_at AS profile_first_contact_at, owner AS profile_owner,"
    " department AS profile_department, team AS profile_team, province AS profile_province,"
    " city AS profile_city, district AS profile_district, customer_type AS profile_customer_type,"
    " industry AS profile_industry, source AS profile_source, merged_into AS profile_merged_into"
    " FROM profile_versions FINAL";

// Each customer's first order, as a row shaped like an interaction.
constexpr char kFirstOrders[] =
    "(SELECT customer_id, first_order_at AS occurred_at, first_channel AS channel, first_agent AS agent,"
    " first_department AS department, first_team AS team FROM (SELECT customer_id,"
    " min(occurred_at) AS first_order_at, argMin(channel, occurred_at) AS first_channel,"
    " argMin(agent, occurred_at) AS first_agent, argMin(department, occurred_at) AS first_department,"
    " argMin(team, occurred_at) AS first_team FROM interactions WHERE type = ? GROUP BY customer_id))";

// d1 and d2: the breakdowns' columns. One not asked for is the number 0, never read back:
// grouping by a constant string would make ClickHouse hash serialized keys instead of
// fixed-size ones.
std::string BreakdownColumns(const MetricPlan& plan, bool over_profiles) {
  std::string columns;
  for (size_t i = 0; i < 2; ++i) {
    const char* column =
        i < plan.breakdowns.size() ? DimensionColumn(plan.breakdowns[i], over_profiles) : "toUInt8(0)";
    columns += std::string(", ") + column + " AS d" + std::to_string(i + 1);
  }
  return columns;
}

bool NeedsProfileJoin(const MetricPlan& plan) {
  for (v1::MetricDimension dimension : plan.breakdowns) {
    if (std::string(DimensionColumn(dimension, false)).starts_with("profile_")) return true;
  }
  return false;
}

// Rows of `source` (interactions or rows shaped like them) in [from, end): customer_id,
// period, d1, d2 and `extra_columns`.
SqlText Events(const MetricPlan& plan, const SqlText& source, const std::string& extra_columns, sys_days from,
               sys_days end) {
  SqlText sql;
  sql.Add(std::string("SELECT customer_id, ") + PeriodFunction(plan.granularity) + "(occurred_at) AS period" +
          BreakdownColumns(plan, false) + extra_columns + " FROM ")
      .Add(source);
  if (NeedsProfileJoin(plan))
    sql.Add(std::string(" ANY LEFT JOIN (") + kLatestProfiles + ") USING customer_id");
  return sql.Add(" WHERE occurred_at >= ?", sys_seconds(from))
      .Add(" AND occurred_at < ?", sys_seconds(end))
      .Add(AndCustomerInRowScope(plan.scope));
}

// Latest profiles not merged away, first contacted in [from, end).
SqlText Profiles(const MetricPlan& plan, sys_seconds from, sys_days end) {
  SqlText sql;
  return sql
      .Add(std::string("SELECT customer_id, ") + PeriodFunction(plan.granularity) +
           "(profile_first_contact_at) AS period" + BreakdownColumns(plan, true) + " FROM (" +
           kLatestProfiles + ") WHERE profile_merged_into = ''")
      .Add(AndInRowScope(plan.scope, "profile_department", "profile_owner"))
      .Add(" AND profile_first_contact_at >= ?", from)
      .Add(" AND profile_first_contact_at < ?", sys_seconds(end));
}

SqlText Interactions() { return SqlText().Add("interactions"); }

constexpr char kGroupByPeriod[] = ") GROUP BY period, d1, d2";

SqlText FamilySql(const Metric& metric, const MetricPlan& plan) {
  const std::string extra = ", type, amount_minor, satisfaction, wait_seconds";
  size_t next_type = 0;
  SqlText sql;
  switch (metric.family) {
    case Family::kInteractions:
      sql.Add("SELECT period, d1, d2, toFloat64(");
      AddTyped(sql, metric.numerator_sql, metric.types, next_type).Add(") AS numerator, toFloat64(");
      AddTyped(sql, metric.denominator_sql, metric.types, next_type)
          .Add(") AS denominator FROM (")
          .Add(Events(plan, Interactions(), extra, plan.read_from, plan.end));
      return sql.Add(kGroupByPeriod);
    case Family::kRepurchase:
      sql.Add(
             "SELECT period, d1, d2, toFloat64(countIf(orders >= 2)) AS numerator,"
             " toFloat64(count()) AS denominator FROM (SELECT period, d1, d2, customer_id, count() AS orders"
             " FROM (")
          .Add(Events(plan, Interactions(), extra, plan.read_from, plan.end))
          .Add(") WHERE type = ?", metric.types[0])
          .Add(" GROUP BY period, d1, d2, customer_id");
      return sql.Add(kGroupByPeriod);
    case Family::kFirstOrder:
      sql.Add("SELECT period, d1, d2, toFloat64(count()) AS numerator, toFloat64(1) AS denominator FROM (")
          .Add(Events(plan, SqlText().Add(kFirstOrders, kPlaced), "", plan.read_from, plan.end));
      return sql.Add(kGroupByPeriod);
    case Family::kActivityPairs: {
      // Each customer's active periods, paired with every period it was active in or right
      // after; the first reported period needs the activity of the one before it.
      const std::string was = "has(periods, " + ShiftSql(plan.granularity, "subtract", "q") + ")";
      std::string numerator = metric.numerator_sql;
      std::string denominator = metric.denominator_sql;
      for (std::string* aggregate : {&numerator, &denominator}) {
        for (size_t at; (at = aggregate->find("was")) != std::string::npos;) aggregate->replace(at, 3, was);
        for (size_t at; (at = aggregate->find("now")) != std::string::npos;) {
          aggregate->replace(at, 3, "has(periods, q)");
        }
      }
      sql.Add("SELECT q AS period, d1, d2, toFloat64(" + numerator + ") AS numerator, toFloat64(" +
              denominator +
              ") AS denominator FROM (SELECT customer_id, d1, d2, groupUniqArray(period) AS periods FROM (")
          .Add(Events(plan, Interactions(), "", PreviousPeriod(plan.read_from, plan.granularity), plan.end))
          .Add(
              ") GROUP BY customer_id, d1, d2) ARRAY JOIN arrayDistinct(arrayConcat(periods, arrayMap(p -> " +
              ShiftSql(plan.granularity, "add", "p") + ", periods))) AS q")
          .Add(" WHERE q >= ?", plan.read_from)
          .Add(" AND q < ?", plan.end);
      return sql.Add(" GROUP BY q, d1, d2");
    }
    case Family::kNewCustomers:
    case Family::kGrowth: {
      // Growth divides by every customer first contacted before the period, so it reads
      // all time; a first contact of 0 (unknown) is left out.
      const sys_seconds from = metric.family == Family::kGrowth ? sys_seconds(std::chrono::seconds(1))
                                                                : sys_seconds(plan.read_from);
      sql.Add("SELECT period, d1, d2, toFloat64(count()) AS numerator, toFloat64(1) AS denominator FROM (")
          .Add(Profiles(plan, from, plan.end));
      return sql.Add(kGroupByPeriod);
    }
    case Family::kConversion:
      sql.Add("SELECT period, d1, d2, toFloat64(sum(customer_id IN (SELECT customer_id FROM interactions")
          .Add(" WHERE type = ?", metric.types[0])
          .Add("))) AS numerator, toFloat64(count()) AS denominator FROM (")
          .Add(Profiles(plan, sys_seconds(plan.read_from), plan.end));
      return sql.Add(kGroupByPeriod);
    case Family::kLifetime: {
      // Each buyer's orders and refunds as arrays, joined to its latest profile and spread
      // over every reported period; each period sums what happened before its end.
      const std::string end = "toDateTime(" + ShiftSql(plan.granularity, "add", "q") + ")";
      sql.Add(
             "SELECT q AS period, d1, d2, sum(spend) / 100 AS numerator, sum(months) AS denominator FROM ("
             "SELECT q, d1, d2, arraySum(arrayMap((t, a) -> if(t < " +
             end + ", a, 0), times, amounts)) AS spend, arrayExists((t, p) -> t < " + end +
             " AND p, times, placed) AS ordered, (toUInt32(" + end +
             ") - toUInt32(profile_first_contact_at)) / (86400 * 30.4375) AS months FROM ("
             "SELECT customer_id, groupArray(occurred_at) AS times,")
          .Add(" groupArray(if(type = ?, amount_minor, -amount_minor)) AS amounts,", metric.types[0])
          .Add(" groupArray(type = ?) AS placed FROM interactions", metric.types[0])
          .Add(" WHERE type IN (?", metric.types[0])
          .Add(", ?)", metric.types[1])
          .Add(" AND occurred_at < ?", sys_seconds(plan.end))
          .Add(std::string(
                   " GROUP BY customer_id) ANY INNER JOIN (SELECT customer_id, profile_first_contact_at") +
               BreakdownColumns(plan, true) + " FROM (" + kLatestProfiles +
               ") WHERE profile_merged_into = '' AND profile_first_contact_at > toDateTime(0)")
          .Add(AndInRowScope(plan.scope, "profile_department", "profile_owner"))
          .Add(") USING customer_id ARRAY JOIN ");
      std::vector<sys_days> periods;
      for (sys_days period = plan.read_from; period < plan.end;
           period = NextPeriod(period, plan.granularity)) {
        periods.push_back(period);
      }
      return sql.Add("? AS q) WHERE ordered AND months > 0 GROUP BY q, d1, d2", periods);
    }
  }
  return sql;
}

using Key = std::vector<std::string>;
using Series = std::map<sys_days, std::pair<double, double>>;  // period -> numerator, denominator

std::optional<double> ChangePercent(const std::optional<double>& value, const std::optional<double>& before) {
  if (!value.has_value() || !before.has_value() || *before == 0) return std::nullopt;
  return (*value - *before) / *before * 100;
}

// Numerator and denominator of one period of one series; nullopt when a ratio has no data.
std::optional<std::pair<double, double>> Fraction(const Metric& metric, const MetricPlan& plan,
                                                  const Series& series, sys_days period) {
  auto found = series.find(period);
  const double numerator = found == series.end() ? 0 : found->second.first;
  if (metric.family == Family::kGrowth) {
    double before = 0;
    for (auto it = series.begin(); it != series.end() && it->first < period; ++it) before += it->second.first;
    return std::make_pair(numerator, before);
  }
  if (metric.kind == Kind::kGoal) return std::make_pair(numerator, plan.goal);
  if (metric.kind == Kind::kCount) return std::make_pair(numerator, 1.0);
  if (found == series.end()) return std::nullopt;
  return found->second;
}

std::optional<double> Value(const Metric& metric, const std::optional<std::pair<double, double>>& fraction) {
  if (!fraction.has_value()) return std::nullopt;
  if (metric.kind == Kind::kCount) return fraction->first;
  if (fraction->second == 0) return std::nullopt;
  return fraction->first / fraction->second * metric.scale;
}

v1::MetricRow Row(const Metric& metric, const MetricPlan& plan, const Key& key, const Series& series,
                  sys_days period) {
  v1::MetricRow row;
  row.mutable_period_start()->set_seconds(sys_seconds(period).time_since_epoch().count());
  for (const std::string& value : key) row.add_breakdown_values(value);
  const std::optional<std::pair<double, double>> fraction = Fraction(metric, plan, series, period);
  if (fraction.has_value()) {
    row.set_numerator(fraction->first);
    row.set_denominator(fraction->second);
  }
  const std::optional<double> value = Value(metric, fraction);
  const std::optional<double> previous =
      Value(metric, Fraction(metric, plan, series, PreviousPeriod(period, plan.granularity)));
  const std::optional<double> year_ago =
      Value(metric, Fraction(metric, plan, series, YearAgoPeriod(period, plan.granularity)));
  if (value.has_value()) row.set_value(*value);
  if (previous.has_value()) row.set_previous_value(*previous);
  if (year_ago.has_value()) row.set_year_ago_value(*year_ago);
  if (auto change = ChangePercent(value, previous)) row.set_previous_change_percent(*change);
  if (auto change = ChangePercent(value, year_ago)) row.set_year_ago_change_percent(*change);
  return row;
}

absl::Status Invalid(const std::string& message) { return absl::InvalidArgumentError(message); }

}  // namespace

v1::ListMetricsResponse ListMetrics() {
  v1::ListMetricsResponse response;
  for (const Metric& metric : Catalog()) *response.add_metrics() = Definition(metric);
  return response;
}

sys_days PeriodStart(sys_days day, v1::MetricGranularity granularity) {
  const std::chrono::year_month_day date(day);
  switch (granularity) {
    case v1::METRIC_GRANULARITY_DAY:
      return day;
    case v1::METRIC_GRANULARITY_WEEK:
      return day - days(std::chrono::weekday(day).iso_encoding() - 1);
    case v1::METRIC_GRANULARITY_MONTH:
      return sys_days(date.year() / date.month() / 1);
    case v1::METRIC_GRANULARITY_QUARTER: {
      const unsigned first_month = (static_cast<unsigned>(date.month()) - 1) / 3 * 3 + 1;
      return sys_days(date.year() / std::chrono::month(first_month) / 1);
    }
    default:
      return sys_days(date.year() / std::chrono::January / 1);
  }
}

sys_days NextPeriod(sys_days start, v1::MetricGranularity granularity) {
  const std::chrono::year_month_day date(start);
  switch (granularity) {
    case v1::METRIC_GRANULARITY_DAY:
      return start + days(1);
    case v1::METRIC_GRANULARITY_WEEK:
      return start + days(7);
    case v1::METRIC_GRANULARITY_MONTH:
      return sys_days(date + std::chrono::months(1));
    case v1::METRIC_GRANULARITY_QUARTER:
      return sys_days(date + std::chrono::months(3));
    default:
      return sys_days(date + std::chrono::years(1));
  }
}

sys_days PreviousPeriod(sys_days start, v1::MetricGranularity granularity) {
  const std::chrono::year_month_day date(start);
  switch (granularity) {
    case v1::METRIC_GRANULARITY_DAY:
      return start - days(1);
    case v1::METRIC_GRANULARITY_WEEK:
      return start - days(7);
    case v1::METRIC_GRANULARITY_MONTH:
      return sys_days(date - std::chrono::months(1));
    case v1::METRIC_GRANULARITY_QUARTER:
      return sys_days(date - std::chrono::months(3));
    default:
      return sys_days(date - std::chrono::years(1));
  }
}

sys_days YearAgoPeriod(sys_days start, v1::MetricGranularity granularity) {
  std::chrono::year_month_day date = std::chrono::year_month_day(start) - std::chrono::years(1);
  if (!date.ok())
    date = std::chrono::year_month_day_last(date.year(), std::chrono::month_day_last(date.month()));
  return PeriodStart(sys_days(date), granularity);
}

absl::StatusOr<MetricPlan> PlanMetricQuery(const v1::MetricQueryRequest& request,
                                           const auth::RowScope& scope) {
  const Metric* metric = FindMetric(request.metric_id());
  if (metric == nullptr) return Invalid("metric_id: unknown metric '" + request.metric_id() + "'");
  if (request.granularity() < v1::METRIC_GRANULARITY_DAY ||
      request.granularity() > v1::METRIC_GRANULARITY_YEAR) {
    return Invalid("granularity: day, week, month, quarter or year is required");
  }
  // Dates outside what ClickHouse's Date and DateTime hold, with a year's margin for the
  // year-ago periods, are refused.
  constexpr int64_t kEarliest = 31'536'000;   // 1971-01-01
  constexpr int64_t kLatest = 4'102'444'800;  // 2100-01-01
  if (request.from().seconds() < kEarliest || request.to().seconds() > kLatest) {
    return Invalid("from, to: the range must lie within 1971-01-01 .. 2100-01-01");
  }
  if (request.from().seconds() >= request.to().seconds()) return Invalid("from: must be before to");
  if (request.breakdowns_size() > 2) return Invalid("breakdowns: at most two");
  MetricPlan plan;
  plan.metric = Definition(*metric);
  plan.scope = scope;
  plan.granularity = request.granularity();
  std::set<v1::MetricDimension> seen;
  for (int i = 0; i < request.breakdowns_size(); ++i) {
    const v1::MetricDimension dimension = request.breakdowns(i);
    if (DimensionColumn(dimension, OverProfiles(metric->family)) == nullptr) {
      return Invalid("breakdowns: " + v1::MetricDimension_Name(dimension) + " is not a dimension of " +
                     metric->id);
    }
    if (!seen.insert(dimension).second)
      return Invalid("breakdowns: " + v1::MetricDimension_Name(dimension) + " twice");
    plan.breakdowns.push_back(dimension);
  }
  if (metric->kind == Kind::kGoal) {
    if (!(request.goal() > 0)) return Invalid("goal: goal_attainment needs a goal above 0");
    plan.goal = request.goal();
  }
  const auto day_of = [](int64_t seconds) {
    return std::chrono::floor<days>(sys_seconds(std::chrono::seconds(seconds)));
  };
  plan.first_period = PeriodStart(day_of(request.from().seconds()), plan.granularity);
  const sys_days last_period = PeriodStart(day_of(request.to().seconds() - 1), plan.granularity);
  plan.end = NextPeriod(last_period, plan.granularity);
  int periods = 0;
  for (sys_days period = plan.first_period; period < plan.end;
       period = NextPeriod(period, plan.granularity)) {
    if (++periods > kMaxMetricPeriods) {
      return Invalid("from, to: more than " + std::to_string(kMaxMetricPeriods) +
                     " periods; choose a longer granularity or a shorter range");
    }
  }
  plan.read_from = YearAgoPeriod(plan.first_period, plan.granularity);
  return plan;
}

absl::StatusOr<std::string> MetricSql(const MetricPlan& plan) {
  const Metric* metric = FindMetric(plan.metric.id());
  if (metric == nullptr) return Invalid("metric_id: unknown metric '" + plan.metric.id() + "'");
  return FamilySql(*metric, plan).Bind();
}

v1::MetricQueryResponse AssembleMetricResponse(const MetricPlan& plan, const std::vector<MetricCell>& cells) {
  v1::MetricQueryResponse response;
  *response.mutable_metric() = plan.metric;
  const Metric* metric = FindMetric(plan.metric.id());
  if (metric == nullptr) return response;
  std::map<Key, Series> series;
  for (const MetricCell& cell : cells) {
    series[cell.breakdown_values][cell.period] = {cell.numerator, cell.denominator};
  }
  if (plan.breakdowns.empty()) {
    const Series& all = series[Key{}];
    for (sys_days period = plan.first_period; period < plan.end;
         period = NextPeriod(period, plan.granularity)) {
      *response.add_rows() = Row(*metric, plan, Key{}, all, period);
    }
    return response;
  }
  for (const auto& [key, periods] : series) {
    for (auto it = periods.lower_bound(plan.first_period); it != periods.end() && it->first < plan.end;
         ++it) {
      *response.add_rows() = Row(*metric, plan, key, periods, it->first);
    }
  }
  return response;
}

absl::StatusOr<v1::MetricQueryResponse> QueryMetric(clickhouse::ClickHouseClient& client,
                                                    const v1::MetricQueryRequest& request,
                                                    const auth::RowScope& scope) {
  absl::StatusOr<MetricPlan> plan = PlanMetricQuery(request, scope);
  if (!plan.ok()) return plan.status();
  absl::StatusOr<std::string> sql = MetricSql(*plan);
  if (!sql.ok()) return sql.status();
  absl::StatusOr<clickhouse::QueryResult> result = client.Query(*sql);
  if (!result.ok()) return result.status();
  std::vector<MetricCell> cells;
  for (size_t row = 0; row < result->row_count(); ++row) {
    absl::StatusOr<sys_seconds> period = result->GetTime(row, "period");
    absl::StatusOr<double> numerator = result->GetDouble(row, "numerator");
    absl::StatusOr<double> denominator = result->GetDouble(row, "denominator");
    if (!period.ok()) return period.status();
    if (!numerator.ok()) return numerator.status();
    if (!denominator.ok()) return denominator.status();
    MetricCell& cell = cells.emplace_back();
    cell.period = std::chrono::floor<days>(*period);
    for (size_t i = 0; i < plan->breakdowns.size(); ++i) {
      absl::StatusOr<std::string> value = result->GetString(row, "d" + std::to_string(i + 1));
      if (!value.ok()) return value.status();
      cell.breakdown_values.push_back(std::move(*value));
    }
    cell.numerator = *numerator;
    cell.denominator = *denominator;
  }
  return AssembleMetricResponse(*plan, cells);
}

}  // namespace custflow::reporting
