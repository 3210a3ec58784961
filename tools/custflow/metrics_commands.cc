// `custflow metrics` and `custflow metric`: requests built from the command line, rows
// printed as a table with the period-over-period and year-over-year columns.
#include "tools/custflow/metrics_commands.h"

#include <absl/strings/numbers.h>
#include <absl/strings/str_format.h>
#include <absl/strings/str_join.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "custflow/v1/reporting.grpc.pb.h"
#include "tools/custflow/cli_support.h"

namespace custflow::tools {
namespace {

constexpr char kMetricUsage[] =
    "usage: custflow metric ID --by-period day|week|month|quarter|year --from YYYY-MM-DD --to YYYY-MM-DD\n"
    "                       [--by DIMENSION] [--by2 DIMENSION] [--goal YUAN]\n"
    "DIMENSION: department, team, owner, channel, province, city, district, type, industry, source\n";

std::string Number(bool has, double value) { return has ? absl::StrFormat("%.2f", value) : "-"; }

int Usage(const std::string& problem) {
  if (!problem.empty()) std::fprintf(stderr, "custflow: %s\n", problem.c_str());
  std::fputs(kMetricUsage, stderr);
  return 2;
}

// The request from `custflow metric ID --option value ...`, or the usage problem.
std::optional<std::string> BuildRequest(int argc, char** argv, v1::MetricQueryRequest& request) {
  if (argc < 3 || std::string(argv[2]).starts_with("--")) return "a metric id is required";
  request.set_metric_id(argv[2]);
  if ((argc - 3) % 2 != 0) return "every option takes a value";
  std::map<std::string, std::string> options = Options(argc, argv, 3);
  for (const auto& [name, value] : options) {
    if (name != "--by-period" && name != "--from" && name != "--to" && name != "--by" && name != "--by2" &&
        name != "--goal") {
      return "unknown option " + name;
    }
  }
  auto granularity = MetricGranularities().find(options["--by-period"]);
  if (granularity == MetricGranularities().end()) return "--by-period: day, week, month, quarter or year";
  request.set_granularity(granularity->second);
  const std::optional<std::chrono::sys_days> from = ParseDay(options["--from"]);
  const std::optional<std::chrono::sys_days> to = ParseDay(options["--to"]);
  if (!from.has_value() || !to.has_value()) return "--from and --to: days as YYYY-MM-DD";
  // --to is the last day included.
  request.mutable_from()->set_seconds(std::chrono::sys_seconds(*from).time_since_epoch().count());
  request.mutable_to()->set_seconds(
      std::chrono::sys_seconds(*to + std::chrono::days(1)).time_since_epoch().count());
  for (const char* option : {"--by", "--by2"}) {
    if (!options.contains(option)) continue;
    auto dimension = MetricDimensions().find(options[option]);
    if (dimension == MetricDimensions().end())
      return std::string(option) + ": unknown dimension '" + options[option] + "'";
    request.add_breakdowns(dimension->second);
  }
  if (options.contains("--goal")) {
    double goal = 0;
    if (!absl::SimpleAtod(options["--goal"], &goal)) return "--goal: a number of yuan";
    request.set_goal(goal);
  }
  return std::nullopt;
}

void PrintRows(const v1::MetricQueryRequest& request, const v1::MetricQueryResponse& response) {
  const v1::MetricDefinition& metric = response.metric();
  std::printf("%s (%s): %s\n\n", metric.name().c_str(), metric.unit().c_str(), metric.formula().c_str());
  std::vector<size_t> widths;
  for (int i = 0; i < request.breakdowns_size(); ++i) {
    size_t width = DisplayWidth(MetricDimensionWord(request.breakdowns(i)));
    for (const v1::MetricRow& row : response.rows())
      width = std::max(width, DisplayWidth(row.breakdown_values(i)));
    widths.push_back(width);
  }
  std::string header = "period    ";
  for (int i = 0; i < request.breakdowns_size(); ++i)
    header += " " + Column(MetricDimensionWord(request.breakdowns(i)), widths[i]);
  std::printf("%s %14s %14s %9s %14s %9s\n", header.c_str(), "value", "previous", "change%", "year ago",
              "change%");
  for (const v1::MetricRow& row : response.rows()) {
    std::string line = DayText(row.period_start().seconds());
    for (int i = 0; i < row.breakdown_values_size(); ++i) {
      line += " " + Column(row.breakdown_values(i).empty() ? "(none)" : row.breakdown_values(i), widths[i]);
    }
    std::printf("%s %14s %14s %9s %14s %9s\n", line.c_str(), Number(row.has_value(), row.value()).c_str(),
                Number(row.has_previous_value(), row.previous_value()).c_str(),
                Number(row.has_previous_change_percent(), row.previous_change_percent()).c_str(),
                Number(row.has_year_ago_value(), row.year_ago_value()).c_str(),
                Number(row.has_year_ago_change_percent(), row.year_ago_change_percent()).c_str());
  }
}

std::unique_ptr<v1::ReportingService::Stub> ReportingStub() {
  return v1::ReportingService::NewStub(Connect("CUSTFLOW_REPORTING_ADDRESS", "127.0.0.1:17054"));
}

}  // namespace

int Metrics(int, char**) {
  grpc::ClientContext context;
  PrepareCall(context, 10);
  v1::ListMetricsResponse response;
  if (grpc::Status status = ReportingStub()->ListMetrics(&context, {}, &response); !status.ok()) {
    return Fail("metrics", status);
  }
  for (const v1::MetricDefinition& metric : response.metrics()) {
    std::vector<std::string> dimensions;
    for (int dimension : metric.dimensions()) dimensions.push_back(MetricDimensionWord(dimension));
    std::printf("%s (%s)%s\n  %s: %s\n  by: %s\n", metric.id().c_str(), metric.unit().c_str(),
                metric.needs_goal() ? ", needs --goal" : "", metric.name().c_str(), metric.formula().c_str(),
                absl::StrJoin(dimensions, ", ").c_str());
  }
  return 0;
}

int Metric(int argc, char** argv) {
  v1::MetricQueryRequest request;
  if (std::optional<std::string> problem = BuildRequest(argc, argv, request)) return Usage(*problem);
  grpc::ClientContext context;
  PrepareCall(context, 60);
  v1::MetricQueryResponse response;
  if (grpc::Status status = ReportingStub()->QueryMetric(&context, request, &response); !status.ok()) {
    return Fail("metric " + request.metric_id(), status);
  }
  PrintRows(request, response);
  return 0;
}

}  // namespace custflow::tools
