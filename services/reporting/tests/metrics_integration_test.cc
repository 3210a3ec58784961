// The metrics catalog against a real clickhouse-server 18.16, cross-checked: generated
// customers and two years of interactions go through the sink, and the same data, written
// as TSV, goes through tests/metrics_expected.awk, which computes every expected value
// without any of the service's code.
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <tuple>

#include "custflow/core/metrics.h"
#include "custflow/domain/topics.h"
#include "gmock/gmock.h"
#include "services/reporting/clickhouse_sink.h"
#include "services/reporting/metrics.h"
#include "services/reporting/tests/reporting_database_test.h"

namespace custflow::reporting {
namespace {

constexpr int64_t kDec2024 = 1'733'011'200;  // 2024-12-01 00:00 UTC
constexpr int64_t kJan2026 = 1'767'225'600;
constexpr int64_t kJan2027 = 1'798'761'600;
constexpr int kCustomers = 300;
constexpr int kUnprofiledCustomers = 10;  // interactions of customers with no profile
constexpr int kInteractions = 4000;

const char* const kProvinces[] = {"广东省", "浙江省", "江苏省"};
const v1::Channel kChannels[] = {v1::CHANNEL_PHONE, v1::CHANNEL_WEB, v1::CHANNEL_STORE};
const v1::InteractionType kTypes[] = {
    v1::INTERACTION_TYPE_ORDER_PLACED,   v1::INTERACTION_TYPE_ORDER_PLACED,
    v1::INTERACTION_TYPE_ORDER_REFUNDED, v1::INTERACTION_TYPE_COMPLAINT_OPENED,
    v1::INTERACTION_TYPE_CALL_INBOUND,   v1::INTERACTION_TYPE_CALL_INBOUND,
    v1::INTERACTION_TYPE_WEB_PAGE_VIEW,  v1::INTERACTION_TYPE_SURVEY_ANSWERED,
    v1::INTERACTION_TYPE_CALL_MISSED,    v1::INTERACTION_TYPE_CALL_CALLBACK};

// metric, breakdown spec, month, key -> value, as the awk script printed them.
using Expected = std::map<std::tuple<std::string, std::string, std::string, std::string>, double>;

std::string Month(int64_t seconds) {
  const std::chrono::year_month_day day(
      std::chrono::floor<std::chrono::days>(std::chrono::sys_seconds(std::chrono::seconds(seconds))));
  char text[32];
  std::snprintf(text, sizeof text, "%04d-%02u-01", static_cast<int>(day.year()),
                static_cast<unsigned>(day.month()));
  return text;
}

// "YYYY-MM-01" moved by `months`.
std::string ShiftMonth(const std::string& month, int months) {
  int index = std::stoi(month.substr(0, 4)) * 12 + std::stoi(month.substr(5, 2)) - 1 + months;
  char text[32];
  std::snprintf(text, sizeof text, "%04d-%02d-01", index / 12, index % 12 + 1);
  return text;
}

class MetricsTest : public CrossCheckTest {
 protected:
  void SetUp() override {
    CrossCheckTest::SetUp();
    if (HasFatalFailure()) return;
    GenerateAndStore();
    if (HasFatalFailure()) return;
    ComputeExpected();
  }

  void GenerateAndStore() {
    std::mt19937_64 random(20260101);
    auto between = [&](int64_t low, int64_t high) {
      return std::uniform_int_distribution<int64_t>(low, high)(random);
    };
    std::ofstream profiles(directory() / "profiles.tsv");
    std::ofstream interactions(directory() / "interactions.tsv");
    MessageBatch batch;
    int64_t offset = 0;
    for (int i = 0; i < kCustomers; ++i) {
      const std::string id = "c-" + std::to_string(i);
      const std::string province = kProvinces[between(0, 2)];
      v1::Profile latest = MakeProfile(id, 2, province, 0);
      const int64_t first_contact = between(0, 9) == 0 ? 0 : between(kDec2024 - 300 * 86400, kJan2027 - 1);
      latest.mutable_customer()->mutable_first_contact_at()->set_seconds(first_contact);
      const bool merged = between(0, 19) == 0;
      if (merged) latest.set_merged_into("c-0");
      // The latest version arrives first and an older one with another province after it.
      batch.AddProfile(0, offset++, latest);
      v1::Profile older = MakeProfile(id, 1, "上海市", 0);
      older.mutable_customer()->mutable_first_contact_at()->set_seconds(kDec2024 - 400 * 86400);
      batch.AddProfile(0, offset++, older);
      profiles << id << '\t' << first_contact << '\t' << province << '\t' << (merged ? 1 : 0) << '\n';
    }
    const int64_t span = (kJan2027 - kDec2024) / kInteractions;
    for (int i = 0; i < kInteractions; ++i) {
      const std::string customer = "c-" + std::to_string(between(0, kCustomers + kUnprofiledCustomers - 1));
      v1::Interaction event = MakeInteraction("e-" + std::to_string(i), customer);
      event.set_channel(kChannels[between(0, 2)]);
      event.set_type(kTypes[between(0, std::size(kTypes) - 1)]);
      // Strictly increasing times, so every customer's first order is unambiguous.
      event.mutable_occurred_at()->set_seconds(kDec2024 + i * span + between(0, span - 1));
      event.set_wait_seconds(0);
      event.clear_satisfaction();
      if (event.type() == v1::INTERACTION_TYPE_ORDER_PLACED)
        event.mutable_amount()->set_amount_minor(between(100, 900000));
      if (event.type() == v1::INTERACTION_TYPE_ORDER_REFUNDED)
        event.mutable_amount()->set_amount_minor(between(100, 50000));
      if (event.type() == v1::INTERACTION_TYPE_CALL_INBOUND)
        event.set_wait_seconds(static_cast<uint32_t>(between(0, 300)));
      if (between(0, 2) == 0) event.set_satisfaction(static_cast<uint32_t>(between(1, 5)));
      batch.AddInteraction(0, i, event);
      interactions << customer << '\t' << v1::Channel_Name(event.channel()) << '\t'
                   << v1::InteractionType_Name(event.type()) << '\t' << event.occurred_at().seconds() << '\t'
                   << event.amount().amount_minor() << '\t'
                   << (event.has_satisfaction() ? event.satisfaction() : 0) << '\t' << event.wait_seconds()
                   << '\n';
    }
    core::MetricsRegistry metrics;
    ClickHouseSink sink(client(), metrics, {domain::kInteractionsTopic, domain::kProfilesTopic});
    absl::Status written = sink.Write(batch.all());
    ASSERT_TRUE(written.ok()) << written;
  }

  void ComputeExpected() {
    absl::StatusOr<std::string> output =
        RunAwk(CUSTFLOW_REPORTING_TESTS_DIR, "metrics_expected.awk",
               {directory() / "profiles.tsv", directory() / "interactions.tsv"});
    ASSERT_TRUE(output.ok()) << output.status();
    std::istringstream lines(*output);
    for (std::string line; std::getline(lines, line);) {
      std::vector<std::string> fields;
      std::istringstream cells(line);
      for (std::string cell; std::getline(cells, cell, '\t');) fields.push_back(cell);
      if (line.ends_with('\t')) fields.emplace_back();
      ASSERT_EQ(fields.size(), 5u) << line;
      expected_[{fields[0], fields[1], fields[2], fields[3]}] = std::stod(fields[4]);
    }
    ASSERT_GT(expected_.size(), 1000u);
  }

  // The awk value; a count without a line is 0, a ratio without one has no value.
  std::optional<double> Lookup(const std::string& metric, const std::string& spec, const std::string& month,
                               const std::string& key, bool count) const {
    auto found = expected_.find({metric, spec, month, key});
    if (found != expected_.end()) return found->second;
    return count ? std::optional<double>(0) : std::nullopt;
  }

  // Queries `metric` by month over 2026 and checks every row, its previous-month and
  // year-ago values and changes against the awk values. Returns the rows compared.
  int CheckMonthly(const std::string& metric, const std::vector<v1::MetricDimension>& breakdowns,
                   const std::string& spec, double goal = 0) {
    v1::MetricQueryRequest request;
    request.set_metric_id(metric);
    request.set_granularity(v1::METRIC_GRANULARITY_MONTH);
    request.mutable_from()->set_seconds(kJan2026);
    request.mutable_to()->set_seconds(kJan2027);
    for (v1::MetricDimension dimension : breakdowns) request.add_breakdowns(dimension);
    request.set_goal(goal);
    absl::StatusOr<v1::MetricQueryResponse> response =
        QueryMetric(client(), request, auth::RowScope::Everything());
    EXPECT_TRUE(response.ok()) << metric << ": " << response.status();
    if (!response.ok()) return 0;
    const bool count = metric.ends_with("_customers") || metric == "total_sales" || metric == "call_backs";
    const std::string awk_metric = goal > 0 ? "total_sales" : metric;
    const double scale = goal > 0 ? 100 / goal : 1;
    auto check = [&](const std::string& what, bool has, double actual, std::optional<double> want) {
      if (want.has_value()) want = *want * scale;
      ASSERT_EQ(has, want.has_value()) << what;
      if (has) {
        EXPECT_NEAR(actual, *want, 1e-4 + std::abs(*want) * 1e-9) << what;
      }
    };
    int rows_with_value = 0;
    for (const v1::MetricRow& row : response->rows()) {
      const std::string month = Month(row.period_start().seconds());
      std::string key;
      for (int i = 0; i < row.breakdown_values_size(); ++i)
        key += (i > 0 ? "|" : "") + row.breakdown_values(i);
      const std::string what = metric + " " + spec + " " + month + " [" + key + "]";
      const std::optional<double> value = Lookup(awk_metric, spec, month, key, count);
      const std::optional<double> previous = Lookup(awk_metric, spec, ShiftMonth(month, -1), key, count);
      const std::optional<double> year_ago = Lookup(awk_metric, spec, ShiftMonth(month, -12), key, count);
      check(what, row.has_value(), row.value(), value);
      check(what + " previous", row.has_previous_value(), row.previous_value(), previous);
      check(what + " year ago", row.has_year_ago_value(), row.year_ago_value(), year_ago);
      if (row.has_previous_change_percent()) {
        EXPECT_NEAR(row.previous_change_percent(), (*value - *previous) / *previous * 100, 1e-3) << what;
      }
      if (row.has_year_ago_change_percent()) {
        EXPECT_NEAR(row.year_ago_change_percent(), (*value - *year_ago) / *year_ago * 100, 1e-3) << what;
      }
      rows_with_value += row.has_value() && (!count || row.value() != 0);
    }
    // And nothing the awk script found is missing from the response.
    int expected_rows = 0;
    for (const auto& [id, value] : expected_) {
      const auto& [m, s, month, key] = id;
      expected_rows += m == awk_metric && s == spec && month >= Month(kJan2026) && month < Month(kJan2027) &&
                       (!count || value != 0);
    }
    EXPECT_EQ(rows_with_value, expected_rows) << metric << " " << spec;
    return rows_with_value;
  }

  Expected expected_;
};

TEST_F(MetricsTest, CustomerMetricsMatchTheIndependentComputation) {
  EXPECT_EQ(CheckMonthly("new_customers", {}, "none"), 12);
  EXPECT_GT(CheckMonthly("new_customers", {v1::METRIC_DIMENSION_PROVINCE}, "province"), 12);
  EXPECT_EQ(CheckMonthly("active_customers", {}, "none"), 12);
  EXPECT_GT(CheckMonthly("active_customers", {v1::METRIC_DIMENSION_CHANNEL}, "channel"), 24);
  EXPECT_EQ(CheckMonthly("churned_customers", {}, "none"), 12);
  EXPECT_EQ(CheckMonthly("churn_rate", {}, "none"), 12);
  EXPECT_GT(CheckMonthly("churn_rate", {v1::METRIC_DIMENSION_CHANNEL}, "channel"), 24);
  EXPECT_EQ(CheckMonthly("retention_rate", {}, "none"), 12);
  EXPECT_EQ(CheckMonthly("customer_growth_rate", {}, "none"), 12);
}

TEST_F(MetricsTest, SalesMetricsMatchTheIndependentComputation) {
  // Late in 2026 most customers have ordered before, so some months close none.
  EXPECT_GT(CheckMonthly("closed_customers", {}, "none"), 6);
  EXPECT_GT(CheckMonthly("closed_customers", {v1::METRIC_DIMENSION_CHANNEL}, "channel"), 12);
  EXPECT_EQ(CheckMonthly("total_sales", {}, "none"), 12);
  // By the latest profile's province; unprofiled customers' interactions count under "".
  EXPECT_GT(CheckMonthly("total_sales", {v1::METRIC_DIMENSION_PROVINCE}, "province"), 36);
  EXPECT_EQ(CheckMonthly("average_order_value", {}, "none"), 12);
  EXPECT_EQ(CheckMonthly("conversion_rate", {}, "none"), 12);
  EXPECT_EQ(CheckMonthly("repurchase_rate", {}, "none"), 12);
  EXPECT_EQ(CheckMonthly("goal_attainment", {}, "none", 50000), 12);
  EXPECT_EQ(CheckMonthly("customer_lifetime_value", {}, "none"), 12);
  EXPECT_GT(CheckMonthly("customer_lifetime_value", {v1::METRIC_DIMENSION_PROVINCE}, "province"), 12);
}

TEST_F(MetricsTest, ServiceMetricsMatchTheIndependentComputation) {
  EXPECT_EQ(CheckMonthly("satisfaction", {}, "none"), 12);
  EXPECT_GT(CheckMonthly("satisfaction", {v1::METRIC_DIMENSION_CHANNEL}, "channel"), 24);
  EXPECT_EQ(CheckMonthly("average_response_time", {}, "none"), 12);
  EXPECT_GT(CheckMonthly("complaint_rate", {v1::METRIC_DIMENSION_PROVINCE}, "province"), 24);
  EXPECT_EQ(CheckMonthly("call_backs", {}, "none"), 12);
  EXPECT_GT(CheckMonthly("call_backs", {v1::METRIC_DIMENSION_CHANNEL}, "channel"), 12);
  EXPECT_GT(CheckMonthly("call_back_rate", {v1::METRIC_DIMENSION_PROVINCE}, "province"), 24);
  EXPECT_GT(CheckMonthly("engagement", {v1::METRIC_DIMENSION_CHANNEL, v1::METRIC_DIMENSION_PROVINCE},
                         "channel+province"),
            48);
}

TEST_F(MetricsTest, EveryMetricRunsOnClickHouseForEveryGranularityAndBreakdown) {
  const v1::ListMetricsResponse catalog = ListMetrics();
  for (const v1::MetricDefinition& metric : catalog.metrics()) {
    for (int granularity = v1::METRIC_GRANULARITY_DAY; granularity <= v1::METRIC_GRANULARITY_YEAR;
         ++granularity) {
      for (int dimension : metric.dimensions()) {
        v1::MetricQueryRequest request;
        request.set_metric_id(metric.id());
        request.set_granularity(static_cast<v1::MetricGranularity>(granularity));
        request.mutable_from()->set_seconds(kJan2026);
        request.mutable_to()->set_seconds(kJan2026 + 90 * 86400);
        request.add_breakdowns(static_cast<v1::MetricDimension>(dimension));
        request.set_goal(1000);
        absl::StatusOr<v1::MetricQueryResponse> response =
            QueryMetric(client(), request, auth::RowScope::Everything());
        ASSERT_TRUE(response.ok()) << metric.id() << " " << granularity << " " << dimension << ": "
                                   << response.status();
      }
    }
  }
}

}  // namespace
}  // namespace custflow::reporting
