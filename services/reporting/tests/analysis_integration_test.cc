// Customer analysis against a real clickhouse-server 18.16, cross-checked: generated
// profiles and a year of interactions go through the sink, and the same data, written as
// TSV, goes through tests/analysis_expected.awk, which computes every expected result
// without any of the service's code. Each analysis RPC's query is checked at least once;
// Cluster also on planted groups of customers.
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>

#include "custflow/core/metrics.h"
#include "custflow/domain/topics.h"
#include "gmock/gmock.h"
#include "services/reporting/analysis.h"
#include "services/reporting/clickhouse_sink.h"
#include "services/reporting/tests/reporting_database_test.h"

namespace custflow::reporting {
namespace {

constexpr int64_t kJan2026 = 1'767'225'600;
constexpr int64_t kMar2026 = 1'772'323'200;
constexpr int64_t kOct2026 = 1'790'812'800;
constexpr int64_t kJan2027 = 1'798'761'600;
constexpr int kCustomers = 240;
constexpr int kUnprofiledCustomers = 10;
constexpr int kInteractions = 3000;

const char* const kProvinces[] = {"广东省", "浙江省", "江苏省"};
const char* const kDepartments[] = {"一部", "二部"};
const char* const kAgents[] = {"王芳", "李强", "张伟"};
const char* const kCategories[] = {"quality", "delivery", "attitude"};
const char* const kProducts[] = {"A100", "B200", "C300"};
const v1::CustomerType kCustomerTypes[] = {v1::CUSTOMER_TYPE_POTENTIAL, v1::CUSTOMER_TYPE_CLOSED,
                                           v1::CUSTOMER_TYPE_LOST};
const char* const kCustomerTypeWords[] = {"potential", "closed", "lost"};
const v1::InteractionType kTypes[] = {
    v1::INTERACTION_TYPE_ORDER_PLACED,    v1::INTERACTION_TYPE_ORDER_PLACED,
    v1::INTERACTION_TYPE_ORDER_REFUNDED,  v1::INTERACTION_TYPE_CALL_INBOUND,
    v1::INTERACTION_TYPE_SURVEY_ANSWERED, v1::INTERACTION_TYPE_COMPLAINT_OPENED,
    v1::INTERACTION_TYPE_WEB_PAGE_VIEW};

struct Scope {
  const char* name;
  v1::AnalysisScope scope;
};

std::vector<Scope> Scopes() {
  v1::AnalysisScope period;
  period.mutable_from()->set_seconds(kMar2026);
  period.mutable_to()->set_seconds(kOct2026);
  v1::AnalysisScope filtered = period;
  filtered.add_customer_types(v1::CUSTOMER_TYPE_CLOSED);
  filtered.add_customer_types(v1::CUSTOMER_TYPE_LOST);
  filtered.add_provinces("广东省");
  filtered.add_provinces("浙江省");
  filtered.add_departments("一部");
  return {{"profiles", {}}, {"period", period}, {"filtered", filtered}};
}

const std::map<std::string, v1::CustomerMeasure>& Measures() {
  static const std::map<std::string, v1::CustomerMeasure> measures = {
      {"cumulative_amount", v1::CUSTOMER_MEASURE_CUMULATIVE_AMOUNT},
      {"order_count", v1::CUSTOMER_MEASURE_ORDER_COUNT},
      {"interaction_count", v1::CUSTOMER_MEASURE_INTERACTION_COUNT},
      {"average_satisfaction", v1::CUSTOMER_MEASURE_AVERAGE_SATISFACTION}};
  return measures;
}

class AnalysisTest : public CrossCheckTest {
 protected:
  void SetUp() override {
    CrossCheckTest::SetUp();
    if (HasFatalFailure()) return;
    GenerateAndStore();
    if (HasFatalFailure()) return;
    ComputeExpected();
  }

  void GenerateAndStore() {
    std::mt19937_64 random(20261127);
    auto between = [&](int64_t low, int64_t high) {
      return std::uniform_int_distribution<int64_t>(low, high)(random);
    };
    std::ofstream profiles(directory() / "profiles.tsv");
    std::ofstream interactions(directory() / "interactions.tsv");
    MessageBatch batch;
    int64_t offset = 0;
    for (int i = 0; i < kCustomers; ++i) {
      const std::string id = "c-" + std::to_string(i);
      const int type = static_cast<int>(between(0, 2));
      const std::string province = kProvinces[between(0, 2)];
      const std::string department = kDepartments[between(0, 1)];
      const uint64_t interaction_count = static_cast<uint64_t>(between(0, 40));
      v1::Profile latest = MakeProfile(id, 2, province, interaction_count);
      v1::Customer& customer = *latest.mutable_customer();
      customer.set_name("客户" + std::to_string(i));
      customer.set_type(kCustomerTypes[type]);
      customer.set_owner(kAgents[between(0, 2)]);
      customer.set_department(department);
      customer.set_industry(between(0, 1) == 0 ? "汽车" : "零售");
      // Some customers never bought; repeated amounts make the mode meaningful.
      const int64_t amount = between(0, 4) == 0 ? 0 : between(1, 60) * 5000;
      latest.mutable_cumulative_amount()->set_amount_minor(amount);
      latest.mutable_cumulative_amount()->set_currency("CNY");
      latest.set_order_count(static_cast<uint64_t>(between(0, 12)));
      const bool merged = between(0, 19) == 0;
      if (merged) latest.set_merged_into("c-0");
      // The latest version arrives first and an older one, with other values, after it.
      batch.AddProfile(0, offset++, latest);
      v1::Profile older = MakeProfile(id, 1, "上海市", 99);
      older.mutable_cumulative_amount()->set_amount_minor(123456789);
      batch.AddProfile(0, offset++, older);
      profiles << id << '\t' << customer.name() << '\t' << kCustomerTypeWords[type] << '\t'
               << customer.owner() << '\t' << department << '\t' << province << '\t' << customer.industry()
               << '\t' << amount << '\t' << latest.order_count() << '\t' << interaction_count << '\t'
               << (merged ? 1 : 0) << '\n';
    }
    int next_event = 0;
    auto store = [&](const v1::Interaction& event) {
      batch.AddInteraction(0, next_event++, event);
      const v1::ComplaintDetail& complaint = event.complaint();
      interactions << event.customer().customer_id() << '\t' << v1::InteractionType_Name(event.type()) << '\t'
                   << event.occurred_at().seconds() << '\t' << event.amount().amount_minor() << '\t'
                   << (event.has_satisfaction() ? event.satisfaction() : 0) << '\t' << event.agent() << '\t'
                   << complaint.case_id() << '\t' << complaint.category() << '\t' << complaint.product()
                   << '\n';
    };
    for (int i = 0; i < kInteractions; ++i) {
      const std::string customer = "c-" + std::to_string(between(0, kCustomers + kUnprofiledCustomers - 1));
      v1::Interaction event = MakeInteraction("e-" + std::to_string(i), customer);
      event.set_type(kTypes[between(0, 6)]);
      event.set_agent(kAgents[between(0, 2)]);
      event.mutable_occurred_at()->set_seconds(between(kJan2026, kJan2027 - 1));
      event.clear_satisfaction();
      if (between(0, 2) == 0) event.set_satisfaction(static_cast<uint32_t>(between(1, 5)));
      if (event.type() == v1::INTERACTION_TYPE_ORDER_PLACED) {
        event.mutable_amount()->set_amount_minor(between(100, 900000));
        event.mutable_order()->set_product(kProducts[between(0, 2)]);
      }
      if (event.type() == v1::INTERACTION_TYPE_ORDER_REFUNDED)
        event.mutable_amount()->set_amount_minor(between(100, 50000));
      if (event.type() != v1::INTERACTION_TYPE_COMPLAINT_OPENED) {
        store(event);
        continue;
      }
      // One complaint in eight has no case id and cannot be matched to a resolution.
      v1::ComplaintDetail& complaint = *event.mutable_complaint();
      if (between(0, 7) != 0) complaint.set_case_id("case-" + std::to_string(i));
      complaint.set_category(kCategories[between(0, 2)]);
      complaint.set_product(between(0, 5) == 0 ? "" : kProducts[between(0, 2)]);
      store(event);
      // Two in three are resolved, some more than once (the earliest counts), a few
      // "before" they were opened (not a resolution), some after the period.
      for (int64_t resolutions = between(0, 2) == 0 ? 0 : between(1, 2); resolutions > 0; --resolutions) {
        v1::Interaction resolved =
            MakeInteraction("e-" + std::to_string(i) + "-r" + std::to_string(resolutions), customer);
        resolved.set_type(v1::INTERACTION_TYPE_COMPLAINT_RESOLVED);
        resolved.set_agent(kAgents[between(0, 2)]);
        resolved.clear_satisfaction();
        resolved.mutable_occurred_at()->set_seconds(event.occurred_at().seconds() +
                                                    between(-3600, 20 * 86400));
        resolved.mutable_complaint()->set_case_id(complaint.case_id());
        resolved.mutable_complaint()->set_resolution("refund");
        store(resolved);
      }
    }
    core::MetricsRegistry metrics;
    ClickHouseSink sink(client(), metrics, {domain::kInteractionsTopic, domain::kProfilesTopic});
    absl::Status written = sink.Write(batch.all());
    ASSERT_TRUE(written.ok()) << written;
  }

  void ComputeExpected() {
    absl::StatusOr<std::string> output =
        RunAwk(CUSTFLOW_REPORTING_TESTS_DIR, "analysis_expected.awk",
               {directory() / "profiles.tsv", directory() / "interactions.tsv"},
               {"from=" + std::to_string(kMar2026), "to=" + std::to_string(kOct2026)});
    ASSERT_TRUE(output.ok()) << output.status();
    std::istringstream lines(*output);
    for (std::string line; std::getline(lines, line);) {
      const size_t last_tab = line.rfind('\t');
      ASSERT_NE(last_tab, std::string::npos) << line;
      expected_[line.substr(0, last_tab)] = line.substr(last_tab + 1);
    }
    ASSERT_GT(expected_.size(), 200u);
  }

  // The awk value for `key` (fields joined by tabs), or nullopt when it printed none.
  std::optional<std::string> Expected(const std::string& key) const {
    auto found = expected_.find(key);
    if (found == expected_.end()) return std::nullopt;
    return found->second;
  }
  double ExpectedNumber(const std::string& key) const {
    std::optional<std::string> text = Expected(key);
    EXPECT_TRUE(text.has_value()) << key;
    return text ? std::stod(*text) : std::nan("");
  }
  void ExpectClose(const std::string& key, bool has, double actual) const {
    std::optional<std::string> want = Expected(key);
    ASSERT_EQ(has, want.has_value()) << key;
    if (has) {
      const double expected = std::stod(*want);
      EXPECT_NEAR(actual, expected, 1e-9 + std::abs(expected) * 1e-9) << key;
    }
  }

  std::map<std::string, std::string> expected_;
};

TEST_F(AnalysisTest, DescribeMatchesTheIndependentComputation) {
  for (const Scope& scope : Scopes()) {
    for (const auto& [name, measure] : Measures()) {
      v1::DescribeRequest request;
      request.set_measure(measure);
      *request.mutable_scope() = scope.scope;
      absl::StatusOr<v1::DescribeResponse> response =
          Describe(client(), request, auth::RowScope::Everything());
      ASSERT_TRUE(response.ok()) << name << " " << scope.name << ": " << response.status();
      const std::string key = "describe\t" + name + "\t" + scope.name + "\t";
      EXPECT_EQ(response->count(), ExpectedNumber(key + "count")) << key;
      EXPECT_GT(response->count(), 10u) << key;
      ExpectClose(key + "mean", response->has_mean(), response->mean());
      ExpectClose(key + "standard_deviation", response->has_standard_deviation(),
                  response->standard_deviation());
      ExpectClose(key + "mode", response->has_mode(), response->mode());
      ExpectClose(key + "min", response->has_min(), response->min());
      ExpectClose(key + "max", response->has_max(), response->max());
      ExpectClose(key + "q0.1", response->has_p10(), response->p10());
      ExpectClose(key + "q0.25", response->has_p25(), response->p25());
      ExpectClose(key + "q0.5", response->has_median(), response->median());
      ExpectClose(key + "q0.75", response->has_p75(), response->p75());
      ExpectClose(key + "q0.9", response->has_p90(), response->p90());
    }
  }
}

TEST_F(AnalysisTest, CorrelateMatchesTheIndependentComputation) {
  const std::pair<std::string, std::string> pairs[] = {{"cumulative_amount", "average_satisfaction"},
                                                       {"order_count", "interaction_count"}};
  for (const Scope& scope : Scopes()) {
    for (const auto& [x, y] : pairs) {
      v1::CorrelateRequest request;
      request.set_x(Measures().at(x));
      request.set_y(Measures().at(y));
      *request.mutable_scope() = scope.scope;
      absl::StatusOr<v1::CorrelateResponse> response =
          Correlate(client(), request, auth::RowScope::Everything());
      ASSERT_TRUE(response.ok()) << response.status();
      const std::string key = "correlate\t" + x + "\t" + y + "\t" + scope.name + "\t";
      EXPECT_EQ(response->count(), ExpectedNumber(key + "count")) << key;
      ExpectClose(key + "pearson", response->has_pearson(), response->pearson());
    }
  }
}

TEST_F(AnalysisTest, ParetoMatchesTheIndependentComputation) {
  std::vector<std::pair<Scope, double>> cases;
  for (const Scope& scope : Scopes()) cases.emplace_back(scope, 0);
  cases.emplace_back(Scopes()[1], 35);
  for (const auto& [scope, percent] : cases) {
    v1::ParetoRequest request;
    *request.mutable_scope() = scope.scope;
    request.set_top_percent(percent);
    absl::StatusOr<v1::ParetoResponse> response = Pareto(client(), request, auth::RowScope::Everything());
    ASSERT_TRUE(response.ok()) << response.status();
    const std::string key = "pareto\t" + std::string(scope.name) + "\t" + (percent == 0 ? "20" : "35") + "\t";
    EXPECT_EQ(response->customers(), ExpectedNumber(key + "customers")) << key;
    EXPECT_GT(response->customers(), 10u) << key;
    EXPECT_DOUBLE_EQ(response->total_revenue(), ExpectedNumber(key + "total_minor") / 100) << key;
    EXPECT_EQ(response->top_customers(), ExpectedNumber(key + "top_customers")) << key;
    EXPECT_DOUBLE_EQ(response->top_revenue(), ExpectedNumber(key + "top_minor") / 100) << key;
    EXPECT_NEAR(response->top_revenue_percent(),
                ExpectedNumber(key + "top_minor") * 100 / ExpectedNumber(key + "total_minor"), 1e-9)
        << key;
    EXPECT_EQ(response->customers_for_80_percent(), ExpectedNumber(key + "customers_for_80")) << key;
  }
}

TEST_F(AnalysisTest, SatisfactionExtremesMatchTheIndependentComputation) {
  struct Case {
    int scope;
    double percent;
    int limit;
  };
  for (const Case& check : {Case{1, 0, 5}, Case{0, 20, 0}, Case{2, 50, 100}}) {
    const Scope scope = Scopes()[check.scope];
    v1::SatisfactionExtremesRequest request;
    *request.mutable_scope() = scope.scope;
    request.set_percent(check.percent);
    request.set_limit(check.limit);
    absl::StatusOr<v1::SatisfactionExtremesResponse> response =
        SatisfactionExtremes(client(), request, auth::RowScope::Everything());
    ASSERT_TRUE(response.ok()) << response.status();
    const std::string key = "extremes\t" + std::string(scope.name) + "\t" +
                            (check.percent == 50 ? "50" : "20") + "\t" + (check.limit == 5 ? "5" : "100") +
                            "\t";
    EXPECT_EQ(response->rated_customers(), ExpectedNumber(key + "rated")) << key;
    EXPECT_EQ(response->group_size(), ExpectedNumber(key + "group_size")) << key;
    EXPECT_GT(response->top_size(), 3) << key;
    for (const char* side : {"top", "bottom"}) {
      const auto& customers = std::string(side) == "top" ? response->top() : response->bottom();
      for (int i = 0; i < customers.size(); ++i) {
        const std::string rank = key + side + "." + std::to_string(i + 1);
        std::optional<std::string> want = Expected(rank);
        ASSERT_TRUE(want.has_value()) << rank;
        const std::string id = want->substr(0, want->find('|'));
        EXPECT_EQ(customers[i].customer_id(), id) << rank;
        EXPECT_NEAR(customers[i].average_satisfaction(), std::stod(want->substr(want->find('|') + 1)), 1e-12);
        EXPECT_FALSE(customers[i].name().empty()) << rank;
        EXPECT_FALSE(customers[i].province().empty()) << rank;
      }
      // Nothing the awk script listed is missing.
      EXPECT_FALSE(Expected(key + side + "." + std::to_string(customers.size() + 1)).has_value()) << key;
    }
  }
}

TEST_F(AnalysisTest, ComplaintAnalysisMatchesTheIndependentComputation) {
  const std::map<std::string, v1::ComplaintGrouping> groupings = {
      {"category", v1::COMPLAINT_GROUPING_CATEGORY},
      {"product", v1::COMPLAINT_GROUPING_PRODUCT},
      {"day", v1::COMPLAINT_GROUPING_DAY},
      {"agent", v1::COMPLAINT_GROUPING_AGENT},
      {"province", v1::COMPLAINT_GROUPING_PROVINCE}};
  for (const auto& [name, grouping] : groupings) {
    v1::ComplaintAnalysisRequest request;
    request.mutable_from()->set_seconds(kMar2026);
    request.mutable_to()->set_seconds(kOct2026);
    request.set_group_by(grouping);
    absl::StatusOr<v1::ComplaintAnalysisResponse> response =
        ComplaintAnalysis(client(), request, auth::RowScope::Everything());
    ASSERT_TRUE(response.ok()) << name << ": " << response.status();
    size_t expected_groups = 0;
    for (const auto& [key, value] : expected_) {
      expected_groups += key.starts_with("complaints\t" + name + "\t") && key.ends_with("\tcomplaints");
    }
    EXPECT_EQ(static_cast<size_t>(response->groups_size()), expected_groups) << name;
    EXPECT_GE(response->groups_size(), 3) << name;
    uint64_t previous = UINT64_MAX;
    for (const v1::ComplaintGroup& group : response->groups()) {
      const std::string key = "complaints\t" + name + "\t" + group.value() + "\t";
      EXPECT_EQ(group.complaints(), ExpectedNumber(key + "complaints")) << key;
      EXPECT_EQ(group.resolved(), ExpectedNumber(key + "resolved")) << key;
      ExpectClose(key + "average_seconds", group.has_average_resolution_seconds(),
                  group.average_resolution_seconds());
      EXPECT_LE(group.complaints(), previous) << "most complaints first";
      previous = group.complaints();
    }
    EXPECT_GT(response->total().resolved(), 0u);
    EXPECT_LT(response->total().resolved(), response->total().complaints());
  }
}

TEST_F(AnalysisTest, RfmMatchesTheIndependentComputation) {
  for (const Scope& scope : {Scopes()[1], Scopes()[2]}) {
    v1::RfmRequest request;
    *request.mutable_scope() = scope.scope;
    absl::StatusOr<v1::RfmResponse> response = Rfm(client(), request, auth::RowScope::Everything());
    ASSERT_TRUE(response.ok()) << scope.name << ": " << response.status();
    const std::string key = "rfm\t" + std::string(scope.name) + "\t";
    EXPECT_EQ(response->customers(), ExpectedNumber(key + "customers")) << key;
    EXPECT_GT(response->customers(), 10u) << key;
    EXPECT_DOUBLE_EQ(response->revenue(), ExpectedNumber(key + "revenue_minor") / 100) << key;
    ASSERT_EQ(response->recency_boundaries_size(), 4);
    ASSERT_EQ(response->frequency_boundaries_size(), 4);
    ASSERT_EQ(response->monetary_boundaries_size(), 4);
    for (int i = 0; i < 4; ++i) {
      const std::string level = std::to_string(i + 1);
      EXPECT_EQ(response->recency_boundaries(i), ExpectedNumber(key + "recency." + level)) << key << level;
      EXPECT_EQ(response->frequency_boundaries(i), ExpectedNumber(key + "frequency." + level))
          << key << level;
      EXPECT_DOUBLE_EQ(response->monetary_boundaries(i),
                       ExpectedNumber(key + "monetary_minor." + level) / 100)
          << key << level;
    }
    ASSERT_EQ(response->grid_size(), 25);
    uint64_t occupied = 0;
    for (const v1::RfmCell& cell : response->grid()) {
      const std::string cell_key =
          key + "R" + std::to_string(cell.r_score()) + " F" + std::to_string(cell.f_score()) + "\t";
      std::optional<std::string> customers = Expected(cell_key + "customers");
      EXPECT_EQ(cell.customers(), customers ? std::stoull(*customers) : 0) << cell_key;
      if (!customers) continue;
      ++occupied;
      EXPECT_DOUBLE_EQ(cell.revenue(), ExpectedNumber(cell_key + "revenue_minor") / 100) << cell_key;
      EXPECT_DOUBLE_EQ(cell.average_monetary(), cell.revenue() / static_cast<double>(cell.customers()));
    }
    EXPECT_GT(occupied, 8u) << key;
    ASSERT_EQ(static_cast<size_t>(response->segments_size()), RfmSegments().size());
    uint64_t segmented = 0;
    for (const v1::RfmSegment& segment : response->segments()) {
      const std::string segment_key = key + "segment " + segment.name() + "\t";
      std::optional<std::string> customers = Expected(segment_key + "customers");
      EXPECT_EQ(segment.customers(), customers ? std::stoull(*customers) : 0) << segment_key;
      if (customers) {
        EXPECT_NEAR(segment.revenue(), ExpectedNumber(segment_key + "revenue_minor") / 100, 1e-6)
            << segment_key;
      }
      segmented += segment.customers();
    }
    EXPECT_EQ(segmented, response->customers());

    // Cluster reads the same customers.
    v1::ClusterRequest cluster;
    *cluster.mutable_scope() = scope.scope;
    absl::StatusOr<v1::ClusterResponse> clusters = Cluster(client(), cluster, auth::RowScope::Everything());
    ASSERT_TRUE(clusters.ok()) << clusters.status();
    EXPECT_EQ(clusters->customers(), response->customers());
    EXPECT_EQ(clusters->k(), kDefaultClusters);
    EXPECT_FALSE(clusters->sampled());
    uint64_t clustered = 0;
    for (const v1::CustomerCluster& group : clusters->clusters()) clustered += group.customers();
    EXPECT_EQ(clustered, clusters->customers());
  }
}

// Customers in three planted groups, stored through the sink: Cluster with k = 3 must
// return exactly those groups.
class ClusterTest : public MigratedDatabaseTest {};

TEST_F(ClusterTest, FindsPlantedGroups) {
  struct Group {
    int customers;
    int orders;
    int64_t days_before_end;  // of the last order
    int64_t order_minor;
    uint32_t satisfaction;  // 0: none
  };
  const Group groups[] = {
      {.customers = 40, .orders = 12, .days_before_end = 3, .order_minor = 500000, .satisfaction = 5},
      {.customers = 25, .orders = 1, .days_before_end = 150, .order_minor = 2000, .satisfaction = 1},
      {.customers = 15, .orders = 3, .days_before_end = 40, .order_minor = 40000, .satisfaction = 0}};
  MessageBatch batch;
  int64_t offset = 0;
  int next_event = 0;
  int next_customer = 0;
  for (const Group& group : groups) {
    for (int i = 0; i < group.customers; ++i) {
      const std::string id = "k-" + std::to_string(next_customer++);
      batch.AddProfile(0, offset++, MakeProfile(id, 1, "广东省", 0));
      for (int order = 0; order < group.orders; ++order) {
        v1::Interaction event = MakeInteraction("o-" + std::to_string(next_event), id);
        event.set_type(v1::INTERACTION_TYPE_ORDER_PLACED);
        event.mutable_amount()->set_amount_minor(group.order_minor);
        event.clear_satisfaction();
        if (group.satisfaction > 0) event.set_satisfaction(group.satisfaction);
        // The last order `days_before_end` days (and an hour) before the end, earlier ones a day apart.
        event.mutable_occurred_at()->set_seconds(kOct2026 - 3600 - (group.days_before_end + order) * 86400);
        batch.AddInteraction(0, next_event++, event);
      }
    }
  }
  core::MetricsRegistry metrics;
  ClickHouseSink sink(client(), metrics, {domain::kInteractionsTopic, domain::kProfilesTopic});
  absl::Status written = sink.Write(batch.all());
  ASSERT_TRUE(written.ok()) << written;

  v1::ClusterRequest request;
  request.mutable_scope()->mutable_from()->set_seconds(kJan2026);
  request.mutable_scope()->mutable_to()->set_seconds(kOct2026);
  request.set_k(3);
  absl::StatusOr<v1::ClusterResponse> response = Cluster(client(), request, auth::RowScope::Everything());
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->customers(), 80u);
  ASSERT_EQ(response->clusters_size(), 3);
  for (int g = 0; g < 3; ++g) {
    const v1::CustomerCluster& cluster = response->clusters(g);
    EXPECT_EQ(cluster.customers(), static_cast<uint64_t>(groups[g].customers)) << g;
    EXPECT_DOUBLE_EQ(cluster.recency_days(), static_cast<double>(groups[g].days_before_end)) << g;
    EXPECT_DOUBLE_EQ(cluster.orders(), groups[g].orders) << g;
    EXPECT_DOUBLE_EQ(cluster.net_spend(), static_cast<double>(groups[g].orders * groups[g].order_minor) / 100)
        << g;
    EXPECT_EQ(cluster.has_satisfaction(), groups[g].satisfaction > 0) << g;
  }
  EXPECT_EQ(response->clusters(0).label(), "recent, frequent, high spend, satisfied");
  EXPECT_EQ(response->clusters(1).label(), "lapsed, infrequent, low spend, dissatisfied");

  // No customer in 浙江省: fewer than k.
  request.mutable_scope()->add_provinces("浙江省");
  EXPECT_EQ(Cluster(client(), request, auth::RowScope::Everything()).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace custflow::reporting
