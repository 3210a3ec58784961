// Binding values into SQL: every value must come out as a literal ClickHouse reads back
// byte for byte, and nothing a value holds may change the statement around it.
#include "custflow/clickhouse/sql.h"

#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace custflow::clickhouse {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;
using namespace std::string_literals;

struct QuoteCase {
  std::string name;
  std::string value;
  std::string literal;
};

class QuoteStringTest : public ::testing::TestWithParam<QuoteCase> {};

TEST_P(QuoteStringTest, EscapesEveryByteThatCouldEndOrBendTheLiteral) {
  EXPECT_EQ(QuoteString(GetParam().value), GetParam().literal);
}

INSTANTIATE_TEST_SUITE_P(
    Values, QuoteStringTest,
    ::testing::Values(
        QuoteCase{"Plain", "abc", "'abc'"}, QuoteCase{"Empty", "", "''"},
        QuoteCase{"SingleQuote", "O'Brien", R"('O\'Brien')"},
        QuoteCase{"Backslash", R"(C:\temp)", R"('C:\\temp')"},
        QuoteCase{"BackslashBeforeQuote", R"(\')", R"('\\\'')"},
        QuoteCase{"TrailingBackslash", R"(end\)", R"('end\\')"}, QuoteCase{"Newline", "a\nb", R"('a\nb')"},
        QuoteCase{"Tab", "a\tb", R"('a\tb')"}, QuoteCase{"CarriageReturn", "a\rb", R"('a\rb')"},
        QuoteCase{"BackspaceAndFormFeed", "\b\f", R"('\b\f')"},
        QuoteCase{"NulFollowedByDigit", std::string{'a', '\0', '1'}, R"('a\x001')"},
        QuoteCase{"OtherControlBytes", "\x01\x1f\x7f", R"('\x01\x1F\x7F')"},
        QuoteCase{"DoubleQuoteAndBackquote", "\"`", "'\"`'"}, QuoteCase{"QuestionMark", "why?", "'why?'"},
        QuoteCase{"ChineseText", "张三 · 北京市朝阳区", "'张三 · 北京市朝阳区'"},
        QuoteCase{"Emoji", "🚀", "'🚀'"}, QuoteCase{"InjectionWithComment", "' OR 1=1 --", R"('\' OR 1=1 --')"},
        QuoteCase{"InjectionWithEscapedQuote", R"(\' OR 1=1 --)", R"('\\\' OR 1=1 --')"},
        QuoteCase{"InjectionWithDoubledQuote", "'' OR ''='", R"('\'\' OR \'\'=\'')"},
        QuoteCase{"InjectionWithSecondStatement", "x'; DROP TABLE events; --",
                  R"('x\'; DROP TABLE events; --')"}),
    [](const auto& test_case) { return test_case.param.name; });

struct BindCase {
  std::string name;
  std::string sql;
  std::vector<SqlValue> values;
  std::string bound;
};

class BindTest : public ::testing::TestWithParam<BindCase> {};

TEST_P(BindTest, ReplacesEachPlaceholderWithItsValueLiteral) {
  absl::StatusOr<std::string> bound = BindValues(GetParam().sql, GetParam().values);
  ASSERT_TRUE(bound.ok()) << bound.status();
  EXPECT_EQ(*bound, GetParam().bound);
}

constexpr auto kDay = std::chrono::sys_days(std::chrono::year(2024) / 5 / 1);

INSTANTIATE_TEST_SUITE_P(
    Values, BindTest,
    ::testing::Values(
        BindCase{"NoPlaceholders", "SELECT 1", {}, "SELECT 1"},
        BindCase{"Int64Limits",
                 "? ?",
                 {std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max()},
                 "-9223372036854775808 9223372036854775807"},
        BindCase{"UInt64Max", "?", {std::numeric_limits<uint64_t>::max()}, "18446744073709551615"},
        BindCase{"SmallIntegers", "? ? ?", {int8_t{-8}, uint16_t{65535}, 42}, "-8 65535 42"},
        BindCase{"Bool", "? ?", {true, false}, "1 0"}, BindCase{"ShortestDouble", "?", {0.1}, "0.1"},
        BindCase{"DoubleThatLooksIntegral", "?", {2.0}, "2.0"},
        BindCase{"DoubleWithExponent", "? ?", {1e300, -2.5e-300}, "1e+300 -2.5e-300"},
        BindCase{"NegativeZero", "?", {-0.0}, "-0.0"},
        BindCase{"FloatKeepsItsOwnShortestForm", "?", {0.1f}, "0.1"},
        BindCase{
            "NonFiniteDoubles",
            "? ? ?",
            {std::nan(""), std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity()},
            "nan inf -inf"},
        BindCase{"Null", "? ? ?", {nullptr, std::nullopt, std::optional<int>()}, "NULL NULL NULL"},
        BindCase{"PresentOptional", "?", {std::optional<std::string>("a")}, "'a'"},
        BindCase{"TextKinds", "? ? ?", {"a", std::string("b"), std::string_view("c")}, "'a' 'b' 'c'"},
        BindCase{"VectorBecomesArray", "has(?, x)", {std::vector<int>{1, 2, 3}}, "has([1, 2, 3], x)"},
        BindCase{"EmptyVectorBecomesEmptyArray", "?", {std::vector<int>{}}, "[]"},
        BindCase{"StringVectorElementsAreEscaped",
                 "?",
                 {std::vector<std::string>{"it's", "中"}},
                 R"(['it\'s', '中'])"},
        BindCase{"NestedVectors", "?", {std::vector<std::vector<int>>{{1}, {2, 3}}}, "[[1], [2, 3]]"},
        BindCase{
            "TupleForIn", "x IN ?", {SqlValue::Tuple(std::vector<std::string>{"a", "b"})}, "x IN ('a', 'b')"},
        BindCase{"Date", "?", {kDay}, "toDate('2024-05-01')"},
        BindCase{"DateTime", "?", {std::chrono::sys_seconds(kDay) + 3661s}, "toDateTime(1714525261)"},
        BindCase{"PlaceholderInsideStringLiteralIsText", "SELECT '?', ?", {1}, "SELECT '?', 1"},
        BindCase{"PlaceholderAfterEscapedQuote", R"(SELECT 'it\'s ?', ?)", {1}, R"(SELECT 'it\'s ?', 1)"},
        BindCase{"PlaceholderAfterDoubledQuote", "SELECT 'it''s ?', ?", {1}, "SELECT 'it''s ?', 1"},
        BindCase{
            "PlaceholderInsideQuotedIdentifiers", "SELECT `a?`, \"b?\", ?", {1}, "SELECT `a?`, \"b?\", 1"},
        BindCase{"PlaceholderInsideComments",
                 "SELECT ? -- why?\n, ? /* ? */",
                 {1, 2},
                 "SELECT 1 -- why?\n, 2 /* ? */"},
        BindCase{"ValueHoldingPlaceholderIsNotRescanned", "? = ?", {"?", 1}, "'?' = 1"},
        BindCase{"InjectionStaysInsideTheLiteral",
                 "SELECT * FROM t WHERE name = ?",
                 {"' OR 1=1 --"},
                 R"(SELECT * FROM t WHERE name = '\' OR 1=1 --')"}),
    [](const auto& test_case) { return test_case.param.name; });

TEST(BindTest, VariadicFormConvertsEachArgument) {
  absl::StatusOr<std::string> bound = Bind("SELECT ? + ?, ?", 1, 2.5, "x");
  ASSERT_TRUE(bound.ok()) << bound.status();
  EXPECT_EQ(*bound, "SELECT 1 + 2.5, 'x'");
}

struct BindErrorCase {
  std::string name;
  std::string sql;
  std::vector<SqlValue> values;
  std::string message;
};

class BindErrorTest : public ::testing::TestWithParam<BindErrorCase> {};

TEST_P(BindErrorTest, RejectsWithInvalidArgument) {
  absl::StatusOr<std::string> bound = BindValues(GetParam().sql, GetParam().values);
  ASSERT_EQ(bound.status().code(), absl::StatusCode::kInvalidArgument) << bound.status();
  EXPECT_THAT(bound.status().message(), HasSubstr(GetParam().message));
}

INSTANTIATE_TEST_SUITE_P(
    Cases, BindErrorTest,
    ::testing::Values(
        BindErrorCase{"TooFewValues", "? ?", {1}, "2 placeholders but 1 values"},
        BindErrorCase{"TooManyValues", "?", {1, 2}, "1 placeholders but 2 values"},
        BindErrorCase{"ValuesWithoutPlaceholders", "SELECT '?'", {1}, "0 placeholders but 1 values"},
        BindErrorCase{"UnterminatedStringLiteral", "SELECT 'abc, ?", {1}, "unterminated '"},
        BindErrorCase{"UnterminatedIdentifier", "SELECT `abc, ?", {1}, "unterminated `"},
        BindErrorCase{"EmptyTuple", "x IN ?", {SqlValue::Tuple(std::vector<int>{})}, "empty tuple"},
        BindErrorCase{"DateBeforeEpoch",
                      "?",
                      {std::chrono::sys_days(std::chrono::year(1969) / 12 / 31)},
                      "outside ClickHouse's Date range"},
        BindErrorCase{"DateTimeBeforeEpoch",
                      "?",
                      {std::chrono::sys_seconds(-1s)},
                      "outside ClickHouse's DateTime range"},
        BindErrorCase{"ErrorInsideArray",
                      "?",
                      {std::vector<std::chrono::sys_seconds>{std::chrono::sys_seconds(-1s)}},
                      "outside"}),
    [](const auto& test_case) { return test_case.param.name; });

struct IdentifierCase {
  std::string name;
  std::string identifier;
  std::optional<std::string> quoted;  // nullopt: rejected
};

class QuoteIdentifierTest : public ::testing::TestWithParam<IdentifierCase> {};

TEST_P(QuoteIdentifierTest, BackQuotesOnlyPlainNames) {
  absl::StatusOr<std::string> quoted = QuoteIdentifier(GetParam().identifier);
  if (GetParam().quoted.has_value()) {
    ASSERT_TRUE(quoted.ok()) << quoted.status();
    EXPECT_EQ(*quoted, *GetParam().quoted);
  } else {
    EXPECT_EQ(quoted.status().code(), absl::StatusCode::kInvalidArgument);
  }
}

INSTANTIATE_TEST_SUITE_P(Names, QuoteIdentifierTest,
                         ::testing::Values(IdentifierCase{"Lowercase", "events", "`events`"},
                                           IdentifierCase{"LeadingUnderscoreAndDigits", "_x1", "`_x1`"},
                                           IdentifierCase{"MixedCase", "CustomerId", "`CustomerId`"},
                                           IdentifierCase{"Empty", "", std::nullopt},
                                           IdentifierCase{"LeadingDigit", "1abc", std::nullopt},
                                           IdentifierCase{"Space", "a b", std::nullopt},
                                           IdentifierCase{"Backquote", "a`b", std::nullopt},
                                           IdentifierCase{"Quote", "a'b", std::nullopt},
                                           IdentifierCase{"Dot", "a.b", std::nullopt},
                                           IdentifierCase{"Injection", "t; DROP TABLE x", std::nullopt},
                                           IdentifierCase{"NonAscii", "表", std::nullopt}),
                         [](const auto& test_case) { return test_case.param.name; });

TEST(QuoteTableNameTest, QuotesDatabaseAndTableSeparately) {
  EXPECT_EQ(QuoteTableName("events").value(), "`events`");
  EXPECT_EQ(QuoteTableName("custflow.events").value(), "`custflow`.`events`");
}

TEST(QuoteTableNameTest, RejectsMalformedQualifiedNames) {
  for (std::string_view name : {"a.b.c", ".events", "custflow.", "db.t`x"}) {
    EXPECT_EQ(QuoteTableName(name).status().code(), absl::StatusCode::kInvalidArgument) << name;
  }
}

}  // namespace
}  // namespace custflow::clickhouse
