// `custflow findings`: the request built from the command line, the findings printed one
// sentence a line with their severity.
#include "tools/custflow/findings_commands.h"

#include <absl/strings/numbers.h>
#include <absl/strings/str_split.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <optional>
#include <string>

#include "custflow/v1/reporting.grpc.pb.h"
#include "tools/custflow/cli_support.h"

namespace custflow::tools {
namespace {

constexpr char kUsage[] =
    "usage: custflow findings [--by-period day|week|month|quarter|year] [--by DIMENSION]\n"
    "                         [--period YYYY-MM-DD] [--lang en|zh] [--metrics ID,..]\n"
    "                         [--threshold PERCENT] [--points POINTS] [--min-base N] [--max N]\n"
    "DIMENSION: department, team, owner, channel, province, city, district, type, industry, source\n";

// The threshold option `name` into `set`, or the usage problem.
std::optional<std::string> Threshold(std::map<std::string, std::string>& options, const std::string& name,
                                     void (v1::FindingThresholds::*set)(double), v1::FindingThresholds& out) {
  if (!options.contains(name)) return std::nullopt;
  double value = 0;
  if (!absl::SimpleAtod(options[name], &value)) return name + ": a number";
  (out.*set)(value);
  return std::nullopt;
}

// The request from `custflow findings --option value ...`, or the usage problem.
std::optional<std::string> BuildRequest(int argc, char** argv, v1::FindingsRequest& request) {
  if ((argc - 2) % 2 != 0) return "every option takes a value";
  std::map<std::string, std::string> options = Options(argc, argv, 2);
  for (const auto& [name, value] : options) {
    if (name != "--by-period" && name != "--by" && name != "--period" && name != "--lang" &&
        name != "--metrics" && name != "--threshold" && name != "--points" && name != "--min-base" &&
        name != "--max") {
      return "unknown option " + name;
    }
  }
  if (options.contains("--by-period")) {
    auto granularity = MetricGranularities().find(options["--by-period"]);
    if (granularity == MetricGranularities().end()) return "--by-period: day, week, month, quarter or year";
    request.set_granularity(granularity->second);
  }
  if (options.contains("--by")) {
    auto dimension = MetricDimensions().find(options["--by"]);
    if (dimension == MetricDimensions().end()) return "--by: unknown dimension '" + options["--by"] + "'";
    request.set_breakdown(dimension->second);
  }
  if (options.contains("--period")) {
    const std::optional<std::chrono::sys_days> period = ParseDay(options["--period"]);
    if (!period.has_value()) return "--period: a day as YYYY-MM-DD";
    request.mutable_period()->set_seconds(std::chrono::sys_seconds(*period).time_since_epoch().count());
  }
  request.set_language(options.contains("--lang") ? options["--lang"] : "en");
  if (options.contains("--metrics")) {
    for (absl::string_view id : absl::StrSplit(options["--metrics"], ',', absl::SkipEmpty()))
      request.add_metric_ids(std::string(id));
  }
  v1::FindingThresholds& thresholds = *request.mutable_thresholds();
  for (auto problem :
       {Threshold(options, "--threshold", &v1::FindingThresholds::set_relative_percent, thresholds),
        Threshold(options, "--points", &v1::FindingThresholds::set_points, thresholds),
        Threshold(options, "--min-base", &v1::FindingThresholds::set_minimum_base, thresholds)}) {
    if (problem.has_value()) return problem;
  }
  if (options.contains("--max")) {
    uint32_t max = 0;
    if (!absl::SimpleAtoi(options["--max"], &max)) return "--max: a whole number";
    request.set_max_findings(max);
  }
  return std::nullopt;
}

std::string SeverityWord(v1::FindingSeverity severity, bool chinese) {
  switch (severity) {
    case v1::FINDING_SEVERITY_HIGH:
      return chinese ? "高" : "high";
    case v1::FINDING_SEVERITY_MEDIUM:
      return chinese ? "中" : "medium";
    default:
      return chinese ? "低" : "low";
  }
}

}  // namespace

int Findings(int argc, char** argv) {
  v1::FindingsRequest request;
  if (std::optional<std::string> problem = BuildRequest(argc, argv, request)) {
    std::fprintf(stderr, "custflow: %s\n%s", problem->c_str(), kUsage);
    return 2;
  }
  grpc::ClientContext context;
  PrepareCall(context, 120);
  v1::FindingsResponse response;
  auto reporting = v1::ReportingService::NewStub(Connect("CUSTFLOW_REPORTING_ADDRESS", "127.0.0.1:17054"));
  if (grpc::Status status = reporting->Findings(&context, request, &response); !status.ok()) {
    return Fail("findings", status);
  }
  const bool chinese = request.language() == "zh";
  const std::string length = GranularityWord(response.granularity(), chinese);
  const std::string period = DayText(response.period_start().seconds());
  if (chinese) {
    std::printf("%s 起的周期（%s）：%u 项发现，显示 %d 项\n", period.c_str(), length.c_str(),
                response.total_findings(), response.findings_size());
  } else {
    std::printf("%s period starting %s: %u findings, %d shown\n", length.c_str(), period.c_str(),
                response.total_findings(), response.findings_size());
  }
  for (const v1::Finding& finding : response.findings()) {
    std::printf("  [%s] %s\n", SeverityWord(finding.severity(), chinese).c_str(), finding.text().c_str());
  }
  return 0;
}

}  // namespace custflow::tools
