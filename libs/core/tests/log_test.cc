#include "custflow/core/log.h"

#include <gtest/gtest.h>

namespace custflow::core {
namespace {

struct MaskCase {
  std::string input;
  std::string expected;
};

class MaskPersonalDataTest : public ::testing::TestWithParam<MaskCase> {};

TEST_P(MaskPersonalDataTest, MasksPhonesAndEmails) {
  EXPECT_EQ(MaskPersonalData(GetParam().input), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Table, MaskPersonalDataTest,
    ::testing::Values(MaskCase{"call 13800138000 now", "call ***8000 now"},
                      MaskCase{"+86 138 0013 8000", "***8000"},
                      MaskCase{"tel 010-6552-9988.", "tel ***9988."},
                      MaskCase{"zhang.san@example.com wrote", "z***@example.com wrote"},
                      MaskCase{"客户 李四 电话13912345678 邮箱 lisi@qq.com",
                               "客户 李四 电话***5678 邮箱 l***@qq.com"},
                      MaskCase{"order 123456 of 2026-11-23", "order 123456 of 2026-11-23"},
                      MaskCase{"no @ here and a@b", "no @ here and a@b"}, MaskCase{"", ""}));

TEST(ParseLogLevel, AcceptsKnownNamesOnly) {
  LogLevel level = LogLevel::kInfo;
  EXPECT_TRUE(ParseLogLevel("debug", level));
  EXPECT_EQ(level, LogLevel::kDebug);
  EXPECT_TRUE(ParseLogLevel("error", level));
  EXPECT_EQ(level, LogLevel::kError);
  EXPECT_FALSE(ParseLogLevel("verbose", level));
}

TEST(Log, WritesOneMaskedJsonLinePerCall) {
  InitLogging("test", LogLevel::kInfo);
  ::testing::internal::CaptureStderr();
  LogInfo("customer 13800138000 updated", {{"email", "wang@example.com"}, {"count", 3}});
  LogDebug("not written below the level");
  std::string out = ::testing::internal::GetCapturedStderr();
  ASSERT_EQ(std::count(out.begin(), out.end(), '\n'), 1) << out;
  nlohmann::json line = nlohmann::json::parse(out);
  EXPECT_EQ(line["level"], "info");
  EXPECT_EQ(line["service"], "test");
  EXPECT_EQ(line["msg"], "customer ***8000 updated");
  EXPECT_EQ(line["email"], "w***@example.com");
  EXPECT_EQ(line["count"], 3);
  EXPECT_TRUE(line.contains("ts"));
}

}  // namespace
}  // namespace custflow::core
