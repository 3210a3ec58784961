// Rule files: what a valid file gives, and how a bad one is reported (file, line, column,
// reason; every problem at once).
#include "custflow/tagging/rule_file.h"

#include <gtest/gtest.h>

#include <string>

namespace custflow::tagging {
namespace {

constexpr int64_t kNow = 1'790'000'000;

std::string Errors(std::string_view text) { return FormatErrors(ParseRuleFile(text, "rules.yaml").errors); }

TEST(RuleFile, FirstMatchingRuleOfAKeyWinsAndLaterRulesReadEarlierTags) {
  RuleFileResult result = ParseRuleFile(R"(version: "t1"
rules:
  - id: many
    tag: follow-up:high
    when: follow_up_count >= 5
  - id: some
    tag: follow-up:low
    when: follow_up_count >= 1
  - id: keen
    tag: attention:keen
    version: 3
    when: tag('follow-up') == 'high'
)",
                                        "rules.yaml");
  ASSERT_TRUE(result.rules) << FormatErrors(result.errors);
  v1::Profile profile;
  profile.set_follow_up_count(6);
  Evaluation evaluation = result.rules->Evaluate(profile, kNow);
  ASSERT_EQ(evaluation.tags.size(), 2u);
  EXPECT_EQ(evaluation.tags[0], "attention:keen");
  EXPECT_EQ(evaluation.rules[0], "keen@3");
  EXPECT_EQ(evaluation.tags[1], "follow-up:high");
  EXPECT_EQ(evaluation.rules[1], "many@1");

  profile.set_follow_up_count(2);
  evaluation = result.rules->Evaluate(profile, kNow);
  ASSERT_EQ(evaluation.tags.size(), 1u);
  EXPECT_EQ(evaluation.tags[0], "follow-up:low");

  v1::ExplainResponse explained = result.rules->Explain(profile, kNow);
  ASSERT_EQ(explained.rules_size(), 3);
  EXPECT_FALSE(explained.rules(0).matched());
  EXPECT_EQ(explained.rules(0).inputs(0).name(), "follow_up_count");
  EXPECT_EQ(explained.rules(0).inputs(0).value(), "2");
  EXPECT_TRUE(explained.rules(1).applied());
  EXPECT_FALSE(explained.rules(2).matched());
  EXPECT_EQ(explained.rules(2).inputs(0).value(), "'low'");
}

TEST(RuleFile, ScoresWeighIndicatorsAndSkipMissingOnes) {
  RuleFileResult result = ParseRuleFile(R"(version: "t1"
scores:
  - id: g
    key: grade
    profile_grade: true
    indicators:
      - name: sales
        weight: 3
        value: cumulative_amount
        bands: [{min: 1000, points: 100}, {points: 0}]
      - name: margin
        weight: 1
        value: number(custom.margin)
        bands: [{min: 0.2, points: 100}, {points: 20}]
    grades: [{min: 80, grade: A}, {min: 0, grade: B}]
rules: []
)",
                                        "rules.yaml");
  ASSERT_TRUE(result.rules) << FormatErrors(result.errors);
  v1::Profile profile;
  profile.mutable_cumulative_amount()->set_amount_minor(100'000);  // 1,000 yuan: 100 points
  EXPECT_EQ(result.rules->Evaluate(profile, kNow).grade, "A");     // margin missing: sales alone
  (*profile.mutable_customer()->mutable_custom_fields())["margin"] = "0.1";
  Evaluation evaluation = result.rules->Evaluate(profile, kNow);
  EXPECT_EQ(evaluation.grade, "A");  // (3*100 + 1*20) / 4 = 80
  ASSERT_EQ(evaluation.tags.size(), 1u);
  EXPECT_EQ(evaluation.tags[0], "grade:A");
  profile.mutable_cumulative_amount()->set_amount_minor(99'999);
  EXPECT_EQ(result.rules->Evaluate(profile, kNow).grade, "B");  // 20 / 4 = 5

  v1::ExplainResponse explained = result.rules->Explain(profile, kNow);
  ASSERT_EQ(explained.scores_size(), 1);
  EXPECT_DOUBLE_EQ(explained.scores(0).score(), 5);
  EXPECT_EQ(explained.scores(0).indicators(1).value(), "0.1");
  EXPECT_EQ(explained.scores(0).indicators(1).points(), 20);
}

TEST(RuleFile, ReportsEveryProblemWithLineAndColumn) {
  EXPECT_EQ(Errors(R"(version: "t1"
rules:
  - id: a
    tag: follow-up:high
    wehn: follow_up_count >= 5
  - id: b
    tag: nokey
    when: follow_up_count >= 5
  - id: b
    tag: x:y
    when: since(last_order_at) > 90
  - id: c
    tag: x:z
    when: follow_up_count
)"),
            "rules.yaml:5:5: unknown key 'wehn' in a rule (expected id, tag, version, description, when)\n"
            "rules.yaml:3:5: rule 'a' has no 'when'\n"
            "rules.yaml:7:10: rule 'b': tag 'nokey' must be '<key>:<value>' without spaces or parentheses\n"
            "rules.yaml:9:9: id 'b' is used twice\n"
            "rules.yaml:11:11: in 'when': column 22: cannot compare a duration with a number (write a "
            "duration such "
            "as 90d or 24h)\n"
            "rules.yaml:14:11: 'when' must be a condition, not a number");
}

TEST(RuleFile, ReportsYamlSyntaxAndShapeErrors) {
  EXPECT_EQ(Errors("version: \"t1\"\nrules:\n  - id: [a\n"),
            "rules.yaml:4:1: end of sequence flow not found");
  EXPECT_EQ(Errors("- a\n- b\n"), "rules.yaml:1:1: the rule file must be a mapping");
  EXPECT_EQ(Errors("version: t1\n"), "rules.yaml:1:1: the rule file needs a list 'rules'");
}

TEST(RuleFile, ChecksScoresBandsAndGrades) {
  EXPECT_EQ(Errors(R"(version: "t1"
scores:
  - id: s
    key: grade
    indicators:
      - name: recency
        weight: 1
        value: since(last_order_at)
        bands: [{max: 30, points: 100}, {points: 120}]
    grades: [{min: 0, grade: B}, {min: 80, grade: A}]
rules:
  - id: r
    tag: grade:C
    when: "true"
)"),
            "rules.yaml:9:23: 'max' must be a duration like the value (e.g. 30d)\n"
            "rules.yaml:9:50: 'points' must be within 0-100\n"
            "rules.yaml:10:34: grades must be listed from the highest 'min' down");
  EXPECT_EQ(Errors(R"(version: "t1"
scores:
  - id: s
    key: grade
    indicators: [{name: n, weight: 1, value: order_count, bands: [{points: 50}]}]
    grades: [{min: 0, grade: B}]
rules:
  - id: r
    tag: grade:C
    when: "true"
)"),
            "rules.yaml:9:10: tag key 'grade' belongs to a score");
}

TEST(RuleFile, DefaultRulesLoad) {
  RuleFileResult result = ParseRuleFile(DefaultRuleFileText(), "default.yaml");
  ASSERT_TRUE(result.rules) << FormatErrors(result.errors);
  EXPECT_FALSE(result.rules->version().empty());
  v1::ListRulesResponse described;
  result.rules->Describe(described);
  EXPECT_EQ(described.rules_size(), static_cast<int>(result.rules->rules().size()));
  EXPECT_EQ(described.scores(0).indicators(0).bands(0),
            "in [state-owned, government, public-institution]: 100");
}

TEST(RuleFile, UnreadableFileIsAnError) {
  RuleFileResult result = LoadRuleFile("/nonexistent/rules.yaml");
  EXPECT_FALSE(result.rules);
  EXPECT_EQ(FormatErrors(result.errors), "/nonexistent/rules.yaml: cannot read the file");
}

}  // namespace
}  // namespace custflow::tagging
