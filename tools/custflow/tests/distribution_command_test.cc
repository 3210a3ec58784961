// custflow distribution without a server: options become the request (or a message naming
// the bad option), and responses print as aligned tables and matrices.
#include "tools/custflow/distribution_command.h"

#include <google/protobuf/text_format.h>
#include <gtest/gtest.h>

#include <map>
#include <string>

namespace custflow::tools {
namespace {

v1::DistributionRequest Request(const std::map<std::string, std::string>& options) {
  auto parsed = DistributionRequestFromOptions(options);
  const std::string* error = std::get_if<std::string>(&parsed);
  EXPECT_EQ(error, nullptr) << *error;
  return error == nullptr ? std::get<v1::DistributionRequest>(parsed) : v1::DistributionRequest();
}

TEST(DistributionOptionsTest, NoOptionsCountByProvinceAsBefore) {
  v1::DistributionRequest request = Request({});

  EXPECT_EQ(request.ShortDebugString(), "dimension: DIMENSION_PROVINCE");
}

TEST(DistributionOptionsTest, EveryOptionFillsItsField) {
  v1::DistributionRequest request = Request({
      {"--by", "month"},
      {"--by2", "tag"},
      {"--top", "5"},
      {"--type", "potential,closed"},
      {"--from", "2026-01-01"},
      {"--to", "2026-12-31"},
      {"--stage", "报价,谈判"},
      {"--department", "华东"},
      {"--team", "一组"},
      {"--owner", "O'Brien"},
      {"--province", "浙江省,广东省"},
      {"--city", "杭州市"},
      {"--district", "西湖区"},
      {"--industry", "制造"},
      {"--source", "展会"},
      {"--tag", "vip"},
  });

  EXPECT_EQ(request.dimension(), v1::DIMENSION_FIRST_CONTACT_MONTH);
  EXPECT_EQ(request.second_dimension(), v1::DIMENSION_TAG);
  EXPECT_EQ(request.top(), 5u);
  const v1::DistributionFilter& filter = request.filter();
  ASSERT_EQ(filter.customer_types_size(), 2);
  EXPECT_EQ(filter.customer_types(0), v1::CUSTOMER_TYPE_POTENTIAL);
  EXPECT_EQ(filter.customer_types(1), v1::CUSTOMER_TYPE_CLOSED);
  EXPECT_EQ(filter.first_contact_from().seconds(), 1767225600);  // 2026-01-01 00:00:00 UTC
  EXPECT_EQ(filter.first_contact_to().seconds(), 1798761599);    // 2026-12-31 23:59:59 UTC
  EXPECT_EQ(filter.follow_up_stages_size(), 2);
  EXPECT_EQ(filter.follow_up_stages(1), "谈判");
  EXPECT_EQ(filter.departments(0), "华东");
  EXPECT_EQ(filter.teams(0), "一组");
  EXPECT_EQ(filter.owners(0), "O'Brien");
  ASSERT_EQ(filter.provinces_size(), 2);
  EXPECT_EQ(filter.provinces(1), "广东省");
  EXPECT_EQ(filter.cities(0), "杭州市");
  EXPECT_EQ(filter.districts(0), "西湖区");
  EXPECT_EQ(filter.industries(0), "制造");
  EXPECT_EQ(filter.sources(0), "展会");
  EXPECT_EQ(filter.tags(0), "vip");
}

struct BadOptionCase {
  const char* name;
  std::map<std::string, std::string> options;
  std::string message;
};

class DistributionBadOptionTest : public testing::TestWithParam<BadOptionCase> {};

TEST_P(DistributionBadOptionTest, IsRefusedNamingTheOption) {
  auto parsed = DistributionRequestFromOptions(GetParam().options);

  ASSERT_TRUE(std::holds_alternative<std::string>(parsed));
  EXPECT_EQ(std::get<std::string>(parsed), GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    Options, DistributionBadOptionTest,
    testing::Values(
        BadOptionCase{"UnknownDimension", {{"--by", "planet"}}, "unknown dimension 'planet' for --by"},
        BadOptionCase{"UnknownSecondDimension", {{"--by2", "x"}}, "unknown dimension 'x' for --by2"},
        BadOptionCase{"TopZero", {{"--top", "0"}}, "--top wants a whole number above 0, not '0'"},
        BadOptionCase{"TopText", {{"--top", "5x"}}, "--top wants a whole number above 0, not '5x'"},
        BadOptionCase{
            "UnknownType", {{"--type", "closed,won"}}, "--type: 'won' is not potential, closed or lost"},
        BadOptionCase{
            "BadDay", {{"--from", "2026-02-30"}}, "--from wants a date as 2026-01-01, not '2026-02-30'"},
        BadOptionCase{"NotADay", {{"--to", "yesterday"}}, "--to wants a date as 2026-01-01, not 'yesterday'"},
        BadOptionCase{"UnknownOption", {{"--colour", "red"}}, "unknown option --colour"}),
    [](const testing::TestParamInfo<BadOptionCase>& tested) { return std::string(tested.param.name); });

v1::DistributionResponse Response(const std::string& text) {
  v1::DistributionResponse response;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &response));
  return response;
}

TEST(DistributionFormatTest, OneDimensionIsATableWithOtherAndNoneNamed) {
  const v1::DistributionResponse response = Response(R"pb(
    rows { value: "广东省" customers: 4 interactions: 12 }
    rows { value: "" customers: 2 interactions: 3 }
    rows { customers: 7 interactions: 9 is_other: true }
    total_customers: 13
  )pb");

  EXPECT_EQ(FormatDistribution(response, "province", ""),
            "value             customers  interactions\n"
            "广东省                    4            12\n"
            "(none)                    2             3\n"
            "(other)                   7             9\n"
            "total customers: 13\n");
}

TEST(DistributionFormatTest, CrossTableIsAMatrixAlignedForWideCharacters) {
  const v1::DistributionResponse response = Response(R"pb(
    rows { value: "浙江省" second_value: "potential" customers: 3 }
    rows { value: "广东省" second_value: "closed" customers: 12 }
    rows { value: "广东省" second_value: "potential" customers: 1 }
    rows { second_value: "closed" customers: 2 is_other: true }
    total_customers: 18
  )pb");

  EXPECT_EQ(FormatDistribution(response, "province", "type"),
            "province \\ type  closed  potential\n"
            "广东省               12          1\n"
            "浙江省                0          3\n"
            "(other)               2          0\n"
            "total customers: 18\n");
}

}  // namespace
}  // namespace custflow::tools
