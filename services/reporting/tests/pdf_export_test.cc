// The exports read back by real readers: pngcheck and cairo for PNG charts, rsvg-convert
// for SVG, pdftoppm, pdftotext and pdfinfo for the chart PDF and the whole report in both
// languages. A missing tool fails the test, naming the Debian package to install.
//
// Besides the test's own temporary directory, the images are copied to /tmp/export-look/
// (chart-*.png, report-<language>-page-*.png) for a person to look at.
#include "services/reporting/pdf_export.h"

#include <cairo.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "services/reporting/chart.h"
#include "services/reporting/tests/sample_report.h"

namespace custflow::reporting {
namespace {

using testing::SampleReport;

constexpr char kLookDir[] = "/tmp/export-look";

struct ToolRun {
  int exit_code = -1;
  std::string output;
};

// Runs a shell command, capturing stdout and stderr together.
ToolRun RunTool(const std::string& command) {
  ToolRun run;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return run;
  std::array<char, 4096> buffer;
  size_t read;
  while ((read = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) run.output.append(buffer.data(), read);
  const int status = pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

// Fails (never skips) when `tool` is not installed.
void RequireTool(const std::string& tool, const std::string& debian_package) {
  ASSERT_EQ(RunTool("command -v " + tool).exit_code, 0)
      << tool << " is missing: install the Debian package " << debian_package;
}

void WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out << bytes;
  ASSERT_TRUE(out.good()) << path;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

// Whitespace runs as one space, so text extracted from a PDF compares with the source.
std::string Squeezed(const std::string& text) {
  std::string out;
  for (char c : text) {
    const bool space = c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f';
    if (space && (out.empty() || out.back() == ' ')) continue;
    out += space ? ' ' : c;
  }
  return out;
}

class ReadersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/report-export-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
    mkdir(kLookDir, 0755);
  }
  void TearDown() override { RunTool("rm -rf '" + dir_ + "'"); }

  // Page count per pdfinfo, after pdftoppm rendered every page to PNG files "<prefix>-N.png"
  // in the temporary directory (and at 60 dpi into the look directory when `look_prefix`
  // is set).
  int RenderPages(const std::string& pdf, const std::string& prefix, const std::string& look_prefix) {
    const ToolRun info = RunTool("pdfinfo '" + pdf + "'");
    EXPECT_EQ(info.exit_code, 0) << info.output;
    const size_t at = info.output.find("Pages:");
    EXPECT_NE(at, std::string::npos) << info.output;
    if (at == std::string::npos) return 0;
    const int pages = std::stoi(info.output.substr(at + 6));
    const ToolRun render = RunTool("pdftoppm -r 50 -png '" + pdf + "' '" + dir_ + "/" + prefix + "'");
    EXPECT_EQ(render.exit_code, 0) << render.output;
    const ToolRun listed = RunTool("ls '" + dir_ + "' | grep -c '^" + prefix + "-.*\\.png$'");
    EXPECT_EQ(std::stoi(listed.output), pages) << "pdftoppm did not render every page";
    const ToolRun checked = RunTool("pngcheck -q '" + dir_ + "/" + prefix + "'-*.png");
    EXPECT_EQ(checked.exit_code, 0) << checked.output;
    if (!look_prefix.empty()) {
      const ToolRun look =
          RunTool(absl::StrCat("pdftoppm -r 60 -png '", pdf, "' '", kLookDir, "/", look_prefix, "'"));
      EXPECT_EQ(look.exit_code, 0) << look.output;
    }
    return pages;
  }

  // ReportPdf of `report` written to `name` in the test's folder; the file's path.
  std::string Written(const v1::Report& report, const std::string& name) {
    const absl::StatusOr<std::string> pdf = ReportPdf(report);
    EXPECT_TRUE(pdf.ok()) << pdf.status();
    const std::string path = dir_ + "/" + name;
    WriteFile(path, pdf.ok() ? *pdf : "");
    return path;
  }

  std::string PdfText(const std::string& pdf) {
    const ToolRun text = RunTool("pdftotext -enc UTF-8 '" + pdf + "' -");
    EXPECT_EQ(text.exit_code, 0) << text.output;
    return Squeezed(text.output);
  }

  std::string dir_;
};

std::vector<std::pair<std::string, Chart>> SampleCharts(const std::string& language) {
  std::vector<std::pair<std::string, Chart>> charts;
  const v1::Report report = SampleReport(language);
  for (const v1::ReportSection& section : report.sections()) {
    for (const v1::ReportTable& table : section.tables()) {
      if (std::optional<Chart> chart = ChartOf(table)) {
        const char* kind = chart->kind == v1::CHART_KIND_LINE  ? "line"
                           : chart->kind == v1::CHART_KIND_PIE ? "pie"
                                                               : "bar";
        charts.emplace_back(absl::StrCat(kind, "-", language), *chart);
      }
    }
  }
  return charts;
}

// A chart with many long categories, to see the labels slant and thin out.
Chart CrowdedChart() {
  Chart chart{
      .kind = v1::CHART_KIND_BAR, .title = "各城市客户数（2026年4月）", .categories = {}, .series = {}};
  chart.series.push_back({.name = "Customers", .values = {}});
  for (int i = 0; i < 40; ++i) {
    chart.categories.push_back(absl::StrCat("城市 number ", i + 1));
    chart.series[0].values.push_back(1000.0 * ((i * 37) % 23) + 450000);
  }
  return chart;
}

// The provinces' changes as grouped bars, some below zero.
Chart NegativeBars() {
  v1::ReportTable table = SampleReport("zh").sections(1).tables(1);
  table.mutable_chart()->add_value_columns(3);
  return *ChartOf(table);
}

uint32_t BigEndian(const std::string& bytes, size_t at) {
  uint32_t value = 0;
  for (size_t i = 0; i < 4; ++i) value = value << 8 | static_cast<unsigned char>(bytes[at + i]);
  return value;
}

struct PngSource {
  const std::string* bytes;
  size_t offset = 0;
};
cairo_status_t ReadPng(void* closure, unsigned char* data, unsigned int length) {
  auto* source = static_cast<PngSource*>(closure);
  if (source->offset + length > source->bytes->size()) return CAIRO_STATUS_READ_ERROR;
  std::copy_n(source->bytes->data() + source->offset, length, data);
  source->offset += length;
  return CAIRO_STATUS_SUCCESS;
}

// Distinct ARGB pixel values in the decoded PNG (at most a few hundred are counted).
size_t DistinctColors(const std::string& png) {
  PngSource source{.bytes = &png};
  cairo_surface_t* image = cairo_image_surface_create_from_png_stream(ReadPng, &source);
  std::set<uint32_t> colors;
  if (cairo_surface_status(image) == CAIRO_STATUS_SUCCESS) {
    cairo_surface_flush(image);
    const unsigned char* data = cairo_image_surface_get_data(image);
    const int stride = cairo_image_surface_get_stride(image);
    for (int y = 0; y < cairo_image_surface_get_height(image) && colors.size() < 500; ++y) {
      const auto* row = reinterpret_cast<const uint32_t*>(data + y * stride);
      for (int x = 0; x < cairo_image_surface_get_width(image); ++x) colors.insert(row[x]);
    }
  }
  cairo_surface_destroy(image);
  return colors.size();
}

TEST_F(ReadersTest, PngChartsPassPngcheckWithTheAskedSizeAndAreNotBlank) {
  RequireTool("pngcheck", "pngcheck");
  auto charts = SampleCharts("zh");
  for (auto& chart : SampleCharts("en")) charts.push_back(chart);
  charts.emplace_back("crowded", CrowdedChart());
  charts.emplace_back("negative", NegativeBars());
  for (const auto& [name, chart] : charts) {
    SCOPED_TRACE(name);
    const absl::StatusOr<std::string> png = RenderChart(chart, ImageFormat::kPng, 800, 480);
    ASSERT_TRUE(png.ok()) << png.status();
    const std::string path = dir_ + "/chart-" + name + ".png";
    WriteFile(path, *png);
    WriteFile(absl::StrCat(kLookDir, "/chart-", name, ".png"), *png);
    const ToolRun check = RunTool("pngcheck '" + path + "'");
    EXPECT_EQ(check.exit_code, 0) << check.output;
    ASSERT_GE(png->size(), 24u);
    EXPECT_EQ(png->substr(12, 4), "IHDR");
    EXPECT_EQ(BigEndian(*png, 16), 800u);
    EXPECT_EQ(BigEndian(*png, 20), 480u);
    EXPECT_GE(DistinctColors(*png), 8u);
  }
}

TEST_F(ReadersTest, PngChartHasTheAskedOddSize) {
  const absl::StatusOr<std::string> png =
      RenderChart(SampleCharts("en").front().second, ImageFormat::kPng, 333, 211);
  ASSERT_TRUE(png.ok()) << png.status();
  EXPECT_EQ(BigEndian(*png, 16), 333u);
  EXPECT_EQ(BigEndian(*png, 20), 211u);
}

TEST_F(ReadersTest, SvgChartsConvertWithRsvg) {
  RequireTool("rsvg-convert", "librsvg2-bin");
  for (const auto& [name, chart] : SampleCharts("zh")) {
    SCOPED_TRACE(name);
    const absl::StatusOr<std::string> svg = RenderChart(chart, ImageFormat::kSvg, 640, 400);
    ASSERT_TRUE(svg.ok()) << svg.status();
    const std::string path = dir_ + "/chart-" + name + ".svg";
    WriteFile(path, *svg);
    const std::string png = dir_ + "/chart-" + name + "-svg.png";
    const ToolRun convert = RunTool("rsvg-convert -o '" + png + "' '" + path + "'");
    ASSERT_EQ(convert.exit_code, 0) << convert.output;
    EXPECT_GE(DistinctColors(ReadFile(png)), 8u);
  }
}

TEST_F(ReadersTest, PdfChartIsOnePageWithItsTextExtractable) {
  RequireTool("pdftoppm", "poppler-utils");
  RequireTool("pngcheck", "pngcheck");
  const auto charts = SampleCharts("zh");
  const auto& [name, chart] = charts.back();  // The bars over provinces.
  const absl::StatusOr<std::string> pdf = RenderChart(chart, ImageFormat::kPdf);
  ASSERT_TRUE(pdf.ok()) << pdf.status();
  const std::string path = dir_ + "/chart.pdf";
  WriteFile(path, *pdf);
  EXPECT_EQ(RenderPages(path, "chart", ""), 1);
  const std::string text = PdfText(path);
  EXPECT_NE(text.find("各省新增客户"), std::string::npos) << text;
  EXPECT_NE(text.find("广东省"), std::string::npos) << text;
  EXPECT_NE(text.find("上期"), std::string::npos) << text;
}

struct ReportCase {
  std::string language;
  std::string title, cell, province, finding;
  std::string page_of;  // The footer of the last page, with %d for the page count.
};

class ReportPdfReadersTest : public ReadersTest, public ::testing::WithParamInterface<ReportCase> {};

TEST_P(ReportPdfReadersTest, EveryPageRendersAndTheTextComesThrough) {
  RequireTool("pdftoppm", "poppler-utils");
  RequireTool("pngcheck", "pngcheck");
  const ReportCase& expected = GetParam();
  const v1::Report report = SampleReport(expected.language);
  const absl::StatusOr<std::string> pdf = ReportPdf(report);
  ASSERT_TRUE(pdf.ok()) << pdf.status();
  const std::string path = dir_ + "/report-" + expected.language + ".pdf";
  WriteFile(path, *pdf);
  WriteFile(absl::StrCat(kLookDir, "/report-", expected.language, ".pdf"), *pdf);
  RunTool(absl::StrCat("rm -f '", kLookDir, "/report-", expected.language, "-page'-*.png"));

  const int pages = RenderPages(path, "report", "report-" + expected.language + "-page");
  EXPECT_GE(pages, 2);
  const std::string text = PdfText(path);
  EXPECT_NE(text.find(expected.title), std::string::npos) << text;
  EXPECT_NE(text.find(expected.cell), std::string::npos) << text;
  EXPECT_NE(text.find(expected.province), std::string::npos) << text;
  EXPECT_NE(text.find(Squeezed(report.findings(0).text())), std::string::npos) << text;
  EXPECT_NE(text.find(expected.finding), std::string::npos) << text;
  char footer[64];
  std::snprintf(footer, sizeof footer, expected.page_of.c_str(), pages, pages);
  EXPECT_NE(text.find(footer), std::string::npos) << footer << " not in " << text;

  const ToolRun info = RunTool("pdfinfo '" + path + "'");
  EXPECT_NE(info.output.find(report.title()), std::string::npos) << "metadata title missing: " << info.output;
}

// A single answer (a distribution) has no period: no "1970-01-01" line under the title.
TEST_F(ReadersTest, AReportWithoutAPeriodPrintsNone) {
  RequireTool("pdftoppm", "poppler-utils");
  v1::Report report = SampleReport("en");
  const std::string dated = PdfText(Written(report, "dated.pdf"));
  report.clear_period_start();
  report.clear_granularity();
  const std::string undated = PdfText(Written(report, "undated.pdf"));

  EXPECT_NE(dated.find("2026-04-01, month"), std::string::npos) << dated;
  EXPECT_EQ(undated.find("1970-01-01"), std::string::npos) << undated;
  EXPECT_NE(undated.find(report.title()), std::string::npos) << undated;
}

TEST_F(ReadersTest, LongTableContinuesOnTheNextPagesUnderARepeatedHeader) {
  RequireTool("pdftoppm", "poppler-utils");
  RequireTool("pngcheck", "pngcheck");
  v1::Report report = SampleReport("en");
  v1::ReportTable& table = *report.mutable_sections(1)->mutable_tables(2);
  for (int i = 0; i < 120; ++i) {
    v1::ReportRow& row = *table.add_rows();
    *row.add_cells() = testing::SampleLabel(absl::StrCat("Customer segment ", i + 1));
    *row.add_cells() = testing::SampleNumber(i * 1.5, absl::StrCat(i * 1.5));
  }
  const absl::StatusOr<std::string> pdf = ReportPdf(report);
  ASSERT_TRUE(pdf.ok()) << pdf.status();
  const std::string path = dir_ + "/long.pdf";
  WriteFile(path, *pdf);
  const int pages = RenderPages(path, "long", "");
  ASSERT_GE(pages, 4);
  int pages_with_rows = 0;
  for (int page = 1; page <= pages; ++page) {
    const ToolRun text =
        RunTool(absl::StrCat("pdftotext -enc UTF-8 -f ", page, " -l ", page, " '", path, "' -"));
    ASSERT_EQ(text.exit_code, 0) << text.output;
    if (text.output.find("Customer segment") == std::string::npos) continue;
    ++pages_with_rows;
    EXPECT_NE(text.output.find("Metric"), std::string::npos)
        << "no header on page " << page << ": " << text.output;
  }
  EXPECT_GE(pages_with_rows, 2);
  EXPECT_NE(PdfText(path).find("Customer segment 120"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Languages, ReportPdfReadersTest,
                         ::testing::Values(ReportCase{.language = "en",
                                                      .title = "Customer overview",
                                                      .cell = "potential",
                                                      .province = "广东省",
                                                      .finding = "Findings",
                                                      .page_of = "Page %d of %d"},
                                           ReportCase{.language = "zh",
                                                      .title = "客户概览",
                                                      .cell = "潜在客户",
                                                      .province = "广东省",
                                                      .finding = "发现",
                                                      .page_of = "第 %d 页，共 %d 页"}),
                         [](const ::testing::TestParamInfo<ReportCase>& param) {
                           return param.param.language;
                         });

}  // namespace
}  // namespace custflow::reporting
