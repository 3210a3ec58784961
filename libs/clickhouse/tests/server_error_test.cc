// ClickHouse error answers map to one status code each, and keep the server's own text.
#include "custflow/clickhouse/server_error.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace custflow::clickhouse {
namespace {

using ::testing::HasSubstr;

struct ErrorCase {
  std::string name;
  long http_status;
  std::string body;
  absl::StatusCode code;
};

class StatusFromServerErrorTest : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(StatusFromServerErrorTest, MapsToCodeAndKeepsServerText) {
  absl::Status status = StatusFromServerError(GetParam().http_status, GetParam().body);
  EXPECT_EQ(status.code(), GetParam().code) << status;
  EXPECT_THAT(status.message(), HasSubstr("HTTP " + std::to_string(GetParam().http_status)));
  std::string trimmed(GetParam().body);
  while (!trimmed.empty() && trimmed.back() == '\n') trimmed.pop_back();
  EXPECT_THAT(status.message(), HasSubstr(trimmed));
}

std::string ServerText(int code, std::string_view text) {
  return "Code: " + std::to_string(code) + ", e.displayText() = DB::Exception: " + std::string(text) +
         ", e.what() = DB::Exception\n";
}

INSTANTIATE_TEST_SUITE_P(
    Answers, StatusFromServerErrorTest,
    ::testing::Values(
        ErrorCase{"UnknownTable", 404, ServerText(60, "Table default.x doesn't exist."),
                  absl::StatusCode::kNotFound},
        ErrorCase{"UnknownDatabase", 404, ServerText(81, "Database nope doesn't exist"),
                  absl::StatusCode::kNotFound},
        ErrorCase{"SyntaxError", 400, ServerText(62, "Syntax error: failed at position 1"),
                  absl::StatusCode::kInvalidArgument},
        ErrorCase{"UnknownIdentifier", 400, ServerText(47, "Unknown identifier: y"),
                  absl::StatusCode::kInvalidArgument},
        ErrorCase{"NoSuchColumn", 400, ServerText(16, "No such column nope in table"),
                  absl::StatusCode::kInvalidArgument},
        ErrorCase{"TruncatedInsertBody", 500, ServerText(33, "Cannot read all data"),
                  absl::StatusCode::kInvalidArgument},
        ErrorCase{"TableAlreadyExists", 500, ServerText(57, "Table default.t already exists."),
                  absl::StatusCode::kAlreadyExists},
        ErrorCase{"Timeout", 500, ServerText(159, "Timeout exceeded"), absl::StatusCode::kDeadlineExceeded},
        ErrorCase{"MemoryLimit", 500, ServerText(241, "Memory limit exceeded"),
                  absl::StatusCode::kResourceExhausted},
        ErrorCase{"TooManyParts", 500, ServerText(252, "Too many parts"),
                  absl::StatusCode::kResourceExhausted},
        ErrorCase{"UnknownUser", 401, ServerText(192, "Unknown user nobody"),
                  absl::StatusCode::kUnauthenticated},
        ErrorCase{"WrongPassword", 401, ServerText(193, "Wrong password for user default"),
                  absl::StatusCode::kUnauthenticated},
        ErrorCase{"Readonly", 500, ServerText(164, "Cannot execute query in readonly mode"),
                  absl::StatusCode::kPermissionDenied},
        ErrorCase{"Cancelled", 500, ServerText(394, "Query was cancelled"), absl::StatusCode::kCancelled},
        ErrorCase{"UnmappedCodeFallsBackToHttpStatus", 500, ServerText(395, "throwIf"),
                  absl::StatusCode::kInternal},
        ErrorCase{"NoCodeBadRequest", 400, "bad request", absl::StatusCode::kInvalidArgument},
        ErrorCase{"NoCodeServiceUnavailable", 503, "overloaded", absl::StatusCode::kUnavailable},
        ErrorCase{"NoCodeGatewayTimeout", 504, "", absl::StatusCode::kDeadlineExceeded},
        ErrorCase{"NoCodeTeapot", 418, "", absl::StatusCode::kUnknown}),
    [](const auto& test_case) { return test_case.param.name; });

TEST(StatusFromServerErrorTest, SaysWhenTheServerGaveNoText) {
  EXPECT_EQ(StatusFromServerError(502, " \n").message(), "ClickHouse answered HTTP 502 with no error text");
}

TEST(ServerErrorCodeTest, FindsTheCodeInServerTextAndInStatusMessages) {
  EXPECT_EQ(ServerErrorCode(ServerText(60, "x")), 60);
  EXPECT_EQ(ServerErrorCode(StatusFromServerError(404, ServerText(60, "x"))), 60);
  EXPECT_EQ(ServerErrorCode("no code here"), std::nullopt);
  EXPECT_EQ(ServerErrorCode(absl::OkStatus()), std::nullopt);
  EXPECT_EQ(ServerErrorCode("Code: x"), std::nullopt);
}

}  // namespace
}  // namespace custflow::clickhouse
