// DistributionSql without a server: each dimension reads its own column, and anything
// else is refused before any SQL is built.
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/reporting/distribution.h"

namespace custflow::reporting {
namespace {

using ::testing::HasSubstr;

struct DimensionCase {
  v1::Dimension dimension;
  std::string column;
};

class DistributionSqlTest : public ::testing::TestWithParam<DimensionCase> {};

TEST_P(DistributionSqlTest, DimensionGroupsByItsColumnOfTheLatestVersion) {
  v1::DistributionRequest request;
  request.set_dimension(GetParam().dimension);

  absl::StatusOr<std::string> sql = DistributionSql(request);

  ASSERT_TRUE(sql.ok()) << sql.status();
  EXPECT_THAT(*sql, HasSubstr("argMax(" + GetParam().column + ", version) AS value"));
  EXPECT_THAT(*sql, HasSubstr("FROM profile_versions"));
  EXPECT_THAT(*sql, HasSubstr("WHERE merged = ''"));
}

INSTANTIATE_TEST_SUITE_P(EachDimension, DistributionSqlTest,
                         ::testing::Values(DimensionCase{v1::DIMENSION_DEPARTMENT, "department"},
                                           DimensionCase{v1::DIMENSION_TEAM, "team"},
                                           DimensionCase{v1::DIMENSION_OWNER, "owner"},
                                           DimensionCase{v1::DIMENSION_CUSTOMER_TYPE, "customer_type"},
                                           DimensionCase{v1::DIMENSION_FOLLOW_UP_STAGE, "follow_up_stage"},
                                           DimensionCase{v1::DIMENSION_PROVINCE, "province"},
                                           DimensionCase{v1::DIMENSION_CITY, "city"},
                                           DimensionCase{v1::DIMENSION_DISTRICT, "district"},
                                           DimensionCase{v1::DIMENSION_INDUSTRY, "industry"},
                                           DimensionCase{v1::DIMENSION_SOURCE, "source"}),
                         [](const ::testing::TestParamInfo<DimensionCase>& tested) {
                           return v1::Dimension_Name(tested.param.dimension);
                         });

TEST(DistributionSqlTagTest, TagsOfTheLatestVersionAreSpreadOneRowPerTag) {
  v1::DistributionRequest request;
  request.set_dimension(v1::DIMENSION_TAG);

  absl::StatusOr<std::string> sql = DistributionSql(request);

  ASSERT_TRUE(sql.ok()) << sql.status();
  EXPECT_THAT(*sql, HasSubstr("argMax(tags, version) AS tag_list"));
  EXPECT_THAT(*sql, HasSubstr("ARRAY JOIN if(empty(tag_list), [''], tag_list) AS value"));
  EXPECT_THAT(*sql, HasSubstr("AS total_customers"));
  EXPECT_THAT(*sql, HasSubstr("WHERE merged = ''"));
}

// A dimension added to the proto without a column fails here rather than in production.
TEST(DistributionSqlCoverageTest, EveryDeclaredDimensionHasSql) {
  const google::protobuf::EnumDescriptor* dimensions = v1::Dimension_descriptor();
  for (int i = 0; i < dimensions->value_count(); ++i) {
    const auto dimension = static_cast<v1::Dimension>(dimensions->value(i)->number());
    if (dimension == v1::DIMENSION_UNSPECIFIED) continue;
    v1::DistributionRequest request;
    request.set_dimension(dimension);
    EXPECT_TRUE(DistributionSql(request).ok()) << v1::Dimension_Name(dimension);
  }
}

TEST(DistributionSqlRejectionTest, UnknownDimensionIsInvalidArgumentNamingTheField) {
  for (int number : {static_cast<int>(v1::DIMENSION_UNSPECIFIED), 99}) {
    v1::DistributionRequest request;
    request.set_dimension(static_cast<v1::Dimension>(number));

    absl::StatusOr<std::string> sql = DistributionSql(request);

    EXPECT_TRUE(absl::IsInvalidArgument(sql.status())) << number << ": " << sql.status();
    EXPECT_THAT(sql.status().message(), HasSubstr("dimension")) << number;
  }
}

}  // namespace
}  // namespace custflow::reporting
