// QueryDistribution on a real clickhouse-server 18.16 against an independent computation:
// a few thousand varied profile snapshots (several versions per customer, arriving out of
// order, some merged away, tags, CJK and quote-laden values) go through the real sink; the
// latest snapshot of each customer, taken from this test's own data, is written as TSV
// and distribution_expected.awk counts it. Both answers must agree row for row.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "custflow/core/metrics.h"
#include "custflow/domain/customer_type.h"
#include "custflow/domain/topics.h"
#include "gmock/gmock.h"
#include "services/reporting/clickhouse_sink.h"
#include "services/reporting/distribution.h"
#include "services/reporting/tests/reporting_database_test.h"

namespace custflow::reporting {
namespace {

constexpr int kCustomers = 900;
constexpr int64_t k2025 = 1735689600;  // 2025-01-01 00:00 UTC
constexpr int64_t k2027 = 1798761600;  // 2027-01-01 00:00 UTC

// Values drawn for each field; "" means the field is empty. None holds a tab or a comma.
const std::vector<std::string> kProvinces = {"浙江省", "广东省", "江苏省", "北京市", ""};
const std::vector<std::string> kCities = {"杭州市", "宁波市", "广州市", "深圳市", "南京市", ""};
const std::vector<std::string> kDistricts = {"西湖区", "滨江区", "天河区", ""};
const std::vector<std::string> kDepartments = {"华东销售部", "华南销售部", "大客户部", ""};
const std::vector<std::string> kTeams = {"一组", "二组", "三组"};
const std::vector<std::string> kOwners = {"张伟", "李娜", "O'Brien", "x') OR 1=1 --", ""};
const std::vector<std::string> kIndustries = {"制造", "零售", "软件", "教育"};
const std::vector<std::string> kSources = {"展会", "官网", "转介绍", "电话"};
const std::vector<std::string> kStages = {"初次接触", "需求确认", "报价", "谈判", "成交"};
const std::vector<std::string> kTags = {"vip", "value:high", "value:low", "attention:idle-high-potential",
                                        "地区:华东"};

class Snapshots {
 public:
  explicit Snapshots(uint64_t seed) : random_(seed) {}

  const std::string& Pick(const std::vector<std::string>& values) {
    return values[std::uniform_int_distribution<size_t>(0, values.size() - 1)(random_)];
  }
  bool Chance(double probability) { return std::bernoulli_distribution(probability)(random_); }
  int64_t Between(int64_t low, int64_t high) {
    return std::uniform_int_distribution<int64_t>(low, high)(random_);
  }

  v1::Profile Make(const std::string& customer_id, uint64_t version) {
    v1::Profile profile;
    profile.set_customer_id(customer_id);
    profile.set_version(version);
    profile.mutable_updated_at()->set_seconds(k2025 + static_cast<int64_t>(version));
    v1::Customer& customer = *profile.mutable_customer();
    customer.set_customer_id(customer_id);
    customer.set_type(static_cast<v1::CustomerType>(Between(0, 9) == 0 ? 0 : Between(1, 3)));
    customer.set_follow_up_stage(Pick(kStages));
    customer.set_department(Pick(kDepartments));
    customer.set_team(Pick(kTeams));
    customer.set_owner(Pick(kOwners));
    customer.mutable_region()->set_province(Pick(kProvinces));
    customer.mutable_region()->set_city(Pick(kCities));
    customer.mutable_region()->set_district(Pick(kDistricts));
    customer.set_industry(Pick(kIndustries));
    customer.set_source(Pick(kSources));
    if (!Chance(0.25)) customer.mutable_first_contact_at()->set_seconds(Between(k2025, k2027 - 1));
    if (const int64_t interactions = Between(0, 20); interactions > 0) {
      (*profile.mutable_interaction_counts())["INTERACTION_TYPE_CALL_INBOUND"] =
          static_cast<uint64_t>(interactions);
    }
    for (const std::string& tag : kTags) {
      if (Chance(0.3)) profile.add_tags(tag);
    }
    if (Chance(0.08)) profile.set_merged_into("survivor-" + customer_id);
    return profile;
  }

 private:
  std::mt19937_64 random_;
};

std::string Join(const google::protobuf::RepeatedPtrField<std::string>& values, const char* separator) {
  std::string joined;
  for (const std::string& value : values) joined += (joined.empty() ? "" : separator) + value;
  return joined;
}

// The latest snapshots as the awk script reads them.
void WriteLatest(const std::map<std::string, v1::Profile>& latest, const std::filesystem::path& path) {
  std::ofstream out(path);
  out << "customer_id\tinteractions\tmerged_into\ttype\tstage\tdepartment\tteam\towner\tprovince\tcity\t"
         "district\tindustry\tsource\tfirst_contact\ttags\n";
  for (const auto& [id, profile] : latest) {
    const v1::Customer& c = profile.customer();
    uint64_t interactions = 0;
    for (const auto& [type, count] : profile.interaction_counts()) interactions += count;
    out << id << '\t' << interactions << '\t' << profile.merged_into() << '\t'
        << domain::CustomerTypeWord(c.type()) << '\t' << c.follow_up_stage() << '\t' << c.department() << '\t'
        << c.team() << '\t' << c.owner() << '\t' << c.region().province() << '\t' << c.region().city() << '\t'
        << c.region().district() << '\t' << c.industry() << '\t' << c.source() << '\t'
        << c.first_contact_at().seconds() << '\t' << Join(profile.tags(), ",") << '\n';
  }
}

// One request, as the proto and as the awk script's REQUEST lines.
struct CrossCheck {
  std::string name;
  v1::DistributionRequest request;
  std::string awk_request;
};

std::string AwkDimension(v1::Dimension dimension) {
  static const std::map<v1::Dimension, std::string> names = {
      {v1::DIMENSION_DEPARTMENT, "department"},
      {v1::DIMENSION_TEAM, "team"},
      {v1::DIMENSION_OWNER, "owner"},
      {v1::DIMENSION_CUSTOMER_TYPE, "type"},
      {v1::DIMENSION_FOLLOW_UP_STAGE, "stage"},
      {v1::DIMENSION_PROVINCE, "province"},
      {v1::DIMENSION_CITY, "city"},
      {v1::DIMENSION_DISTRICT, "district"},
      {v1::DIMENSION_INDUSTRY, "industry"},
      {v1::DIMENSION_SOURCE, "source"},
      {v1::DIMENSION_TAG, "tag"},
      {v1::DIMENSION_FIRST_CONTACT_DAY, "first_contact_day"},
      {v1::DIMENSION_FIRST_CONTACT_WEEK, "first_contact_week"},
      {v1::DIMENSION_FIRST_CONTACT_MONTH, "first_contact_month"},
      {v1::DIMENSION_FIRST_CONTACT_QUARTER, "first_contact_quarter"},
      {v1::DIMENSION_FIRST_CONTACT_YEAR, "first_contact_year"},
  };
  return names.at(dimension);
}

// Builds a CrossCheck, keeping the proto request and the awk REQUEST in step.
class Check {
 public:
  Check(std::string name, v1::Dimension by) {
    check_.name = std::move(name);
    check_.request.set_dimension(by);
    check_.awk_request = "by\t" + AwkDimension(by) + "\n";
  }
  Check& By2(v1::Dimension by2) {
    check_.request.set_second_dimension(by2);
    check_.awk_request += "by2\t" + AwkDimension(by2) + "\n";
    return *this;
  }
  Check& Top(uint32_t top) {
    check_.request.set_top(top);
    check_.awk_request += "top\t" + std::to_string(top) + "\n";
    return *this;
  }
  Check& FirstContact(int64_t from, int64_t to) {
    check_.request.mutable_filter()->mutable_first_contact_from()->set_seconds(from);
    check_.request.mutable_filter()->mutable_first_contact_to()->set_seconds(to);
    check_.awk_request += "from\t" + std::to_string(from) + "\nto\t" + std::to_string(to) + "\n";
    return *this;
  }
  Check& Types(const std::vector<v1::CustomerType>& types) {
    std::string line = "any\ttype";
    for (v1::CustomerType type : types) {
      check_.request.mutable_filter()->add_customer_types(type);
      line += "\t" + std::string(domain::CustomerTypeWord(type));
    }
    check_.awk_request += line + "\n";
    return *this;
  }
  // `field` of DistributionFilter, `column` of the TSV.
  Check& AnyOf(const std::string& field, const std::string& column, const std::vector<std::string>& values) {
    const google::protobuf::FieldDescriptor* descriptor =
        v1::DistributionFilter::descriptor()->FindFieldByName(field);
    std::string line = "any\t" + column;
    for (const std::string& value : values) {
      check_.request.mutable_filter()->GetReflection()->AddString(check_.request.mutable_filter(), descriptor,
                                                                  value);
      line += "\t" + value;
    }
    check_.awk_request += line + "\n";
    return *this;
  }
  CrossCheck Done() const { return check_; }

 private:
  CrossCheck check_;
};

constexpr int64_t kJuly2025 = 1751328000;       // 2025-07-01 00:00:00 UTC
constexpr int64_t kEndOfJune2026 = 1782863999;  // 2026-06-30 23:59:59 UTC

std::vector<CrossCheck> CrossChecks() {
  return {
      Check("ByProvince", v1::DIMENSION_PROVINCE).Done(),
      Check("ByDepartmentFiltered", v1::DIMENSION_DEPARTMENT)
          .Types({v1::CUSTOMER_TYPE_POTENTIAL, v1::CUSTOMER_TYPE_CLOSED})
          .AnyOf("follow_up_stages", "stage", {"报价", "谈判"})
          .FirstContact(kJuly2025, kEndOfJune2026)
          .Done(),
      Check("ByOwnerQuotedValues", v1::DIMENSION_OWNER)
          .AnyOf("owners", "owner", {"O'Brien", "x') OR 1=1 --", ""})
          .AnyOf("cities", "city", {"杭州市", "广州市", ""})
          .Done(),
      Check("ProvinceByType", v1::DIMENSION_PROVINCE)
          .By2(v1::DIMENSION_CUSTOMER_TYPE)
          .AnyOf("industries", "industry", {"制造", "软件"})
          .Done(),
      Check("TopCities", v1::DIMENSION_CITY).Top(3).Done(),
      Check("TopStagesBySource", v1::DIMENSION_FOLLOW_UP_STAGE).By2(v1::DIMENSION_SOURCE).Top(2).Done(),
      Check("NewByMonth", v1::DIMENSION_FIRST_CONTACT_MONTH).FirstContact(kJuly2025, kEndOfJune2026).Done(),
      Check("NewByDay", v1::DIMENSION_FIRST_CONTACT_DAY).AnyOf("provinces", "province", {"浙江省"}).Done(),
      Check("NewByWeek", v1::DIMENSION_FIRST_CONTACT_WEEK).Done(),
      Check("NewByQuarterAndType", v1::DIMENSION_FIRST_CONTACT_QUARTER)
          .By2(v1::DIMENSION_CUSTOMER_TYPE)
          .Done(),
      Check("NewByYear", v1::DIMENSION_FIRST_CONTACT_YEAR).Done(),
      Check("ByTag", v1::DIMENSION_TAG).Done(),
      Check("ByTagFilteredByTag", v1::DIMENSION_TAG).AnyOf("tags", "tags", {"vip", "地区:华东"}).Done(),
      Check("TopTagsByProvince", v1::DIMENSION_TAG).By2(v1::DIMENSION_PROVINCE).Top(2).Done(),
      Check("ProvinceByTag", v1::DIMENSION_PROVINCE)
          .By2(v1::DIMENSION_TAG)
          .AnyOf("teams", "team", {"一组"})
          .AnyOf("districts", "district", {"西湖区", ""})
          .AnyOf("sources", "source", {"官网", "展会"})
          .AnyOf("departments", "department", {"华东销售部"})
          .Done(),
  };
}

// Response rows in the awk script's output format, sorted.
std::vector<std::string> Lines(const v1::DistributionResponse& response) {
  std::vector<std::string> lines;
  for (const v1::DistributionRow& row : response.rows()) {
    lines.push_back(row.value() + "\t" + row.second_value() + "\t" + (row.is_other() ? "1" : "0") + "\t" +
                    std::to_string(row.customers()) + "\t" + std::to_string(row.interactions()));
  }
  lines.push_back("#total\t" + std::to_string(response.total_customers()));
  std::sort(lines.begin(), lines.end());
  return lines;
}

std::vector<std::string> ReadSortedLines(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  std::sort(lines.begin(), lines.end());
  return lines;
}

// Rows come largest first, "other" last.
bool InResponseOrder(const v1::DistributionResponse& response) {
  for (int i = 1; i < response.rows_size(); ++i) {
    const v1::DistributionRow& before = response.rows(i - 1);
    const v1::DistributionRow& after = response.rows(i);
    if (before.is_other() != after.is_other()) {
      if (before.is_other()) return false;
      continue;
    }
    if (before.customers() < after.customers()) return false;
  }
  return true;
}

using DistributionCrossCheckTest = MigratedDatabaseTest;

TEST_F(DistributionCrossCheckTest, AgreesWithAnIndependentCountOfTheLatestSnapshots) {
  Snapshots snapshots(20261127);
  std::vector<v1::Profile> all;
  std::map<std::string, v1::Profile> latest;
  for (int i = 0; i < kCustomers; ++i) {
    char id[16];
    std::snprintf(id, sizeof id, "c-%04d", i);
    const int versions = static_cast<int>(snapshots.Between(1, 5));
    for (int version = 1; version <= versions; ++version) {
      all.push_back(snapshots.Make(id, static_cast<uint64_t>(version)));
    }
    latest[id] = all.back();
  }
  // Versions arrive in any order, spread over partitions and batches.
  std::shuffle(all.begin(), all.end(), std::mt19937_64(7));
  core::MetricsRegistry metrics;
  ClickHouseSink sink(client(), metrics, {domain::kInteractionsTopic, domain::kProfilesTopic});
  constexpr size_t kBatch = 600;
  for (size_t first = 0; first < all.size(); first += kBatch) {
    MessageBatch batch;
    for (size_t i = first; i < std::min(all.size(), first + kBatch); ++i) {
      batch.AddProfile(static_cast<int32_t>(i % 4), static_cast<int64_t>(i / 4), all[i]);
    }
    absl::Status written = sink.Write(batch.all());
    ASSERT_TRUE(written.ok()) << written;
  }
  ASSERT_GT(all.size(), 2000u);

  const std::filesystem::path dir =
      std::filesystem::path(::testing::TempDir()) / ("custflow-distribution-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  WriteLatest(latest, dir / "latest.tsv");
  for (const CrossCheck& check : CrossChecks()) {
    SCOPED_TRACE(check.name);
    std::ofstream(dir / "request.tsv") << check.awk_request;
    absl::StatusOr<std::string> expected = RunAwk(CUSTFLOW_REPORTING_TESTS_DIR, "distribution_expected.awk",
                                                  {dir / "request.tsv", dir / "latest.tsv"});
    ASSERT_TRUE(expected.ok()) << expected.status();
    std::ofstream(dir / "expected.tsv") << *expected;

    absl::StatusOr<v1::DistributionResponse> distribution =
        QueryDistribution(client(), check.request, auth::RowScope::Everything());

    ASSERT_TRUE(distribution.ok()) << distribution.status();
    EXPECT_EQ(Lines(*distribution), ReadSortedLines(dir / "expected.tsv"));
    EXPECT_TRUE(InResponseOrder(*distribution));
    EXPECT_GT(distribution->rows_size(), 1);
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace custflow::reporting
