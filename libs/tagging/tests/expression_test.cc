// The rule language's expressions: values, functions of time, and compile errors.
#include "custflow/tagging/expression.h"

#include <gtest/gtest.h>

#include <string>

namespace custflow::tagging {
namespace {

constexpr int64_t kNow = 1'790'000'000;  // 2026-09-21T14:13:20Z, in 2026-Q3
constexpr int64_t kDay = 86400;

google::protobuf::Timestamp At(int64_t seconds) {
  google::protobuf::Timestamp time;
  time.set_seconds(seconds);
  return time;
}

v1::Profile SampleProfile() {
  v1::Profile profile;
  profile.set_follow_up_count(4);
  profile.set_order_count(3);
  profile.mutable_cumulative_amount()->set_amount_minor(12'345'600);  // 123,456 yuan
  profile.mutable_cumulative_amount()->set_currency("CNY");
  profile.mutable_customer()->set_industry("制造业");
  profile.mutable_customer()->mutable_region()->set_province("浙江省");
  profile.mutable_customer()->set_type(v1::CUSTOMER_TYPE_CLOSED);
  (*profile.mutable_customer()->mutable_custom_fields())["profit_margin"] = "0.25";
  (*profile.mutable_customer()->mutable_custom_fields())["note"] = "n/a";
  *profile.mutable_last_order_at() = At(kNow - 10 * kDay);
  (*profile.mutable_interaction_counts())["INTERACTION_TYPE_ORDER_REFUNDED"] = 1;
  (*profile.mutable_orders_by_quarter())["2026-Q3"] = 2;
  (*profile.mutable_orders_by_quarter())["2026-Q2"] = 1;
  (*profile.mutable_orders_by_quarter())["2025-Q3"] = 7;
  (*profile.mutable_amount_by_quarter())["2026-Q3"] = 5'000'000;
  (*profile.mutable_amount_by_quarter())["2025-Q2"] = 1'000'000;
  profile.set_response_count(2);
  profile.set_response_seconds_sum(3 * 3600);
  for (int64_t days : {20, 12, 11, 2}) *profile.add_recent_quote_rejections() = At(kNow - days * kDay);
  return profile;
}

struct Case {
  const char* expression;
  const char* expected;  // FormatValue of the result
};

class ExpressionValue : public testing::TestWithParam<Case> {};

TEST_P(ExpressionValue, EvaluatesOnTheSampleProfile) {
  absl::StatusOr<Expression> compiled = CompileExpression(GetParam().expression);
  ASSERT_TRUE(compiled.ok()) << compiled.status();
  v1::Profile profile = SampleProfile();
  Value value =
      compiled->Evaluate(EvalContext{.profile = profile, .now = kNow, .tags = nullptr, .inputs = nullptr});
  EXPECT_EQ(FormatValue(value), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Language, ExpressionValue,
    testing::Values(
        Case{"follow_up_count", "4"}, Case{"follow_up_count >= 5", "false"},
        Case{"follow_up_count between 3 and 4", "true"}, Case{"cumulative_amount", "123456"},
        Case{"cumulative_amount >= 100_000 and order_count > 2", "true"},
        Case{"industry == '制造业'", "true"}, Case{"province in ['江苏省', '浙江省']", "true"},
        Case{"province not in ['江苏省', '浙江省']", "false"}, Case{"customer_type", "'closed'"},
        Case{"since(last_order_at)", "10d"}, Case{"since(last_order_at) <= 90d", "true"},
        Case{"since(first_order_at)", "missing"},
        // a comparison with a missing value is false either way round
        Case{"since(first_order_at) > 90d", "false"}, Case{"since(first_order_at) <= 90d", "false"},
        Case{"not (since(first_order_at) <= 90d)", "true"}, Case{"exists(first_order_at)", "false"},
        Case{"count_within(recent_quote_rejections, 3d)", "1"},
        Case{"count_within(recent_quote_rejections, 12d)", "3"},
        Case{"most_within(recent_quote_rejections, 3d)", "2"},
        Case{"most_within(recent_quote_rejections, 1d)", "2"},
        Case{"most_within(recent_quote_rejections, 12h)", "1"}, Case{"orders_in_quarters(1)", "2"},
        Case{"orders_in_quarters(4)", "3"}, Case{"orders_in_quarters(4, 4)", "7"},
        Case{"amount_in_quarters(4)", "50000"}, Case{"amount_in_quarters(4) / amount_in_quarters(4, 4)", "5"},
        Case{"amount_in_quarters(4) / amount_in_quarters(2, 8)", "missing"},
        Case{"interactions.order_refunded / order_count", "0.3333"},
        Case{"interactions.COMPLAINT_OPENED", "0"}, Case{"avg_response_time", "1h 30m"},
        Case{"avg_response_time <= 24h", "true"}, Case{"last_response_time", "0s"},
        Case{"satisfaction_avg", "missing"}, Case{"number(custom.profit_margin)", "0.25"},
        Case{"number(custom.note)", "missing"}, Case{"number(custom.absent)", "missing"},
        Case{"coalesce(first_order_at, last_order_at)", "2026-09-11T14:13:20Z"}, Case{"1 + 2 * 3 - -1", "8"},
        Case{"2d / 1d", "2"}, Case{"3 * 1h", "3h"}, Case{"true or false and false", "true"},
        Case{"(true or false) and false", "false"},
        Case{"NOT follow_up_count == 4 OR order_count == 3", "true"}, Case{"tag('grade')", "missing"}),
    [](const testing::TestParamInfo<Case>& param) { return "case" + std::to_string(param.index); });

struct BadCase {
  const char* expression;
  const char* error;
};

class ExpressionError : public testing::TestWithParam<BadCase> {};

TEST_P(ExpressionError, IsRejectedWithColumnAndReason) {
  absl::StatusOr<Expression> compiled = CompileExpression(GetParam().expression);
  ASSERT_FALSE(compiled.ok()) << GetParam().expression;
  EXPECT_EQ(compiled.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(std::string(compiled.status().message()), GetParam().error);
}

INSTANTIATE_TEST_SUITE_P(
    Language, ExpressionError,
    testing::Values(
        BadCase{"folow_up_count >= 5", "column 1: unknown field 'folow_up_count'"},
        BadCase{"since(last_order_at) > 90",
                "column 22: cannot compare a duration with a number (write a duration "
                "such as 90d or 24h)"},
        BadCase{"last_order_at > 90d",
                "column 15: cannot compare a time with a duration (use since(...) for a time)"},
        BadCase{"industry > 'a'",
                "column 10: only numbers and durations are ordered; compare a string with == or != "
                "or 'in'"},
        BadCase{"follow_up_count = 5", "column 17: '=' is not an operator; compare with '=='"},
        BadCase{"follow_up_count >= 5 and", "column 25: expected a value before the end"},
        BadCase{"follow_up_count and order_count > 1", "column 1: 'and' needs a condition, not a number"},
        BadCase{"province in ['a', 3]",
                "column 19: the list holds a strings: expected a quoted string at '3'"},
        BadCase{"since(90d) > 1d", "column 1: usage: since(<time field>)"},
        BadCase{"count_within(recent_quote_rejections, order_count) > 1",
                "column 1: usage: count_within(<list of times>, <duration literal>)"},
        BadCase{"interactions.teleport > 1", "column 1: unknown interaction type in 'interactions.teleport'"},
        BadCase{"frobnicate(1) > 1", "column 1: unknown function 'frobnicate'"},
        BadCase{"order_count > 1 )", "column 17: unexpected ')'"},
        BadCase{"90x > 1", "column 3: unknown duration unit 'x' (use s, m, h, d or w)"},
        BadCase{"industry == 'open", "column 13: string not closed"}),
    [](const testing::TestParamInfo<BadCase>& param) { return "case" + std::to_string(param.index); });

TEST(Expression, ExplainingRecordsEachInputOnceWithItsValue) {
  absl::StatusOr<Expression> compiled = CompileExpression(
      "cumulative_amount >= 100000 and since(last_order_at) <= 90d or cumulative_amount > 1");
  ASSERT_TRUE(compiled.ok()) << compiled.status();
  v1::Profile profile = SampleProfile();
  std::vector<v1::RuleInput> inputs;
  compiled->Evaluate(EvalContext{.profile = profile, .now = kNow, .tags = nullptr, .inputs = &inputs});
  ASSERT_EQ(inputs.size(), 3u);
  EXPECT_EQ(inputs[0].name(), "cumulative_amount");
  EXPECT_EQ(inputs[0].value(), "123456");
  EXPECT_EQ(inputs[1].name(), "last_order_at");
  EXPECT_EQ(inputs[1].value(), "2026-09-11T14:13:20Z");
  EXPECT_EQ(inputs[2].name(), "since(last_order_at)");
  EXPECT_EQ(inputs[2].value(), "10d");
}

}  // namespace
}  // namespace custflow::tagging
