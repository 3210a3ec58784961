// The embedded vocabularies: synonyms map to the standard words, unknown words to nothing,
// and regions are completed only where the vocabulary is sure.
#include "custflow/domain/vocabulary.h"

#include <google/protobuf/text_format.h>
#include <gtest/gtest.h>

namespace custflow::domain {
namespace {

struct WordCase {
  std::optional<std::string> (*lookup)(std::string_view);
  std::string word;
  std::optional<std::string> standard;
};

class VocabularyWordTest : public ::testing::TestWithParam<WordCase> {};

TEST_P(VocabularyWordTest, MapsTheWordToItsStandardForm) {
  EXPECT_EQ(GetParam().lookup(GetParam().word), GetParam().standard);
}

INSTANTIATE_TEST_SUITE_P(
    Words, VocabularyWordTest,
    ::testing::Values(
        WordCase{StandardIndustry, "制造业", "制造业"}, WordCase{StandardIndustry, "制造", "制造业"},
        WordCase{StandardIndustry, " Manufacturing ", "制造业"},
        WordCase{StandardIndustry, "ＩＴ", "信息技术"}, WordCase{StandardIndustry, "养猪", std::nullopt},
        WordCase{StandardIndustry, "", std::nullopt}, WordCase{StandardEnterpriseType, "民营", "private"},
        WordCase{StandardEnterpriseType, "私营企业", "private"},
        WordCase{StandardEnterpriseType, "国有", "state-owned"},
        WordCase{StandardEnterpriseType, "外资", "foreign"},
        WordCase{StandardEnterpriseType, "合资", "joint-venture"},
        WordCase{StandardEnterpriseType, "事业单位", "public-institution"},
        WordCase{StandardEnterpriseType, "个体户", "individual"},
        WordCase{StandardEnterpriseSize, "大型", "large"},
        WordCase{StandardEnterpriseSize, "中小企业", "SME"}, WordCase{StandardEnterpriseSize, "sme", "SME"},
        WordCase{StandardEnterpriseSize, "微型", "micro"}, WordCase{StandardProvince, "广东", "广东省"},
        WordCase{StandardProvince, "粤", "广东省"}, WordCase{StandardProvince, "Guangdong", "广东省"},
        WordCase{StandardProvince, "内蒙古", "内蒙古自治区"},
        WordCase{StandardProvince, "新疆", "新疆维吾尔自治区"},
        WordCase{StandardProvince, "澳门", "澳门特别行政区"}, WordCase{StandardProvince, "上海", "上海市"}));

TEST(VocabularyTest, KnowsAllThirtyFourProvincialDivisions) {
  for (const char* name :
       {"北京市",         "天津市",           "上海市",         "重庆市",         "河北省",
        "山西省",         "辽宁省",           "吉林省",         "黑龙江省",       "江苏省",
        "浙江省",         "安徽省",           "福建省",         "江西省",         "山东省",
        "河南省",         "湖北省",           "湖南省",         "广东省",         "海南省",
        "四川省",         "贵州省",           "云南省",         "陕西省",         "甘肃省",
        "青海省",         "台湾省",           "内蒙古自治区",   "广西壮族自治区", "西藏自治区",
        "宁夏回族自治区", "新疆维吾尔自治区", "香港特别行政区", "澳门特别行政区"}) {
    EXPECT_EQ(StandardProvince(name), name);
  }
}

TEST(VocabularyTest, CitiesKnowTheirProvince) {
  std::optional<KnownCity> shenzhen = LookupCity("深圳");
  ASSERT_TRUE(shenzhen.has_value());
  EXPECT_EQ(shenzhen->name, "深圳市");
  EXPECT_EQ(shenzhen->province, "广东省");
  EXPECT_EQ(LookupCity("Urumqi")->province, "新疆维吾尔自治区");
  EXPECT_FALSE(LookupCity("南山").has_value());
}

v1::Region Region(const std::string& text) {
  v1::Region region;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &region)) << text;
  return region;
}

struct RegionCase {
  std::string entered;
  std::string normalized;
};

class NormalizeRegionTest : public ::testing::TestWithParam<RegionCase> {};

TEST_P(NormalizeRegionTest, CompletesOnlyWhatTheVocabularyIsSureOf) {
  EXPECT_EQ(NormalizeRegion(Region(GetParam().entered)).DebugString(),
            Region(GetParam().normalized).DebugString());
}

INSTANTIATE_TEST_SUITE_P(
    Regions, NormalizeRegionTest,
    ::testing::Values(
        // Short forms; the province filled from the city; the district within its city.
        RegionCase{"city: '深圳' district: '南山'", "province: '广东省' city: '深圳市' district: '南山区'"},
        RegionCase{"province: '粤' city: 'Shenzhen'", "province: '广东省' city: '深圳市'"},
        // A municipality is its own city.
        RegionCase{"province: '北京'", "province: '北京市' city: '北京市'"},
        RegionCase{"province: '北京' district: '海淀'",
                   "province: '北京市' city: '北京市' district: '海淀区'"},
        // A city that contradicts the province stays as entered.
        RegionCase{"province: '浙江' city: '深圳'", "province: '浙江省' city: '深圳'"},
        // Unknown words stay; a district is not looked up without its city.
        RegionCase{"province: '火星' city: '某市'", "province: '火星' city: '某市'"},
        RegionCase{"district: '南山'", "district: '南山'"},
        // 鼓楼区 of 南京 is not 鼓楼区 of another city: only listed districts of the city map.
        RegionCase{"city: '南京' district: '鼓楼'", "province: '江苏省' city: '南京市' district: '鼓楼区'"},
        RegionCase{"city: '深圳' district: '鼓楼'", "province: '广东省' city: '深圳市' district: '鼓楼'"}));

}  // namespace
}  // namespace custflow::domain
