// The six report templates: which queries each reads for the period, how their answers
// become tables, and the words of titles, headers and recommendations in both languages.
#include "services/reporting/templates.h"

#include <algorithm>
#include <cstdio>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_format.h"
#include "services/reporting/findings.h"
#include "services/reporting/metrics.h"
#include "services/reporting/period_text.h"
#include "services/reporting/report_cells.h"

namespace custflow::reporting {
namespace {

using std::chrono::sys_days;

// A text in both languages.
struct Words {
  const char* en;
  const char* zh;
};

// What to do about a swing of a metric, by direction.
struct Recommendation {
  const char* metric_id;
  Words up;
  Words down;
};

constexpr Recommendation kRecommendations[] = {
    {"new_customers",
     {"keep the channels and regions that brought the new customers funded",
      "保持带来新客户的渠道和地区的投入"},
     {"review lead sources and campaigns in the affected regions", "检查受影响地区的线索来源和营销活动"}},
    {"active_customers",
     {"find out what drew customers back and repeat it", "总结客户回流的原因并加以推广"},
     {"plan re-engagement contacts for customers gone quiet", "为沉寂客户安排唤醒回访"}},
    {"churned_customers",
     {"call lost customers to learn why they left", "回访流失客户，了解流失原因"},
     {"keep the retention measures that worked", "保持行之有效的挽留措施"}},
    {"churn_rate",
     {"call lost customers to learn why they left", "回访流失客户，了解流失原因"},
     {"keep the retention measures that worked", "保持行之有效的挽留措施"}},
    {"total_sales",
     {"check stock and delivery capacity for the higher demand", "核对库存和交付能力以应对需求增长"},
     {"review pricing, offers and the sales pipeline", "复查定价、优惠和销售漏斗"}},
    {"conversion_rate",
     {"share the follow-up practice that converted prospects", "推广促成转化的跟进做法"},
     {"review follow-up speed and quality for potential customers", "检查潜在客户跟进的速度和质量"}},
    {"satisfaction",
     {"thank the teams and keep the service changes", "表扬相关团队并保持服务改进"},
     {"read the low-scored interactions and coach the agents", "复盘低分互动并辅导相关客服"}},
    {"complaint_rate",
     {"find the products and categories behind the complaints", "找出投诉集中的产品和类别"},
     {"keep the fixes that cut complaints", "保持减少投诉的改进措施"}},
};

constexpr Words kDefaultRecommendation = {"look into the cause with the teams involved",
                                          "与相关团队一起调查原因"};

// A template: its catalog entry, the metrics its findings watch, and how it fills the
// sections.
class ReportComposer;
struct Template {
  const char* id;
  Words title;
  const char* description;
  v1::MetricGranularity default_granularity;
  std::vector<std::string> finding_metrics;
  void (ReportComposer::*compose)();
};

// Builds one report: holds the period, the language and the queries.
class ReportComposer {
 public:
  ReportComposer(ReportQueries& queries, const FindingsPlan& plan, v1::Report& report)
      : queries_(queries),
        plan_(plan),
        report_(report),
        chinese_(plan.rules.language == FindingLanguage::kChinese),
        end_(NextPeriod(plan.period_start, plan.granularity)) {}

  absl::Status status() const { return status_; }

  void Overview();
  void Sales();
  void Health();
  void Service();
  void Quarterly();
  void Region();
  // The findings over the plan's metrics, appended to the report.
  void AddFindings();
  // The quarterly report's last section: each finding with what to do about it.
  void AddRecommendations();

 private:
  std::string Say(const Words& words) const { return chinese_ ? words.zh : words.en; }

  v1::ReportSection& Section(const Words& title) {
    v1::ReportSection& section = *report_.add_sections();
    section.set_title(Say(title));
    return section;
  }
  v1::ReportTable& Table(v1::ReportSection& section, const Words& title, const std::vector<Words>& columns) {
    v1::ReportTable& table = *section.add_tables();
    table.set_title(Say(title));
    for (const Words& column : columns) table.add_columns(Say(column));
    return table;
  }

  std::string MetricName(const v1::MetricDefinition& metric) const {
    if (chinese_) {
      if (std::string name = ChineseMetricName(metric.id()); !name.empty()) return name;
    }
    return metric.name();
  }

  // Keeps the first error; every later query is skipped.
  template <typename T>
  std::optional<T> Keep(absl::StatusOr<T> result) {
    if (!status_.ok()) return std::nullopt;
    if (!result.ok()) {
      status_ = result.status();
      return std::nullopt;
    }
    return std::move(*result);
  }

  std::optional<v1::MetricQueryResponse> Metric(const std::string& id, sys_days from,
                                                std::vector<v1::MetricDimension> breakdowns = {}) {
    if (!status_.ok()) return std::nullopt;
    v1::MetricQueryRequest request;
    request.set_metric_id(id);
    request.set_granularity(plan_.granularity);
    request.mutable_from()->set_seconds(Seconds(from));
    request.mutable_to()->set_seconds(Seconds(end_));
    for (v1::MetricDimension breakdown : breakdowns) request.add_breakdowns(breakdown);
    return Keep(queries_.Metric(request));
  }

  std::optional<v1::DistributionResponse> Distribution(v1::Dimension dimension,
                                                       const std::vector<std::string>& tags = {},
                                                       uint32_t top = 0) {
    if (!status_.ok()) return std::nullopt;
    v1::DistributionRequest request;
    request.set_dimension(dimension);
    request.set_top(top);
    for (const std::string& tag : tags) request.mutable_filter()->add_tags(tag);
    return Keep(queries_.Distribution(request));
  }

  // The start of the period `count` periods before the reported one.
  sys_days PeriodsBack(int count) const {
    sys_days start = plan_.period_start;
    for (int i = 0; i < count; ++i) start = PreviousPeriod(start, plan_.granularity);
    return start;
  }

  static int64_t Seconds(sys_days day) { return std::chrono::sys_seconds(day).time_since_epoch().count(); }
  static std::optional<double> Value(const v1::MetricRow& row) {
    return row.has_value() ? std::optional<double>(row.value()) : std::nullopt;
  }

  // One row per metric for the reported period: value, previous value, change.
  void AddSummary(v1::ReportSection& section, const Words& title, const std::vector<std::string>& metric_ids);
  // One row per period of the last `periods`, one column per metric.
  void AddTrend(v1::ReportSection& section, const Words& title, const std::vector<std::string>& metric_ids,
                int periods);
  // One row per value of `dimension`, with its share of the total.
  void AddDistribution(v1::ReportSection& section, const Words& title, const Words& header,
                       v1::Dimension dimension, uint32_t top);
  // One row per province: the metric in the reported period and the one before, with the
  // change, provinces with data in either period.
  void AddChangeByProvince(v1::ReportSection& section, const Words& title, const std::string& metric_id);

  ReportQueries& queries_;
  const FindingsPlan& plan_;
  v1::Report& report_;
  const bool chinese_;
  const sys_days end_;
  absl::Status status_;
};

const std::vector<Template>& Templates() {
  static const std::vector<Template> templates = {
      {"overview",
       {"Customer overview", "客户概览"},
       "total customers, structure by type and industry, new and active customers over six periods",
       v1::METRIC_GRANULARITY_MONTH,
       {"new_customers", "active_customers"},
       &ReportComposer::Overview},
      {"sales",
       {"Sales analysis", "销售分析"},
       "total sales, average order value, conversion, repurchase, revenue concentration, sales by department",
       v1::METRIC_GRANULARITY_MONTH,
       {"total_sales", "average_order_value", "conversion_rate", "repurchase_rate"},
       &ReportComposer::Sales},
      {"health",
       {"Customer health", "客户健康度"},
       "activity, churn and retention, satisfaction, customers at risk of churning",
       v1::METRIC_GRANULARITY_MONTH,
       {"active_customers", "churn_rate", "retention_rate", "satisfaction"},
       &ReportComposer::Health},
      {"service",
       {"Customer service", "客户服务"},
       "complaints by category, satisfaction and complaint rate over six periods, response time, call-backs",
       v1::METRIC_GRANULARITY_MONTH,
       {"satisfaction", "average_response_time", "complaint_rate", "call_back_rate"},
       &ReportComposer::Service},
      {"quarterly",
       {"Quarterly report", "季度报告"},
       "overview, trends, segmentation by lifecycle, satisfaction, findings with recommendations",
       v1::METRIC_GRANULARITY_QUARTER,
       {"new_customers", "active_customers", "churn_rate", "total_sales", "conversion_rate", "satisfaction",
        "complaint_rate"},
       &ReportComposer::Quarterly},
      {"region",
       {"Customer increase and decrease by region", "各地区客户增减"},
       "new and lost customers per province against the period before",
       v1::METRIC_GRANULARITY_MONTH,
       {"new_customers", "churned_customers"},
       &ReportComposer::Region},
  };
  return templates;
}

constexpr Words kMetricHeader = {"Metric", "指标"};
constexpr Words kValueHeader = {"Value", "本期"};
constexpr Words kPreviousHeader = {"Previous period", "上期"};
constexpr Words kChangeHeader = {"Change", "变化"};
constexpr Words kChangePercentHeader = {"Change %", "环比"};
constexpr Words kCustomersHeader = {"Customers", "客户数"};
constexpr Words kShareHeader = {"Share", "占比"};
constexpr Words kPeriodHeader = {"Period", "周期"};
constexpr Words kTotal = {"Total", "合计"};
constexpr Words kUnknown = {"(unknown)", "（未知）"};
constexpr Words kOther = {"other", "其他"};

std::string ChineseCustomerType(const std::string& type) {
  if (type == "potential") return "潜在客户";
  if (type == "closed") return "成交客户";
  if (type == "lost") return "流失客户";
  return type;
}

void ReportComposer::AddSummary(v1::ReportSection& section, const Words& title,
                                const std::vector<std::string>& metric_ids) {
  v1::ReportTable& table =
      Table(section, title, {kMetricHeader, kValueHeader, kPreviousHeader, kChangePercentHeader});
  for (const std::string& id : metric_ids) {
    std::optional<v1::MetricQueryResponse> result = Metric(id, plan_.period_start);
    if (!result.has_value()) return;
    const std::string& unit = result->metric().unit();
    v1::MetricRow row = result->rows().empty() ? v1::MetricRow() : result->rows(0);
    AddRow(
        table,
        {LabelCell(MetricName(result->metric())), NumberCell(Value(row), unit),
         NumberCell(row.has_previous_value() ? std::optional<double>(row.previous_value()) : std::nullopt,
                    unit),
         ChangeCell(row.has_previous_change_percent() ? std::optional<double>(row.previous_change_percent())
                                                      : std::nullopt)});
  }
}

void ReportComposer::AddTrend(v1::ReportSection& section, const Words& title,
                              const std::vector<std::string>& metric_ids, int periods) {
  v1::ReportTable& table = Table(section, title, {kPeriodHeader});
  std::map<int64_t, std::vector<v1::ReportCell>> rows;  // by period start
  for (sys_days start = PeriodsBack(periods - 1); start < end_;
       start = NextPeriod(start, plan_.granularity)) {
    rows[Seconds(start)].push_back(LabelCell(DayText(start)));
  }
  // One axis: the chart draws the metrics measured in the first one's unit.
  std::optional<std::string> charted_unit;
  std::vector<uint32_t> charted;
  for (const std::string& id : metric_ids) {
    std::optional<v1::MetricQueryResponse> result = Metric(id, PeriodsBack(periods - 1));
    if (!result.has_value()) return;
    if (!charted_unit.has_value()) charted_unit = result->metric().unit();
    if (result->metric().unit() == *charted_unit) charted.push_back(table.columns_size());
    table.add_columns(MetricName(result->metric()));
    for (auto& [start, cells] : rows) {
      std::optional<double> value;
      for (const v1::MetricRow& row : result->rows()) {
        if (row.period_start().seconds() == start) value = Value(row);
      }
      cells.push_back(NumberCell(value, result->metric().unit()));
    }
  }
  for (auto& [start, cells] : rows) AddRow(table, std::move(cells));
  SetChart(table, v1::CHART_KIND_LINE, charted);
}

void ReportComposer::AddDistribution(v1::ReportSection& section, const Words& title, const Words& header,
                                     v1::Dimension dimension, uint32_t top) {
  std::optional<v1::DistributionResponse> result = Distribution(dimension, {}, top);
  if (!result.has_value()) return;
  v1::ReportTable& table = Table(section, title, {header, kCustomersHeader, kShareHeader});
  const double total = static_cast<double>(result->total_customers());
  for (const v1::DistributionRow& row : result->rows()) {
    std::string value = row.is_other() ? Say(kOther) : row.value().empty() ? Say(kUnknown) : row.value();
    if (dimension == v1::DIMENSION_CUSTOMER_TYPE && chinese_) value = ChineseCustomerType(value);
    const double customers = static_cast<double>(row.customers());
    AddRow(table,
           {LabelCell(value), NumberCell(customers, "customers"),
            NumberCell(total > 0 ? std::optional<double>(customers / total * 100) : std::nullopt, "%")});
  }
  AddTotalRow(table, {LabelCell(Say(kTotal)), NumberCell(total, "customers"),
                      NumberCell(total > 0 ? 100.0 : 0.0, "%")});
  // A few values read as shares of a pie; a top-N list as bars.
  SetChart(table, top == 0 ? v1::CHART_KIND_PIE : v1::CHART_KIND_BAR, {1});
}

void ReportComposer::AddChangeByProvince(v1::ReportSection& section, const Words& title,
                                         const std::string& metric_id) {
  const sys_days previous = PreviousPeriod(plan_.period_start, plan_.granularity);
  std::optional<v1::MetricQueryResponse> result =
      Metric(metric_id, previous, {v1::METRIC_DIMENSION_PROVINCE});
  if (!result.has_value()) return;
  struct Counts {
    double now = 0;
    double before = 0;
  };
  std::map<std::string, Counts> provinces;
  for (const v1::MetricRow& row : result->rows()) {
    Counts& counts = provinces[row.breakdown_values(0)];
    (row.period_start().seconds() == Seconds(previous) ? counts.before : counts.now) = row.value();
  }
  std::vector<std::pair<std::string, Counts>> sorted(provinces.begin(), provinces.end());
  std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
    return a.second.now - a.second.before < b.second.now - b.second.before;
  });
  v1::ReportTable& table =
      Table(section, title,
            {{"Province", "省份"}, kValueHeader, kPreviousHeader, kChangeHeader, kChangePercentHeader});
  Counts total;
  auto cells = [&](const std::string& label, const Counts& counts) -> std::vector<v1::ReportCell> {
    return {LabelCell(label), NumberCell(counts.now, "customers"), NumberCell(counts.before, "customers"),
            NumberCell(counts.now - counts.before, "customers"),
            ChangeCell(counts.before > 0
                           ? std::optional<double>((counts.now - counts.before) / counts.before * 100)
                           : std::nullopt)};
  };
  for (const auto& [province, counts] : sorted) {
    AddRow(table, cells(province.empty() ? Say(kUnknown) : province, counts));
    total.now += counts.now;
    total.before += counts.before;
  }
  AddTotalRow(table, cells(Say(kTotal), total));
  SetChart(table, v1::CHART_KIND_BAR, {1, 2});
}

void ReportComposer::Overview() {
  v1::ReportSection& structure = Section({"Customers and structure", "客户总量与结构"});
  AddDistribution(structure, {"Customers by type", "按客户类型"}, {"Type", "类型"},
                  v1::DIMENSION_CUSTOMER_TYPE, 0);
  AddDistribution(structure, {"Customers by industry (top 10)", "按行业（前10）"}, {"Industry", "行业"},
                  v1::DIMENSION_INDUSTRY, 10);
  structure.add_notes(Say({"Totals and structure count every customer's latest profile, whatever the period.",
                           "总量与结构按每位客户的最新档案统计，不限于本期。"}));
  v1::ReportSection& trend = Section({"Trend", "趋势"});
  AddTrend(trend, {"New and active customers, last six periods", "近六期新客户与活跃客户"},
           {"new_customers", "active_customers"}, 6);
}

void ReportComposer::Sales() {
  v1::ReportSection& sales = Section({"Sales", "销售"});
  AddSummary(
      sales, {"Sales metrics", "销售指标"},
      {"total_sales", "closed_customers", "average_order_value", "conversion_rate", "repurchase_rate"});

  v1::ReportSection& concentration = Section({"Revenue concentration", "收入集中度"});
  v1::ParetoRequest pareto_request;
  pareto_request.mutable_scope()->mutable_from()->set_seconds(Seconds(plan_.period_start));
  pareto_request.mutable_scope()->mutable_to()->set_seconds(Seconds(end_));
  std::optional<v1::ParetoResponse> pareto =
      status_.ok() ? Keep(queries_.Pareto(pareto_request)) : std::nullopt;
  if (!pareto.has_value()) return;
  v1::ReportTable& table =
      Table(concentration, {"Pareto 20/80", "帕累托 20/80"}, {kMetricHeader, kValueHeader});
  AddRow(table, {LabelCell(Say({"Customers with revenue", "有收入的客户数"})),
                 NumberCell(static_cast<double>(pareto->customers()), "customers")});
  AddRow(table,
         {LabelCell(Say({"Revenue, yuan", "收入（元）"})), NumberCell(pareto->total_revenue(), "yuan")});
  AddRow(table, {LabelCell(Say({"Top 20 % of customers", "前20%客户数"})),
                 NumberCell(static_cast<double>(pareto->top_customers()), "customers")});
  AddRow(table,
         {LabelCell(Say({"Their share of revenue", "其收入占比"})),
          NumberCell(pareto->has_top_revenue_percent() ? std::optional<double>(pareto->top_revenue_percent())
                                                       : std::nullopt,
                     "%")});
  AddRow(table, {LabelCell(Say({"Customers making 80 % of revenue", "贡献80%收入的客户数"})),
                 NumberCell(static_cast<double>(pareto->customers_for_80_percent()), "customers")});

  v1::ReportSection& departments = Section({"Sales by department", "各部门销售"});
  std::optional<v1::MetricQueryResponse> by_department =
      Metric("total_sales", plan_.period_start, {v1::METRIC_DIMENSION_DEPARTMENT});
  if (!by_department.has_value()) return;
  v1::ReportTable& department_table =
      Table(departments, {"Total sales by department", "各部门销售总额"},
            {{"Department", "部门"}, kValueHeader, kPreviousHeader, kChangePercentHeader});
  std::vector<v1::MetricRow> rows(by_department->rows().begin(), by_department->rows().end());
  std::stable_sort(rows.begin(), rows.end(),
                   [](const v1::MetricRow& a, const v1::MetricRow& b) { return a.value() > b.value(); });
  for (const v1::MetricRow& row : rows) {
    const std::string& department = row.breakdown_values(0);
    AddRow(
        department_table,
        {LabelCell(department.empty() ? Say(kUnknown) : department), NumberCell(Value(row), "yuan"),
         NumberCell(row.has_previous_value() ? std::optional<double>(row.previous_value()) : std::nullopt,
                    "yuan"),
         ChangeCell(row.has_previous_change_percent() ? std::optional<double>(row.previous_change_percent())
                                                      : std::nullopt)});
  }
  SetChart(department_table, v1::CHART_KIND_BAR, {1, 2});
}

void ReportComposer::Health() {
  v1::ReportSection& activity = Section({"Activity", "活跃度"});
  AddSummary(activity, {"Activity, churn and retention", "活跃、流失与留存"},
             {"active_customers", "churned_customers", "churn_rate", "retention_rate"});
  v1::ReportSection& satisfaction = Section({"Satisfaction", "满意度"});
  AddSummary(satisfaction, {"Satisfaction", "满意度"}, {"satisfaction"});

  v1::ReportSection& risk = Section({"Churn risk", "流失风险"});
  v1::ReportTable& table =
      Table(risk, {"Customers at risk", "风险客户"}, {{"Tag", "标签"}, kCustomersHeader});
  std::vector<std::string> all_tags;
  for (const char* tag : kChurnRiskTags) {
    all_tags.push_back(tag);
    std::optional<v1::DistributionResponse> tagged = Distribution(v1::DIMENSION_CUSTOMER_TYPE, {tag});
    if (!tagged.has_value()) return;
    AddRow(table, {LabelCell(tag), NumberCell(static_cast<double>(tagged->total_customers()), "customers")});
  }
  std::optional<v1::DistributionResponse> either = Distribution(v1::DIMENSION_CUSTOMER_TYPE, all_tags);
  if (!either.has_value()) return;
  AddRow(table, {LabelCell(Say({"Either", "任一"})),
                 NumberCell(static_cast<double>(either->total_customers()), "customers")});
  SetChart(table, v1::CHART_KIND_BAR, {1});
  risk.add_notes(Say(
      {"Risk counts the tags of every customer's latest profile.", "风险按每位客户最新档案的标签统计。"}));
}

void ReportComposer::Service() {
  v1::ReportSection& complaints = Section({"Complaints", "投诉"});
  v1::ComplaintAnalysisRequest complaint_request;
  complaint_request.mutable_from()->set_seconds(Seconds(plan_.period_start));
  complaint_request.mutable_to()->set_seconds(Seconds(end_));
  complaint_request.set_group_by(v1::COMPLAINT_GROUPING_CATEGORY);
  std::optional<v1::ComplaintAnalysisResponse> analysis =
      status_.ok() ? Keep(queries_.Complaints(complaint_request)) : std::nullopt;
  if (!analysis.has_value()) return;
  v1::ReportTable& table = Table(complaints, {"Complaints by category", "按类别的投诉"},
                                 {{"Category", "类别"},
                                  {"Complaints", "投诉数"},
                                  {"Resolved", "已解决"},
                                  {"Average resolution, hours", "平均解决时长（小时）"}});
  auto cells = [&](const std::string& label, const v1::ComplaintGroup& group) -> std::vector<v1::ReportCell> {
    return {LabelCell(label), NumberCell(static_cast<double>(group.complaints()), "complaints"),
            NumberCell(static_cast<double>(group.resolved()), "complaints"),
            NumberCell(group.has_average_resolution_seconds()
                           ? std::optional<double>(group.average_resolution_seconds() / 3600)
                           : std::nullopt,
                       "hours")};
  };
  for (const v1::ComplaintGroup& group : analysis->groups()) {
    AddRow(table, cells(group.value().empty() ? Say(kUnknown) : group.value(), group));
  }
  AddTotalRow(table, cells(Say(kTotal), analysis->total()));
  SetChart(table, v1::CHART_KIND_BAR, {1, 2});

  v1::ReportSection& surveys = Section({"Surveys and response", "满意度调查与响应"});
  AddTrend(surveys, {"Satisfaction and complaint rate, last six periods", "近六期满意度与投诉率"},
           {"satisfaction", "complaint_rate"}, 6);
  AddSummary(surveys, {"Response time", "响应时间"}, {"average_response_time"});

  v1::ReportSection& callbacks = Section({"Call-backs", "回访"});
  AddSummary(callbacks, {"Call-backs and missed calls", "回访与未接来电"}, {"call_backs", "call_back_rate"});
  callbacks.add_notes(Say({"The call-back rate compares the period's call-backs with its missed calls.",
                           "回访率为本期回访次数与本期未接来电数之比。"}));
}

void ReportComposer::Quarterly() {
  v1::ReportSection& overview = Section({"Overview", "概览"});
  AddSummary(overview, {"Key metrics", "关键指标"},
             {"new_customers", "active_customers", "churned_customers", "total_sales", "conversion_rate"});
  v1::ReportSection& trends = Section({"Trends", "趋势"});
  AddTrend(trends, {"Last four periods", "近四期"}, {"new_customers", "active_customers", "total_sales"}, 4);

  v1::ReportSection& segmentation = Section({"Segmentation by lifecycle", "按生命周期细分"});
  std::optional<v1::DistributionResponse> tags = Distribution(v1::DIMENSION_TAG);
  if (!tags.has_value()) return;
  v1::ReportTable& table = Table(segmentation, {"Customers by lifecycle stage", "各生命周期阶段客户数"},
                                 {{"Stage", "阶段"}, kCustomersHeader, kShareHeader});
  const double total = static_cast<double>(tags->total_customers());
  for (const v1::DistributionRow& row : tags->rows()) {
    if (!absl::StartsWith(row.value(), "lifecycle:")) continue;
    const double customers = static_cast<double>(row.customers());
    AddRow(table,
           {LabelCell(row.value()), NumberCell(customers, "customers"),
            NumberCell(total > 0 ? std::optional<double>(customers / total * 100) : std::nullopt, "%")});
  }
  SetChart(table, v1::CHART_KIND_PIE, {1});
  segmentation.add_notes(Say({"Stages are the lifecycle tags of every customer's latest profile.",
                              "阶段为每位客户最新档案的生命周期标签。"}));

  v1::ReportSection& satisfaction = Section({"Satisfaction", "满意度"});
  AddSummary(satisfaction, {"Service metrics", "服务指标"},
             {"satisfaction", "complaint_rate", "average_response_time"});
}

void ReportComposer::Region() {
  v1::ReportSection& increase = Section({"New customers by province", "各省新增客户"});
  AddChangeByProvince(increase, {"New customers against the period before", "新客户数与上期对比"},
                      "new_customers");
  v1::ReportSection& decrease = Section({"Lost customers by province", "各省流失客户"});
  AddChangeByProvince(decrease, {"Churned customers against the period before", "流失客户数与上期对比"},
                      "churned_customers");
  decrease.add_notes(Say({"A customer is lost in a period when active in the one before and not in it.",
                          "客户在上期活跃而本期不活跃即计为本期流失。"}));
}

void ReportComposer::AddFindings() {
  if (!status_.ok()) return;
  FindingsInput input;
  input.granularity = plan_.granularity;
  input.period_start = plan_.period_start;
  input.breakdowns = plan_.breakdowns;
  for (const std::string& id : plan_.metric_ids) {
    std::optional<v1::MetricQueryResponse> result = Keep(queries_.Metric(FindingsMetricRequest(plan_, id)));
    if (!result.has_value()) return;
    input.metrics.push_back({result->metric(), {result->rows().begin(), result->rows().end()}});
  }
  v1::FindingsResponse findings = DetectFindings(input, plan_.rules);
  for (v1::Finding& finding : *findings.mutable_findings()) *report_.add_findings() = std::move(finding);
}

void ReportComposer::AddRecommendations() {
  v1::ReportSection& section = Section({"Findings and recommendations", "发现与建议"});
  if (report_.findings().empty()) {
    section.add_notes(Say({"No metric moved past its threshold.", "各项指标均未超出阈值。"}));
  }
  for (const v1::Finding& finding : report_.findings()) {
    const Words* advice = &kDefaultRecommendation;
    for (const Recommendation& recommendation : kRecommendations) {
      if (finding.metric_id() == recommendation.metric_id) {
        advice = finding.change() >= 0 ? &recommendation.up : &recommendation.down;
      }
    }
    section.add_notes(finding.text() + (chinese_ ? "：建议" : ": ") + Say(*advice));
  }
}

const Template* FindTemplate(const std::string& id) {
  for (const Template& candidate : Templates()) {
    if (candidate.id == id) return &candidate;
  }
  return nullptr;
}

}  // namespace

v1::ListTemplatesResponse ListTemplates() {
  v1::ListTemplatesResponse response;
  for (const Template& entry : Templates()) {
    v1::ReportTemplate& out = *response.add_templates();
    out.set_id(entry.id);
    out.set_title(entry.title.en);
    out.set_description(entry.description);
    out.set_default_granularity(entry.default_granularity);
  }
  return response;
}

absl::StatusOr<v1::Report> RenderReport(ReportQueries& queries, const v1::RenderReportRequest& request,
                                        std::chrono::system_clock::time_point now) {
  const Template* entry = FindTemplate(request.template_id());
  if (entry == nullptr) {
    return absl::InvalidArgumentError("template_id: unknown template \"" + request.template_id() + "\"");
  }
  v1::FindingsRequest findings_request;
  for (const std::string& id : entry->finding_metrics) findings_request.add_metric_ids(id);
  findings_request.set_granularity(request.granularity() == v1::METRIC_GRANULARITY_UNSPECIFIED
                                       ? entry->default_granularity
                                       : request.granularity());
  if (request.has_period()) *findings_request.mutable_period() = request.period();
  const bool by_province =
      request.breakdown() == v1::METRIC_DIMENSION_UNSPECIFIED && entry->id == std::string("region");
  findings_request.set_breakdown(by_province ? v1::METRIC_DIMENSION_PROVINCE : request.breakdown());
  findings_request.set_language(request.language());
  *findings_request.mutable_thresholds() = request.thresholds();
  absl::StatusOr<FindingsPlan> plan = PlanFindings(findings_request, now);
  if (!plan.ok()) return plan.status();

  v1::Report report;
  const bool chinese = plan->rules.language == FindingLanguage::kChinese;
  report.set_template_id(entry->id);
  report.set_title(chinese ? entry->title.zh : entry->title.en);
  report.mutable_period_start()->set_seconds(
      std::chrono::sys_seconds(plan->period_start).time_since_epoch().count());
  report.set_granularity(plan->granularity);
  report.set_language(chinese ? "zh" : "en");
  ReportComposer composer(queries, *plan, report);
  std::invoke(entry->compose, composer);
  composer.AddFindings();
  if (entry->id == std::string("quarterly")) composer.AddRecommendations();
  if (!composer.status().ok()) return composer.status();
  return report;
}

}  // namespace custflow::reporting
