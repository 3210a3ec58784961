// A rendered report for the export tests, in English or Chinese: a line chart over six
// periods with a missing value, a pie with a total row, bars with negative values, a
// table without a chart, notes and findings, as RenderReport produces them.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "custflow/v1/templates.pb.h"

namespace custflow::reporting::testing {

inline v1::ReportCell SampleLabel(const std::string& text) {
  v1::ReportCell cell;
  cell.set_text(text);
  return cell;
}

inline v1::ReportCell SampleNumber(std::optional<double> value, const std::string& text) {
  v1::ReportCell cell = SampleLabel(value.has_value() ? text : "-");
  if (value.has_value()) cell.set_value(*value);
  return cell;
}

inline v1::ReportTable& SampleTable(v1::ReportSection& section, const std::string& title,
                                    const std::vector<std::string>& columns) {
  v1::ReportTable& table = *section.add_tables();
  table.set_title(title);
  for (const std::string& column : columns) table.add_columns(column);
  return table;
}

inline void SampleChart(v1::ReportTable& table, v1::ChartKind kind, std::vector<uint32_t> value_columns) {
  table.mutable_chart()->set_kind(kind);
  table.mutable_chart()->set_label_column(0);
  for (uint32_t column : value_columns) table.mutable_chart()->add_value_columns(column);
}

// `language` is "en" or "zh".
inline v1::Report SampleReport(const std::string& language) {
  const bool zh = language == "zh";
  auto say = [zh](const char* en, const char* chinese) { return std::string(zh ? chinese : en); };
  v1::Report report;
  report.set_template_id("overview");
  report.set_title(say("Customer overview", "客户概览"));
  report.mutable_period_start()->set_seconds(1775001600);  // 2026-04-01
  report.set_granularity(v1::METRIC_GRANULARITY_MONTH);
  report.set_language(zh ? "zh" : "en");

  v1::ReportSection& trend = *report.add_sections();
  trend.set_title(say("Trend", "趋势"));
  v1::ReportTable& lines = SampleTable(
      trend, say("New and active customers, last six periods", "近六期新客户与活跃客户"),
      {say("Period", "周期"), say("New customers", "新增客户数"), say("Active customers", "活跃客户数")});
  const char* periods[] = {"2025-11-01", "2025-12-01", "2026-01-01",
                           "2026-02-01", "2026-03-01", "2026-04-01"};
  const std::optional<double> added[] = {120, 135, std::nullopt, 150, 98, 171};
  const double active[] = {820, 870, 905, 880, 940, 1012};
  for (int i = 0; i < 6; ++i) {
    v1::ReportRow& row = *lines.add_rows();
    *row.add_cells() = SampleLabel(periods[i]);
    *row.add_cells() = SampleNumber(added[i], added[i] ? std::to_string(static_cast<int>(*added[i])) : "-");
    *row.add_cells() = SampleNumber(active[i], std::to_string(static_cast<int>(active[i])));
  }
  SampleChart(lines, v1::CHART_KIND_LINE, {1, 2});
  trend.add_notes(say("Active customers had an interaction in the period.", "活跃客户指本期有互动的客户。"));

  v1::ReportSection& structure = *report.add_sections();
  structure.set_title(say("Customers and structure", "客户总量与结构"));
  v1::ReportTable& pie = SampleTable(structure, say("Customers by type", "按客户类型"),
                                     {say("Type", "类型"), say("Customers", "客户数"), say("Share", "占比")});
  const char* types_en[] = {"potential", "closed", "lost"};
  const char* types_zh[] = {"潜在客户", "成交客户", "流失客户"};
  const double counts[] = {5400, 3300, 1300};
  for (int i = 0; i < 3; ++i) {
    v1::ReportRow& row = *pie.add_rows();
    *row.add_cells() = SampleLabel(zh ? types_zh[i] : types_en[i]);
    *row.add_cells() = SampleNumber(counts[i], std::to_string(static_cast<int>(counts[i])));
    *row.add_cells() =
        SampleNumber(counts[i] / 100, std::to_string(static_cast<int>(counts[i] / 100)) + " %");
  }
  v1::ReportRow& total = *pie.add_rows();
  total.set_is_total(true);
  *total.add_cells() = SampleLabel(say("Total", "合计"));
  *total.add_cells() = SampleNumber(10000, "10000");
  *total.add_cells() = SampleNumber(100, "100 %");
  SampleChart(pie, v1::CHART_KIND_PIE, {1});

  v1::ReportTable& bars = SampleTable(
      structure, say("New customers by province", "各省新增客户"),
      {say("Province", "省份"), say("This period", "本期"), say("Previous", "上期"), say("Change", "变化")});
  const char* provinces[] = {"广东省", "浙江省", "江苏省", "四川省"};
  const double now[] = {80, 41, 30, 20};
  const double before[] = {60, 60, 25, 20};
  for (int i = 0; i < 4; ++i) {
    v1::ReportRow& row = *bars.add_rows();
    *row.add_cells() = SampleLabel(provinces[i]);
    *row.add_cells() = SampleNumber(now[i], std::to_string(static_cast<int>(now[i])));
    *row.add_cells() = SampleNumber(before[i], std::to_string(static_cast<int>(before[i])));
    *row.add_cells() = SampleNumber(now[i] - before[i], std::to_string(static_cast<int>(now[i] - before[i])));
  }
  SampleChart(bars, v1::CHART_KIND_BAR, {1, 2});

  v1::ReportTable& plain = SampleTable(structure, say("Pareto 20/80", "帕累托 20/80"),
                                       {say("Metric", "指标"), say("Value", "数值")});
  v1::ReportRow& share = *plain.add_rows();
  *share.add_cells() = SampleLabel(say("Revenue share of the top 20 %", "前20%客户收入占比"));
  *share.add_cells() = SampleNumber(78.4, "78.4 %");

  v1::Finding& finding = *report.add_findings();
  finding.set_metric_id("new_customers");
  finding.set_metric_name(say("New customers", "新增客户数"));
  finding.add_breakdown_values("浙江省");
  finding.set_comparison(v1::FINDING_COMPARISON_PREVIOUS_PERIOD);
  finding.set_value(41);
  finding.set_compared_value(60);
  finding.set_change(-31.7);
  finding.set_threshold(20);
  finding.set_severity(v1::FINDING_SEVERITY_HIGH);
  finding.set_text(say("New customers in 浙江省 down 31.7 % on the previous period (60 → 41).",
                       "浙江省新增客户数环比下降31.7%（60 → 41）。"));
  return report;
}

}  // namespace custflow::reporting::testing
