#include "services/reporting/findings.h"

#include <absl/strings/str_format.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <set>
#include <utility>

#include "services/reporting/metrics.h"

namespace custflow::reporting {
namespace {

using std::chrono::sys_days;
using std::chrono::sys_seconds;

// What findings need to know of each catalog metric beyond its definition: the Chinese
// name, and whether it is a count or sum (judged on its compared value) rather than a
// ratio (judged on its denominator).
struct MetricWords {
  const char* id;
  const char* chinese_name;
  bool count_or_sum;
};

constexpr MetricWords kMetricWords[] = {
    {"new_customers", "新客户数", true},
    {"active_customers", "活跃客户数", true},
    {"churned_customers", "流失客户数", true},
    {"churn_rate", "流失率", false},
    {"retention_rate", "留存率", false},
    {"customer_growth_rate", "客户增长率", false},
    {"closed_customers", "成交客户数", true},
    {"total_sales", "销售总额", true},
    {"average_order_value", "客单价", false},
    {"conversion_rate", "转化率", false},
    {"repurchase_rate", "复购率", false},
    {"goal_attainment", "目标达成率", false},
    {"customer_lifetime_value", "客户终身价值", false},
    {"satisfaction", "满意度", false},
    {"average_response_time", "平均响应时间", false},
    {"complaint_rate", "投诉率", false},
    {"call_backs", "回访次数", true},
    {"call_back_rate", "回访率", false},
    {"engagement", "互动度", false},
};

constexpr const char* kDefaultMetrics[] = {"new_customers", "active_customers", "churn_rate",
                                           "total_sales",   "conversion_rate",  "satisfaction",
                                           "complaint_rate"};

const MetricWords* FindWords(const std::string& id) {
  for (const MetricWords& words : kMetricWords) {
    if (id == words.id) return &words;
  }
  return nullptr;
}

struct DimensionWords {
  v1::MetricDimension dimension;
  const char* english;
  const char* chinese;
  bool place;  // a region: "in 浙江省" rather than "for department 销售一部"
};

constexpr DimensionWords kDimensionWords[] = {
    {v1::METRIC_DIMENSION_DEPARTMENT, "department", "部门", false},
    {v1::METRIC_DIMENSION_TEAM, "team", "团队", false},
    {v1::METRIC_DIMENSION_OWNER, "owner", "负责人", false},
    {v1::METRIC_DIMENSION_CHANNEL, "channel", "渠道", false},
    {v1::METRIC_DIMENSION_PROVINCE, "province", "省份", true},
    {v1::METRIC_DIMENSION_CITY, "city", "城市", true},
    {v1::METRIC_DIMENSION_DISTRICT, "district", "区县", true},
    {v1::METRIC_DIMENSION_CUSTOMER_TYPE, "customer type", "客户类型", false},
    {v1::METRIC_DIMENSION_INDUSTRY, "industry", "行业", false},
    {v1::METRIC_DIMENSION_SOURCE, "source", "来源", false},
};

DimensionWords FindDimension(v1::MetricDimension dimension) {
  for (const DimensionWords& words : kDimensionWords) {
    if (words.dimension == dimension) return words;
  }
  return {dimension, "dimension", "维度", false};
}

bool IsChinese(const FindingRules& rules) { return rules.language == FindingLanguage::kChinese; }

// "1,234,567.8": thousands separators, at most `decimals` decimals, trailing zeros dropped.
std::string FormatNumber(double value, int decimals) {
  const std::string text = absl::StrFormat("%.*f", decimals, std::abs(value));
  const size_t dot = text.find('.');
  const std::string integer = text.substr(0, dot);
  std::string fraction = dot == std::string::npos ? "" : text.substr(dot + 1);
  while (!fraction.empty() && fraction.back() == '0') fraction.pop_back();
  std::string grouped;
  for (size_t i = 0; i < integer.size(); ++i) {
    if (i > 0 && (integer.size() - i) % 3 == 0) grouped += ',';
    grouped += integer[i];
  }
  const bool zero = grouped == "0" && fraction.empty();
  return (value < 0 && !zero ? "-" : "") + grouped + (fraction.empty() ? "" : "." + fraction);
}

// A metric's value with its unit: "12.3 %", "1,200,000 yuan" / "12.3%", "1,200,000元".
std::string FormatValue(double value, const std::string& unit, const FindingRules& rules) {
  const int decimals = unit == "%" ? 1 : std::abs(value) >= 1000 ? 0 : 2;
  const std::string number = FormatNumber(value, decimals);
  struct UnitWords {
    const char* unit;
    const char* english;
    const char* chinese;
  };
  static constexpr UnitWords kUnits[] = {
      {"customers", "", ""},
      {"score", "", ""},
      {"%", " %", "%"},
      {"yuan", " yuan", "元"},
      {"seconds", " s", "秒"},
      {"yuan/customer-month", " yuan/customer-month", "元/客户月"},
      {"interactions/customer", " interactions/customer", "次/客户"},
  };
  for (const UnitWords& words : kUnits) {
    if (unit == words.unit) return number + (IsChinese(rules) ? words.chinese : words.english);
  }
  return number + (IsChinese(rules) ? "" : " ") + unit;
}

// "month on month" / "环比", "year on year" / "同比", ...
std::string ComparisonWords(v1::MetricGranularity granularity, v1::FindingComparison comparison,
                            const FindingRules& rules) {
  const bool chinese = IsChinese(rules);
  if (comparison == v1::FINDING_COMPARISON_YEAR_AGO) return chinese ? "同比" : "year on year";
  switch (granularity) {
    case v1::METRIC_GRANULARITY_DAY:
      return chinese ? "日环比" : "day on day";
    case v1::METRIC_GRANULARITY_WEEK:
      return chinese ? "周环比" : "week on week";
    case v1::METRIC_GRANULARITY_MONTH:
      return chinese ? "环比" : "month on month";
    case v1::METRIC_GRANULARITY_QUARTER:
      return chinese ? "季环比" : "quarter on quarter";
    default:
      return chinese ? "同比" : "year on year";
  }
}

std::string MetricName(const v1::MetricDefinition& metric, const FindingRules& rules) {
  const MetricWords* words = FindWords(metric.id());
  if (IsChinese(rules) && words != nullptr) return words->chinese_name;
  std::string name = metric.name();
  std::transform(name.begin(), name.end(), name.begin(),
                 [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; });
  return name;
}

// The metric named for the row's group: "new customers in 浙江省 for department 销售一部" /
// "浙江省部门销售一部新客户数".
std::string Subject(const std::string& metric_name, const std::vector<v1::MetricDimension>& breakdowns,
                    const v1::MetricRow& row, const FindingRules& rules) {
  std::string qualifiers;
  for (size_t i = 0; i < breakdowns.size() && i < static_cast<size_t>(row.breakdown_values_size()); ++i) {
    const DimensionWords words = FindDimension(breakdowns[i]);
    const std::string& value = row.breakdown_values(static_cast<int>(i));
    if (IsChinese(rules)) {
      qualifiers += value.empty() ? std::string("（无") + words.chinese + "）"
                    : words.place ? value
                                  : words.chinese + value;
    } else {
      qualifiers += value.empty() ? std::string(" with no ") + words.english
                    : words.place ? " in " + value
                                  : std::string(" for ") + words.english + " " + value;
    }
  }
  return IsChinese(rules) ? qualifiers + metric_name : metric_name + qualifiers;
}

struct Candidate {
  v1::Finding finding;
  size_t order;  // position in the input, so equal scores keep the watched metrics' order
};

// The finding of one row against one compared value, if the change is past its threshold.
std::optional<v1::Finding> Judge(const v1::MetricDefinition& metric,
                                 const std::vector<v1::MetricDimension>& breakdowns,
                                 v1::MetricGranularity granularity, const v1::MetricRow& row,
                                 v1::FindingComparison comparison, const FindingRules& rules) {
  const bool previous = comparison == v1::FINDING_COMPARISON_PREVIOUS_PERIOD;
  if (!row.has_value() || !(previous ? row.has_previous_value() : row.has_year_ago_value()))
    return std::nullopt;
  const double value = row.value();
  const double compared = previous ? row.previous_value() : row.year_ago_value();
  const MetricWords* words = FindWords(metric.id());
  const bool count_or_sum = words != nullptr ? words->count_or_sum : row.denominator() == 1;
  const double base = count_or_sum ? compared : row.denominator();
  if (base < rules.minimum_base) return std::nullopt;
  const bool in_points = metric.unit() == "%";
  if (!in_points && compared <= 0) return std::nullopt;
  const double change = in_points ? value - compared : (value - compared) / compared * 100;
  const double threshold = in_points ? rules.points : rules.relative_percent;
  // A change that only misses the threshold by rounding (20 % computed as 19.999...) counts.
  if (std::abs(change) < threshold * (1 - 1e-12)) return std::nullopt;

  v1::Finding finding;
  finding.set_metric_id(metric.id());
  finding.set_metric_name(MetricName(metric, rules));
  *finding.mutable_breakdown_values() = row.breakdown_values();
  finding.set_comparison(comparison);
  finding.set_value(value);
  finding.set_compared_value(compared);
  finding.set_change(change);
  finding.set_in_points(in_points);
  finding.set_threshold(threshold);
  const double score = std::max(1.0, std::abs(change) / threshold);
  finding.set_score(score);
  finding.set_severity(score >= 2     ? v1::FINDING_SEVERITY_HIGH
                       : score >= 1.5 ? v1::FINDING_SEVERITY_MEDIUM
                                      : v1::FINDING_SEVERITY_LOW);

  const bool up = change > 0;
  const std::string amount = in_points ? FormatNumber(std::abs(change), 1)
                                       : FormatNumber(std::abs(change), std::abs(change) >= 10 ? 0 : 1);
  const std::string subject = Subject(finding.metric_name(), breakdowns, row, rules);
  const std::string when = ComparisonWords(granularity, comparison, rules);
  const std::string from = FormatValue(compared, metric.unit(), rules);
  const std::string to = FormatValue(value, metric.unit(), rules);
  if (IsChinese(rules)) {
    finding.set_text(subject + when + (up ? "上升" : "下降") + amount + (in_points ? "个百分点" : "%") +
                     "，从" + from + (up ? "升至" : "降至") + to);
  } else {
    finding.set_text(subject + (up ? " up " : " down ") + amount + (in_points ? " points " : " % ") + when +
                     ", from " + from + " to " + to);
  }
  return finding;
}

absl::Status Invalid(const std::string& message) { return absl::InvalidArgumentError(message); }

}  // namespace

absl::StatusOr<FindingsPlan> PlanFindings(const v1::FindingsRequest& request,
                                          std::chrono::system_clock::time_point now) {
  FindingsPlan plan;
  if (request.granularity() != v1::METRIC_GRANULARITY_UNSPECIFIED) {
    if (request.granularity() < v1::METRIC_GRANULARITY_DAY ||
        request.granularity() > v1::METRIC_GRANULARITY_YEAR)
      return Invalid("granularity: day, week, month, quarter or year");
    plan.granularity = request.granularity();
  }
  if (request.breakdown() != v1::METRIC_DIMENSION_UNSPECIFIED) {
    if (!v1::MetricDimension_IsValid(request.breakdown())) return Invalid("breakdown: unknown dimension");
    plan.breakdowns.push_back(request.breakdown());
  }
  const v1::ListMetricsResponse catalog = ListMetrics();
  auto supports_breakdown = [&](const v1::MetricDefinition& metric) {
    return plan.breakdowns.empty() || std::find(metric.dimensions().begin(), metric.dimensions().end(),
                                                plan.breakdowns[0]) != metric.dimensions().end();
  };
  auto find = [&](const std::string& id) -> const v1::MetricDefinition* {
    for (const v1::MetricDefinition& metric : catalog.metrics()) {
      if (metric.id() == id) return &metric;
    }
    return nullptr;
  };
  if (request.metric_ids().empty()) {
    for (const char* id : kDefaultMetrics) {
      if (supports_breakdown(*find(id))) plan.metric_ids.emplace_back(id);
    }
  }
  std::set<std::string> seen;
  for (const std::string& id : request.metric_ids()) {
    const v1::MetricDefinition* metric = find(id);
    if (metric == nullptr) return Invalid("metric_ids: unknown metric '" + id + "'");
    if (metric->needs_goal()) return Invalid("metric_ids: " + id + " needs a goal and cannot be watched");
    if (!supports_breakdown(*metric)) {
      return Invalid("breakdown: " + v1::MetricDimension_Name(plan.breakdowns[0]) +
                     " is not a dimension of " + id);
    }
    if (!seen.insert(id).second) return Invalid("metric_ids: " + id + " twice");
    plan.metric_ids.push_back(id);
  }
  const v1::FindingThresholds& thresholds = request.thresholds();
  if (thresholds.has_relative_percent()) {
    if (!(thresholds.relative_percent() > 0)) return Invalid("thresholds.relative_percent: must be above 0");
    plan.rules.relative_percent = thresholds.relative_percent();
  }
  if (thresholds.has_points()) {
    if (!(thresholds.points() > 0)) return Invalid("thresholds.points: must be above 0");
    plan.rules.points = thresholds.points();
  }
  if (thresholds.has_minimum_base()) {
    if (!(thresholds.minimum_base() >= 0)) return Invalid("thresholds.minimum_base: must not be negative");
    plan.rules.minimum_base = thresholds.minimum_base();
  }
  if (request.language() == "zh") {
    plan.rules.language = FindingLanguage::kChinese;
  } else if (!request.language().empty() && request.language() != "en") {
    return Invalid("language: \"en\" or \"zh\"");
  }
  if (request.max_findings() > 0) plan.rules.max_findings = request.max_findings();
  const auto day_of = [](int64_t seconds) {
    return std::chrono::floor<std::chrono::days>(sys_seconds(std::chrono::seconds(seconds)));
  };
  if (request.has_period()) {
    plan.period_start = PeriodStart(day_of(request.period().seconds()), plan.granularity);
  } else {
    const sys_days today = std::chrono::floor<std::chrono::days>(now);
    plan.period_start = PreviousPeriod(PeriodStart(today, plan.granularity), plan.granularity);
  }
  return plan;
}

v1::MetricQueryRequest FindingsMetricRequest(const FindingsPlan& plan, const std::string& metric_id) {
  v1::MetricQueryRequest request;
  request.set_metric_id(metric_id);
  request.set_granularity(plan.granularity);
  request.mutable_from()->set_seconds(sys_seconds(plan.period_start).time_since_epoch().count());
  request.mutable_to()->set_seconds(
      sys_seconds(NextPeriod(plan.period_start, plan.granularity)).time_since_epoch().count());
  for (v1::MetricDimension dimension : plan.breakdowns) request.add_breakdowns(dimension);
  return request;
}

v1::FindingsResponse DetectFindings(const FindingsInput& input, const FindingRules& rules) {
  std::vector<v1::FindingComparison> comparisons = {v1::FINDING_COMPARISON_PREVIOUS_PERIOD};
  // For years the previous period is the year-ago period: judging both would repeat each finding.
  if (input.granularity != v1::METRIC_GRANULARITY_YEAR)
    comparisons.push_back(v1::FINDING_COMPARISON_YEAR_AGO);
  std::vector<Candidate> candidates;
  for (const WatchedMetric& watched : input.metrics) {
    for (const v1::MetricRow& row : watched.rows) {
      for (v1::FindingComparison comparison : comparisons) {
        std::optional<v1::Finding> finding =
            Judge(watched.metric, input.breakdowns, input.granularity, row, comparison, rules);
        if (finding.has_value()) candidates.push_back({std::move(*finding), candidates.size()});
      }
    }
  }
  std::sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
    if (a.finding.score() != b.finding.score()) return a.finding.score() > b.finding.score();
    return a.order < b.order;
  });
  v1::FindingsResponse response;
  response.mutable_period_start()->set_seconds(sys_seconds(input.period_start).time_since_epoch().count());
  response.set_granularity(input.granularity);
  response.set_total_findings(static_cast<uint32_t>(candidates.size()));
  for (size_t i = 0; i < candidates.size() && i < rules.max_findings; ++i)
    *response.add_findings() = std::move(candidates[i].finding);
  return response;
}

std::string ChineseMetricName(const std::string& metric_id) {
  const MetricWords* words = FindWords(metric_id);
  return words == nullptr ? std::string() : std::string(words->chinese_name);
}

}  // namespace custflow::reporting
