// Reading TabSeparatedWithNamesAndTypes bodies: unescaping, NULLs and typed getters.
#include "custflow/clickhouse/query_result.h"

#include <cmath>
#include <limits>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace custflow::clickhouse {
namespace {

using ::testing::HasSubstr;
using namespace std::string_literals;

struct UnescapeCase {
  std::string name;
  std::string field;
  std::string text;
};

class UnescapeTest : public ::testing::TestWithParam<UnescapeCase> {};

TEST_P(UnescapeTest, RestoresTheOriginalBytes) {
  absl::StatusOr<std::string> text = UnescapeTabSeparated(GetParam().field);
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_EQ(*text, GetParam().text);
}

INSTANTIATE_TEST_SUITE_P(
    Escapes, UnescapeTest,
    ::testing::Values(UnescapeCase{"Plain", "abc", "abc"}, UnescapeCase{"Empty", "", ""},
                      UnescapeCase{"Tab", R"(a\tb)", "a\tb"}, UnescapeCase{"Newline", R"(a\nb)", "a\nb"},
                      UnescapeCase{"Backslash", R"(C:\\temp)", R"(C:\temp)"},
                      UnescapeCase{"Nul", R"(a\0b)", "a\0b"s},
                      UnescapeCase{"Quote", R"(O\'Brien)", "O'Brien"},
                      UnescapeCase{"ControlLetters", R"(\b\f\r\a\v\e)", "\b\f\r\a\v\x1b"},
                      UnescapeCase{"Hex", R"(\x41\x7f)", "A\x7f"},
                      UnescapeCase{"UnknownEscapeIsTheByteItself", R"(\q\/)", "q/"},
                      UnescapeCase{"ChineseText", "张三\\t北京", "张三\t北京"},
                      UnescapeCase{"BackslashN_InsideText", R"(a\N)", "aN"}),
    [](const auto& test_case) { return test_case.param.name; });

TEST(UnescapeTest, RejectsDanglingBackslashAndShortHexEscape) {
  EXPECT_EQ(UnescapeTabSeparated("abc\\").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(UnescapeTabSeparated("\\x4").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(UnescapeTabSeparated("\\xZZ").status().code(), absl::StatusCode::kInvalidArgument);
}

// As clickhouse-server 18.16 answers
// SELECT ... FORMAT TabSeparatedWithNamesAndTypes (one row per line, escaped fields).
constexpr std::string_view kBody =
    "id\tname\tbig\tdelta\tscore\tat\tday\tnote\ttags\tshanghai_at\n"
    "UInt64\tString\tUInt64\tInt32\tFloat64\tDateTime\tDate\tNullable(String)\tArray(UInt8)"
    "\tDateTime(\\'Asia/Shanghai\\')\n"
    "1\t张三\\t李四\\n王五\t18446744073709551615\t-5\t0.5\t2024-05-01 01:02:03\t2024-05-01"
    "\t\\N\t[1,2]\t2024-05-01 09:00:00\n"
    "2\tO\\'Brien \\\\ co\t0\t7\tnan\t0000-00-00 00:00:00\t0000-00-00\tnote\t[]"
    "\t2024-05-01 09:00:00\n";

QueryResult ParsedBody() {
  absl::StatusOr<QueryResult> result = QueryResult::ParseTabSeparatedWithNamesAndTypes(kBody);
  EXPECT_TRUE(result.ok()) << result.status();
  return result.ok() ? *std::move(result) : QueryResult();
}

TEST(QueryResultTest, ParsesColumnNamesTypesAndRows) {
  QueryResult result = ParsedBody();
  ASSERT_EQ(result.column_count(), 10u);
  EXPECT_EQ(result.columns()[0], (Column{"id", "UInt64"}));
  EXPECT_EQ(result.columns()[9], (Column{"shanghai_at", "DateTime('Asia/Shanghai')"}));
  EXPECT_EQ(result.row_count(), 2u);
  EXPECT_EQ(result.ColumnIndex("note").value(), 7u);
}

TEST(QueryResultTest, UnescapesStringsSoChineseTextRoundTripsExactly) {
  QueryResult result = ParsedBody();
  EXPECT_EQ(result.GetString(0, "name").value(), "张三\t李四\n王五");
  EXPECT_EQ(result.GetString(1, 1).value(), "O'Brien \\ co");
}

TEST(QueryResultTest, ReadsIntegersByNameAndIndex) {
  QueryResult result = ParsedBody();
  EXPECT_EQ(result.GetUInt64(0, "id").value(), 1u);
  EXPECT_EQ(result.GetInt64(1, 0).value(), 2);
  EXPECT_EQ(result.GetInt64(0, "delta").value(), -5);
  EXPECT_EQ(result.GetUInt64(0, "big").value(), std::numeric_limits<uint64_t>::max());
}

TEST(QueryResultTest, RejectsIntegersThatDoNotFitTheRequestedType) {
  QueryResult result = ParsedBody();
  EXPECT_EQ(result.GetInt64(0, "big").status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(result.GetUInt64(0, "delta").status().code(), absl::StatusCode::kOutOfRange);
}

TEST(QueryResultTest, ReadsDoublesIncludingNanAndIntegers) {
  QueryResult result = ParsedBody();
  EXPECT_EQ(result.GetDouble(0, "score").value(), 0.5);
  EXPECT_TRUE(std::isnan(result.GetDouble(1, "score").value()));
  EXPECT_EQ(result.GetDouble(0, "delta").value(), -5.0);
}

TEST(QueryResultTest, ReadsDateTimeAndDateAsUtcTimePoints) {
  QueryResult result = ParsedBody();
  constexpr auto kDay = std::chrono::sys_days(std::chrono::year(2024) / 5 / 1);
  EXPECT_EQ(result.GetTime(0, "at").value(),
            kDay + std::chrono::hours(1) + std::chrono::minutes(2) + std::chrono::seconds(3));
  EXPECT_EQ(result.GetTime(0, "day").value(), std::chrono::sys_seconds(kDay));
  EXPECT_EQ(result.GetTime(0, "id").value(), std::chrono::sys_seconds(std::chrono::seconds(1)));
}

TEST(QueryResultTest, ReadsClickHouseZeroDateAsTheEpoch) {
  QueryResult result = ParsedBody();
  EXPECT_EQ(result.GetTime(1, "at").value(), std::chrono::sys_seconds());
  EXPECT_EQ(result.GetTime(1, "day").value(), std::chrono::sys_seconds());
}

TEST(QueryResultTest, RejectsDateTimeInAnotherZone) {
  absl::Status status = ParsedBody().GetTime(0, "shanghai_at").status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("toUnixTimestamp"));
}

TEST(QueryResultTest, ReportsNullValues) {
  QueryResult result = ParsedBody();
  EXPECT_TRUE(result.IsNull(0, "note").value());
  EXPECT_FALSE(result.IsNull(1, "note").value());
  EXPECT_EQ(result.GetString(1, "note").value(), "note");
  absl::Status status = result.GetString(0, "note").status();
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(status.message(), HasSubstr("row 0, column 'note' (Nullable(String)) is NULL"));
}

TEST(QueryResultTest, GivesAnyValueAsTextButNumbersOnlyFromNumericColumns) {
  QueryResult result = ParsedBody();
  EXPECT_EQ(result.GetString(0, "tags").value(), "[1,2]");
  EXPECT_EQ(result.GetString(0, "day").value(), "2024-05-01");
  absl::Status status = result.GetInt64(0, "name").status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("column 'name' (String) cannot be read as Int64"));
  EXPECT_EQ(result.GetDouble(0, "tags").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(result.GetTime(0, "score").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(QueryResultTest, ReportsUnknownColumnsAndIndexesPastTheEnd) {
  QueryResult result = ParsedBody();
  EXPECT_EQ(result.GetString(0, "missing").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(result.GetString(0, 10).status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(result.GetString(2, 0).status().code(), absl::StatusCode::kOutOfRange);
}

TEST(QueryResultTest, ParsesHeaderOnlyBodyAsNoRows) {
  auto result = QueryResult::ParseTabSeparatedWithNamesAndTypes("x\nUInt8\n");
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->column_count(), 1u);
  EXPECT_EQ(result->row_count(), 0u);
}

TEST(QueryResultTest, ParsesEmptyBodyAsNoColumns) {
  auto result = QueryResult::ParseTabSeparatedWithNamesAndTypes("");
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->column_count(), 0u);
  EXPECT_EQ(result->row_count(), 0u);
}

TEST(QueryResultTest, ParsesEmptyStringFieldsAndRowsOfEmptyStrings) {
  auto result = QueryResult::ParseTabSeparatedWithNamesAndTypes("a\tb\nString\tString\n\t\n");
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->row_count(), 1u);
  EXPECT_EQ(result->GetString(0, "a").value(), "");
  EXPECT_EQ(result->GetString(0, "b").value(), "");
}

struct MalformedCase {
  std::string name;
  std::string body;
};

class MalformedBodyTest : public ::testing::TestWithParam<MalformedCase> {};

TEST_P(MalformedBodyTest, IsInvalidArgument) {
  auto result = QueryResult::ParseTabSeparatedWithNamesAndTypes(GetParam().body);
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
}

INSTANTIATE_TEST_SUITE_P(Bodies, MalformedBodyTest,
                         ::testing::Values(MalformedCase{"NoTypesLine", "a\tb\n"},
                                           MalformedCase{"FewerTypesThanNames", "a\tb\nUInt8\n"},
                                           MalformedCase{"RowWithTooFewFields", "a\tb\nUInt8\tUInt8\n1\n"},
                                           MalformedCase{"RowWithTooManyFields", "a\nUInt8\n1\t2\n"},
                                           MalformedCase{"DanglingBackslash", "a\nString\nx\\\n"}),
                         [](const auto& test_case) { return test_case.param.name; });

TEST(QueryResultTest, ReportsUnparsableNumbersWithTheirText) {
  auto result = QueryResult::ParseTabSeparatedWithNamesAndTypes("n\nUInt64\nabc\n");
  ASSERT_TRUE(result.ok()) << result.status();
  absl::Status status = result->GetUInt64(0, "n").status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("cannot parse 'abc' as UInt64"));
}

TEST(QueryResultTest, BuildsFromCellsForInMemoryClients) {
  auto result =
      QueryResult::FromCells({{"n", "UInt64"}, {"s", "Nullable(String)"}}, {{"3", std::nullopt}, {"4", "x"}});
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->GetUInt64(1, "n").value(), 4u);
  EXPECT_TRUE(result->IsNull(0, "s").value());
  EXPECT_EQ(QueryResult::FromCells({{"n", "UInt64"}}, {{"1", "2"}}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace custflow::clickhouse
