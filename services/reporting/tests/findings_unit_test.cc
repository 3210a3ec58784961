// Findings without a server: which changes are findings, their texts in English and
// Chinese, severity and order, and the validation of requests.
#include <chrono>
#include <functional>
#include <optional>

#include "gmock/gmock.h"
#include "services/reporting/findings.h"
#include "services/reporting/metrics.h"

namespace custflow::reporting {
namespace {

using ::testing::HasSubstr;

v1::MetricDefinition Definition(const std::string& id) {
  const v1::ListMetricsResponse catalog = ListMetrics();
  for (const v1::MetricDefinition& metric : catalog.metrics()) {
    if (metric.id() == id) return metric;
  }
  ADD_FAILURE() << "no metric " << id;
  return {};
}

v1::MetricRow Row(std::optional<double> value, std::optional<double> previous, std::optional<double> year_ago,
                  double denominator = 1, std::vector<std::string> breakdown_values = {}) {
  v1::MetricRow row;
  if (value) row.set_value(*value);
  if (previous) row.set_previous_value(*previous);
  if (year_ago) row.set_year_ago_value(*year_ago);
  row.set_denominator(denominator);
  for (std::string& breakdown : breakdown_values) row.add_breakdown_values(std::move(breakdown));
  return row;
}

struct TextCase {
  std::string name;
  std::string metric;
  v1::MetricGranularity granularity;
  std::vector<v1::MetricDimension> breakdowns;
  v1::MetricRow row;
  FindingLanguage language;
  std::vector<std::string> texts;  // the findings' texts, in order
};

class FindingTexts : public ::testing::TestWithParam<TextCase> {};

TEST_P(FindingTexts, ReportsExactlyTheseSentences) {
  const TextCase& c = GetParam();
  FindingsInput input;
  input.granularity = c.granularity;
  input.breakdowns = c.breakdowns;
  input.metrics.push_back({Definition(c.metric), {c.row}});
  FindingRules rules;
  rules.language = c.language;
  const v1::FindingsResponse response = DetectFindings(input, rules);
  std::vector<std::string> texts;
  for (const v1::Finding& finding : response.findings()) texts.push_back(finding.text());
  EXPECT_EQ(texts, c.texts);
}

const auto kEn = FindingLanguage::kEnglish;
const auto kZh = FindingLanguage::kChinese;
const auto kMonth = v1::METRIC_GRANULARITY_MONTH;
const std::vector<v1::MetricDimension> kByProvince = {v1::METRIC_DIMENSION_PROVINCE};

INSTANTIATE_TEST_SUITE_P(
    Findings, FindingTexts,
    ::testing::Values(
        TextCase{"CountDownMonthOnMonth",
                 "new_customers",
                 kMonth,
                 kByProvince,
                 Row(34, 50, 36, 1, {"浙江省"}),
                 kEn,
                 {"new customers in 浙江省 down 32 % month on month, from 50 to 34"}},
        TextCase{"CountDownMonthOnMonthChinese",
                 "new_customers",
                 kMonth,
                 kByProvince,
                 Row(34, 50, 36, 1, {"浙江省"}),
                 kZh,
                 {"浙江省新客户数环比下降32%，从50降至34"}},
        TextCase{"PointsUpYearOnYear",
                 "churn_rate",
                 kMonth,
                 {},
                 Row(17.5, 16, 12.3, 200),
                 kEn,
                 {"churn rate up 5.2 points year on year, from 12.3 % to 17.5 %"}},
        TextCase{"PointsUpYearOnYearChinese",
                 "churn_rate",
                 kMonth,
                 {},
                 Row(17.5, 16, 12.3, 200),
                 kZh,
                 {"流失率同比上升5.2个百分点，从12.3%升至17.5%"}},
        TextCase{"AmountsWithThousandsSeparators",
                 "total_sales",
                 v1::METRIC_GRANULARITY_QUARTER,
                 {},
                 Row(900000, 1200000, 950000),
                 kEn,
                 {"total sales down 25 % quarter on quarter, from 1,200,000 yuan to 900,000 yuan"}},
        TextCase{"AmountsChinese",
                 "total_sales",
                 v1::METRIC_GRANULARITY_QUARTER,
                 {},
                 Row(900000, 1200000, 950000),
                 kZh,
                 {"销售总额季环比下降25%，从1,200,000元降至900,000元"}},
        TextCase{"DayOnDayChinese",
                 "active_customers",
                 v1::METRIC_GRANULARITY_DAY,
                 {},
                 Row(130, 100, 125),
                 kZh,
                 {"活跃客户数日环比上升30%，从100升至130"}},
        TextCase{"WeekOnWeek",
                 "active_customers",
                 v1::METRIC_GRANULARITY_WEEK,
                 {},
                 Row(130, 100, 125),
                 kEn,
                 {"active customers up 30 % week on week, from 100 to 130"}},
        TextCase{"YearsAreJudgedOnceAsYearOnYear",
                 "new_customers",
                 v1::METRIC_GRANULARITY_YEAR,
                 {},
                 Row(60, 40, 40),
                 kEn,
                 {"new customers up 50 % year on year, from 40 to 60"}},
        TextCase{"BothComparisonsMostSevereFirst",
                 "new_customers",
                 kMonth,
                 {},
                 Row(40, 50, 100),
                 kEn,
                 {"new customers down 60 % year on year, from 100 to 40",
                  "new customers down 20 % month on month, from 50 to 40"}},
        TextCase{"NonPlaceDimensionNamed",
                 "active_customers",
                 kMonth,
                 {v1::METRIC_DIMENSION_DEPARTMENT},
                 Row(50, 100, std::nullopt, 1, {"销售一部"}),
                 kEn,
                 {"active customers for department 销售一部 down 50 % month on month, from 100 to 50"}},
        TextCase{"NonPlaceDimensionChinese",
                 "active_customers",
                 kMonth,
                 {v1::METRIC_DIMENSION_DEPARTMENT},
                 Row(50, 100, std::nullopt, 1, {"销售一部"}),
                 kZh,
                 {"部门销售一部活跃客户数环比下降50%，从100降至50"}},
        TextCase{"EmptyBreakdownValue",
                 "new_customers",
                 kMonth,
                 kByProvince,
                 Row(50, 100, std::nullopt, 1, {""}),
                 kEn,
                 {"new customers with no province down 50 % month on month, from 100 to 50"}},
        TextCase{"SmallChangeInPercentIsNotRelative", "churn_rate", kMonth, {}, Row(12, 9, 11, 200), kEn, {}},
        TextCase{"BelowThresholdIsNoFinding", "new_customers", kMonth, {}, Row(85, 100, 90), kEn, {}},
        TextCase{"ExactlyTheThresholdIsAFinding",
                 "new_customers",
                 kMonth,
                 {},
                 Row(80, 100, 80),
                 kEn,
                 {"new customers down 20 % month on month, from 100 to 80"}},
        TextCase{"TinyCountBaseIsIgnored", "new_customers", kMonth, {}, Row(1, 9, 9), kEn, {}},
        TextCase{"TinyRatioDenominatorIsIgnored", "churn_rate", kMonth, {}, Row(50, 10, 10, 4), kEn, {}},
        TextCase{
            "MissingValuesAreNotJudged", "churn_rate", kMonth, {}, Row(std::nullopt, 10, 30, 0), kEn, {}},
        TextCase{
            "ZeroBaseHasNoRelativeChange", "total_sales", kMonth, {}, Row(5000, 0, std::nullopt), kEn, {}},
        TextCase{"ScoresKeepTheirDecimals",
                 "satisfaction",
                 kMonth,
                 {},
                 Row(3.1, 4.05, 4.1, 100),
                 kEn,
                 {"satisfaction down 24 % year on year, from 4.1 to 3.1",
                  "satisfaction down 23 % month on month, from 4.05 to 3.1"}}),
    [](const ::testing::TestParamInfo<TextCase>& param) { return param.param.name; });

TEST(Findings, SeverityGrowsWithTheDistancePastTheThreshold) {
  FindingsInput input;
  input.metrics.push_back(
      {Definition("new_customers"),
       {Row(75, 100, std::nullopt), Row(65, 100, std::nullopt), Row(50, 100, std::nullopt)}});
  const v1::FindingsResponse response = DetectFindings(input, FindingRules{});
  ASSERT_EQ(response.findings_size(), 3);
  EXPECT_EQ(response.findings(0).severity(), v1::FINDING_SEVERITY_HIGH);
  EXPECT_DOUBLE_EQ(response.findings(0).score(), 2.5);
  EXPECT_EQ(response.findings(1).severity(), v1::FINDING_SEVERITY_MEDIUM);
  EXPECT_EQ(response.findings(2).severity(), v1::FINDING_SEVERITY_LOW);
  EXPECT_DOUBLE_EQ(response.findings(2).change(), -25);
  EXPECT_DOUBLE_EQ(response.findings(2).threshold(), 20);
  EXPECT_EQ(response.findings(2).comparison(), v1::FINDING_COMPARISON_PREVIOUS_PERIOD);
}

TEST(Findings, KeepsTheMostSevereUpToTheMaximumAndCountsAll) {
  FindingsInput input;
  input.metrics.push_back({Definition("new_customers"), {Row(70, 100, std::nullopt)}});
  input.metrics.push_back({Definition("churn_rate"), {Row(30, 10, std::nullopt, 100)}});
  input.metrics.push_back({Definition("total_sales"), {Row(50, 100, std::nullopt)}});
  FindingRules rules;
  rules.max_findings = 2;
  const v1::FindingsResponse response = DetectFindings(input, rules);
  EXPECT_EQ(response.total_findings(), 3u);
  ASSERT_EQ(response.findings_size(), 2);
  EXPECT_EQ(response.findings(0).metric_id(), "churn_rate");
  EXPECT_TRUE(response.findings(0).in_points());
  EXPECT_DOUBLE_EQ(response.findings(0).change(), 20);
  EXPECT_EQ(response.findings(1).metric_id(), "total_sales");
}

TEST(Findings, ThresholdsAndMinimumBaseAreConfigurable) {
  FindingsInput input;
  input.metrics.push_back({Definition("new_customers"), {Row(4, 5, std::nullopt)}});
  FindingRules rules;
  EXPECT_EQ(DetectFindings(input, rules).findings_size(), 0);
  rules.relative_percent = 10;
  rules.minimum_base = 5;
  EXPECT_EQ(DetectFindings(input, rules).findings_size(), 1);
}

constexpr int64_t kNov2026 = 1'793'491'200;  // 2026-11-01 00:00 UTC
constexpr int64_t kOct2026 = 1'790'812'800;  // 2026-10-01 00:00 UTC

std::chrono::system_clock::time_point At(int64_t seconds) {
  return std::chrono::system_clock::time_point(std::chrono::seconds(seconds));
}

TEST(FindingsPlan, DefaultsToTheLatestCompleteMonthAndTheDefaultMetrics) {
  absl::StatusOr<FindingsPlan> plan = PlanFindings({}, At(kNov2026 + 26 * 86400));
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->granularity, v1::METRIC_GRANULARITY_MONTH);
  EXPECT_EQ(std::chrono::sys_seconds(plan->period_start).time_since_epoch().count(), kOct2026);
  EXPECT_THAT(plan->metric_ids, ::testing::Contains("new_customers"));
  EXPECT_DOUBLE_EQ(plan->rules.relative_percent, 20);
  EXPECT_DOUBLE_EQ(plan->rules.points, 5);
  EXPECT_DOUBLE_EQ(plan->rules.minimum_base, 10);
  EXPECT_EQ(plan->rules.max_findings, 20u);
  const v1::MetricQueryRequest query = FindingsMetricRequest(*plan, "new_customers");
  EXPECT_EQ(query.from().seconds(), kOct2026);
  EXPECT_EQ(query.to().seconds(), kNov2026);
}

TEST(FindingsPlan, AByChannelBreakdownLeavesOutMetricsOverCustomers) {
  v1::FindingsRequest request;
  request.set_breakdown(v1::METRIC_DIMENSION_CHANNEL);
  absl::StatusOr<FindingsPlan> plan = PlanFindings(request, At(kNov2026));
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_THAT(plan->metric_ids, ::testing::Not(::testing::Contains("new_customers")));
  EXPECT_THAT(plan->metric_ids, ::testing::Contains("active_customers"));
}

TEST(FindingsPlan, TakesTheNamedPeriodAndOptions) {
  v1::FindingsRequest request;
  request.add_metric_ids("churn_rate");
  request.set_granularity(v1::METRIC_GRANULARITY_QUARTER);
  request.mutable_period()->set_seconds(kNov2026 + 3600);
  request.set_breakdown(v1::METRIC_DIMENSION_PROVINCE);
  request.mutable_thresholds()->set_minimum_base(0);
  request.set_language("zh");
  request.set_max_findings(3);
  absl::StatusOr<FindingsPlan> plan = PlanFindings(request, At(kNov2026));
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(std::chrono::sys_seconds(plan->period_start).time_since_epoch().count(), kOct2026);
  EXPECT_EQ(plan->metric_ids, std::vector<std::string>{"churn_rate"});
  EXPECT_DOUBLE_EQ(plan->rules.minimum_base, 0);
  EXPECT_EQ(plan->rules.language, FindingLanguage::kChinese);
  EXPECT_EQ(plan->rules.max_findings, 3u);
  EXPECT_EQ(FindingsMetricRequest(*plan, "churn_rate").breakdowns_size(), 1);
}

struct InvalidCase {
  std::string name;
  std::function<void(v1::FindingsRequest&)> change;
  std::string message;
};

class FindingsPlanRefuses : public ::testing::TestWithParam<InvalidCase> {};

TEST_P(FindingsPlanRefuses, WithAMessageNamingTheField) {
  v1::FindingsRequest request;
  GetParam().change(request);
  absl::StatusOr<FindingsPlan> plan = PlanFindings(request, At(kNov2026));
  ASSERT_EQ(plan.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(plan.status().message()), HasSubstr(GetParam().message));
}

INSTANTIATE_TEST_SUITE_P(
    Findings, FindingsPlanRefuses,
    ::testing::Values(
        InvalidCase{"UnknownMetric", [](auto& r) { r.add_metric_ids("happiness"); }, "unknown metric"},
        InvalidCase{"GoalAttainment", [](auto& r) { r.add_metric_ids("goal_attainment"); }, "needs a goal"},
        InvalidCase{"RepeatedMetric",
                    [](auto& r) {
                      r.add_metric_ids("churn_rate");
                      r.add_metric_ids("churn_rate");
                    },
                    "twice"},
        InvalidCase{"UnsupportedBreakdown",
                    [](auto& r) {
                      r.add_metric_ids("new_customers");
                      r.set_breakdown(v1::METRIC_DIMENSION_CHANNEL);
                    },
                    "not a dimension of new_customers"},
        InvalidCase{"ZeroRelativeThreshold", [](auto& r) { r.mutable_thresholds()->set_relative_percent(0); },
                    "relative_percent"},
        InvalidCase{"NegativePoints", [](auto& r) { r.mutable_thresholds()->set_points(-1); }, "points"},
        InvalidCase{"NegativeMinimumBase", [](auto& r) { r.mutable_thresholds()->set_minimum_base(-1); },
                    "minimum_base"},
        InvalidCase{"UnknownLanguage", [](auto& r) { r.set_language("fr"); }, "language"},
        InvalidCase{"UnknownGranularity",
                    [](auto& r) { r.set_granularity(static_cast<v1::MetricGranularity>(9)); },
                    "granularity"}),
    [](const ::testing::TestParamInfo<InvalidCase>& param) { return param.param.name; });

}  // namespace
}  // namespace custflow::reporting
