// DistributionSql without a server: each dimension reads its own column of the latest
// version, filters become bound conditions, and bad requests are refused, naming the
// field, before any SQL is built. The SQL itself runs in distribution_test.cc.
#include "custflow/auth/principal.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/reporting/distribution.h"
#include "services/reporting/tests/every_dimension.h"

namespace custflow::reporting {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

struct DimensionCase {
  v1::Dimension dimension;
  std::string column;
  std::string expression;
};

class DistributionSqlTest : public ::testing::TestWithParam<DimensionCase> {};

TEST_P(DistributionSqlTest, DimensionGroupsByItsColumnOfTheLatestVersion) {
  v1::DistributionRequest request;
  request.set_dimension(GetParam().dimension);

  absl::StatusOr<std::string> sql = DistributionSql(request, auth::RowScope::Everything());

  ASSERT_TRUE(sql.ok()) << sql.status();
  EXPECT_THAT(*sql, HasSubstr(", " + GetParam().column + " AS latest_" + GetParam().column));
  EXPECT_THAT(*sql, HasSubstr(GetParam().expression + " AS group_value, toUInt8(0) AS cross_value"));
  EXPECT_THAT(*sql, HasSubstr("FROM profile_versions FINAL"));
  EXPECT_THAT(*sql, HasSubstr("WHERE latest_merged_into = ''"));
  EXPECT_THAT(*sql, Not(HasSubstr("ARRAY JOIN")));
}

std::string Period(const std::string& function) {
  return "if(latest_first_contact_at = 0, '', toString(" + function + "(latest_first_contact_at, 'UTC')))";
}

INSTANTIATE_TEST_SUITE_P(
    EachDimension, DistributionSqlTest,
    ::testing::Values(
        DimensionCase{v1::DIMENSION_DEPARTMENT, "department", "latest_department"},
        DimensionCase{v1::DIMENSION_TEAM, "team", "latest_team"},
        DimensionCase{v1::DIMENSION_OWNER, "owner", "latest_owner"},
        DimensionCase{v1::DIMENSION_CUSTOMER_TYPE, "customer_type", "latest_customer_type"},
        DimensionCase{v1::DIMENSION_FOLLOW_UP_STAGE, "follow_up_stage", "latest_follow_up_stage"},
        DimensionCase{v1::DIMENSION_PROVINCE, "province", "latest_province"},
        DimensionCase{v1::DIMENSION_CITY, "city", "latest_city"},
        DimensionCase{v1::DIMENSION_DISTRICT, "district", "latest_district"},
        DimensionCase{v1::DIMENSION_INDUSTRY, "industry", "latest_industry"},
        DimensionCase{v1::DIMENSION_SOURCE, "source", "latest_source"},
        DimensionCase{v1::DIMENSION_FIRST_CONTACT_DAY, "first_contact_at", Period("toDate")},
        DimensionCase{v1::DIMENSION_FIRST_CONTACT_WEEK, "first_contact_at", Period("toMonday")},
        DimensionCase{v1::DIMENSION_FIRST_CONTACT_MONTH, "first_contact_at", Period("toStartOfMonth")},
        DimensionCase{v1::DIMENSION_FIRST_CONTACT_QUARTER, "first_contact_at", Period("toStartOfQuarter")},
        DimensionCase{v1::DIMENSION_FIRST_CONTACT_YEAR, "first_contact_at", Period("toStartOfYear")}),
    [](const ::testing::TestParamInfo<DimensionCase>& tested) {
      return v1::Dimension_Name(tested.param.dimension);
    });

TEST(DistributionSqlTagTest, TagsOfTheLatestVersionAreSpreadOneRowPerTagAndTheTotalCountedOnce) {
  v1::DistributionRequest request;
  request.set_dimension(v1::DIMENSION_TAG);

  absl::StatusOr<std::string> sql = DistributionSql(request, auth::RowScope::Everything());

  ASSERT_TRUE(sql.ok()) << sql.status();
  EXPECT_THAT(*sql, HasSubstr("tags AS latest_tags"));
  EXPECT_THAT(*sql, HasSubstr("ARRAY JOIN if(empty(latest_tags), [''], arrayDistinct(latest_tags)) AS tag"));
  EXPECT_THAT(*sql, HasSubstr("tag AS group_value"));
  EXPECT_THAT(*sql, HasSubstr("AS total_customers"));
  // One row per customer and distinct tag: nothing to make distinct without an "other" group.
  EXPECT_THAT(*sql, Not(HasSubstr("DISTINCT customer_id")));
  request.set_top(3);
  EXPECT_THAT(*DistributionSql(request, auth::RowScope::Everything()), HasSubstr("DISTINCT customer_id"));
}

TEST(DistributionSqlCrossTest, SecondDimensionIsTheCrossValueAndTagSpreadsEitherSide) {
  v1::DistributionRequest request;
  request.set_dimension(v1::DIMENSION_PROVINCE);
  request.set_second_dimension(v1::DIMENSION_TAG);

  absl::StatusOr<std::string> sql = DistributionSql(request, auth::RowScope::Everything());

  ASSERT_TRUE(sql.ok()) << sql.status();
  EXPECT_THAT(*sql, HasSubstr("latest_province AS group_value, tag AS cross_value"));
  EXPECT_THAT(*sql, HasSubstr("ARRAY JOIN"));
  EXPECT_THAT(*sql, HasSubstr("AS total_customers"));
  EXPECT_THAT(*sql, HasSubstr("GROUP BY is_other, shown_value, cross_value"));
}

TEST(DistributionSqlTopTest, TopKeepsTheLargestFirstValuesByDistinctCustomers) {
  v1::DistributionRequest request;
  request.set_dimension(v1::DIMENSION_CITY);
  request.set_top(3);

  absl::StatusOr<std::string> sql = DistributionSql(request, auth::RowScope::Everything());

  ASSERT_TRUE(sql.ok()) << sql.status();
  EXPECT_THAT(*sql, HasSubstr("group_value NOT IN (SELECT group_value FROM ("));
  EXPECT_THAT(*sql, HasSubstr("ORDER BY uniqExact(customer_id) DESC, group_value LIMIT 3) AS is_other"));
}

// A filter's values reach the SQL only as bound literals, whatever they contain.
TEST(DistributionSqlFilterTest, EveryFilterValueIsABoundLiteral) {
  v1::DistributionRequest request;
  request.set_dimension(v1::DIMENSION_OWNER);
  v1::DistributionFilter& filter = *request.mutable_filter();
  filter.add_customer_types(v1::CUSTOMER_TYPE_POTENTIAL);
  filter.add_customer_types(v1::CUSTOMER_TYPE_CLOSED);
  filter.add_follow_up_stages("报价");
  filter.mutable_first_contact_from()->set_seconds(1767225600);  // 2026-01-01 00:00 UTC
  filter.mutable_first_contact_to()->set_seconds(1798761599);    // 2026-12-31 23:59:59 UTC
  filter.add_departments("华东");
  filter.add_teams("t");
  filter.add_owners("O'Brien");
  filter.add_provinces("x') OR 1=1 --");
  filter.add_cities("杭州市");
  filter.add_cities("");
  filter.add_districts("西湖区");
  filter.add_industries("制造");
  filter.add_sources("web");
  filter.add_tags("vip");
  filter.add_tags("value:high");

  absl::StatusOr<std::string> sql = DistributionSql(request, auth::RowScope::Everything());

  ASSERT_TRUE(sql.ok()) << sql.status();
  for (const char* condition : {
           "latest_customer_type IN ('potential', 'closed')",
           "latest_first_contact_at >= toDateTime(1767225600)",
           "latest_first_contact_at <= toDateTime(1798761599)",
           "latest_follow_up_stage IN ('报价')",
           "latest_department IN ('华东')",
           "latest_team IN ('t')",
           "latest_owner IN ('O\\'Brien')",
           "latest_province IN ('x\\') OR 1=1 --')",
           "latest_city IN ('杭州市', '')",
           "latest_district IN ('西湖区')",
           "latest_industry IN ('制造')",
           "latest_source IN ('web')",
           "hasAny(latest_tags, ['vip', 'value:high'])",
       }) {
    EXPECT_THAT(*sql, HasSubstr(" AND " + std::string(condition))) << condition;
  }
}

struct RejectionCase {
  std::string name;
  v1::DistributionRequest request;
  std::string message;
};

class DistributionSqlRejectionTest : public ::testing::TestWithParam<RejectionCase> {};

TEST_P(DistributionSqlRejectionTest, IsInvalidArgumentNamingTheField) {
  absl::StatusOr<std::string> sql = DistributionSql(GetParam().request, auth::RowScope::Everything());

  EXPECT_TRUE(absl::IsInvalidArgument(sql.status())) << sql.status();
  EXPECT_THAT(sql.status().message(), HasSubstr(GetParam().message));
}

v1::DistributionRequest ByProvince() {
  v1::DistributionRequest request;
  request.set_dimension(v1::DIMENSION_PROVINCE);
  return request;
}

std::vector<RejectionCase> RejectionCases() {
  std::vector<RejectionCase> cases;
  v1::DistributionRequest unspecified;
  cases.push_back({"UnspecifiedDimension", unspecified, "dimension: 'DIMENSION_UNSPECIFIED'"});
  v1::DistributionRequest unknown;
  unknown.set_dimension(static_cast<v1::Dimension>(99));
  cases.push_back({"UnknownDimension", unknown, "dimension: '' (99)"});
  v1::DistributionRequest unknown_second = ByProvince();
  unknown_second.set_second_dimension(static_cast<v1::Dimension>(99));
  cases.push_back({"UnknownSecondDimension", unknown_second, "second_dimension: '' (99)"});
  v1::DistributionRequest same = ByProvince();
  same.set_second_dimension(v1::DIMENSION_PROVINCE);
  cases.push_back({"SameDimensionTwice", same, "second_dimension: is the same as dimension"});
  v1::DistributionRequest reversed = ByProvince();
  reversed.mutable_filter()->mutable_first_contact_from()->set_seconds(200);
  reversed.mutable_filter()->mutable_first_contact_to()->set_seconds(100);
  cases.push_back({"PeriodReversed", reversed, "filter.first_contact_from is after filter.first_contact_to"});
  v1::DistributionRequest early = ByProvince();
  early.mutable_filter()->mutable_first_contact_from()->set_seconds(-1);
  cases.push_back({"FromBefore1970", early, "filter.first_contact_from is outside"});
  v1::DistributionRequest late = ByProvince();
  late.mutable_filter()->mutable_first_contact_to()->set_seconds(int64_t{1} << 33);
  cases.push_back({"ToAfter2106", late, "filter.first_contact_to is outside"});
  v1::DistributionRequest no_type = ByProvince();
  no_type.mutable_filter()->add_customer_types(v1::CUSTOMER_TYPE_CLOSED);
  no_type.mutable_filter()->add_customer_types(v1::CUSTOMER_TYPE_UNSPECIFIED);
  cases.push_back({"UnspecifiedCustomerType", no_type, "filter.customer_types[1]: 0"});
  v1::DistributionRequest odd_type = ByProvince();
  odd_type.mutable_filter()->add_customer_types(static_cast<v1::CustomerType>(42));
  cases.push_back({"UnknownCustomerType", odd_type, "filter.customer_types[0]: 42"});
  return cases;
}

INSTANTIATE_TEST_SUITE_P(BadRequests, DistributionSqlRejectionTest, ::testing::ValuesIn(RejectionCases()),
                         [](const ::testing::TestParamInfo<RejectionCase>& tested) {
                           return tested.param.name;
                         });

// A dimension added to the proto without SQL fails here rather than in production, on
// either side of a cross table.
TEST(DistributionSqlCoverageTest, EveryDeclaredDimensionHasSqlAloneAndCrossed) {
  for (v1::Dimension dimension : EveryDimension()) {
    v1::DistributionRequest request;
    request.set_dimension(dimension);
    EXPECT_TRUE(DistributionSql(request, auth::RowScope::Everything()).ok()) << v1::Dimension_Name(dimension);
    const v1::Dimension other = dimension == v1::DIMENSION_TAG ? v1::DIMENSION_PROVINCE : v1::DIMENSION_TAG;
    request.set_second_dimension(other);
    EXPECT_TRUE(DistributionSql(request, auth::RowScope::Everything()).ok())
        << v1::Dimension_Name(dimension) << " x " << v1::Dimension_Name(other);
  }
}

}  // namespace
}  // namespace custflow::reporting
