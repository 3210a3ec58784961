// Table columns on a terminal: Chinese (and other wide) characters take two columns, so
// padding by bytes or by code points would misalign them.
#include "tools/custflow/cli_support.h"

#include <grpcpp/test/client_context_test_peer.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <map>
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

// CUSTFLOW_TOKEN set for the duration of a test, unset after it.
class TokenInEnvironment {
 public:
  explicit TokenInEnvironment(const char* token) { ::setenv("CUSTFLOW_TOKEN", token, 1); }
  ~TokenInEnvironment() { ::unsetenv("CUSTFLOW_TOKEN"); }
};

std::multimap<std::string, std::string> SentMetadata(const grpc::ClientContext& context) {
  return grpc::testing::ClientContextTestPeer(const_cast<grpc::ClientContext*>(&context))
      .GetSendInitialMetadata();
}

TEST(CredentialsTest, PrepareCallSendsTheTokenAsBearerCredentials) {
  TokenInEnvironment token("s3cret-token");
  EXPECT_EQ(BearerAuthorization(), "Bearer s3cret-token");
  grpc::ClientContext context;
  PrepareCall(context, 5);
  EXPECT_EQ(SentMetadata(context),
            (std::multimap<std::string, std::string>{{"authorization", "Bearer s3cret-token"}}));
  EXPECT_LT(context.deadline(), std::chrono::system_clock::now() + std::chrono::seconds(6));
}

void ExpectNoCredentials() {
  EXPECT_EQ(BearerAuthorization(), "");
  grpc::ClientContext context;
  PrepareCall(context, 5);
  EXPECT_TRUE(SentMetadata(context).empty());
}

TEST(CredentialsTest, WithoutATokenNothingIsSent) {
  ::unsetenv("CUSTFLOW_TOKEN");
  ExpectNoCredentials();
  TokenInEnvironment empty("");
  ExpectNoCredentials();
}

}  // namespace
}  // namespace custflow::tools
