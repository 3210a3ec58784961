// The metrics catalog without a server: the catalog itself, period arithmetic, request
// validation, the SQL's bound values and the pairing of periods with the ones before.
#include <chrono>

#include "gmock/gmock.h"
#include "services/reporting/metrics.h"

namespace custflow::reporting {
namespace {

using std::chrono::sys_days;
using ::testing::HasSubstr;
using ::testing::Not;
using namespace std::chrono_literals;

constexpr int64_t kJan2026 = 1'767'225'600;  // 2026-01-01 00:00 UTC
constexpr int64_t kJan2027 = 1'798'761'600;  // 2027-01-01 00:00 UTC

sys_days Day(int y, unsigned m, unsigned d) {
  return sys_days(std::chrono::year(y) / std::chrono::month(m) / std::chrono::day(d));
}

v1::MetricQueryRequest Request(const std::string& metric, v1::MetricGranularity granularity, int64_t from,
                               int64_t to) {
  v1::MetricQueryRequest request;
  request.set_metric_id(metric);
  request.set_granularity(granularity);
  request.mutable_from()->set_seconds(from);
  request.mutable_to()->set_seconds(to);
  return request;
}

TEST(MetricsCatalog, ListsEveryMetricWithFormulaUnitAndDimensions) {
  const v1::ListMetricsResponse catalog = ListMetrics();
  std::vector<std::string> ids;
  for (const v1::MetricDefinition& metric : catalog.metrics()) {
    ids.push_back(metric.id());
    EXPECT_FALSE(metric.formula().empty()) << metric.id();
    EXPECT_FALSE(metric.unit().empty()) << metric.id();
    EXPECT_FALSE(metric.dimensions().empty()) << metric.id();
  }
  EXPECT_THAT(ids, ::testing::ElementsAre("new_customers", "active_customers", "churned_customers",
                                          "churn_rate", "retention_rate", "customer_growth_rate",
                                          "closed_customers", "total_sales", "average_order_value",
                                          "conversion_rate", "repurchase_rate", "goal_attainment",
                                          "customer_lifetime_value", "satisfaction", "average_response_time",
                                          "complaint_rate", "call_backs", "call_back_rate", "engagement"));
}

struct PeriodCase {
  v1::MetricGranularity granularity;
  sys_days day;
  sys_days start;
  sys_days next;
  sys_days previous;
  sys_days year_ago;
};

class MetricPeriods : public ::testing::TestWithParam<PeriodCase> {};

TEST_P(MetricPeriods, StartNextPreviousAndYearAgoFollowTheCalendar) {
  const PeriodCase& c = GetParam();
  EXPECT_EQ(PeriodStart(c.day, c.granularity), c.start);
  EXPECT_EQ(NextPeriod(c.start, c.granularity), c.next);
  EXPECT_EQ(PreviousPeriod(c.start, c.granularity), c.previous);
  EXPECT_EQ(YearAgoPeriod(c.start, c.granularity), c.year_ago);
}

INSTANTIATE_TEST_SUITE_P(
    Granularities, MetricPeriods,
    ::testing::Values(PeriodCase{v1::METRIC_GRANULARITY_DAY, Day(2024, 2, 29), Day(2024, 2, 29),
                                 Day(2024, 3, 1), Day(2024, 2, 28), Day(2023, 2, 28)},
                      // 2026-03-04 is a Wednesday; its ISO week starts on Monday 2026-03-02, and the week
                      // holding 2025-03-02 (a Sunday) started on 2025-02-24.
                      PeriodCase{v1::METRIC_GRANULARITY_WEEK, Day(2026, 3, 4), Day(2026, 3, 2),
                                 Day(2026, 3, 9), Day(2026, 2, 23), Day(2025, 2, 24)},
                      PeriodCase{v1::METRIC_GRANULARITY_MONTH, Day(2026, 1, 31), Day(2026, 1, 1),
                                 Day(2026, 2, 1), Day(2025, 12, 1), Day(2025, 1, 1)},
                      PeriodCase{v1::METRIC_GRANULARITY_QUARTER, Day(2026, 8, 15), Day(2026, 7, 1),
                                 Day(2026, 10, 1), Day(2026, 4, 1), Day(2025, 7, 1)},
                      PeriodCase{v1::METRIC_GRANULARITY_YEAR, Day(2026, 8, 15), Day(2026, 1, 1),
                                 Day(2027, 1, 1), Day(2025, 1, 1), Day(2025, 1, 1)}),
    [](const ::testing::TestParamInfo<PeriodCase>& param) {
      return v1::MetricGranularity_Name(param.param.granularity);
    });

struct InvalidCase {
  const char* name;
  v1::MetricQueryRequest request;
  const char* message;
};

v1::MetricQueryRequest With(v1::MetricQueryRequest request, std::vector<v1::MetricDimension> breakdowns,
                            double goal = 0) {
  for (v1::MetricDimension dimension : breakdowns) request.add_breakdowns(dimension);
  request.set_goal(goal);
  return request;
}

class MetricValidation : public ::testing::TestWithParam<InvalidCase> {};

TEST_P(MetricValidation, RefusesTheRequest) {
  absl::StatusOr<MetricPlan> plan = PlanMetricQuery(GetParam().request, auth::RowScope::Everything());
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(plan.status().message(), HasSubstr(GetParam().message));
}

const v1::MetricQueryRequest kMonthly =
    Request("active_customers", v1::METRIC_GRANULARITY_MONTH, kJan2026, kJan2027);

INSTANTIATE_TEST_SUITE_P(
    Requests, MetricValidation,
    ::testing::Values(
        InvalidCase{"UnknownMetric",
                    Request("x'; DROP TABLE interactions", v1::METRIC_GRANULARITY_MONTH, kJan2026, kJan2027),
                    "unknown metric"},
        InvalidCase{"NoGranularity",
                    Request("active_customers", v1::METRIC_GRANULARITY_UNSPECIFIED, kJan2026, kJan2027),
                    "granularity"},
        InvalidCase{"FromNotBeforeTo",
                    Request("active_customers", v1::METRIC_GRANULARITY_MONTH, kJan2027, kJan2026),
                    "before to"},
        InvalidCase{
            "TooManyPeriods",
            Request("active_customers", v1::METRIC_GRANULARITY_DAY, kJan2026 - 3 * 365 * 86400, kJan2027),
            "more than 1000 periods"},
        InvalidCase{"BeforeDateRange", Request("active_customers", v1::METRIC_GRANULARITY_MONTH, 0, kJan2027),
                    "1971-01-01"},
        InvalidCase{"ThreeBreakdowns",
                    With(kMonthly, {v1::METRIC_DIMENSION_CHANNEL, v1::METRIC_DIMENSION_TEAM,
                                    v1::METRIC_DIMENSION_CITY}),
                    "at most two"},
        InvalidCase{"SameBreakdownTwice",
                    With(kMonthly, {v1::METRIC_DIMENSION_CITY, v1::METRIC_DIMENSION_CITY}), "twice"},
        InvalidCase{"ChannelOfCustomers",
                    With(Request("new_customers", v1::METRIC_GRANULARITY_MONTH, kJan2026, kJan2027),
                         {v1::METRIC_DIMENSION_CHANNEL}),
                    "not a dimension of new_customers"},
        InvalidCase{"GoalMissing",
                    Request("goal_attainment", v1::METRIC_GRANULARITY_MONTH, kJan2026, kJan2027), "goal"}),
    [](const ::testing::TestParamInfo<InvalidCase>& param) { return std::string(param.param.name); });

TEST(MetricPlanning, ReadsFromTheYearAgoPeriodSoTheFirstPeriodHasItsComparisons) {
  absl::StatusOr<MetricPlan> plan = PlanMetricQuery(kMonthly, auth::RowScope::Everything());
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->first_period, Day(2026, 1, 1));
  EXPECT_EQ(plan->end, Day(2027, 1, 1));
  EXPECT_EQ(plan->read_from, Day(2025, 1, 1));
}

TEST(MetricSqlText, EveryMetricBindsAllItsValuesForEveryBreakdown) {
  const v1::ListMetricsResponse catalog = ListMetrics();
  for (const v1::MetricDefinition& metric : catalog.metrics()) {
    for (int dimension : metric.dimensions()) {
      v1::MetricQueryRequest request =
          With(Request(metric.id(), v1::METRIC_GRANULARITY_WEEK, kJan2026, kJan2027),
               {static_cast<v1::MetricDimension>(dimension)}, metric.needs_goal() ? 1000.0 : 0.0);
      absl::StatusOr<MetricPlan> plan = PlanMetricQuery(request, auth::RowScope::Everything());
      ASSERT_TRUE(plan.ok()) << metric.id() << ": " << plan.status();
      absl::StatusOr<std::string> sql = MetricSql(*plan);
      ASSERT_TRUE(sql.ok()) << metric.id() << ": " << sql.status();
      EXPECT_THAT(*sql, Not(HasSubstr("?"))) << metric.id();
      // Periods are weeks: events fall into them, or (lifetime value) they end a week on.
      EXPECT_THAT(*sql, ::testing::AnyOf(HasSubstr("toMonday("), HasSubstr("addWeeks("))) << metric.id();
    }
  }
}

TEST(MetricSqlText, ActivityPairsReadOnePeriodBeforeTheYearAgoPeriod) {
  absl::StatusOr<MetricPlan> plan = PlanMetricQuery(
      Request("churn_rate", v1::METRIC_GRANULARITY_MONTH, kJan2026, kJan2027), auth::RowScope::Everything());
  ASSERT_TRUE(plan.ok());
  absl::StatusOr<std::string> sql = MetricSql(*plan);
  ASSERT_TRUE(sql.ok());
  // 2024-12-01 00:00 UTC: activity of December 2024 decides January 2025's churn.
  EXPECT_THAT(*sql, HasSubstr("occurred_at >= toDateTime(1733011200)"));
  EXPECT_THAT(*sql, HasSubstr("q >= toDate('2025-01-01')"));
}

TEST(MetricSqlText, TypesAreBoundAsStringLiterals) {
  absl::StatusOr<MetricPlan> plan = PlanMetricQuery(
      Request("total_sales", v1::METRIC_GRANULARITY_MONTH, kJan2026, kJan2027), auth::RowScope::Everything());
  ASSERT_TRUE(plan.ok());
  absl::StatusOr<std::string> sql = MetricSql(*plan);
  ASSERT_TRUE(sql.ok());
  EXPECT_THAT(*sql, HasSubstr("type = 'INTERACTION_TYPE_ORDER_PLACED'"));
  EXPECT_THAT(*sql, HasSubstr("type = 'INTERACTION_TYPE_ORDER_REFUNDED'"));
}

MetricCell Cell(sys_days period, double numerator, double denominator, std::vector<std::string> keys = {}) {
  return MetricCell{.period = period,
                    .breakdown_values = std::move(keys),
                    .numerator = numerator,
                    .denominator = denominator};
}

TEST(MetricAssembly, RatiosWithoutDataHaveNoValueAndChangesCompareWithThePeriodsBefore) {
  absl::StatusOr<MetricPlan> plan =
      PlanMetricQuery(Request("churn_rate", v1::METRIC_GRANULARITY_MONTH, kJan2026, kJan2026 + 59 * 86400),
                      auth::RowScope::Everything());
  ASSERT_TRUE(plan.ok());
  const v1::MetricQueryResponse response = AssembleMetricResponse(
      *plan, {Cell(Day(2025, 1, 1), 1, 4), Cell(Day(2025, 12, 1), 1, 5), Cell(Day(2026, 1, 1), 1, 2)});

  ASSERT_EQ(response.rows_size(), 2);  // January and February 2026
  const v1::MetricRow& january = response.rows(0);
  EXPECT_DOUBLE_EQ(january.value(), 50);
  EXPECT_DOUBLE_EQ(january.previous_value(), 20);
  EXPECT_DOUBLE_EQ(january.previous_change_percent(), 150);
  EXPECT_DOUBLE_EQ(january.year_ago_value(), 25);
  EXPECT_DOUBLE_EQ(january.year_ago_change_percent(), 100);
  const v1::MetricRow& february = response.rows(1);
  EXPECT_FALSE(february.has_value());
  EXPECT_DOUBLE_EQ(february.previous_value(), 50);
  EXPECT_FALSE(february.has_previous_change_percent());
  EXPECT_FALSE(february.has_year_ago_value());
}

TEST(MetricAssembly, CountsWithoutDataAreZero) {
  absl::StatusOr<MetricPlan> plan =
      PlanMetricQuery(Request("new_customers", v1::METRIC_GRANULARITY_MONTH, kJan2026, kJan2026 + 59 * 86400),
                      auth::RowScope::Everything());
  ASSERT_TRUE(plan.ok());
  const v1::MetricQueryResponse response = AssembleMetricResponse(*plan, {Cell(Day(2026, 2, 1), 3, 1)});
  ASSERT_EQ(response.rows_size(), 2);
  EXPECT_DOUBLE_EQ(response.rows(0).value(), 0);
  EXPECT_DOUBLE_EQ(response.rows(1).value(), 3);
  EXPECT_FALSE(response.rows(1).has_previous_change_percent());  // from 0
}

TEST(MetricAssembly, GrowthDividesByEveryCustomerFirstContactedBeforeThePeriod) {
  absl::StatusOr<MetricPlan> plan = PlanMetricQuery(
      Request("customer_growth_rate", v1::METRIC_GRANULARITY_MONTH, kJan2026, kJan2026 + 59 * 86400),
      auth::RowScope::Everything());
  ASSERT_TRUE(plan.ok());
  const v1::MetricQueryResponse response = AssembleMetricResponse(
      *plan, {Cell(Day(2020, 5, 1), 6, 1), Cell(Day(2025, 12, 1), 2, 1), Cell(Day(2026, 2, 1), 4, 1)});
  ASSERT_EQ(response.rows_size(), 2);
  EXPECT_DOUBLE_EQ(response.rows(0).value(), 0);  // 0 new of 8
  EXPECT_DOUBLE_EQ(response.rows(0).denominator(), 8);
  EXPECT_DOUBLE_EQ(response.rows(0).previous_value(), 2.0 / 6 * 100);
  EXPECT_DOUBLE_EQ(response.rows(1).value(), 50);  // 4 new of 8
}

TEST(MetricAssembly, BreakdownsListOnlyCombinationsWithData) {
  v1::MetricQueryRequest request = With(kMonthly, {v1::METRIC_DIMENSION_CHANNEL});
  absl::StatusOr<MetricPlan> plan = PlanMetricQuery(request, auth::RowScope::Everything());
  ASSERT_TRUE(plan.ok());
  const v1::MetricQueryResponse response = AssembleMetricResponse(
      *plan, {Cell(Day(2025, 3, 1), 9, 1, {"CHANNEL_WEB"}), Cell(Day(2026, 3, 1), 3, 1, {"CHANNEL_WEB"}),
              Cell(Day(2026, 4, 1), 5, 1, {"CHANNEL_PHONE"})});
  ASSERT_EQ(response.rows_size(), 2);
  EXPECT_EQ(response.rows(0).breakdown_values(0), "CHANNEL_PHONE");
  EXPECT_DOUBLE_EQ(response.rows(0).previous_value(), 0);
  EXPECT_EQ(response.rows(1).breakdown_values(0), "CHANNEL_WEB");
  EXPECT_DOUBLE_EQ(response.rows(1).year_ago_value(), 9);
  EXPECT_NEAR(response.rows(1).year_ago_change_percent(), -66.6667, 1e-3);
}

}  // namespace
}  // namespace custflow::reporting
