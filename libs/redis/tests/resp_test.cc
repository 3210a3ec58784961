// AppendRespCommand writes the exact bytes Redis expects, whatever the arguments hold.
#include "resp.h"

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "gtest/gtest.h"

namespace custflow::redis::internal {
namespace {

struct RespCase {
  std::string name;
  std::vector<std::string_view> args;
  std::string encoded;
};

void PrintTo(const RespCase& test_case, std::ostream* out) { *out << test_case.name; }

class RespTest : public ::testing::TestWithParam<RespCase> {};

TEST_P(RespTest, CommandIsEncodedAsArrayOfBulkStrings) {
  std::string out;
  AppendRespCommand(GetParam().args, out);
  EXPECT_EQ(out, GetParam().encoded);
}

INSTANTIATE_TEST_SUITE_P(
    Commands, RespTest,
    ::testing::Values(
        RespCase{"OneWord", {"PING"}, "*1\r\n$4\r\nPING\r\n"},
        RespCase{"EmptyArgument", {"SET", "k", ""}, "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n"},
        RespCase{"BinaryArgument",
                 {"SET", std::string_view("a\0\r\n", 4)},
                 std::string("*2\r\n$3\r\nSET\r\n$4\r\na\0\r\n\r\n", 23)},
        RespCase{"LongArgument", {"ECHO", "0123456789abc"}, "*2\r\n$4\r\nECHO\r\n$13\r\n0123456789abc\r\n"}),
    [](const ::testing::TestParamInfo<RespCase>& param_info) { return param_info.param.name; });

TEST(RespAppendTest, CommandsAppendBackToBack) {
  std::string out = "*1\r\n$4\r\nPING\r\n";
  std::vector<std::string_view> get = {"GET", "k"};
  AppendRespCommand(get, out);
  EXPECT_EQ(out, "*1\r\n$4\r\nPING\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n");
}

}  // namespace
}  // namespace custflow::redis::internal
