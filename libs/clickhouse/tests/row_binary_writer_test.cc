// RowBinary encodings, byte for byte as ClickHouse reads them.
#include "custflow/clickhouse/row_binary_writer.h"

#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace custflow::clickhouse {
namespace {

using namespace std::chrono_literals;
using namespace std::string_literals;

struct EncodingCase {
  std::string name;
  std::function<void(RowBinaryWriter&)> write;
  std::string bytes;
};

class RowBinaryEncodingTest : public ::testing::TestWithParam<EncodingCase> {};

TEST_P(RowBinaryEncodingTest, WritesClickHouseBytes) {
  RowBinaryWriter writer;
  GetParam().write(writer);
  EXPECT_EQ(writer.data(), GetParam().bytes);
}

constexpr auto kDay = std::chrono::sys_days(std::chrono::year(2024) / 5 / 1);  // day 19844

INSTANTIATE_TEST_SUITE_P(
    Types, RowBinaryEncodingTest,
    ::testing::Values(
        EncodingCase{"UInt8", [](auto& w) { w.WriteUInt8(200); }, "\xC8"},
        EncodingCase{"UInt16", [](auto& w) { w.WriteUInt16(0x1234); }, "\x34\x12"},
        EncodingCase{"UInt32", [](auto& w) { w.WriteUInt32(0x12345678); }, "\x78\x56\x34\x12"},
        EncodingCase{"UInt64", [](auto& w) { w.WriteUInt64(0x0102030405060708); },
                     "\x08\x07\x06\x05\x04\x03\x02\x01"},
        EncodingCase{"Int8", [](auto& w) { w.WriteInt8(-1); }, "\xFF"},
        EncodingCase{"Int16", [](auto& w) { w.WriteInt16(-2); }, "\xFE\xFF"},
        EncodingCase{"Int32", [](auto& w) { w.WriteInt32(-2); }, "\xFE\xFF\xFF\xFF"},
        EncodingCase{"Int64Min", [](auto& w) { w.WriteInt64(std::numeric_limits<int64_t>::min()); },
                     "\0\0\0\0\0\0\0\x80"s},
        EncodingCase{"Float32", [](auto& w) { w.WriteFloat32(1.0f); }, "\0\0\x80\x3F"s},
        EncodingCase{"Float64", [](auto& w) { w.WriteFloat64(-2.0); }, "\0\0\0\0\0\0\0\xC0"s},
        EncodingCase{"EmptyString", [](auto& w) { w.WriteString(""); }, "\0"s},
        EncodingCase{"String", [](auto& w) { w.WriteString("abc"); },
                     "\x03"
                     "abc"},
        EncodingCase{"StringWithNul", [](auto& w) { w.WriteString("a\0b"s); },
                     "\x03"
                     "a\0b"s},
        EncodingCase{"ChineseString", [](auto& w) { w.WriteString("张三"); }, "\x06\xE5\xBC\xA0\xE4\xB8\x89"},
        EncodingCase{"StringOf200BytesHasTwoByteLength",
                     [](auto& w) { w.WriteString(std::string(200, 'x')); },
                     "\xC8\x01" + std::string(200, 'x')},
        EncodingCase{"StringOf16384BytesHasThreeByteLength",
                     [](auto& w) { w.WriteString(std::string(16384, 'x')); },
                     "\x80\x80\x01" + std::string(16384, 'x')},
        EncodingCase{"FixedStringIsPaddedWithNul",
                     [](auto& w) { ASSERT_TRUE(w.WriteFixedString("ab", 4).ok()); }, "ab\0\0"s},
        EncodingCase{"FixedStringOfExactLength",
                     [](auto& w) { ASSERT_TRUE(w.WriteFixedString("abcd", 4).ok()); }, "abcd"},
        EncodingCase{"DateFromDays", [](auto& w) { w.WriteDate(uint16_t{19844}); }, "\x84\x4D"},
        EncodingCase{"DateFromSysDays", [](auto& w) { ASSERT_TRUE(w.WriteDate(kDay).ok()); }, "\x84\x4D"},
        EncodingCase{"DateTimeFromSeconds", [](auto& w) { w.WriteDateTime(1714521600u); },
                     "\x00\x86\x31\x66"s},
        EncodingCase{"DateTimeFromSysSeconds",
                     [](auto& w) { ASSERT_TRUE(w.WriteDateTime(std::chrono::sys_seconds(kDay)).ok()); },
                     "\x00\x86\x31\x66"s},
        EncodingCase{"NullableNull", [](auto& w) { w.WriteNull(); }, "\x01"},
        EncodingCase{"NullableValue",
                     [](auto& w) {
                       w.WriteNotNull();
                       w.WriteString("a");
                     },
                     "\0\x01"
                     "a"s},
        EncodingCase{"ArrayOfUInt32",
                     [](auto& w) {
                       w.WriteArray(std::vector<uint32_t>{1, 258});
                     },
                     "\x02\x01\0\0\0\x02\x01\0\0"s},
        EncodingCase{"EmptyArray", [](auto& w) { w.WriteArray(std::vector<int64_t>{}); }, "\0"s},
        EncodingCase{"ArrayOfFloat64", [](auto& w) { w.WriteArray(std::vector<double>{1.0}); },
                     "\x01\0\0\0\0\0\0\xF0\x3F"s},
        EncodingCase{"ArrayOfStrings",
                     [](auto& w) {
                       w.WriteArray(std::vector<std::string>{"a", "bc"});
                     },
                     "\x02\x01"
                     "a\x02"
                     "bc"}),
    [](const auto& test_case) { return test_case.param.name; });

TEST(RowBinaryWriterTest, RejectsFixedStringLongerThanItsLengthAndWritesNothing) {
  RowBinaryWriter writer;
  absl::Status status = writer.WriteFixedString("abcde", 4);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(writer.size_bytes(), 0u);
}

TEST(RowBinaryWriterTest, RejectsDatesOutsideClickHouseRange) {
  RowBinaryWriter writer;
  EXPECT_EQ(writer.WriteDate(std::chrono::sys_days(std::chrono::year(1969) / 12 / 31)).code(),
            absl::StatusCode::kOutOfRange);
  EXPECT_EQ(writer.WriteDate(std::chrono::sys_days(std::chrono::year(2149) / 6 / 7)).code(),
            absl::StatusCode::kOutOfRange);
  EXPECT_EQ(writer.WriteDateTime(std::chrono::sys_seconds(-1s)).code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(writer.WriteDateTime(std::chrono::sys_seconds(4294967296s)).code(),
            absl::StatusCode::kOutOfRange);
  EXPECT_EQ(writer.size_bytes(), 0u);
}

TEST(RowBinaryWriterTest, CountsRowsEndedWithEndRow) {
  RowBinaryWriter writer;
  for (uint8_t i = 0; i < 3; ++i) {
    writer.WriteUInt8(i);
    writer.EndRow();
  }
  EXPECT_EQ(writer.row_count(), 3u);
  EXPECT_EQ(writer.data(), "\0\x01\x02"s);
  EXPECT_FALSE(writer.has_unfinished_row());
}

TEST(RowBinaryWriterTest, DiscardRowDropsOnlyTheUnfinishedRow) {
  RowBinaryWriter writer;
  writer.WriteUInt8(1);
  writer.EndRow();
  writer.WriteUInt8(2);
  EXPECT_TRUE(writer.has_unfinished_row());
  writer.DiscardRow();
  EXPECT_FALSE(writer.has_unfinished_row());
  EXPECT_EQ(writer.row_count(), 1u);
  EXPECT_EQ(writer.data(), "\x01");
}

TEST(RowBinaryWriterTest, ClearForgetsRowsAndKeepsCapacityForReuse) {
  RowBinaryWriter writer;
  writer.Reserve(1024);
  writer.WriteUInt64(7);
  writer.EndRow();
  writer.Clear();
  EXPECT_EQ(writer.row_count(), 0u);
  EXPECT_EQ(writer.size_bytes(), 0u);
  writer.WriteUInt8(9);
  writer.EndRow();
  EXPECT_EQ(writer.data(), "\x09");
}

}  // namespace
}  // namespace custflow::clickhouse
