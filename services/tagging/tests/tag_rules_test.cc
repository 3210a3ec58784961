#include "services/tagging/tag_rules.h"

#include <gtest/gtest.h>

namespace custflow::tagging {
namespace {

struct TagCase {
  uint64_t follow_ups;
  int64_t amount_cny;
  std::vector<std::string> expected;
};

class EvaluateTagsTest : public ::testing::TestWithParam<TagCase> {};

TEST_P(EvaluateTagsTest, AppliesTheDomainThresholds) {
  v1::Profile profile;
  profile.set_follow_up_count(GetParam().follow_ups);
  profile.mutable_cumulative_amount()->set_amount_minor(GetParam().amount_cny * 100);
  EXPECT_EQ(EvaluateTags(profile), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(Thresholds, EvaluateTagsTest,
                         ::testing::Values(TagCase{0, 0, {"follow-up:low", "value:low"}},
                                           TagCase{2, 49'999, {"follow-up:low", "value:low"}},
                                           TagCase{3, 50'000, {"follow-up:medium", "value:medium"}},
                                           TagCase{4, 99'999, {"follow-up:medium", "value:medium"}},
                                           TagCase{5, 100'000, {"follow-up:high", "value:high"}}));

TEST(BuiltinRules, DescribeEveryRule) {
  std::vector<v1::TagRule> rules = BuiltinRules();
  ASSERT_EQ(rules.size(), 6u);
  EXPECT_EQ(rules[0].tag(), "follow-up:high");
  EXPECT_EQ(rules[0].description(), "follow-up count >= 5");
}

}  // namespace
}  // namespace custflow::tagging
