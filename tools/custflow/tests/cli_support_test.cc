// Table columns on a terminal: Chinese (and other wide) characters take two columns, so
// padding by bytes or by code points would misalign them.
#include "tools/custflow/cli_support.h"

#include <gtest/gtest.h>

#include <string>

namespace custflow::tools {
namespace {

struct WidthCase {
  const char* name;
  std::string text;
  size_t columns;
};

class DisplayWidthTest : public testing::TestWithParam<WidthCase> {};

TEST_P(DisplayWidthTest, CountsTerminalColumns) {
  EXPECT_EQ(DisplayWidth(GetParam().text), GetParam().columns);
}

INSTANTIATE_TEST_SUITE_P(Texts, DisplayWidthTest,
                         testing::Values(WidthCase{.name = "Empty", .text = "", .columns = 0},
                                         WidthCase{.name = "Ascii", .text = "lifecycle:loyal", .columns = 15},
                                         WidthCase{.name = "Chinese", .text = "广东省", .columns = 6},
                                         WidthCase{.name = "MixedTag", .text = "region:华东", .columns = 11},
                                         WidthCase{.name = "FullWidthDigits", .text = "１２", .columns = 4},
                                         WidthCase{
                                             .name = "AccentedLatinIsNarrow", .text = "café", .columns = 4},
                                         WidthCase{.name = "Hangul", .text = "한국", .columns = 4}),
                         [](const testing::TestParamInfo<WidthCase>& param) { return param.param.name; });

TEST(ColumnTest, PadsChineseTextToTheSameColumnsAsAscii) {
  EXPECT_EQ(Column("广东省", 10), "广东省    ");
  EXPECT_EQ(Column("region", 10), "region    ");
}

TEST(ColumnTest, LeavesTextWiderThanTheColumnWhole) {
  EXPECT_EQ(Column("attention:idle", 4), "attention:idle");
}

}  // namespace
}  // namespace custflow::tools
