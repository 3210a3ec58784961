// custflow-report-bench: the reporting queries (QueryDistribution, QueryMetric) against
// hand-written SQL for the same answers, over generated data, for tests/bench/report_bench.sh.
//
//   custflow-report-bench load --customers N --interactions M --clickhouse URL [--versions V]
//   custflow-report-bench run --clickhouse URL [--repeat R]
//
// `load` applies the migrations and inserts N profiles of V versions each (default 3, one
// insert per version as the sink writes snapshots over time; older versions have another
// province, type and tags; one customer in 50 is merged into another in its latest
// version) and M interactions spread over 2024 and 2025, as RowBinary in blocks below
// ClickHouse's max_insert_block_size. `run` times each request R times through our API (HTTP, in
// process) and its hand-written SQL through the HTTP interface with a curl process per
// query, interleaved, and prints median / p95 / ratio and the verdict.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_format.h"
#include "custflow/clickhouse/http_clickhouse_client.h"
#include "custflow/v1/metrics.pb.h"
#include "custflow/v1/reporting.pb.h"
#include "services/reporting/csv_export.h"
#include "services/reporting/distribution.h"
#include "services/reporting/metrics.h"
#include "services/reporting/schema.h"

namespace custflow::loadgen {
namespace {

constexpr int64_t kJan2024 = 1704067200;  // data spans 2024-01-01 .. 2025-12-31 (UTC)
constexpr int64_t kJan2025 = 1735689600;
constexpr int64_t kJan2026 = 1767225600;
constexpr size_t kRowsPerInsert = 500'000;  // below max_insert_block_size (1,048,576)
constexpr double kRatioGoal = 1.5;
constexpr double kP95GoalSeconds = 1.0;

struct Options {
  std::string command;
  std::string clickhouse = "http://127.0.0.1:8123";
  size_t customers = 0;
  size_t interactions = 0;
  size_t versions = 3;
  int repeat = 10;
};

// A deterministic spread of n over [0, size): a multiplicative hash, so neighbouring n
// land far apart.
size_t Spread(size_t n, size_t salt, size_t size) {
  return static_cast<size_t>(((n + 1) * 0x9E3779B97F4A7C15ULL + salt * 0xBF58476D1CE4E5B9ULL) >> 20) % size;
}

std::string CustomerId(size_t n) { return absl::StrFormat("c-%07d", n); }

const std::vector<std::string>& Provinces() {
  static const std::vector<std::string> provinces = {"广东", "浙江", "江苏", "北京", "上海", "四川", "湖北",
                                                     "山东", "福建", "河南", "湖南", "安徽", "陕西", "重庆",
                                                     "天津", "辽宁", "云南", "广西", "江西", "河北"};
  return provinces;
}

// Version `version` of `versions` of customer n; only the latest counts in the reports.
void AppendProfile(clickhouse::RowBinaryWriter& rows, size_t n, size_t version, size_t versions,
                   size_t customers) {
  static const char* const kDepartments[] = {"销售部", "售后", "客服中心", "市场部", "大客户部"};
  static const char* const kTypes[] = {"potential", "potential", "closed", "lost"};
  static const char* const kIndustries[] = {"零售", "制造", "教育", "医疗", "金融", "物流", "餐饮", "互联网"};
  static const char* const kSources[] = {"web", "phone", "store", "referral", "ads", "import"};
  static const char* const kTags[] = {"vip",     "high_value", "churn_risk", "new",
                                      "dormant", "complainer", "loyal"};
  const bool latest = version == versions;
  // Salts of the older versions differ, so their province, type and tags do too.
  const size_t salt = latest ? 0 : 100 * version;
  const size_t province = Spread(n, 1 + salt, Provinces().size());
  const size_t department = Spread(n, 2, 5);
  rows.WriteString(CustomerId(n));
  rows.WriteUInt64(version);
  rows.WriteDateTime(static_cast<uint32_t>(kJan2026 - static_cast<int64_t>(versions - version) * 86400));
  rows.WriteString(kTypes[Spread(n, 3 + salt, 4)]);
  rows.WriteString("owner-" + std::to_string(Spread(n, 4, 200)));
  rows.WriteString(kDepartments[department]);
  rows.WriteString("team-" + std::to_string(department) + "-" + std::to_string(Spread(n, 5, 6)));
  rows.WriteString(Provinces()[province]);
  rows.WriteString(Provinces()[province] + "-city-" + std::to_string(Spread(n, 6, 15)));
  rows.WriteString(kIndustries[Spread(n, 7, 8)]);
  rows.WriteString(kSources[Spread(n, 8, 6)]);
  // One in twenty first contacts unknown (0), the rest over the two years.
  rows.WriteDateTime(
      Spread(n, 9, 20) == 0
          ? 0
          : static_cast<uint32_t>(kJan2024 + static_cast<int64_t>(Spread(n, 10, kJan2026 - kJan2024))));
  rows.WriteUInt64(Spread(n, 11, 40) * version / versions);
  // Up to three distinct tags: a run of consecutive entries of kTags.
  const size_t tag_count = Spread(n, 12 + salt, 4);
  const size_t first_tag = Spread(n, 13 + salt, 7);
  std::vector<std::string_view> tags;
  for (size_t i = 0; i < tag_count; ++i) tags.emplace_back(kTags[(first_tag + i) % 7]);
  rows.WriteArray(tags);
  const bool merged = latest && customers > 1 && Spread(n, 14, 50) == 0;
  rows.WriteString(merged ? CustomerId((n + 1 + Spread(n, 15, customers - 1)) % customers) : "");
  rows.EndRow();
}

void AppendInteraction(clickhouse::RowBinaryWriter& rows, size_t n, size_t customers) {
  static const char* const kChannels[] = {"CHANNEL_PHONE", "CHANNEL_WEB",  "CHANNEL_STORE",
                                          "CHANNEL_EMAIL", "CHANNEL_CHAT", "CHANNEL_SALES"};
  static const char* const kDepartments[] = {"销售部", "售后", "客服中心", "市场部", "大客户部"};
  const size_t kind = Spread(n, 21, 100);
  const char* type = kind < 12   ? "INTERACTION_TYPE_ORDER_PLACED"
                     : kind < 14 ? "INTERACTION_TYPE_ORDER_REFUNDED"
                     : kind < 18 ? "INTERACTION_TYPE_COMPLAINT_OPENED"
                     : kind < 60 ? "INTERACTION_TYPE_CALL_INBOUND"
                                 : "INTERACTION_TYPE_WEB_PAGE_VIEW";
  const bool priced = kind < 14;
  const auto occurred =
      static_cast<uint32_t>(kJan2024 + static_cast<int64_t>(Spread(n, 22, kJan2026 - kJan2024)));
  const size_t department = Spread(n, 24, 5);
  rows.WriteString("ev-" + std::to_string(n));
  rows.WriteString(CustomerId(Spread(n, 23, customers)));
  rows.WriteString(kChannels[Spread(n, 25, 6)]);
  rows.WriteString(type);
  rows.WriteDateTime(occurred);
  rows.WriteDateTime(occurred + 2);
  rows.WriteString(kDepartments[department]);
  rows.WriteString("team-" + std::to_string(department) + "-" + std::to_string(Spread(n, 26, 6)));
  rows.WriteInt64(priced ? static_cast<int64_t>(Spread(n, 27, 500'000)) + 100 : 0);
  rows.WriteString(priced ? "CNY" : "");
  // A third of the interactions carry a satisfaction score 1-5 (0 = none).
  rows.WriteUInt8(Spread(n, 28, 3) == 0 ? static_cast<uint8_t>(1 + Spread(n, 29, 5)) : 0);
  rows.EndRow();
}

absl::Status InsertAll(clickhouse::ClickHouseClient& client, const char* table,
                       const std::vector<std::string>& columns, size_t count,
                       const std::function<void(clickhouse::RowBinaryWriter&, size_t)>& append) {
  clickhouse::RowBinaryWriter rows;
  for (size_t n = 0; n < count; ++n) {
    append(rows, n);
    if (rows.row_count() == kRowsPerInsert || n + 1 == count) {
      if (absl::Status inserted = client.Insert(table, columns, rows); !inserted.ok()) return inserted;
      rows.Clear();
    }
  }
  return absl::OkStatus();
}

int Load(const Options& options, clickhouse::ClickHouseClient& client) {
  const auto start = std::chrono::steady_clock::now();
  absl::Status status = reporting::ApplyMigrations(client);
  for (size_t version = 1; version <= options.versions && status.ok(); ++version) {
    status = InsertAll(
        client, "profile_versions",
        {"customer_id", "version", "updated_at", "customer_type", "owner", "department", "team", "province",
         "city", "industry", "source", "first_contact_at", "interaction_count", "tags", "merged_into"},
        options.customers, [&](clickhouse::RowBinaryWriter& rows, size_t n) {
          AppendProfile(rows, n, version, options.versions, options.customers);
        });
  }
  if (status.ok()) {
    status = InsertAll(client, "interactions",
                       {"event_id", "customer_id", "channel", "type", "occurred_at", "received_at",
                        "department", "team", "amount_minor", "currency", "satisfaction"},
                       options.interactions, [&](clickhouse::RowBinaryWriter& rows, size_t n) {
                         AppendInteraction(rows, n, options.customers);
                       });
  }
  if (!status.ok()) {
    std::fprintf(stderr, "report-bench load: %s\n", status.ToString().c_str());
    return 1;
  }
  std::printf("report-bench load: customers=%zu versions=%zu interactions=%zu seconds=%.1f\n",
              options.customers, options.versions, options.interactions,
              std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  return 0;
}

// An answer as numbers by key: the group's values (or the period's date and breakdown
// values) joined by tabs -> customers or the metric's value.
using Answer = std::map<std::string, double>;

// One request: our API call, and the hand-written SQL for the same answer, whose first
// `key_columns` columns are the key and the next one the number.
struct Case {
  std::string name;
  std::function<absl::StatusOr<Answer>(clickhouse::ClickHouseClient&)> ours;
  std::string hand_sql;
  size_t key_columns = 1;
  // The hand SQL also answers for periods before the request's (its previous and year-ago
  // values): our keys must be among its keys, not all of them.
  bool hand_covers_more = false;
};

google::protobuf::Timestamp At(int64_t seconds) {
  google::protobuf::Timestamp at;
  at.set_seconds(seconds);
  return at;
}

Case DistributionCase(std::string name, v1::DistributionRequest request, std::string hand_sql,
                      size_t key_columns = 1) {
  const bool cross = request.second_dimension() != v1::DIMENSION_UNSPECIFIED;
  return {std::move(name),
          [request, cross](clickhouse::ClickHouseClient& client) -> absl::StatusOr<Answer> {
            absl::StatusOr<v1::DistributionResponse> response =
                reporting::QueryDistribution(client, request, auth::RowScope::Everything());
            if (!response.ok()) return response.status();
            Answer answer;
            for (const v1::DistributionRow& row : response->rows()) {
              answer[cross ? row.value() + "\t" + row.second_value() : row.value()] =
                  static_cast<double>(row.customers());
            }
            return answer;
          },
          std::move(hand_sql), key_columns, false};
}

// A metric over 2025 (its year-ago values read 2024).
Case MetricCase(std::string name, const char* metric, v1::MetricGranularity granularity,
                std::vector<v1::MetricDimension> breakdowns, std::string hand_sql) {
  v1::MetricQueryRequest request;
  request.set_metric_id(metric);
  request.set_granularity(granularity);
  *request.mutable_from() = At(kJan2025);
  *request.mutable_to() = At(kJan2026);
  for (v1::MetricDimension breakdown : breakdowns) request.add_breakdowns(breakdown);
  return {std::move(name),
          [request](clickhouse::ClickHouseClient& client) -> absl::StatusOr<Answer> {
            absl::StatusOr<v1::MetricQueryResponse> response =
                reporting::QueryMetric(client, request, auth::RowScope::Everything());
            if (!response.ok()) return response.status();
            Answer answer;
            for (const v1::MetricRow& row : response->rows()) {
              std::string key = reporting::Date(row.period_start());
              for (const std::string& value : row.breakdown_values()) key += "\t" + value;
              if (row.has_value()) answer[key] = row.value();
            }
            return answer;
          },
          std::move(hand_sql), 1 + breakdowns.size(), true};
}

// The hand SQL's answer, read as Answer.
absl::StatusOr<Answer> HandAnswer(clickhouse::ClickHouseClient& client, const Case& one) {
  absl::StatusOr<clickhouse::QueryResult> result = client.Query(one.hand_sql);
  if (!result.ok()) return result.status();
  Answer answer;
  for (size_t row = 0; row < result->row_count(); ++row) {
    std::string key;
    for (size_t column = 0; column < one.key_columns; ++column) {
      absl::StatusOr<std::string> part = result->GetString(row, column);
      if (!part.ok()) return part.status();
      key += (column > 0 ? "\t" : "") + *part;
    }
    absl::StatusOr<double> number = result->GetDouble(row, one.key_columns);
    if (!number.ok()) return number.status();
    answer[key] = *number;
  }
  return answer;
}

// Where our answer and the hand SQL's differ, or "" when they agree. A count of 0 may be
// missing from the hand SQL's answer (a GROUP BY has no empty groups).
std::string Difference(const Answer& ours, const Answer& hand, bool hand_covers_more) {
  for (const auto& [key, value] : ours) {
    auto found = hand.find(key);
    if (found == hand.end()) {
      if (value == 0) continue;
      return "[" + key + "] is " + std::to_string(value) + " in ours and missing in the hand SQL's answer";
    }
    if (std::abs(found->second - value) > 1e-6 + 1e-9 * std::abs(value)) {
      return "[" + key + "] is " + std::to_string(value) + " in ours and " + std::to_string(found->second) +
             " in the hand SQL's";
    }
  }
  if (!hand_covers_more) {
    for (const auto& [key, value] : hand) {
      if (!ours.contains(key)) return "[" + key + "] is missing in ours";
    }
  }
  return "";
}

// The hand SQL is written for the data as the sink stores it: several versions per
// customer, of which the highest counts (FINAL of the ReplacingMergeTree), and customers
// merged away left out.
std::vector<Case> Cases() {
  std::vector<Case> cases;
  v1::DistributionRequest by_province;
  by_province.set_dimension(v1::DIMENSION_PROVINCE);
  cases.push_back(
      DistributionCase("distribution by province", by_province,
                       "SELECT province, count() AS c, sum(interaction_count) FROM profile_versions FINAL"
                       " WHERE merged_into = '' GROUP BY province ORDER BY c DESC, province"));
  v1::DistributionRequest cross;
  cross.set_dimension(v1::DIMENSION_DEPARTMENT);
  cross.set_second_dimension(v1::DIMENSION_CUSTOMER_TYPE);
  cases.push_back(DistributionCase(
      "distribution department x type", cross,
      "SELECT department, customer_type, count() AS c, sum(interaction_count) FROM profile_versions FINAL"
      " WHERE merged_into = '' GROUP BY department, customer_type ORDER BY c DESC, department, customer_type",
      2));
  v1::DistributionRequest top;
  top.set_dimension(v1::DIMENSION_CITY);
  top.mutable_filter()->add_customer_types(v1::CUSTOMER_TYPE_CLOSED);
  top.set_top(10);
  cases.push_back(DistributionCase(
      "distribution city, closed, top 10", top,
      "SELECT if(other, '', city) AS v, count() AS c, city NOT IN (SELECT city FROM profile_versions FINAL"
      " WHERE customer_type = 'closed' AND merged_into = '' GROUP BY city ORDER BY count() DESC, city"
      " LIMIT 10) AS other, sum(interaction_count) FROM profile_versions FINAL"
      " WHERE customer_type = 'closed' AND merged_into = '' GROUP BY other, v ORDER BY other, c DESC, v"));
  v1::DistributionRequest by_tag;
  by_tag.set_dimension(v1::DIMENSION_TAG);
  cases.push_back(DistributionCase(
      "distribution by tag", by_tag,
      "SELECT tag, count() AS c, sum(interaction_count),"
      " (SELECT count() FROM profile_versions FINAL WHERE merged_into = '') FROM profile_versions FINAL"
      " ARRAY JOIN if(empty(tags), [''], tags) AS tag WHERE merged_into = '' GROUP BY tag ORDER BY c DESC, "
      "tag"));
  const std::string two_years =
      " WHERE occurred_at >= toDateTime('2024-01-01 00:00:00')"
      " AND occurred_at < toDateTime('2026-01-01 00:00:00')";
  cases.push_back(MetricCase(
      "metric total_sales by month", "total_sales", v1::METRIC_GRANULARITY_MONTH, {},
      "SELECT toStartOfMonth(occurred_at) AS m, (sumIf(amount_minor, type = 'INTERACTION_TYPE_ORDER_PLACED')"
      " - sumIf(amount_minor, type = 'INTERACTION_TYPE_ORDER_REFUNDED')) / 100 FROM interactions" +
          two_years + " GROUP BY m ORDER BY m"));
  cases.push_back(
      MetricCase("metric active_customers by month", "active_customers", v1::METRIC_GRANULARITY_MONTH, {},
                 "SELECT toStartOfMonth(occurred_at) AS m, uniqExact(customer_id) FROM interactions" +
                     two_years + " GROUP BY m ORDER BY m"));
  cases.push_back(
      MetricCase("metric churn_rate by month", "churn_rate", v1::METRIC_GRANULARITY_MONTH, {},
                 "SELECT q, countIf(NOT has(p, q)) * 100 / count() FROM (SELECT "
                 "groupUniqArray(toStartOfMonth(occurred_at))"
                 " AS p FROM interactions WHERE occurred_at >= toDateTime('2023-12-01 00:00:00')"
                 " AND occurred_at < toDateTime('2026-01-01 00:00:00') GROUP BY customer_id)"
                 " ARRAY JOIN arrayMap(x -> addMonths(x, 1), p) AS q WHERE q >= toDate('2024-01-01')"
                 " AND q < toDate('2026-01-01') GROUP BY q ORDER BY q"));
  cases.push_back(MetricCase(
      "metric new_customers by month x province", "new_customers", v1::METRIC_GRANULARITY_MONTH,
      {v1::METRIC_DIMENSION_PROVINCE},
      "SELECT toStartOfMonth(first_contact_at) AS m, province, count() FROM profile_versions FINAL"
      " WHERE merged_into = '' AND first_contact_at >= toDateTime('2024-01-01 00:00:00')"
      " AND first_contact_at < toDateTime('2026-01-01 00:00:00') GROUP BY m, province ORDER BY m, province"));
  cases.push_back(
      MetricCase("metric satisfaction by quarter", "satisfaction", v1::METRIC_GRANULARITY_QUARTER, {},
                 "SELECT toStartOfQuarter(occurred_at) AS q, sumIf(satisfaction, satisfaction > 0)"
                 " / countIf(satisfaction > 0) FROM interactions" +
                     two_years + " GROUP BY q ORDER BY q"));
  return cases;
}

// Runs `sql` through the HTTP interface with a curl process, the answer read and dropped.
absl::Status RunWithCurl(const std::string& url, const std::string& sql) {
  const std::string command = "curl -sS --fail -o /dev/null --data-binary @- '" + url + "/'";
  FILE* pipe = popen(command.c_str(), "w");
  if (pipe == nullptr) return absl::InternalError("cannot start curl");
  std::fwrite(sql.data(), 1, sql.size(), pipe);
  const int status = pclose(pipe);
  if (status != 0) return absl::InternalError("curl failed for: " + sql);
  return absl::OkStatus();
}

double Seconds(const std::function<absl::Status()>& run, absl::Status& status) {
  const auto start = std::chrono::steady_clock::now();
  status = run();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// The nearest-rank quantile q of `samples`.
double Quantile(std::vector<double> samples, double q) {
  std::sort(samples.begin(), samples.end());
  size_t rank = static_cast<size_t>(q * static_cast<double>(samples.size()) + 0.999999);
  return samples[std::clamp<size_t>(rank, 1, samples.size()) - 1];
}

int Run(const Options& options, clickhouse::ClickHouseClient& client) {
  absl::Status status;
  // What one trivial query costs each way: the client overhead in every figure below.
  std::vector<double> ours_floor;
  std::vector<double> curl_floor;
  for (int i = 0; i < options.repeat && status.ok(); ++i) {
    ours_floor.push_back(Seconds([&] { return client.Query("SELECT 1").status(); }, status));
    if (status.ok())
      curl_floor.push_back(Seconds([&] { return RunWithCurl(options.clickhouse, "SELECT 1"); }, status));
  }
  if (!status.ok()) {
    std::fprintf(stderr, "report-bench run: %s\n", status.ToString().c_str());
    return 1;
  }
  // A curl process costs more to start than a request of our pooled client, so the ratio
  // compares against the hand SQL with our client's overhead in place of curl's.
  const double curl_extra = Quantile(curl_floor, 0.5) - Quantile(ours_floor, 0.5);
  std::printf("client overhead (SELECT 1, median): ours %.1f ms, curl %.1f ms\n",
              Quantile(ours_floor, 0.5) * 1000, Quantile(curl_floor, 0.5) * 1000);
  std::printf("ratio = ours p50 / (hand p50 - %.1f ms, curl's extra start-up)\n\n", curl_extra * 1000);
  std::printf("%-42s %10s %10s %10s %10s %7s\n", "request", "ours p50", "ours p95", "hand p50", "hand adj",
              "ratio");
  bool ratio_met = true;
  bool p95_met = true;
  double worst_ratio = 0;
  double worst_p95 = 0;
  for (const Case& one : Cases()) {
    std::vector<double> ours;
    std::vector<double> hand;
    // Interleaved, with one untimed warm-up each, so both see the same page cache.
    // The warm-up runs also check that both give the same answer.
    absl::StatusOr<Answer> our_answer = one.ours(client);
    absl::StatusOr<Answer> hand_answer = HandAnswer(client, one);
    if (!our_answer.ok() || !hand_answer.ok()) {
      std::fprintf(stderr, "report-bench run: %s: %s\n", one.name.c_str(),
                   (our_answer.ok() ? hand_answer.status() : our_answer.status()).ToString().c_str());
      return 1;
    }
    if (std::string difference = Difference(*our_answer, *hand_answer, one.hand_covers_more);
        !difference.empty()) {
      std::fprintf(stderr, "report-bench run: %s: the answers differ: %s\n", one.name.c_str(),
                   difference.c_str());
      return 1;
    }
    RunWithCurl(options.clickhouse, one.hand_sql).IgnoreError();
    for (int i = 0; i < options.repeat && status.ok(); ++i) {
      ours.push_back(Seconds([&] { return one.ours(client).status(); }, status));
      if (status.ok())
        hand.push_back(Seconds([&] { return RunWithCurl(options.clickhouse, one.hand_sql); }, status));
    }
    if (!status.ok()) {
      std::fprintf(stderr, "report-bench run: %s: %s\n", one.name.c_str(), status.ToString().c_str());
      return 1;
    }
    const double ours_p50 = Quantile(ours, 0.5);
    const double ours_p95 = Quantile(ours, 0.95);
    const double hand_p50 = Quantile(hand, 0.5);
    const double hand_adjusted = std::max(hand_p50 - curl_extra, 1e-4);
    const double ratio = ours_p50 / hand_adjusted;
    ratio_met = ratio_met && ratio <= kRatioGoal;
    p95_met = p95_met && ours_p95 < kP95GoalSeconds;
    worst_ratio = std::max(worst_ratio, ratio);
    worst_p95 = std::max(worst_p95, ours_p95);
    std::printf("%-42s %8.0fms %8.0fms %8.0fms %8.0fms %7.2f%s\n", one.name.c_str(), ours_p50 * 1000,
                ours_p95 * 1000, hand_p50 * 1000, hand_adjusted * 1000, ratio,
                ratio <= kRatioGoal && ours_p95 < kP95GoalSeconds ? "" : "  MISSED");
    std::fflush(stdout);
  }
  std::printf("\nverdict: ratio <= %.1f %s (worst %.2f); p95 < %.0f s %s (worst %.0f ms)\n", kRatioGoal,
              ratio_met ? "MET" : "MISSED", worst_ratio, kP95GoalSeconds, p95_met ? "MET" : "MISSED",
              worst_p95 * 1000);
  return 0;
}

bool ParseOptions(int argc, char** argv, Options& options) {
  if (argc < 2) return false;
  options.command = argv[1];
  for (int i = 2; i + 1 < argc; i += 2) {
    std::string_view flag = argv[i];
    std::string value = argv[i + 1];
    if (flag == "--clickhouse") {
      options.clickhouse = value;
    } else if (flag == "--customers") {
      options.customers = std::strtoull(value.c_str(), nullptr, 10);
    } else if (flag == "--versions") {
      options.versions = std::strtoull(value.c_str(), nullptr, 10);
    } else if (flag == "--interactions") {
      options.interactions = std::strtoull(value.c_str(), nullptr, 10);
    } else if (flag == "--repeat") {
      options.repeat = std::atoi(value.c_str());
    } else {
      return false;
    }
  }
  if (argc % 2 != 0) return false;
  if (options.command == "load") return options.customers > 0 && options.versions > 0;
  return options.command == "run" && options.repeat > 0;
}

}  // namespace
}  // namespace custflow::loadgen

int main(int argc, char** argv) {
  custflow::loadgen::Options options;
  if (!custflow::loadgen::ParseOptions(argc, argv, options)) {
    std::fprintf(
        stderr,
        "usage: custflow-report-bench load --customers N --interactions M --clickhouse URL [--versions V]\n"
        "       custflow-report-bench run --clickhouse URL [--repeat R]\n");
    return 2;
  }
  custflow::clickhouse::HttpClickHouseOptions client_options;
  client_options.url = options.clickhouse;
  client_options.request_timeout = std::chrono::minutes(10);
  custflow::clickhouse::HttpClickHouseClient client(client_options);
  return options.command == "load" ? custflow::loadgen::Load(options, client)
                                   : custflow::loadgen::Run(options, client);
}
