// Tag expressions: what parses and how it prints, what is refused and where, which
// customers match, and which tags every match must have.
#include "custflow/tagging/tag_expression.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace custflow::tagging {
namespace {

struct CanonicalCase {
  std::string text;
  std::string canonical;
};

class TagExpressionCanonicalTest : public ::testing::TestWithParam<CanonicalCase> {};

TEST_P(TagExpressionCanonicalTest, ParsesAndPrintsCanonically) {
  const CanonicalCase& c = GetParam();
  absl::StatusOr<TagExpression> parsed = ParseTagExpression(c.text);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->ToString(), c.canonical);
  // The canonical text is a fixed point.
  absl::StatusOr<TagExpression> reparsed = ParseTagExpression(parsed->ToString());
  ASSERT_TRUE(reparsed.ok()) << reparsed.status();
  EXPECT_EQ(reparsed->ToString(), c.canonical);
}

INSTANTIATE_TEST_SUITE_P(
    Expressions, TagExpressionCanonicalTest,
    ::testing::Values(CanonicalCase{.text = "value:high", .canonical = "value:high"},
                      CanonicalCase{.text = "  value:high\t", .canonical = "value:high"},
                      CanonicalCase{.text = "value:high AND Not follow-up:high",
                                    .canonical = "value:high and not follow-up:high"},
                      CanonicalCase{.text = "(region:east or region:south) and grade:A",
                                    .canonical = "(region:east or region:south) and grade:A"},
                      // and binds tighter than or; redundant parentheses go.
                      CanonicalCase{.text = "a or b and c", .canonical = "a or b and c"},
                      CanonicalCase{.text = "(a or (b and c))", .canonical = "a or b and c"},
                      CanonicalCase{.text = "a and (b and c)", .canonical = "a and b and c"},
                      CanonicalCase{.text = "(a or b) or c", .canonical = "a or b or c"},
                      CanonicalCase{.text = "not (a and b)", .canonical = "not (a and b)"},
                      CanonicalCase{.text = "not not a", .canonical = "not not a"},
                      CanonicalCase{.text = "(a)and(b)", .canonical = "a and b"},
                      // Tags keep their case and any characters but space and parentheses.
                      CanonicalCase{.text = "region:华东 and 客户等级:A_1.x",
                                    .canonical = "region:华东 and 客户等级:A_1.x"},
                      CanonicalCase{.text = "region:华东\u3000or\u3000region:华南",
                                    .canonical = "region:华东 or region:华南"}),
    [](const ::testing::TestParamInfo<CanonicalCase>& param) {
      return "Case" + std::to_string(param.index);
    });

struct ErrorCase {
  std::string text;
  std::string message;
};

class TagExpressionErrorTest : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(TagExpressionErrorTest, RefusesWithColumnAndReason) {
  const ErrorCase& c = GetParam();
  absl::StatusOr<TagExpression> parsed = ParseTagExpression(c.text);
  ASSERT_FALSE(parsed.ok()) << parsed->ToString();
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(std::string(parsed.status().message()), c.message);
}

INSTANTIATE_TEST_SUITE_P(
    Expressions, TagExpressionErrorTest,
    ::testing::Values(
        ErrorCase{.text = "", .message = "column 1: the expression is empty"},
        ErrorCase{.text = "   ", .message = "column 4: the expression is empty"},
        ErrorCase{.text = "value:high and", .message = "column 15: expected a tag after 'and'"},
        ErrorCase{.text = "value:high AND or b",
                  .message = "column 16: expected a tag after 'and', got 'or'"},
        ErrorCase{.text = "a or", .message = "column 5: expected a tag after 'or'"},
        ErrorCase{.text = "not", .message = "column 4: expected a tag after 'not'"},
        ErrorCase{.text = "and a", .message = "column 1: expected a tag, got 'and'"},
        ErrorCase{.text = "()", .message = "column 2: expected a tag after '(', got ')'"},
        ErrorCase{.text = "a b", .message = "column 3: expected 'and' or 'or' before 'b'"},
        ErrorCase{.text = "(a b)", .message = "column 4: expected 'and', 'or' or ')' before 'b'"},
        ErrorCase{.text = "x and (a or b", .message = "column 7: '(' is not closed"},
        ErrorCase{.text = "a)", .message = "column 2: ')' without a matching '('"},
        // Columns count characters, not bytes.
        ErrorCase{.text = "region:华东 and", .message = "column 14: expected a tag after 'and'"}),
    [](const ::testing::TestParamInfo<ErrorCase>& param) { return "Case" + std::to_string(param.index); });

TEST(TagExpressionTest, RefusesNestingTooDeepForTheStack) {
  std::string deep;
  for (int i = 0; i < 10'000; ++i) deep += "(not ";
  deep += "a";
  absl::StatusOr<TagExpression> parsed = ParseTagExpression(deep);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(parsed.status().message().find("nested deeper than"), std::string::npos) << parsed.status();
}

struct MatchCase {
  std::string expression;
  std::vector<std::string> tags;
  bool matches;
};

class TagExpressionMatchTest : public ::testing::TestWithParam<MatchCase> {};

TEST_P(TagExpressionMatchTest, MatchesCustomerTags) {
  const MatchCase& c = GetParam();
  absl::StatusOr<TagExpression> parsed = ParseTagExpression(c.expression);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  std::vector<std::string> sorted = c.tags;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(parsed->Matches(sorted), c.matches);
}

INSTANTIATE_TEST_SUITE_P(
    Expressions, TagExpressionMatchTest,
    ::testing::Values(
        MatchCase{.expression = "value:high", .tags = {"value:high"}, .matches = true},
        MatchCase{.expression = "value:high", .tags = {"value:medium"}, .matches = false},
        MatchCase{.expression = "value:high", .tags = {}, .matches = false},
        MatchCase{.expression = "value:high and not follow-up:high",
                  .tags = {"value:high", "follow-up:low"},
                  .matches = true},
        MatchCase{.expression = "value:high and not follow-up:high",
                  .tags = {"value:high", "follow-up:high"},
                  .matches = false},
        MatchCase{.expression = "(region:east or region:south) and grade:A",
                  .tags = {"grade:A", "region:south"},
                  .matches = true},
        MatchCase{.expression = "(region:east or region:south) and grade:A",
                  .tags = {"grade:B", "region:south"},
                  .matches = false},
        MatchCase{.expression = "(region:east or region:south) and grade:A",
                  .tags = {"grade:A", "region:north"},
                  .matches = false},
        // Precedence: a or (b and c).
        MatchCase{.expression = "a or b and c", .tags = {"a"}, .matches = true},
        MatchCase{.expression = "a or b and c", .tags = {"b"}, .matches = false},
        MatchCase{.expression = "not a", .tags = {}, .matches = true},
        MatchCase{.expression = "not (a or b)", .tags = {"b"}, .matches = false},
        // Tags match whole, case and all.
        MatchCase{.expression = "grade:a", .tags = {"grade:A"}, .matches = false},
        MatchCase{.expression = "value:high", .tags = {"value:high-ish"}, .matches = false},
        MatchCase{.expression = "region:华东", .tags = {"region:华东", "value:low"}, .matches = true}),
    [](const ::testing::TestParamInfo<MatchCase>& param) { return "Case" + std::to_string(param.index); });

struct RequiredCase {
  std::string expression;
  std::vector<std::string> required;
};

class TagExpressionRequiredTest : public ::testing::TestWithParam<RequiredCase> {};

TEST_P(TagExpressionRequiredTest, ListsTagsEveryMatchHas) {
  const RequiredCase& c = GetParam();
  absl::StatusOr<TagExpression> parsed = ParseTagExpression(c.expression);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->RequiredTags(), c.required);
}

INSTANTIATE_TEST_SUITE_P(
    Expressions, TagExpressionRequiredTest,
    ::testing::Values(RequiredCase{.expression = "a", .required = {"a"}},
                      RequiredCase{.expression = "not a", .required = {}},
                      RequiredCase{.expression = "a or b", .required = {}},
                      RequiredCase{.expression = "a and (b or c)", .required = {"a"}},
                      RequiredCase{.expression = "c and b and not a and c", .required = {"b", "c"}},
                      RequiredCase{.expression = "(a and b) or (a and c)", .required = {"a"}},
                      RequiredCase{.expression = "(a and b) or (b and a and c)", .required = {"a", "b"}},
                      RequiredCase{.expression = "not (a and b)", .required = {}}),
    [](const ::testing::TestParamInfo<RequiredCase>& param) { return "Case" + std::to_string(param.index); });

}  // namespace
}  // namespace custflow::tagging
