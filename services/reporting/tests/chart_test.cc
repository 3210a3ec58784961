// ChartOf over the sample report's tables, the argument checks of RenderChart, and the axis
// arithmetic (nice steps, readable labels); no external tools.
#include "services/reporting/chart.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>

#include "services/reporting/tests/sample_report.h"

namespace custflow::reporting {
namespace {

using testing::SampleReport;

const v1::ReportTable& SampleTableAt(int section, int table) {
  static const v1::Report report = SampleReport("zh");
  return report.sections(section).tables(table);
}

TEST(ChartOfTest, LineChartKeepsEveryPeriodWithAGapForTheMissingValue) {
  const std::optional<Chart> chart = ChartOf(SampleTableAt(0, 0));
  ASSERT_TRUE(chart.has_value());
  EXPECT_EQ(chart->kind, v1::CHART_KIND_LINE);
  EXPECT_EQ(chart->title, "近六期新客户与活跃客户");
  ASSERT_EQ(chart->categories.size(), 6u);
  EXPECT_EQ(chart->categories.front(), "2025-11-01");
  ASSERT_EQ(chart->series.size(), 2u);
  EXPECT_EQ(chart->series[0].name, "新增客户数");
  EXPECT_EQ(chart->series[1].name, "活跃客户数");
  EXPECT_EQ(chart->series[0].values[1], 135);
  EXPECT_FALSE(chart->series[0].values[2].has_value());
  EXPECT_EQ(chart->series[1].values[5], 1012);
}

TEST(ChartOfTest, PieLeavesOutTheTotalRowAndDrawsOneSeries) {
  const std::optional<Chart> chart = ChartOf(SampleTableAt(1, 0));
  ASSERT_TRUE(chart.has_value());
  EXPECT_EQ(chart->kind, v1::CHART_KIND_PIE);
  EXPECT_EQ(chart->categories, (std::vector<std::string>{"潜在客户", "成交客户", "流失客户"}));
  ASSERT_EQ(chart->series.size(), 1u);
  EXPECT_EQ(chart->series[0].values, (std::vector<std::optional<double>>{5400, 3300, 1300}));
}

TEST(ChartOfTest, BarsTakeTheValueColumnsInOrder) {
  const std::optional<Chart> chart = ChartOf(SampleTableAt(1, 1));
  ASSERT_TRUE(chart.has_value());
  EXPECT_EQ(chart->categories.front(), "广东省");
  ASSERT_EQ(chart->series.size(), 2u);
  EXPECT_EQ(chart->series[0].name, "本期");
  EXPECT_EQ(chart->series[1].name, "上期");
  EXPECT_EQ(chart->series[1].values[1], 60);
}

TEST(ChartOfTest, TableWithoutChartKindHasNoChart) { EXPECT_FALSE(ChartOf(SampleTableAt(1, 2)).has_value()); }

TEST(ChartOfTest, TableWithOnlyATotalRowHasNoChart) {
  v1::ReportTable table = SampleTableAt(1, 0);
  table.mutable_rows()->DeleteSubrange(0, 3);
  ASSERT_EQ(table.rows_size(), 1);
  EXPECT_FALSE(ChartOf(table).has_value());
}

TEST(ChartOfTest, ColumnsOutOfRangeGiveEmptyLabelsAndMissingValues) {
  v1::ReportTable table = SampleTableAt(1, 1);
  table.mutable_chart()->set_label_column(9);
  table.mutable_chart()->add_value_columns(7);
  const std::optional<Chart> chart = ChartOf(table);
  ASSERT_TRUE(chart.has_value());
  EXPECT_EQ(chart->categories.front(), "");
  ASSERT_EQ(chart->series.size(), 3u);
  EXPECT_EQ(chart->series[2].name, "");
  EXPECT_FALSE(chart->series[2].values[0].has_value());
}

Chart SmallBarChart() {
  return {.kind = v1::CHART_KIND_BAR,
          .title = "t",
          .categories = {"a", "b"},
          .series = {{.name = "s", .values = {1.0, -2.0}}}};
}

struct InvalidCase {
  std::string name;
  Chart chart;
  int width = 800;
  int height = 480;
};

class RenderChartRejectsTest : public ::testing::TestWithParam<InvalidCase> {};

TEST_P(RenderChartRejectsTest, WithInvalidArgument) {
  for (ImageFormat format : {ImageFormat::kPng, ImageFormat::kSvg, ImageFormat::kPdf}) {
    const absl::StatusOr<std::string> image =
        RenderChart(GetParam().chart, format, GetParam().width, GetParam().height);
    EXPECT_EQ(image.status().code(), absl::StatusCode::kInvalidArgument) << image.status();
  }
}

Chart With(std::function<void(Chart&)> change) {
  Chart chart = SmallBarChart();
  change(chart);
  return chart;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, RenderChartRejectsTest,
    ::testing::Values(InvalidCase{.name = "ZeroWidth", .chart = SmallBarChart(), .width = 0},
                      InvalidCase{.name = "NegativeHeight", .chart = SmallBarChart(), .height = -5},
                      InvalidCase{.name = "HugeWidth", .chart = SmallBarChart(), .width = 100000},
                      InvalidCase{.name = "EmptyCategories", .chart = With([](Chart& c) {
                                                               c.categories.clear();
                                                               c.series[0].values.clear();
                                                             })},
                      InvalidCase{.name = "NoSeries", .chart = With([](Chart& c) { c.series.clear(); })},
                      InvalidCase{.name = "SeriesShorterThanCategories",
                                  .chart = With([](Chart& c) { c.series[0].values.pop_back(); })},
                      InvalidCase{.name = "UnspecifiedKind",
                                  .chart = With([](Chart& c) { c.kind = v1::CHART_KIND_UNSPECIFIED; })},
                      InvalidCase{.name = "NotANumber",
                                  .chart = With([](Chart& c) { c.series[0].values[0] = std::nan(""); })},
                      InvalidCase{.name = "Infinity",
                                  .chart = With([](Chart& c) { c.series[0].values[1] = INFINITY; })}),
    [](const ::testing::TestParamInfo<InvalidCase>& param) { return param.param.name; });

TEST(RenderChartTest, DrawsEverySampleChartInEveryFormat) {
  const v1::Report report = SampleReport("en");
  for (const v1::ReportSection& section : report.sections()) {
    for (const v1::ReportTable& table : section.tables()) {
      const std::optional<Chart> chart = ChartOf(table);
      if (!chart) continue;
      const absl::StatusOr<std::string> png = RenderChart(*chart, ImageFormat::kPng, 320, 200);
      ASSERT_TRUE(png.ok()) << png.status();
      EXPECT_EQ(png->substr(0, 4), "\x89PNG");
      const absl::StatusOr<std::string> svg = RenderChart(*chart, ImageFormat::kSvg);
      ASSERT_TRUE(svg.ok()) << svg.status();
      EXPECT_NE(svg->find("<svg"), std::string::npos);
      const absl::StatusOr<std::string> pdf = RenderChart(*chart, ImageFormat::kPdf);
      ASSERT_TRUE(pdf.ok()) << pdf.status();
      EXPECT_EQ(pdf->substr(0, 5), "%PDF-");
    }
  }
}

TEST(RenderChartTest, ToleratesATinyImageAndAllValuesMissing) {
  Chart chart = SmallBarChart();
  chart.series[0].values = {std::nullopt, std::nullopt};
  for (v1::ChartKind kind : {v1::CHART_KIND_BAR, v1::CHART_KIND_LINE, v1::CHART_KIND_PIE}) {
    chart.kind = kind;
    EXPECT_TRUE(RenderChart(chart, ImageFormat::kPng, 1, 1).ok());
    EXPECT_TRUE(RenderChart(chart, ImageFormat::kPng).ok());
  }
}

struct ScaleCase {
  double low, high;
  double min, max, step;
};

class NiceScaleTest : public ::testing::TestWithParam<ScaleCase> {};

TEST_P(NiceScaleTest, UsesOneTwoOrFiveTimesAPowerOfTen) {
  const ScaleCase& expected = GetParam();
  const AxisScale scale = NiceScale(expected.low, expected.high);
  EXPECT_DOUBLE_EQ(scale.min, expected.min);
  EXPECT_DOUBLE_EQ(scale.max, expected.max);
  EXPECT_DOUBLE_EQ(scale.step, expected.step);
}

INSTANTIATE_TEST_SUITE_P(Cases, NiceScaleTest,
                         ::testing::Values(ScaleCase{0, 1012, 0, 1200, 200}, ScaleCase{-40, 80, -40, 80, 20},
                                           ScaleCase{0, 1, 0, 1, 0.2}, ScaleCase{0, 0, 0, 1, 0.2},
                                           ScaleCase{0, 9300000, 0, 1e7, 2e6},
                                           ScaleCase{98, 171, 80, 180, 20},
                                           ScaleCase{-5, -5, -5.6, -4.4, 0.2}));

struct LabelCase {
  double value, step;
  std::string text;
};

class AxisLabelTest : public ::testing::TestWithParam<LabelCase> {};

TEST_P(AxisLabelTest, ReadsAtAGlance) {
  EXPECT_EQ(AxisLabel(GetParam().value, GetParam().step), GetParam().text);
}

INSTANTIATE_TEST_SUITE_P(Cases, AxisLabelTest,
                         ::testing::Values(LabelCase{0, 200, "0"}, LabelCase{12000, 2000, "12,000"},
                                           LabelCase{999000, 1000, "999,000"}, LabelCase{-500, 100, "-500"},
                                           LabelCase{1200000, 200000, "1.2M"},
                                           LabelCase{2000000, 1000000, "2M"}, LabelCase{3e9, 1e9, "3B"},
                                           LabelCase{0.25, 0.05, "0.25"}, LabelCase{0.4, 0.2, "0.4"},
                                           LabelCase{1e-17, 0.2, "0.0"}));

}  // namespace
}  // namespace custflow::reporting
