// The shared text checks and foldings.
#include "custflow/domain/text.h"

#include <gtest/gtest.h>

namespace custflow::domain {
namespace {

TEST(TextTest, Utf8ValidityFollowsRfc3629) {
  EXPECT_TRUE(IsValidUtf8("深圳 abc"));
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));          // overlong "/"
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xE6\xB7"));          // truncated
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // past U+10FFFF
}

TEST(TextTest, Utf8LengthCountsCodePoints) {
  EXPECT_EQ(Utf8Length("深圳ab"), 4u);
  EXPECT_EQ(Utf8Length(""), 0u);
}

TEST(TextTest, TrimSpaceRemovesAsciiAndIdeographicSpaceAtBothEnds) {
  EXPECT_EQ(TrimSpace("\u3000 深圳 市\t\u00A0"), "深圳 市");
  EXPECT_EQ(TrimSpace("  "), "");
}

TEST(TextTest, ToHalfWidthFoldsFullWidthAsciiForms) {
  EXPECT_EQ(ToHalfWidth("ＡＢＣ（深圳）１２３\u3000ｚ"), "ABC(深圳)123 z");
  EXPECT_EQ(ToHalfWidth("。、深圳"), "。、深圳");
}

TEST(TextTest, EmailAddressesNeedOneAtAndADomainOfTwoLabels) {
  EXPECT_TRUE(IsEmailAddress("li.na@example.com.cn"));
  EXPECT_TRUE(IsEmailAddress("sales@例子.中国"));
  EXPECT_FALSE(IsEmailAddress("li.na@example"));
  EXPECT_FALSE(IsEmailAddress("li@na@example.com"));
  EXPECT_FALSE(IsEmailAddress("li..na@example.com"));
  EXPECT_FALSE(IsEmailAddress("li na@example.com"));
  EXPECT_FALSE(IsEmailAddress("@example.com"));
}

}  // namespace
}  // namespace custflow::domain
