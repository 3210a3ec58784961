// `custflow reports` and `custflow report`: the request built from the command line, the
// rendered report printed section by section with its tables' columns lined up.
#include "tools/custflow/report_commands.h"

#include <absl/strings/numbers.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "custflow/v1/reporting.grpc.pb.h"
#include "services/reporting/export_documents.h"
#include "tools/custflow/cli_support.h"

namespace custflow::tools {
namespace {

constexpr char kUsage[] =
    "usage: custflow report TEMPLATE [--by-period day|week|month|quarter|year] [--period YYYY-MM-DD]\n"
    "                                [--lang en|zh] [--by DIMENSION] [--threshold PERCENT]\n"
    "                                [--points POINTS] [--min-base N] [--out FILE.pdf|FILE.xlsx]\n"
    "TEMPLATE: overview, sales, health, service, quarterly, region (custflow reports)\n"
    "--out writes the report to FILE as a PDF document or an XLSX workbook with charts\n"
    "instead of printing it.\n";

std::unique_ptr<v1::ReportingService::Stub> Reporting() {
  return v1::ReportingService::NewStub(Connect("CUSTFLOW_REPORTING_ADDRESS", "127.0.0.1:17054"));
}

std::optional<reporting::ExportFormat> FormatOfFile(const std::string& path) {
  const std::string extension = std::filesystem::path(path).extension().string();  // ".pdf"
  if (extension.empty()) return std::nullopt;
  return reporting::ExportFormatOf(std::string_view(extension).substr(1));
}

// The request from `custflow report TEMPLATE --option value ...` and the --out file, or the
// usage problem.
std::optional<std::string> BuildRequest(int argc, char** argv, v1::RenderReportRequest& request,
                                        std::string& out) {
  if (argc < 3 || argv[2][0] == '-') return "name a template";
  request.set_template_id(argv[2]);
  if ((argc - 3) % 2 != 0) return "every option takes a value";
  std::map<std::string, std::string> options = Options(argc, argv, 3);
  const std::map<std::string, void (v1::FindingThresholds::*)(double)> thresholds = {
      {"--threshold", &v1::FindingThresholds::set_relative_percent},
      {"--points", &v1::FindingThresholds::set_points},
      {"--min-base", &v1::FindingThresholds::set_minimum_base}};
  for (const auto& [name, value] : options) {
    if (auto threshold = thresholds.find(name); threshold != thresholds.end()) {
      double number = 0;
      if (!absl::SimpleAtod(value, &number)) return name + ": a number";
      (request.mutable_thresholds()->*threshold->second)(number);
    } else if (name == "--by-period") {
      auto granularity = MetricGranularities().find(value);
      if (granularity == MetricGranularities().end()) return "--by-period: day, week, month, quarter or year";
      request.set_granularity(granularity->second);
    } else if (name == "--by") {
      auto dimension = MetricDimensions().find(value);
      if (dimension == MetricDimensions().end()) return "--by: unknown dimension '" + value + "'";
      request.set_breakdown(dimension->second);
    } else if (name == "--period") {
      const std::optional<std::chrono::sys_days> period = ParseDay(value);
      if (!period.has_value()) return "--period: a day as YYYY-MM-DD";
      request.mutable_period()->set_seconds(std::chrono::sys_seconds(*period).time_since_epoch().count());
    } else if (name == "--lang") {
      request.set_language(value);
    } else if (name == "--out") {
      const std::optional<reporting::ExportFormat> format = FormatOfFile(value);
      if (format != reporting::ExportFormat::kPdf && format != reporting::ExportFormat::kXlsx) {
        return "--out: a file name ending in .pdf or .xlsx";
      }
      out = value;
    } else {
      return "unknown option " + name;
    }
  }
  return std::nullopt;
}

// The table with every column as wide as its widest cell (in terminal columns).
void PrintTable(const v1::ReportTable& table) {
  std::vector<size_t> widths;
  for (const std::string& column : table.columns()) widths.push_back(DisplayWidth(column));
  for (const v1::ReportRow& row : table.rows()) {
    for (int i = 0; i < row.cells_size() && i < static_cast<int>(widths.size()); ++i) {
      widths[i] = std::max(widths[i], DisplayWidth(row.cells(i).text()));
    }
  }
  auto print_line = [&](auto cell_text, int cells) {
    std::string line = "   ";
    for (int i = 0; i < cells && i < static_cast<int>(widths.size()); ++i)
      line += " " + Column(cell_text(i), widths[i]);
    std::printf("%s\n", line.c_str());
  };
  std::printf("  %s\n", table.title().c_str());
  print_line([&](int i) { return table.columns(i); }, table.columns_size());
  for (const v1::ReportRow& row : table.rows()) {
    print_line([&](int i) { return row.cells(i).text(); }, row.cells_size());
  }
}

}  // namespace

int Reports(int, char**) {
  grpc::ClientContext context;
  PrepareCall(context, 30);
  v1::ListTemplatesResponse response;
  if (grpc::Status status = Reporting()->ListTemplates(&context, v1::ListTemplatesRequest(), &response);
      !status.ok()) {
    return Fail("reports", status);
  }
  size_t width = 0;
  for (const v1::ReportTemplate& entry : response.templates()) width = std::max(width, entry.id().size());
  for (const v1::ReportTemplate& entry : response.templates()) {
    std::printf("%s  %s: %s\n", Column(entry.id(), width).c_str(), entry.title().c_str(),
                entry.description().c_str());
  }
  return 0;
}

int Report(int argc, char** argv) {
  v1::RenderReportRequest request;
  std::string out;
  if (std::optional<std::string> problem = BuildRequest(argc, argv, request, out)) {
    std::fprintf(stderr, "custflow: %s\n%s", problem->c_str(), kUsage);
    return 2;
  }
  grpc::ClientContext context;
  PrepareCall(context, 300);
  v1::Report report;
  if (grpc::Status status = Reporting()->RenderReport(&context, request, &report); !status.ok()) {
    return Fail("report", status);
  }
  if (!out.empty()) {
    absl::StatusOr<std::string> file = reporting::ExportReport(report, *FormatOfFile(out));
    if (!file.ok()) {
      std::fprintf(stderr, "custflow report: %s\n", file.status().ToString().c_str());
      return 1;
    }
    std::ofstream stream(out, std::ios::binary | std::ios::trunc);
    stream.write(file->data(), static_cast<std::streamsize>(file->size()));
    stream.close();
    if (!stream) {
      std::fprintf(stderr, "custflow report: cannot write %s\n", out.c_str());
      return 1;
    }
    std::printf("%s: %s, %zu bytes\n", out.c_str(), report.title().c_str(), file->size());
    return 0;
  }
  const bool chinese = report.language() == "zh";
  const std::string length = GranularityWord(report.granularity(), chinese);
  const std::string period = DayText(report.period_start().seconds());
  if (chinese) {
    std::printf("%s（%s 起的周期，%s）\n", report.title().c_str(), period.c_str(), length.c_str());
  } else {
    std::printf("%s (%s period starting %s)\n", report.title().c_str(), length.c_str(), period.c_str());
  }
  for (const v1::ReportSection& section : report.sections()) {
    std::printf("\n== %s ==\n", section.title().c_str());
    for (const v1::ReportTable& table : section.tables()) PrintTable(table);
    for (const std::string& note : section.notes()) std::printf("  * %s\n", note.c_str());
  }
  std::printf("\n== %s ==\n", chinese ? "发现" : "Findings");
  if (report.findings().empty()) std::printf("  %s\n", chinese ? "无" : "none");
  for (const v1::Finding& finding : report.findings()) std::printf("  - %s\n", finding.text().c_str());
  return 0;
}

}  // namespace custflow::tools
