// Reply: type predicates, accessors, error-to-status mapping and the debug form.
#include "custflow/redis/reply.h"

#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"

namespace custflow::redis {
namespace {

struct TypeCase {
  std::string name;
  Reply reply;
  Reply::Type type;
  std::string debug_string;
};

void PrintTo(const TypeCase& test_case, std::ostream* out) { *out << test_case.name; }

class ReplyTypeTest : public ::testing::TestWithParam<TypeCase> {};

TEST_P(ReplyTypeTest, ReplyReportsItsTypeThroughExactlyOnePredicate) {
  const Reply& reply = GetParam().reply;
  EXPECT_EQ(reply.type(), GetParam().type);
  int true_predicates = reply.is_nil() + reply.is_status() + reply.is_error() + reply.is_integer() +
                        reply.is_string() + reply.is_array();
  EXPECT_EQ(true_predicates, 1);
}

TEST_P(ReplyTypeTest, DebugStringShowsTypeAndValue) {
  EXPECT_EQ(GetParam().reply.DebugString(), GetParam().debug_string);
}

INSTANTIATE_TEST_SUITE_P(
    Types, ReplyTypeTest,
    ::testing::Values(TypeCase{"Nil", Reply::Nil(), Reply::Type::kNil, "nil"},
                      TypeCase{"Status", Reply::Status("OK"), Reply::Type::kStatus, "OK"},
                      TypeCase{"Error", Reply::Error("ERR bad"), Reply::Type::kError, "(error) ERR bad"},
                      TypeCase{"Integer", Reply::Integer(-7), Reply::Type::kInteger, "(integer) -7"},
                      TypeCase{"String", Reply::String(std::string("a\0b\n", 4)), Reply::Type::kString,
                               "\"a\\000b\\n\""},
                      TypeCase{"Array", Reply::Array({Reply::Integer(1), Reply::Nil(), Reply::String("x")}),
                               Reply::Type::kArray, "[(integer) 1, nil, \"x\"]"}),
    [](const ::testing::TestParamInfo<TypeCase>& param_info) { return param_info.param.name; });

TEST(ReplyTest, DefaultReplyIsNil) { EXPECT_TRUE(Reply().is_nil()); }

TEST(ReplyTest, StringReplyKeepsEveryByte) {
  std::string bytes("\0\xff\r\n", 4);
  EXPECT_EQ(Reply::String(bytes).str(), bytes);
}

TEST(ReplyTest, StringCanBeMovedOutOfReply) {
  Reply reply = Reply::String(std::string(1000, 'v'));
  std::string value = std::move(reply).str();
  EXPECT_EQ(value, std::string(1000, 'v'));
}

TEST(ReplyTest, ArrayReplyKeepsElementsInOrder) {
  Reply reply = Reply::Array({Reply::String("a"), Reply::Integer(2), Reply::Array({})});
  ASSERT_EQ(reply.elements().size(), 3u);
  EXPECT_EQ(reply.elements()[0].str(), "a");
  EXPECT_EQ(reply.elements()[1].integer(), 2);
  EXPECT_TRUE(reply.elements()[2].is_array());
}

TEST(ReplyTest, AccessorsOfOtherTypesReturnEmptyValues) {
  Reply reply = Reply::Integer(5);
  EXPECT_EQ(reply.str(), "");
  EXPECT_TRUE(reply.elements().empty());
  EXPECT_EQ(Reply::String("5").integer(), 0);
}

TEST(ReplyTest, RepliesCompareByTypeAndValue) {
  EXPECT_EQ(Reply::String("a"), Reply::String("a"));
  EXPECT_NE(Reply::String("a"), Reply::Status("a"));
  EXPECT_NE(Reply::Integer(1), Reply::Integer(2));
  EXPECT_EQ(Reply::Array({Reply::Nil()}), Reply::Array({Reply::Nil()}));
}

TEST(ReplyTest, NonErrorReplyConvertsToOkStatus) {
  EXPECT_TRUE(Reply::Status("OK").ToStatus().ok());
  EXPECT_TRUE(Reply::Nil().ToStatus().ok());
}

struct ErrorCase {
  std::string text;
  absl::StatusCode code;
};

void PrintTo(const ErrorCase& test_case, std::ostream* out) { *out << test_case.text; }

class ReplyErrorTest : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(ReplyErrorTest, ErrorReplyConvertsToStatusCarryingRedisText) {
  absl::Status status = Reply::Error(GetParam().text).ToStatus();
  EXPECT_EQ(status.code(), GetParam().code);
  EXPECT_EQ(status.message(), "redis: " + GetParam().text);
}

INSTANTIATE_TEST_SUITE_P(
    Prefixes, ReplyErrorTest,
    ::testing::Values(
        ErrorCase{"ERR value is not an integer or out of range", absl::StatusCode::kInternal},
        ErrorCase{"WRONGTYPE Operation against a key holding the wrong kind of value",
                  absl::StatusCode::kFailedPrecondition},
        ErrorCase{"LOADING Redis is loading the dataset in memory", absl::StatusCode::kUnavailable},
        ErrorCase{"BUSY Redis is busy running a script.", absl::StatusCode::kUnavailable},
        ErrorCase{"MASTERDOWN Link with MASTER is down", absl::StatusCode::kUnavailable},
        ErrorCase{"TRYAGAIN Multiple keys request during rehashing of slot", absl::StatusCode::kUnavailable},
        ErrorCase{"CLUSTERDOWN The cluster is down", absl::StatusCode::kUnavailable},
        ErrorCase{"OOM command not allowed when used memory > 'maxmemory'.",
                  absl::StatusCode::kResourceExhausted},
        ErrorCase{"NOAUTH Authentication required.", absl::StatusCode::kUnauthenticated},
        ErrorCase{"WRONGPASS invalid username-password pair", absl::StatusCode::kUnauthenticated},
        ErrorCase{"NOPERM this user has no permissions", absl::StatusCode::kPermissionDenied},
        ErrorCase{"NOSCRIPT No matching script.", absl::StatusCode::kNotFound},
        ErrorCase{"BUSYKEY Target key name already exists.", absl::StatusCode::kInternal},
        ErrorCase{"", absl::StatusCode::kInternal}));

}  // namespace
}  // namespace custflow::redis
