#include "custflow/domain/search_terms.h"

#include <gtest/gtest.h>

namespace custflow::domain {
namespace {

v1::Profile Sample() {
  v1::Profile profile;
  profile.set_customer_id("cu_1");
  v1::Customer& c = *profile.mutable_customer();
  c.set_name("深圳华星科技有限公司");
  c.set_contact_person("李娜");
  c.set_contact_phone("+8613800138000");
  c.set_owner("王芳");
  c.set_department("华南大区");
  c.set_industry("制造业");
  c.set_type(v1::CUSTOMER_TYPE_POTENTIAL);
  c.mutable_region()->set_province("广东省");
  c.mutable_region()->set_city("深圳市");
  profile.add_tags("vip");
  profile.add_tags("vip");
  return profile;
}

TEST(SearchTerms, OneTermPerFilledFieldAndTagSortedAndUnique) {
  EXPECT_EQ(
      SearchTerms(Sample()),
      (std::vector<std::string>{"all", "city=深圳市", "department=华南大区", "industry=制造业", "owner=王芳",
                                "province=广东省", "tag=vip", "type=CUSTOMER_TYPE_POTENTIAL"}));
}

TEST(SearchTerms, AMergedAwayProfileHasNone) {
  v1::Profile profile = Sample();
  profile.set_merged_into("cu_2");
  EXPECT_TRUE(SearchTerms(profile).empty());
}

TEST(SearchTerms, AnEmptyFilterNeedsOnlyAll) { EXPECT_EQ(FilterTerms({}), std::vector<std::string>{"all"}); }

struct FilterCase {
  const char* name;
  v1::CustomerFilter filter;
  bool matches;
};

v1::CustomerFilter Filter(void (*set)(v1::CustomerFilter&)) {
  v1::CustomerFilter filter;
  set(filter);
  return filter;
}

class MatchesFilterTest : public ::testing::TestWithParam<FilterCase> {};

TEST_P(MatchesFilterTest, ChecksEveryCondition) {
  EXPECT_EQ(MatchesFilter(Sample(), GetParam().filter), GetParam().matches);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, MatchesFilterTest,
    ::testing::Values(FilterCase{"empty", {}, true},
                      FilterCase{"owner", Filter([](auto& f) { f.set_owner("王芳"); }), true},
                      FilterCase{"other_owner", Filter([](auto& f) { f.set_owner("张伟"); }), false},
                      FilterCase{"province_and_type", Filter([](auto& f) {
                                   f.mutable_region()->set_province("广东省");
                                   f.set_type(v1::CUSTOMER_TYPE_POTENTIAL);
                                 }),
                                 true},
                      FilterCase{"closed", Filter([](auto& f) { f.set_type(v1::CUSTOMER_TYPE_CLOSED); }),
                                 false},
                      FilterCase{"tag", Filter([](auto& f) { f.set_tag("vip"); }), true},
                      FilterCase{"name_text", Filter([](auto& f) { f.set_text("华星"); }), true},
                      FilterCase{"contact_text", Filter([](auto& f) { f.set_text("李娜"); }), true},
                      FilterCase{"phone_text", Filter([](auto& f) { f.set_text("138001"); }), true},
                      FilterCase{"text_and_owner_mismatch", Filter([](auto& f) {
                                   f.set_text("华星");
                                   f.set_owner("张伟");
                                 }),
                                 false},
                      FilterCase{"missing_text", Filter([](auto& f) { f.set_text("北京"); }), false}),
    [](const ::testing::TestParamInfo<FilterCase>& param) { return std::string(param.param.name); });

}  // namespace
}  // namespace custflow::domain
