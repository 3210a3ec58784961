// CSV reading and decoding: RFC 4180 records, row and line numbers, BOM, GBK, bad input.
#include "custflow/domain/csv_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>

namespace custflow::domain {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<std::vector<std::string>> Cells(std::string_view text) {
  absl::StatusOr<std::vector<CsvRow>> rows = ReadCsv(text);
  EXPECT_TRUE(rows.ok()) << rows.status();
  std::vector<std::vector<std::string>> out;
  if (rows.ok()) {
    for (const CsvRow& row : *rows) out.push_back(row.cells);
  }
  return out;
}

using Rows = std::vector<std::vector<std::string>>;

struct RecordCase {
  std::string name;
  std::string text;
  Rows rows;
};

class CsvRecordTest : public ::testing::TestWithParam<RecordCase> {};

TEST_P(CsvRecordTest, ReadsTheRecords) { EXPECT_EQ(Cells(GetParam().text), GetParam().rows); }

INSTANTIATE_TEST_SUITE_P(
    Rfc4180, CsvRecordTest,
    ::testing::Values(
        RecordCase{"PlainCells", "a,b,c\n1,2,3\n", {{"a", "b", "c"}, {"1", "2", "3"}}},
        RecordCase{"NoFinalNewline", "a,b\n1,2", {{"a", "b"}, {"1", "2"}}},
        RecordCase{"CrLf", "a,b\r\n1,2\r\n", {{"a", "b"}, {"1", "2"}}},
        RecordCase{"EmptyCells", ",a,,\n", {{"", "a", "", ""}}},
        RecordCase{"QuotedComma", "\"深圳, 南山\",x\n", {{"深圳, 南山", "x"}}},
        RecordCase{"DoubledQuotes", "\"say \"\"hi\"\"\",x\n", {{"say \"hi\"", "x"}}},
        RecordCase{
            "NewlineInsideQuotes", "\"line 1\nline 2\",x\r\ny,z\n", {{"line 1\nline 2", "x"}, {"y", "z"}}},
        RecordCase{"CrLfInsideQuotes", "\"a\r\nb\"\r\n", {{"a\r\nb"}}},
        RecordCase{"EmptyQuotedCell", "\"\",a\n", {{"", "a"}}},
        RecordCase{"TrailingEmptyLines", "a,b\n1,2\n\n\r\n\n", {{"a", "b"}, {"1", "2"}}},
        RecordCase{"BlankLineInTheMiddle", "a\n\nb\n", {{"a"}, {"b"}}}, RecordCase{"EmptyText", "", {}},
        RecordCase{
            "ChineseText", "客户名称,联系人\n华为,张三\n", {{"客户名称", "联系人"}, {"华为", "张三"}}}),
    [](const ::testing::TestParamInfo<RecordCase>& param) { return param.param.name; });

TEST(CsvReaderTest, NumbersRowsFromOneAndLinesWhereEachRowStarts) {
  absl::StatusOr<std::vector<CsvRow>> rows = ReadCsv("h1,h2\n\"two\nlines\",x\n\nlast,y\n");
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_EQ((*rows)[0].row_number, 1u);
  EXPECT_EQ((*rows)[0].line_number, 1u);
  EXPECT_EQ((*rows)[1].row_number, 2u);
  EXPECT_EQ((*rows)[1].line_number, 2u);
  // The blank line is row 3 (as in the spreadsheet) and is skipped.
  EXPECT_EQ((*rows)[2].row_number, 4u);
  EXPECT_EQ((*rows)[2].line_number, 5u);
  EXPECT_THAT((*rows)[2].cells, ElementsAre("last", "y"));
}

TEST(CsvReaderTest, ReportsAnUnterminatedQuoteWithItsRow) {
  absl::StatusOr<std::vector<CsvRow>> rows = ReadCsv("a,b\n1,2\n\"open,3\n4,5\n");
  ASSERT_FALSE(rows.ok());
  EXPECT_EQ(rows.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(rows.status().message(), HasSubstr("unterminated quote at row 3 (line 3)"));
}

TEST(CsvReaderTest, StopsAfterAnError) {
  CsvReader reader("\"never closed");
  EXPECT_FALSE(reader.Next().ok());
  absl::StatusOr<std::optional<CsvRow>> after = reader.Next();
  ASSERT_TRUE(after.ok());
  EXPECT_FALSE(after->has_value());
}

TEST(CsvReaderTest, ReadsOneHundredThousandRowsQuickly) {
  std::string text = "客户编号,客户名称,联系人,联系电话,行业,客户类型,备注\n";
  for (int i = 0; i < 100'000; ++i) {
    text += "c" + std::to_string(i) +
            ",\"深圳某某科技, 有限公司\",张三,13800138000,制造业,潜在客户,\"备注 \"\"x\"\"\"\n";
  }
  auto started = std::chrono::steady_clock::now();
  CsvReader reader(text);
  size_t rows = 0;
  while (true) {
    absl::StatusOr<std::optional<CsvRow>> row = reader.Next();
    ASSERT_TRUE(row.ok()) << row.status();
    if (!*row) break;
    ++rows;
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  EXPECT_EQ(rows, 100'001u);
  // Well over 20,000 rows/s even in a slow (sanitizer) build.
  EXPECT_LT(seconds, 2.5) << rows / seconds << " rows/s";
}

TEST(CsvDecodeTest, KeepsUtf8AsItIs) {
  absl::StatusOr<std::string> text = DecodeToUtf8("客户,张三\n", CsvEncoding::kAuto);
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_EQ(*text, "客户,张三\n");
}

TEST(CsvDecodeTest, DropsAUtf8Bom) {
  for (CsvEncoding encoding : {CsvEncoding::kAuto, CsvEncoding::kUtf8, CsvEncoding::kGbk}) {
    absl::StatusOr<std::string> text = DecodeToUtf8("\xEF\xBB\xBF客户,x\n", encoding);
    ASSERT_TRUE(text.ok()) << text.status();
    EXPECT_EQ(*text, "客户,x\n");
  }
}

// "客户,张三" in GBK, as `printf '客户,张三' | iconv -f UTF-8 -t GBK` writes it.
constexpr std::string_view kGbkBytes = "\xBF\xCD\xBB\xA7,\xD5\xC5\xC8\xFD";

TEST(CsvDecodeTest, DetectsAndConvertsGbk) {
  absl::StatusOr<std::string> text = DecodeToUtf8(kGbkBytes, CsvEncoding::kAuto);
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_EQ(*text, "客户,张三");
}

TEST(CsvDecodeTest, ConvertsGbkWhenAskedAndGb18030CharactersBeyondGbk) {
  absl::StatusOr<std::string> text = DecodeToUtf8(std::string(kGbkBytes) + "\xA2\xE3", CsvEncoding::kGbk);
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_EQ(*text, "客户,张三€");
}

TEST(CsvDecodeTest, RefusesGbkBytesWhenUtf8IsRequired) {
  absl::StatusOr<std::string> text =
      DecodeToUtf8(std::string("ok\n") + std::string(kGbkBytes), CsvEncoding::kUtf8);
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(text.status().message(), HasSubstr("not valid UTF-8: line 2"));
}

TEST(CsvDecodeTest, RefusesBytesThatAreNeitherUtf8NorGbk) {
  absl::StatusOr<std::string> text = DecodeToUtf8("a\nb\n\x81\x20", CsvEncoding::kAuto);
  ASSERT_FALSE(text.ok());
  EXPECT_THAT(text.status().message(), HasSubstr("cannot decode the file as GBK"));
  EXPECT_THAT(text.status().message(), HasSubstr("line 3"));
}

TEST(CsvDecodeTest, RefusesAFileEndingInsideAGbkCharacter) {
  absl::StatusOr<std::string> text = DecodeToUtf8("\xBF\xCD\xBB", CsvEncoding::kGbk);
  ASSERT_FALSE(text.ok());
  EXPECT_THAT(text.status().message(), HasSubstr("ends inside a GBK character"));
}

TEST(CsvDecodeTest, TakesBytesThatAreNotStrictUtf8ForGbk) {
  // An overlong UTF-8 form is not UTF-8; as GBK it is two valid characters.
  absl::StatusOr<std::string> text = DecodeToUtf8("\xC0\xAF", CsvEncoding::kAuto);
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_NE(*text, "\xC0\xAF");
}

TEST(CsvDecodeTest, ParsesEncodingNames) {
  EXPECT_EQ(*ParseCsvEncoding("auto"), CsvEncoding::kAuto);
  EXPECT_EQ(*ParseCsvEncoding("UTF-8"), CsvEncoding::kUtf8);
  EXPECT_EQ(*ParseCsvEncoding("utf8"), CsvEncoding::kUtf8);
  EXPECT_EQ(*ParseCsvEncoding("gbk"), CsvEncoding::kGbk);
  EXPECT_EQ(*ParseCsvEncoding("GB18030"), CsvEncoding::kGbk);
  absl::StatusOr<CsvEncoding> unknown = ParseCsvEncoding("latin1");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().message(), "unknown encoding 'latin1' (use auto, utf-8 or gbk)");
}

}  // namespace
}  // namespace custflow::domain
