// `custflow analyze ...`: analysis requests built from the command line, answers printed
// as short tables.
#include "tools/custflow/analysis_commands.h"

#include <absl/strings/numbers.h>
#include <absl/strings/str_format.h>
#include <absl/strings/str_split.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "custflow/domain/customer_type.h"
#include "custflow/v1/reporting.grpc.pb.h"
#include "tools/custflow/cli_support.h"

namespace custflow::tools {
namespace {

constexpr char kUsage[] =
    "usage: custflow analyze describe --measure MEASURE [SCOPE]\n"
    "       custflow analyze correlate --x MEASURE --y MEASURE [SCOPE]\n"
    "       custflow analyze pareto [--top PERCENT] [SCOPE]\n"
    "       custflow analyze satisfaction [--percent PERCENT] [--limit N] [SCOPE]\n"
    "       custflow analyze complaints --by category|product|day|agent|province --from YYYY-MM-DD --to "
    "YYYY-MM-DD\n"
    "       custflow analyze rfm --from YYYY-MM-DD --to YYYY-MM-DD [SCOPE]\n"
    "       custflow analyze clusters [--k N] --from YYYY-MM-DD --to YYYY-MM-DD [SCOPE]\n"
    "MEASURE: amount, orders, interactions, satisfaction\n"
    "SCOPE: [--from YYYY-MM-DD --to YYYY-MM-DD] [--type potential,closed,lost] [--province X,..]\n"
    "       [--department X,..]; without --from/--to, the latest profiles\n";

const std::set<std::string> kScopeOptions = {"--from", "--to", "--type", "--province", "--department"};

// A usage problem, or nothing when the arguments were understood.
using Problem = std::optional<std::string>;

int Usage(const std::string& problem) {
  std::fprintf(stderr, "custflow analyze: %s\n%s", problem.c_str(), kUsage);
  return 2;
}

const std::map<std::string, v1::CustomerMeasure>& MeasureWords() {
  static const std::map<std::string, v1::CustomerMeasure> words = {
      {"amount", v1::CUSTOMER_MEASURE_CUMULATIVE_AMOUNT},
      {"orders", v1::CUSTOMER_MEASURE_ORDER_COUNT},
      {"interactions", v1::CUSTOMER_MEASURE_INTERACTION_COUNT},
      {"satisfaction", v1::CUSTOMER_MEASURE_AVERAGE_SATISFACTION}};
  return words;
}

// --from and --to (both days included) into [from, to).
Problem ParsePeriod(std::map<std::string, std::string>& options, google::protobuf::Timestamp& from,
                    google::protobuf::Timestamp& to) {
  const std::optional<std::chrono::sys_days> first = ParseDay(options["--from"]);
  const std::optional<std::chrono::sys_days> last = ParseDay(options["--to"]);
  if (!first || !last) return "--from and --to: days as YYYY-MM-DD, both given";
  from.set_seconds(std::chrono::sys_seconds(*first).time_since_epoch().count());
  to.set_seconds(std::chrono::sys_seconds(*last + std::chrono::days(1)).time_since_epoch().count());
  return std::nullopt;
}

// A comma-separated option value.
std::vector<std::string> List(const std::string& text) { return absl::StrSplit(text, ','); }

Problem ParseScope(std::map<std::string, std::string>& options, v1::AnalysisScope& scope) {
  // Without a period the scope is the latest profiles.
  if (options.contains("--from") || options.contains("--to")) {
    if (Problem problem = ParsePeriod(options, *scope.mutable_from(), *scope.mutable_to())) return problem;
  }
  if (options.contains("--type")) {
    for (const std::string& word : List(options["--type"])) {
      std::optional<v1::CustomerType> type = domain::CustomerTypeFromWord(word);
      if (!type) return "--type: potential, closed or lost, not '" + word + "'";
      scope.add_customer_types(*type);
    }
  }
  if (options.contains("--province")) {
    for (const std::string& province : List(options["--province"])) scope.add_provinces(province);
  }
  if (options.contains("--department")) {
    for (const std::string& department : List(options["--department"])) scope.add_departments(department);
  }
  return std::nullopt;
}

Problem ParseMeasure(std::map<std::string, std::string>& options, const char* option,
                     v1::CustomerMeasure& out) {
  auto found = MeasureWords().find(options[option]);
  if (found == MeasureWords().end())
    return std::string(option) + ": amount, orders, interactions or satisfaction";
  out = found->second;
  return std::nullopt;
}

Problem ParseNumber(std::map<std::string, std::string>& options, const char* option, double& out) {
  if (!options.contains(option)) return std::nullopt;
  if (!absl::SimpleAtod(options[option], &out)) return std::string(option) + ": a number";
  return std::nullopt;
}

// The options after the subcommand, refusing any not in `allowed` or the scope's.
Problem ReadOptions(int argc, char** argv, const std::set<std::string>& allowed, bool with_scope,
                    std::map<std::string, std::string>& options) {
  if ((argc - 3) % 2 != 0) return "every option takes a value";
  options = Options(argc, argv, 3);
  for (const auto& [name, value] : options) {
    if (!allowed.contains(name) && !(with_scope && kScopeOptions.contains(name)))
      return "unknown option " + name;
  }
  return std::nullopt;
}

// A value with `decimals` digits after the point, or "-" when it is absent.
std::string Optional(bool has, double value, int decimals = 4) {
  return has ? absl::StrFormat("%.*f", decimals, value) : "-";
}

std::unique_ptr<v1::ReportingService::Stub> ReportingStub() {
  return v1::ReportingService::NewStub(Connect("CUSTFLOW_REPORTING_ADDRESS", "127.0.0.1:17054"));
}

int Describe(int argc, char** argv) {
  std::map<std::string, std::string> options;
  v1::DescribeRequest request;
  v1::CustomerMeasure measure = v1::CUSTOMER_MEASURE_UNSPECIFIED;
  if (Problem problem = ReadOptions(argc, argv, {"--measure"}, true, options)) return Usage(*problem);
  if (Problem problem = ParseMeasure(options, "--measure", measure)) return Usage(*problem);
  request.set_measure(measure);
  if (Problem problem = ParseScope(options, *request.mutable_scope())) return Usage(*problem);
  grpc::ClientContext context;
  PrepareCall(context, 60);
  v1::DescribeResponse response;
  if (grpc::Status status = ReportingStub()->Describe(&context, request, &response); !status.ok())
    return Fail("analyze describe", status);
  std::printf("customers           %llu\n", static_cast<unsigned long long>(response.count()));
  const std::pair<const char*, std::string> rows[] = {
      {"mean", Optional(response.has_mean(), response.mean())},
      {"median", Optional(response.has_median(), response.median())},
      {"mode", Optional(response.has_mode(), response.mode())},
      {"standard deviation", Optional(response.has_standard_deviation(), response.standard_deviation())},
      {"min", Optional(response.has_min(), response.min())},
      {"p10", Optional(response.has_p10(), response.p10())},
      {"p25", Optional(response.has_p25(), response.p25())},
      {"p75", Optional(response.has_p75(), response.p75())},
      {"p90", Optional(response.has_p90(), response.p90())},
      {"max", Optional(response.has_max(), response.max())}};
  for (const auto& [name, value] : rows) std::printf("%-19s %s\n", name, value.c_str());
  return 0;
}

int Correlate(int argc, char** argv) {
  std::map<std::string, std::string> options;
  v1::CorrelateRequest request;
  v1::CustomerMeasure x = v1::CUSTOMER_MEASURE_UNSPECIFIED;
  v1::CustomerMeasure y = v1::CUSTOMER_MEASURE_UNSPECIFIED;
  if (Problem problem = ReadOptions(argc, argv, {"--x", "--y"}, true, options)) return Usage(*problem);
  if (Problem problem = ParseMeasure(options, "--x", x)) return Usage(*problem);
  if (Problem problem = ParseMeasure(options, "--y", y)) return Usage(*problem);
  request.set_x(x);
  request.set_y(y);
  if (Problem problem = ParseScope(options, *request.mutable_scope())) return Usage(*problem);
  grpc::ClientContext context;
  PrepareCall(context, 60);
  v1::CorrelateResponse response;
  if (grpc::Status status = ReportingStub()->Correlate(&context, request, &response); !status.ok())
    return Fail("analyze correlate", status);
  std::printf("customers %llu, Pearson r %s\n", static_cast<unsigned long long>(response.count()),
              Optional(response.has_pearson(), response.pearson()).c_str());
  return 0;
}

int Pareto(int argc, char** argv) {
  std::map<std::string, std::string> options;
  v1::ParetoRequest request;
  double top = 0;
  if (Problem problem = ReadOptions(argc, argv, {"--top"}, true, options)) return Usage(*problem);
  if (Problem problem = ParseNumber(options, "--top", top)) return Usage(*problem);
  request.set_top_percent(top);
  if (Problem problem = ParseScope(options, *request.mutable_scope())) return Usage(*problem);
  grpc::ClientContext context;
  PrepareCall(context, 60);
  v1::ParetoResponse response;
  if (grpc::Status status = ReportingStub()->Pareto(&context, request, &response); !status.ok())
    return Fail("analyze pareto", status);
  std::printf("customers with revenue  %llu (%.2f yuan)\n",
              static_cast<unsigned long long>(response.customers()), response.total_revenue());
  std::printf("top %llu customers      %.2f yuan, %s %% of revenue\n",
              static_cast<unsigned long long>(response.top_customers()), response.top_revenue(),
              Optional(response.has_top_revenue_percent(), response.top_revenue_percent(), 2).c_str());
  std::printf(
      "80 %% of revenue from   %llu customers (%s %%)\n",
      static_cast<unsigned long long>(response.customers_for_80_percent()),
      Optional(response.has_customers_for_80_percent_share(), response.customers_for_80_percent_share(), 2)
          .c_str());
  return 0;
}

void PrintSatisfactionGroup(const char* title,
                            const google::protobuf::RepeatedPtrField<v1::SatisfactionCustomer>& customers) {
  std::printf("\n%s\n%s %s %s %s %s %-9s %12s %7s %5s\n", title, Column("customer", 16).c_str(),
              Column("name", 20).c_str(), Column("owner", 10).c_str(), Column("province", 10).c_str(),
              Column("industry", 10).c_str(), "type", "amount", "score", "rated");
  for (const v1::SatisfactionCustomer& customer : customers) {
    std::printf("%s %s %s %s %s %-9s %12.2f %7.3f %5llu\n", Column(customer.customer_id(), 16).c_str(),
                Column(customer.name(), 20).c_str(), Column(customer.owner(), 10).c_str(),
                Column(customer.province(), 10).c_str(), Column(customer.industry(), 10).c_str(),
                customer.customer_type().c_str(), customer.cumulative_amount(),
                customer.average_satisfaction(),
                static_cast<unsigned long long>(customer.rated_interactions()));
  }
}

int Satisfaction(int argc, char** argv) {
  std::map<std::string, std::string> options;
  v1::SatisfactionExtremesRequest request;
  double percent = 0;
  double limit = 0;
  if (Problem problem = ReadOptions(argc, argv, {"--percent", "--limit"}, true, options))
    return Usage(*problem);
  if (Problem problem = ParseNumber(options, "--percent", percent)) return Usage(*problem);
  if (Problem problem = ParseNumber(options, "--limit", limit)) return Usage(*problem);
  request.set_percent(percent);
  request.set_limit(static_cast<int>(limit));
  if (Problem problem = ParseScope(options, *request.mutable_scope())) return Usage(*problem);
  grpc::ClientContext context;
  PrepareCall(context, 60);
  v1::SatisfactionExtremesResponse response;
  if (grpc::Status status = ReportingStub()->SatisfactionExtremes(&context, request, &response); !status.ok())
    return Fail("analyze satisfaction", status);
  std::printf("%llu rated customers; %llu in each group\n",
              static_cast<unsigned long long>(response.rated_customers()),
              static_cast<unsigned long long>(response.group_size()));
  PrintSatisfactionGroup("highest", response.top());
  PrintSatisfactionGroup("lowest", response.bottom());
  return 0;
}

int Complaints(int argc, char** argv) {
  static const std::map<std::string, v1::ComplaintGrouping> groupings = {
      {"category", v1::COMPLAINT_GROUPING_CATEGORY},
      {"product", v1::COMPLAINT_GROUPING_PRODUCT},
      {"day", v1::COMPLAINT_GROUPING_DAY},
      {"agent", v1::COMPLAINT_GROUPING_AGENT},
      {"province", v1::COMPLAINT_GROUPING_PROVINCE}};
  std::map<std::string, std::string> options;
  v1::ComplaintAnalysisRequest request;
  if (Problem problem = ReadOptions(argc, argv, {"--by", "--from", "--to"}, false, options))
    return Usage(*problem);
  auto grouping = groupings.find(options["--by"]);
  if (grouping == groupings.end()) return Usage("--by: category, product, day, agent or province");
  request.set_group_by(grouping->second);
  if (Problem problem = ParsePeriod(options, *request.mutable_from(), *request.mutable_to()))
    return Usage(*problem);
  grpc::ClientContext context;
  PrepareCall(context, 60);
  v1::ComplaintAnalysisResponse response;
  if (grpc::Status status = ReportingStub()->ComplaintAnalysis(&context, request, &response); !status.ok())
    return Fail("analyze complaints", status);
  size_t width = DisplayWidth(options["--by"]);
  for (const v1::ComplaintGroup& group : response.groups())
    width = std::max(width, DisplayWidth(group.value()));
  width = std::max<size_t>(width, 6);
  std::printf("%s %10s %10s %16s\n", Column(options["--by"], width).c_str(), "complaints", "resolved",
              "avg resolution h");
  auto print = [&](const std::string& value, const v1::ComplaintGroup& group) {
    std::printf("%s %10llu %10llu %16s\n", Column(value, width).c_str(),
                static_cast<unsigned long long>(group.complaints()),
                static_cast<unsigned long long>(group.resolved()),
                Optional(group.has_average_resolution_seconds(), group.average_resolution_seconds() / 3600, 1)
                    .c_str());
  };
  for (const v1::ComplaintGroup& group : response.groups())
    print(group.value().empty() ? "(none)" : group.value(), group);
  print("total", response.total());
  return 0;
}

// Four boundaries joined for a table row.
std::string Boundaries(const google::protobuf::RepeatedField<double>& values, int decimals) {
  std::string text;
  for (double value : values) text += absl::StrFormat("%12.*f", decimals, value);
  return values.empty() ? "           -" : text;
}

int Rfm(int argc, char** argv) {
  std::map<std::string, std::string> options;
  v1::RfmRequest request;
  if (Problem problem = ReadOptions(argc, argv, {}, true, options)) return Usage(*problem);
  if (Problem problem = ParseScope(options, *request.mutable_scope())) return Usage(*problem);
  grpc::ClientContext context;
  PrepareCall(context, 120);
  v1::RfmResponse response;
  if (grpc::Status status = ReportingStub()->Rfm(&context, request, &response); !status.ok())
    return Fail("analyze rfm", status);
  std::printf("%llu customers with orders, %.2f yuan net\n\n",
              static_cast<unsigned long long>(response.customers()), response.revenue());
  std::printf("quintile boundaries   %12s%12s%12s%12s\n", "20 %", "40 %", "60 %", "80 %");
  std::printf("recency (days)        %s\n", Boundaries(response.recency_boundaries(), 0).c_str());
  std::printf("frequency (orders)    %s\n", Boundaries(response.frequency_boundaries(), 0).c_str());
  std::printf("monetary (yuan)       %s\n", Boundaries(response.monetary_boundaries(), 2).c_str());
  std::printf("\n%s %5s %5s %10s %8s %14s\n", Column("segment", 20).c_str(), "R", "F", "customers", "share",
              "revenue");
  for (const v1::RfmSegment& segment : response.segments()) {
    std::printf("%s %2u-%-2u %2u-%-2u %10llu %7s%% %14.2f\n", Column(segment.name(), 20).c_str(),
                segment.r_min(), segment.r_max(), segment.f_min(), segment.f_max(),
                static_cast<unsigned long long>(segment.customers()),
                Optional(segment.has_customer_percent(), segment.customer_percent(), 1).c_str(),
                segment.revenue());
  }
  std::printf("\ncustomers / average monetary (yuan) by R (rows) and F (columns)\n   ");
  for (int f = 1; f <= 5; ++f) std::printf(" %21s", ("F" + std::to_string(f)).c_str());
  for (const v1::RfmCell& cell : response.grid()) {
    if (cell.f_score() == 1) std::printf("\nR%u ", cell.r_score());
    std::printf(" %8llu / %10s", static_cast<unsigned long long>(cell.customers()),
                Optional(cell.has_average_monetary(), cell.average_monetary(), 2).c_str());
  }
  std::printf("\n");
  return 0;
}

int Clusters(int argc, char** argv) {
  std::map<std::string, std::string> options;
  v1::ClusterRequest request;
  double k = 0;
  if (Problem problem = ReadOptions(argc, argv, {"--k"}, true, options)) return Usage(*problem);
  if (Problem problem = ParseNumber(options, "--k", k)) return Usage(*problem);
  request.set_k(static_cast<int>(k));
  if (Problem problem = ParseScope(options, *request.mutable_scope())) return Usage(*problem);
  grpc::ClientContext context;
  PrepareCall(context, 300);
  v1::ClusterResponse response;
  if (grpc::Status status = ReportingStub()->Cluster(&context, request, &response); !status.ok())
    return Fail("analyze clusters", status);
  std::printf("%llu customers with orders%s; k = %d, %d iterations\n\n",
              static_cast<unsigned long long>(response.customers()),
              response.sampled() ? " (a sample: the scope holds more)" : "", response.k(),
              response.iterations());
  std::printf("%s %10s %7s %9s %8s %14s %12s  %s\n", Column("cluster", 7).c_str(), "customers", "share",
              "recency d", "orders", "net spend", "satisfaction", "label");
  auto print = [](const std::string& name, const v1::CustomerCluster& cluster) {
    std::printf("%s %10llu %6.1f%% %9.1f %8.2f %14.2f %12s  %s\n", Column(name, 7).c_str(),
                static_cast<unsigned long long>(cluster.customers()), cluster.share_percent(),
                cluster.recency_days(), cluster.orders(), cluster.net_spend(),
                Optional(cluster.has_satisfaction(), cluster.satisfaction(), 2).c_str(),
                cluster.label().c_str());
  };
  for (int i = 0; i < response.clusters_size(); ++i) print(std::to_string(i + 1), response.clusters(i));
  print("all", response.overall());
  return 0;
}

}  // namespace

int Analyze(int argc, char** argv) {
  const std::string subcommand = argc > 2 ? argv[2] : "";
  if (subcommand == "describe") return Describe(argc, argv);
  if (subcommand == "correlate") return Correlate(argc, argv);
  if (subcommand == "pareto") return Pareto(argc, argv);
  if (subcommand == "satisfaction") return Satisfaction(argc, argv);
  if (subcommand == "complaints") return Complaints(argc, argv);
  if (subcommand == "rfm") return Rfm(argc, argv);
  if (subcommand == "clusters") return Clusters(argc, argv);
  return Usage(subcommand.empty() ? "a subcommand is required" : "unknown subcommand " + subcommand);
}

}  // namespace custflow::tools
