// The XLSX export: sheet names, number formats and widths without any tool, then the
// sample report in English and Chinese read back by LibreOffice (each sheet as CSV, the
// numbers unquoted so they are numbers) and printed to PDF and PNG for a look at the charts
// (copied to /tmp/export-look/xlsx-*.png).
#include "services/reporting/xlsx_export.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "services/reporting/tests/sample_report.h"
#include "tests/support/local_process.h"

namespace custflow::reporting {
namespace {

std::string Repeat(const std::string& text, int times) {
  std::string repeated;
  for (int i = 0; i < times; ++i) repeated += text;
  return repeated;
}

struct SheetNameCase {
  std::vector<std::string> titles;
  std::string expected_last;
};

class SheetNamesTest : public ::testing::TestWithParam<SheetNameCase> {};

TEST_P(SheetNamesTest, LastClaimedNameIsValidAndUnique) {
  SheetNames names;
  std::string last;
  for (const std::string& title : GetParam().titles) last = names.Claim(title);
  EXPECT_EQ(last, GetParam().expected_last);
}

INSTANTIATE_TEST_SUITE_P(
    Titles, SheetNamesTest,
    ::testing::Values(
        SheetNameCase{{"Trend"}, "Trend"}, SheetNameCase{{"a/b:c[d]*e?f\\g"}, "a_b_c_d__e_f_g"},
        SheetNameCase{{"'quoted'"}, "quoted"}, SheetNameCase{{""}, "Sheet"},
        SheetNameCase{{"Trend", "trend"}, "trend (2)"},
        SheetNameCase{{"Trend", "Trend", "Trend"}, "Trend (3)"},
        SheetNameCase{{"Customers and their structure by type"}, "Customers and their structure b"},
        SheetNameCase{{"Customers and their structure by type", "Customers and their structure by type"},
                      "Customers and their structu (2)"},
        // Cut at 31 characters, not 31 bytes.
        SheetNameCase{{Repeat("客", 40)}, Repeat("客", 31)}));

struct NumberFormatCase {
  std::string text;
  double value;
  std::string expected;
};

class NumberFormatTest : public ::testing::TestWithParam<NumberFormatCase> {};

TEST_P(NumberFormatTest, FormatShowsTheValueAsItsText) {
  v1::ReportCell cell;
  cell.set_text(GetParam().text);
  cell.set_value(GetParam().value);
  EXPECT_EQ(NumberFormatFor(cell), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(Cells, NumberFormatTest,
                         ::testing::Values(NumberFormatCase{"12.5 %", 12.5, "0.0\" %\""},
                                           NumberFormatCase{"54 %", 54, "0\" %\""},
                                           NumberFormatCase{"3.25%", 3.25, "0.00\"%\""},
                                           NumberFormatCase{"10000", 10000, "#,##0"},
                                           NumberFormatCase{"1234.57", 1234.5678, "#,##0.00"}));

TEST(DisplayWidthTest, ChineseCharactersCountDouble) {
  EXPECT_EQ(DisplayWidth("Trend"), 5);
  EXPECT_EQ(DisplayWidth("浙江省"), 6);
  EXPECT_EQ(DisplayWidth("20 客户"), 7);
}

TEST(ReportXlsxTest, BytesAreAZip) {
  const absl::StatusOr<std::string> bytes = ReportXlsx(testing::SampleReport("en"));
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  ASSERT_GT(bytes->size(), 4u);
  EXPECT_EQ(bytes->substr(0, 2), "PK");
}

TEST(ReportXlsxTest, TooLongTextIsAnErrorNotACrash) {
  v1::Report report = testing::SampleReport("en");
  report.set_title(std::string(40000, 'x'));
  const absl::StatusOr<std::string> bytes = ReportXlsx(report);
  ASSERT_FALSE(bytes.ok());
  EXPECT_EQ(bytes.status().code(), absl::StatusCode::kInternal);
}

// Runs a shell command with HOME in `directory`, its output to a log there.
::testing::AssertionResult RunTool(const std::filesystem::path& directory, const std::string& command) {
  const std::string log = (directory / "tool.log").string();
  const std::string line = absl::StrCat("cd '", directory.string(), "' && HOME='", directory.string(), "' ",
                                        command, " >'", log, "' 2>&1");
  if (std::system(line.c_str()) == 0) return ::testing::AssertionSuccess();
  std::ifstream in(log);
  std::stringstream output;
  output << in.rdbuf();
  return ::testing::AssertionFailure() << command << " failed:\n" << output.str();
}

::testing::AssertionResult ToolInstalled(const std::string& tool, const std::string& debian_package) {
  if (std::system(absl::StrCat("command -v ", tool, " >/dev/null 2>&1").c_str()) == 0) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << tool << " is missing: apt-get install " << debian_package;
}

std::string ReadText(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

struct SheetExpectation {
  std::string sheet;
  std::vector<std::string> lines;  // each a substring of the sheet's CSV
};

struct LanguageCase {
  std::string language;
  std::vector<SheetExpectation> sheets;
};

class ReportXlsxLibreOfficeTest : public ::testing::TestWithParam<LanguageCase> {};

// Text cells are quoted (filter token 7), so an unquoted field is a number.
constexpr char kCsvFilter[] =
    "'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,true,true,false,false,false,-1'";

TEST_P(ReportXlsxLibreOfficeTest, LibreOfficeReadsNumbersTextAndCharts) {
  ASSERT_TRUE(ToolInstalled("soffice", "libreoffice-calc-nogui"));
  ASSERT_TRUE(ToolInstalled("pdftoppm", "poppler-utils"));
  const absl::StatusOr<std::string> bytes = ReportXlsx(testing::SampleReport(GetParam().language));
  ASSERT_TRUE(bytes.ok()) << bytes.status();

  custflow::testing::TempDir directory("xlsx-export-test");
  const std::filesystem::path& dir = directory.path();
  std::ofstream(dir / "report.xlsx", std::ios::binary) << *bytes;
  const std::string soffice = absl::StrCat("soffice -env:UserInstallation=file://",
                                           (dir / "profile").string(), " --headless --convert-to ");
  ASSERT_TRUE(RunTool(dir, absl::StrCat(soffice, kCsvFilter, " --outdir csv report.xlsx")));

  for (const SheetExpectation& sheet : GetParam().sheets) {
    const std::filesystem::path csv = dir / "csv" / absl::StrCat("report-", sheet.sheet, ".csv");
    ASSERT_TRUE(std::filesystem::exists(csv)) << csv;
    const std::string text = ReadText(csv);
    for (const std::string& line : sheet.lines)
      EXPECT_NE(text.find(line), std::string::npos) << line << " in\n" << text;
  }

  ASSERT_TRUE(RunTool(dir, absl::StrCat(soffice, "pdf --outdir pdf report.xlsx")));
  ASSERT_TRUE(RunTool(dir, "pdftoppm -r 50 -png pdf/report.pdf page"));
  std::filesystem::create_directories("/tmp/export-look");
  int pages = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".png") continue;
    ++pages;
    std::filesystem::copy_file(
        entry.path(),
        absl::StrCat("/tmp/export-look/xlsx-", GetParam().language, "-", entry.path().filename().string()),
        std::filesystem::copy_options::overwrite_existing);
  }
  EXPECT_GT(pages, 0);
}

INSTANTIATE_TEST_SUITE_P(
    Languages, ReportXlsxLibreOfficeTest,
    ::testing::Values(
        LanguageCase{
            "en",
            {{"Report",
              {"\"Title\",\"Customer overview\"", "\"Template\",\"overview\"",
               "\"Period start\",2026-04-01"}},
             {"Trend", {"\"2025-11-01\",120,820", "\"2026-01-01\",,905", "\"2026-04-01\",171,1012"}},
             {"Customers and structure",
              {"\"potential\",5400,54", "\"Total\",10000,100", "\"广东省\",80,60,20", "\"浙江省\",41,60,-19",
               "\"Revenue share of the top 20 %\",78.4"}},
             {"Findings", {"\"New customers\",\"浙江省\",\"previous period\",41,60,-31.7,\"high\""}}}},
        LanguageCase{
            "zh",
            {{"报告", {"\"标题\",\"客户概览\""}},
             {"趋势", {"\"2025-11-01\",120,820", "\"活跃客户指本期有互动的客户。\""}},
             {"客户总量与结构", {"\"潜在客户\",5400,54", "\"合计\",10000,100", "\"前20%客户收入占比\",78.4"}},
             {"发现", {"\"新增客户数\",\"浙江省\",\"环比\",41,60,-31.7,\"高\""}}}}),
    [](const ::testing::TestParamInfo<LanguageCase>& param) { return param.param.language; });

}  // namespace
}  // namespace custflow::reporting
