// custflow: the command-line client.
//   custflow demo [--customers N] [--events N] [--seed N]
//       Sends sample customers and interactions through the running stack and prints the
//       customer distribution by province once the reports count everything sent.
//   custflow distribution [--by D] [--by2 D] [--top N] [--type potential,closed,lost]
//                         [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--stage S,..] [--department X,..]
//                         [--team X,..] [--owner X,..] [--province X,..] [--city X,..]
//                         [--district X,..] [--industry X,..] [--source X,..] [--tag T,..]
//       Customers by dimension D (province|city|district|department|team|owner|industry|
//       source|type|stage|tag, or day|week|month|quarter|year of first contact), a matrix
//       when --by2 is given, the top N values of --by plus "(other)" with --top
//       (distribution_command.h; docs/REPORTS.md).
//   custflow profile CUSTOMER_ID
//   custflow import FILE [--dry-run] [--encoding auto|utf-8|gbk]
//       Imports customers from a CSV file laid out like
//       deploy/templates/customer_import_template.csv (docs/IMPORT.md); UTF-8 with or
//       without BOM, or GBK. Prints the report; exits 0 when every row was accepted, 2 when
//       some rows were rejected, 1 when the import failed.
//   custflow search [--owner X] [--department X] [--team X] [--province X] [--city X]
//                   [--district X] [--industry X] [--source X] [--type potential|closed|lost]
//                   [--stage X] [--tag X] [--text X] [--limit N]
//       Customers matching every option, in id order (at most --limit, default 50).
//   custflow follow-up CUSTOMER_ID --content TEXT [--feedback TEXT] [--next-step TEXT]
//                      [--stage STAGE] [--agent NAME]
//   custflow duplicates [--rule phone|name|both] [--owner X]
//   custflow merge SURVIVOR_ID MERGED_ID
//   custflow erase CUSTOMER_ID
//       Anonymizes the customer everywhere (administrators only).
//   custflow quality [--owner X] [--department X]
//   custflow tags rules|explain|segment|history|validate|reload|sweep ...
//       Tag rules, segments and grades (tags_commands.h; `custflow tags --help`).
//   custflow metrics
//   custflow metric ID --by-period day|week|month|quarter|year --from YYYY-MM-DD --to YYYY-MM-DD
//                      [--by D] [--by2 D] [--goal YUAN]
//       The metrics catalog with formulas, and one metric per period (metrics_commands.h;
//       docs/METRICS.md).
//   custflow findings [--by-period month] [--by D] [--period YYYY-MM-DD] [--lang en|zh] ...
//       Abnormal swings of the watched metrics in one period (findings_commands.h).
//   custflow analyze describe|correlate|pareto|satisfaction|complaints ...
//       Customer analysis (analysis_commands.h; `custflow analyze` lists the options).
//   custflow reports
//   custflow report TEMPLATE [--by-period month] [--period YYYY-MM-DD] [--lang en|zh] ...
//       The report templates, and one rendered as aligned tables (report_commands.h).
//   custflow audit [--customer ID] [--actor NAME] [--from RFC3339] [--to RFC3339] [--limit N]
//       Master-data changes, newest first, one line per field (audit_command.h).
// Addresses come from CUSTFLOW_INGEST_ADDRESS, CUSTFLOW_PROFILE_ADDRESS,
// CUSTFLOW_TAGGING_ADDRESS and CUSTFLOW_REPORTING_ADDRESS (deploy/local/stack.sh writes them
// to .local/stack.env). Every call sends "authorization: Bearer $CUSTFLOW_TOKEN" when
// CUSTFLOW_TOKEN is set: the services refuse calls without a token once authentication is on
// (docs/SECURITY.md).
#include <google/protobuf/util/json_util.h>
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <numeric>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "custflow/domain/csv_reader.h"
#include "custflow/domain/customer_type.h"
#include "custflow/sample/sample_generator.h"
#include "custflow/v1/ingest.grpc.pb.h"
#include "custflow/v1/profile.grpc.pb.h"
#include "custflow/v1/reporting.grpc.pb.h"
#include "tools/custflow/analysis_commands.h"
#include "tools/custflow/audit_command.h"
#include "tools/custflow/cli_support.h"
#include "tools/custflow/distribution_command.h"
#include "tools/custflow/findings_commands.h"
#include "tools/custflow/metrics_commands.h"
#include "tools/custflow/report_commands.h"
#include "tools/custflow/tags_commands.h"

namespace custflow::tools {
namespace {

using Clock = std::chrono::steady_clock;

grpc::Status QueryDistribution(v1::ReportingService::Stub& reporting, v1::Dimension dimension,
                               v1::DistributionResponse& out) {
  grpc::ClientContext context;
  PrepareCall(context, 30);
  v1::DistributionRequest request;
  request.set_dimension(dimension);
  return reporting.Distribution(&context, request, &out);
}

std::unique_ptr<v1::ProfileService::Stub> ProfileStub() {
  return v1::ProfileService::NewStub(Connect("CUSTFLOW_PROFILE_ADDRESS", "127.0.0.1:17052"));
}

int Profile(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: custflow profile CUSTOMER_ID\n");
    return 2;
  }
  auto profiles = ProfileStub();
  grpc::ClientContext context;
  PrepareCall(context, 10);
  v1::GetProfileRequest request;
  request.set_customer_id(argv[2]);
  v1::GetProfileResponse response;
  if (grpc::Status status = profiles->GetProfile(&context, request, &response); !status.ok()) {
    return Fail("profile", status);
  }
  std::string json;
  google::protobuf::util::JsonPrintOptions print;
  print.add_whitespace = true;
  (void)google::protobuf::util::MessageToJsonString(response.profile(), &json, print);
  std::printf("%s", json.c_str());
  return 0;
}

int Search(int argc, char** argv) {
  std::map<std::string, std::string> options = Options(argc, argv, 2);
  v1::SearchCustomersRequest request;
  v1::CustomerFilter& filter = *request.mutable_filter();
  const std::map<std::string, std::string*> text_options = {
      {"--owner", filter.mutable_owner()},
      {"--department", filter.mutable_department()},
      {"--team", filter.mutable_team()},
      {"--province", filter.mutable_region()->mutable_province()},
      {"--city", filter.mutable_region()->mutable_city()},
      {"--district", filter.mutable_region()->mutable_district()},
      {"--industry", filter.mutable_industry()},
      {"--source", filter.mutable_source()},
      {"--stage", filter.mutable_follow_up_stage()},
      {"--tag", filter.mutable_tag()},
      {"--text", filter.mutable_text()}};
  size_t limit = 50;
  for (const auto& [name, value] : options) {
    if (auto it = text_options.find(name); it != text_options.end()) {
      *it->second = value;
    } else if (name == "--type") {
      std::optional<v1::CustomerType> type = domain::CustomerTypeFromWord(value);
      if (!type) {
        std::fprintf(stderr, "custflow search: --type is potential, closed or lost, not '%s'\n",
                     value.c_str());
        return 2;
      }
      filter.set_type(*type);
    } else if (name == "--limit") {
      limit = std::strtoul(value.c_str(), nullptr, 10);
    } else {
      std::fprintf(stderr, "custflow search: unknown option %s\n", name.c_str());
      return 2;
    }
  }
  auto profiles = ProfileStub();
  std::printf("%-20s %-30s %-10s %-10s %-12s %s\n", "customer", "name", "owner", "type", "province", "city");
  size_t shown = 0;
  do {
    request.set_page_size(static_cast<int>(std::min<size_t>(limit - shown, 500)));
    grpc::ClientContext context;
    PrepareCall(context, 30);
    v1::SearchCustomersResponse page;
    if (grpc::Status status = profiles->SearchCustomers(&context, request, &page); !status.ok()) {
      return Fail("search", status);
    }
    for (const v1::Profile& profile : page.profiles()) {
      const v1::Customer& c = profile.customer();
      std::printf("%s %s %s %s %s %s\n", Column(profile.customer_id(), 20).c_str(),
                  Column(c.name(), 30).c_str(), Column(c.owner(), 10).c_str(),
                  Column(domain::CustomerTypeWord(c.type()), 10).c_str(),
                  Column(c.region().province(), 12).c_str(), c.region().city().c_str());
      ++shown;
    }
    request.set_page_token(page.next_page_token());
  } while (!request.page_token().empty() && shown < limit);
  std::printf("(%zu shown%s)\n", shown, request.page_token().empty() ? "" : "; more match");
  return 0;
}

int FollowUp(int argc, char** argv) {
  if (argc < 3 || argv[2][0] == '-') {
    std::fprintf(stderr,
                 "usage: custflow follow-up CUSTOMER_ID --content TEXT [--feedback TEXT] "
                 "[--next-step TEXT] [--stage STAGE] [--agent NAME]\n");
    return 2;
  }
  std::map<std::string, std::string> options = Options(argc, argv, 3);
  v1::AddFollowUpRequest request;
  request.set_customer_id(argv[2]);
  request.set_agent(options["--agent"]);
  request.mutable_follow_up()->set_content(options["--content"]);
  request.mutable_follow_up()->set_customer_feedback(options["--feedback"]);
  request.mutable_follow_up()->set_next_step(options["--next-step"]);
  request.mutable_follow_up()->set_stage(options["--stage"]);
  request.set_wait_applied(true);
  grpc::ClientContext context;
  PrepareCall(context, 30);
  v1::AddFollowUpResponse response;
  if (grpc::Status status = ProfileStub()->AddFollowUp(&context, request, &response); !status.ok()) {
    return Fail("follow-up", status);
  }
  std::printf("logged %s; %s now has %llu follow-ups, stage '%s'\n", response.event_id().c_str(), argv[2],
              static_cast<unsigned long long>(response.profile().follow_up_count()),
              response.profile().customer().follow_up_stage().c_str());
  return 0;
}

int Duplicates(int argc, char** argv) {
  std::map<std::string, std::string> options = Options(argc, argv, 2);
  v1::FindDuplicatesRequest request;
  const std::map<std::string, v1::DuplicateRule> rules = {{"phone", v1::DUPLICATE_RULE_PHONE},
                                                          {"name", v1::DUPLICATE_RULE_NAME},
                                                          {"both", v1::DUPLICATE_RULE_PHONE_AND_NAME}};
  if (options.contains("--rule")) {
    auto rule = rules.find(options["--rule"]);
    if (rule == rules.end()) {
      std::fprintf(stderr, "custflow duplicates: --rule is phone, name or both\n");
      return 2;
    }
    request.set_rule(rule->second);
  }
  request.set_owner(options["--owner"]);
  grpc::ClientContext context;
  PrepareCall(context, 120);
  v1::FindDuplicatesResponse response;
  if (grpc::Status status = ProfileStub()->FindDuplicates(&context, request, &response); !status.ok()) {
    return Fail("duplicates", status);
  }
  for (const v1::DuplicateGroup& group : response.groups()) {
    std::printf("%s %s\n", v1::DuplicateRule_Name(group.rule()).c_str(), group.key().c_str());
    for (const std::string& evidence : group.evidence()) std::printf("  %s\n", evidence.c_str());
  }
  std::printf("%d groups among %llu customers\n", response.groups_size(),
              static_cast<unsigned long long>(response.customers_examined()));
  return 0;
}

int Erase(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: custflow erase CUSTOMER_ID\n");
    return 2;
  }
  v1::EraseCustomerRequest request;
  request.set_customer_id(argv[2]);
  request.set_wait_applied(true);
  grpc::ClientContext context;
  PrepareCall(context, 30);
  v1::EraseCustomerResponse response;
  if (grpc::Status status = ProfileStub()->EraseCustomer(&context, request, &response); !status.ok()) {
    return Fail("erase", status);
  }
  std::printf("erased %s: personal data cleared; %llu orders and %llu follow-ups still counted\n", argv[2],
              static_cast<unsigned long long>(response.profile().order_count()),
              static_cast<unsigned long long>(response.profile().follow_up_count()));
  return 0;
}

int Merge(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: custflow merge SURVIVOR_ID MERGED_ID\n");
    return 2;
  }
  v1::MergeCustomersRequest request;
  request.set_survivor_id(argv[2]);
  request.set_merged_id(argv[3]);
  request.set_wait_applied(true);
  grpc::ClientContext context;
  PrepareCall(context, 30);
  v1::MergeCustomersResponse response;
  if (grpc::Status status = ProfileStub()->MergeCustomers(&context, request, &response); !status.ok()) {
    return Fail("merge", status);
  }
  const v1::Profile& survivor = response.survivor();
  std::printf("merged %s into %s: %llu interactions, %llu orders, %llu follow-ups\n", argv[3], argv[2],
              static_cast<unsigned long long>(std::accumulate(
                  survivor.interaction_counts().begin(), survivor.interaction_counts().end(), uint64_t{0},
                  [](uint64_t sum, const auto& entry) { return sum + entry.second; })),
              static_cast<unsigned long long>(survivor.order_count()),
              static_cast<unsigned long long>(survivor.follow_up_count()));
  return 0;
}

int Quality(int argc, char** argv) {
  std::map<std::string, std::string> options = Options(argc, argv, 2);
  v1::QualityReportRequest request;
  request.set_owner(options["--owner"]);
  request.set_department(options["--department"]);
  grpc::ClientContext context;
  PrepareCall(context, 120);
  v1::QualityReportResponse report;
  if (grpc::Status status = ProfileStub()->QualityReport(&context, request, &report); !status.ok()) {
    return Fail("quality", status);
  }
  std::printf("%llu customers; %.1f %% complete (target %.0f %%); %llu customers in %llu duplicate groups\n",
              static_cast<unsigned long long>(report.customers()), report.complete_percent(),
              report.target_percent(), static_cast<unsigned long long>(report.duplicate_customers()),
              static_cast<unsigned long long>(report.duplicate_groups()));
  for (const v1::FieldCompleteness& field : report.fields()) {
    std::printf("  %-16s %8llu filled  %6.1f %%\n", field.field().c_str(),
                static_cast<unsigned long long>(field.filled()), field.rate_percent());
  }
  for (const v1::OwnerMissing& owner : report.missing_by_owner()) {
    std::printf("%s: %d incomplete\n", owner.owner().empty() ? "(no owner)" : owner.owner().c_str(),
                owner.records_size());
    for (const v1::MissingRecord& record : owner.records()) {
      std::string fields;
      for (const std::string& field : record.missing_fields()) fields += (fields.empty() ? "" : ", ") + field;
      std::printf("  %s %s missing %s\n", Column(record.customer_id(), 20).c_str(),
                  Column(record.name(), 30).c_str(), fields.c_str());
    }
  }
  return 0;
}

struct ImportArguments {
  std::string file;
  bool dry_run = false;
  domain::CsvEncoding encoding = domain::CsvEncoding::kAuto;
};

bool ParseImportArguments(int argc, char** argv, ImportArguments& out) {
  for (int i = 2; i < argc; ++i) {
    std::string argument = argv[i];
    if (argument == "--dry-run") {
      out.dry_run = true;
    } else if (argument == "--encoding" && i + 1 < argc) {
      absl::StatusOr<domain::CsvEncoding> encoding = domain::ParseCsvEncoding(argv[++i]);
      if (!encoding.ok()) {
        std::fprintf(stderr, "custflow: %s\n", std::string(encoding.status().message()).c_str());
        return false;
      }
      out.encoding = *encoding;
    } else if (out.file.empty() && !argument.starts_with("--")) {
      out.file = argument;
    } else {
      std::fprintf(stderr, "custflow: unexpected argument '%s'\n", argument.c_str());
      return false;
    }
  }
  if (out.file.empty())
    std::fprintf(stderr, "usage: custflow import FILE [--dry-run] [--encoding auto|utf-8|gbk]\n");
  return !out.file.empty();
}

absl::StatusOr<std::string> ReadDecoded(const ImportArguments& arguments) {
  std::ifstream in(arguments.file, std::ios::binary);
  if (!in) return absl::NotFoundError("cannot open " + arguments.file);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return domain::DecodeToUtf8(bytes.str(), arguments.encoding);
}

void PrintImportReport(const std::string& file, const v1::ImportReport& report) {
  auto count = [](uint64_t n) { return static_cast<unsigned long long>(n); };
  std::printf("%s: %llu rows: %llu imported, %llu updated, %llu unchanged, %llu rejected%s\n", file.c_str(),
              count(report.rows()), count(report.imported()), count(report.updated()),
              count(report.unchanged()), count(report.rejected()),
              report.dry_run() ? " (dry run: nothing written)" : "");
  if (report.duplicates_size() > 0) std::printf("possible duplicates (imported anyway):\n");
  for (const v1::ImportDuplicate& duplicate : report.duplicates()) {
    std::printf("  row %llu (%s): %s as %s\n", count(duplicate.row_number()), duplicate.customer_id().c_str(),
                duplicate.rule().c_str(), duplicate.matches().c_str());
  }
  if (report.errors_size() > 0) std::printf("rejected rows:\n");
  for (const v1::RowError& error : report.errors()) {
    if (error.field().empty()) {
      std::printf("  row %llu: %s\n", count(error.row_number()), error.reason().c_str());
    } else {
      std::printf("  row %llu, %s: %s\n", count(error.row_number()), error.field().c_str(),
                  error.reason().c_str());
    }
  }
}

int Import(int argc, char** argv) {
  ImportArguments arguments;
  if (!ParseImportArguments(argc, argv, arguments)) return 1;
  absl::StatusOr<std::string> text = ReadDecoded(arguments);
  if (!text.ok()) {
    std::fprintf(stderr, "custflow: %s: %s\n", arguments.file.c_str(),
                 std::string(text.status().message()).c_str());
    return 1;
  }
  domain::CsvReader csv(*text);
  absl::StatusOr<std::optional<domain::CsvRow>> header = csv.Next();
  if (!header.ok() || !*header) {
    std::fprintf(stderr, "custflow: %s: %s\n", arguments.file.c_str(),
                 header.ok() ? "the file has no header row" : std::string(header.status().message()).c_str());
    return 1;
  }

  // A report lists every bad row: let it be larger than gRPC's default 4 MB.
  grpc::ChannelArguments channel_arguments;
  channel_arguments.SetMaxReceiveMessageSize(256 << 20);
  auto profiles = v1::ProfileService::NewStub(grpc::CreateCustomChannel(
      Address("CUSTFLOW_PROFILE_ADDRESS", "127.0.0.1:17052"), ChannelCredentials(), channel_arguments));
  // No deadline: a large file streams for as long as it takes.
  grpc::ClientContext context;
  AddCredentials(context);
  v1::ImportReport report;
  std::unique_ptr<grpc::ClientWriter<v1::ImportCustomersRequest>> writer =
      profiles->ImportCustomers(&context, &report);

  std::string file_name = std::filesystem::path(arguments.file).filename().string();
  v1::ImportCustomersRequest request;
  v1::ImportHeader& first = *request.mutable_header();
  first.mutable_columns()->Assign((*header)->cells.begin(), (*header)->cells.end());
  first.set_file_name(file_name);
  first.set_dry_run(arguments.dry_run);
  bool open = writer->Write(request);
  uint64_t sent = 0;
  auto started = Clock::now();
  while (open) {
    absl::StatusOr<std::optional<domain::CsvRow>> row = csv.Next();
    if (!row.ok()) {
      context.TryCancel();
      std::fprintf(stderr, "custflow: %s: %s; nothing after it was sent\n", arguments.file.c_str(),
                   std::string(row.status().message()).c_str());
      (void)writer->Finish();
      return 1;
    }
    if (!*row) break;
    request.Clear();
    request.mutable_row()->set_row_number((*row)->row_number);
    request.mutable_row()->mutable_cells()->Assign((*row)->cells.begin(), (*row)->cells.end());
    open = writer->Write(request);
    if (++sent % 10'000 == 0) {
      double seconds = std::chrono::duration<double>(Clock::now() - started).count();
      std::fprintf(stderr, "custflow: %s: %llu rows sent (%.0f rows/s)\n", file_name.c_str(),
                   static_cast<unsigned long long>(sent), sent / seconds);
    }
  }
  writer->WritesDone();
  if (grpc::Status status = writer->Finish(); !status.ok()) return Fail("import " + arguments.file, status);
  PrintImportReport(file_name, report);
  return report.rejected() > 0 ? 2 : 0;
}

// Expected per province: customers and interactions the demo adds.
using Expected = std::map<std::string, std::pair<uint64_t, uint64_t>>;

std::map<std::string, std::pair<uint64_t, uint64_t>> ByValue(const v1::DistributionResponse& distribution) {
  std::map<std::string, std::pair<uint64_t, uint64_t>> out;
  for (const auto& row : distribution.rows()) out[row.value()] = {row.customers(), row.interactions()};
  return out;
}

int Demo(int argc, char** argv) {
  auto options = Options(argc, argv, 2);
  int customers = std::atoi(options.contains("--customers") ? options["--customers"].c_str() : "200");
  int events = std::atoi(options.contains("--events") ? options["--events"].c_str() : "5000");
  uint64_t seed = std::strtoull(options.contains("--seed") ? options["--seed"].c_str() : "42", nullptr, 10);
  std::string run =
      "demo" + std::to_string(std::chrono::system_clock::now().time_since_epoch().count() / 1000000);
  sample::SampleData data = sample::GenerateSample(run, seed, customers, events);

  auto ingest = v1::IngestService::NewStub(Connect("CUSTFLOW_INGEST_ADDRESS", "127.0.0.1:17051"));
  auto profiles = ProfileStub();
  auto reporting = v1::ReportingService::NewStub(Connect("CUSTFLOW_REPORTING_ADDRESS", "127.0.0.1:17054"));

  v1::DistributionResponse before;
  if (grpc::Status status = QueryDistribution(*reporting, v1::DIMENSION_PROVINCE, before); !status.ok()) {
    return Fail("distribution", status);
  }
  Expected expected;
  std::map<std::string, std::string> province_of;
  for (const v1::Customer& customer : data.customers) {
    grpc::ClientContext context;
    PrepareCall(context, 10);
    v1::UpsertCustomerRequest request;
    *request.mutable_customer() = customer;
    v1::UpsertCustomerResponse response;
    if (grpc::Status status = profiles->UpsertCustomer(&context, request, &response); !status.ok()) {
      return Fail("upsert " + customer.customer_id(), status);
    }
    expected[customer.region().province()].first += 1;
    province_of[customer.customer_id()] = customer.region().province();
  }
  std::printf("upserted %d customers (run %s)\n", customers, run.c_str());

  auto started = Clock::now();
  constexpr int kBatch = 500;
  for (size_t first = 0; first < data.events.size(); first += kBatch) {
    v1::PublishBatchRequest request;
    for (size_t i = first; i < std::min(data.events.size(), first + kBatch); ++i)
      *request.add_events() = data.events[i];
    grpc::ClientContext context;
    PrepareCall(context, 30);
    v1::PublishBatchResponse response;
    if (grpc::Status status = ingest->PublishBatch(&context, request, &response); !status.ok()) {
      return Fail("publish", status);
    }
    for (const v1::EventResult& result : response.results()) {
      if (result.code() != 0) {
        std::fprintf(stderr, "custflow: event %s not accepted: %s\n", result.event_id().c_str(),
                     result.message().c_str());
        return 1;
      }
    }
  }
  for (const v1::Interaction& event : data.events)
    expected[province_of[event.customer().customer_id()]].second += 1;
  double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  std::printf("published %zu events, all acknowledged after Kafka delivery (%.0f events/s)\n",
              data.events.size(), data.events.size() / seconds);

  auto base = ByValue(before);
  v1::DistributionResponse after;
  auto deadline = Clock::now() + std::chrono::seconds(120);
  bool complete = false;
  while (!complete && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    if (grpc::Status status = QueryDistribution(*reporting, v1::DIMENSION_PROVINCE, after); !status.ok()) {
      return Fail("distribution", status);
    }
    auto now = ByValue(after);
    complete = true;
    for (const auto& [province, counts] : expected) {
      complete &= now[province].first - base[province].first == counts.first &&
                  now[province].second - base[province].second == counts.second;
    }
  }
  std::printf("\ncustomer distribution by province (this run / all runs):\n");
  std::printf("%-12s %9s %9s %13s %13s %s\n", "province", "customers", "expected", "interactions", "expected",
              "");
  auto now = ByValue(after);
  for (const auto& [province, counts] : expected) {
    uint64_t got_customers = now[province].first - base[province].first;
    uint64_t got_events = now[province].second - base[province].second;
    bool ok = got_customers == counts.first && got_events == counts.second;
    std::printf("%s %9llu %9llu %13llu %13llu %s\n", Column(province, 12).c_str(),
                static_cast<unsigned long long>(got_customers), static_cast<unsigned long long>(counts.first),
                static_cast<unsigned long long>(got_events), static_cast<unsigned long long>(counts.second),
                ok ? "ok" : "MISMATCH");
  }
  std::printf("\nall runs:\n");
  std::fputs(FormatDistribution(after, "province", "").c_str(), stdout);
  if (!complete) {
    std::fprintf(stderr, "custflow: the report did not count every event within 120 s\n");
    return 1;
  }
  std::printf("\nthe report counts every customer and event this run sent\n");
  return 0;
}

}  // namespace
}  // namespace custflow::tools

int main(int argc, char** argv) {
  std::string command = argc > 1 ? argv[1] : "";
  if (command == "demo") return custflow::tools::Demo(argc, argv);
  if (command == "distribution") return custflow::tools::DistributionCommand(argc, argv);
  if (command == "profile") return custflow::tools::Profile(argc, argv);
  if (command == "import") return custflow::tools::Import(argc, argv);
  if (command == "search") return custflow::tools::Search(argc, argv);
  if (command == "follow-up") return custflow::tools::FollowUp(argc, argv);
  if (command == "duplicates") return custflow::tools::Duplicates(argc, argv);
  if (command == "merge") return custflow::tools::Merge(argc, argv);
  if (command == "erase") return custflow::tools::Erase(argc, argv);
  if (command == "quality") return custflow::tools::Quality(argc, argv);
  if (command == "tags") return custflow::tools::Tags(argc, argv);
  if (command == "metrics") return custflow::tools::Metrics(argc, argv);
  if (command == "metric") return custflow::tools::Metric(argc, argv);
  if (command == "analyze") return custflow::tools::Analyze(argc, argv);
  if (command == "findings") return custflow::tools::Findings(argc, argv);
  if (command == "reports") return custflow::tools::Reports(argc, argv);
  if (command == "report") return custflow::tools::Report(argc, argv);
  if (command == "audit") return custflow::tools::Audit(argc, argv);
  std::fprintf(
      stderr,
      "usage: custflow demo [--customers N] [--events N] [--seed N]\n"
      "       custflow distribution [--by D] [--by2 D] [--top N] [--type potential,closed,lost]\n"
      "                             [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--stage S,..] [--department "
      "X,..]\n"
      "                             [--team X,..] [--owner X,..] [--province X,..] [--city X,..]\n"
      "                             [--district X,..] [--industry X,..] [--source X,..] [--tag T,..]\n"
      "           D: province|city|district|department|team|owner|industry|source|type|stage|tag|\n"
      "              day|week|month|quarter|year (new customers by first contact)\n"
      "       custflow profile CUSTOMER_ID\n"
      "       custflow import FILE [--dry-run] [--encoding auto|utf-8|gbk]\n"
      "       custflow search [--owner X] [--department X] [--team X] [--province X] [--city X] [--district "
      "X]\n"
      "                       [--industry X] [--source X] [--type potential|closed|lost] [--stage X] [--tag "
      "X]\n"
      "                       [--text X] [--limit N]\n"
      "       custflow follow-up CUSTOMER_ID --content TEXT [--feedback TEXT] [--next-step TEXT] [--stage "
      "S]\n"
      "                          [--agent NAME]\n"
      "       custflow duplicates [--rule phone|name|both] [--owner X]\n"
      "       custflow merge SURVIVOR_ID MERGED_ID\n"
      "       custflow erase CUSTOMER_ID\n"
      "       custflow quality [--owner X] [--department X]\n"
      "       custflow tags rules|explain|segment|history|validate|reload|sweep ... (custflow tags "
      "--help)\n"
      "       custflow analyze describe|correlate|pareto|satisfaction|complaints ... (custflow analyze)\n"
      "       custflow metrics\n"
      "       custflow metric ID --by-period day|week|month|quarter|year --from YYYY-MM-DD --to YYYY-MM-DD\n"
      "                       [--by D] [--by2 D] [--goal YUAN]\n"
      "       custflow findings [--by-period month] [--by D] [--period YYYY-MM-DD] [--lang en|zh]\n"
      "                         [--metrics ID,..] [--threshold PERCENT] [--points POINTS]\n"
      "                         [--min-base N] [--max N]\n"
      "       custflow reports\n"
      "       custflow report TEMPLATE [--by-period month] [--period YYYY-MM-DD] [--lang en|zh]\n"
      "       custflow audit [--customer ID] [--actor NAME] [--from RFC3339] [--to RFC3339] [--limit N]\n"
      "environment: CUSTFLOW_TOKEN  the bearer token sent with every call (docs/SECURITY.md)\n"
      "             CUSTFLOW_INGEST_ADDRESS, CUSTFLOW_PROFILE_ADDRESS, CUSTFLOW_TAGGING_ADDRESS,\n"
      "             CUSTFLOW_REPORTING_ADDRESS  the services (host:port)\n");
  return 2;
}
