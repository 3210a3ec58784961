// The mapping from ClickHouse error codes and HTTP statuses to absl status codes.
#include "custflow/clickhouse/server_error.h"

#include <charconv>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl_view.h"

namespace custflow::clickhouse {
namespace {

// Codes from ClickHouse's ErrorCodes.cpp that callers may want to tell apart.
std::optional<absl::StatusCode> CodeForServerError(int code) {
  switch (code) {
    case 6:    // CANNOT_PARSE_TEXT
    case 16:   // NO_SUCH_COLUMN_IN_TABLE
    case 26:   // CANNOT_PARSE_QUOTED_STRING
    case 27:   // CANNOT_PARSE_INPUT_ASSERTION_FAILED
    case 33:   // CANNOT_READ_ALL_DATA (an insert body that does not match the columns)
    case 36:   // BAD_ARGUMENTS
    case 38:   // CANNOT_PARSE_DATE
    case 41:   // CANNOT_PARSE_DATETIME
    case 42:   // NUMBER_OF_ARGUMENTS_DOESNT_MATCH
    case 43:   // ILLEGAL_TYPE_OF_ARGUMENT
    case 44:   // ILLEGAL_COLUMN
    case 46:   // UNKNOWN_FUNCTION
    case 47:   // UNKNOWN_IDENTIFIER
    case 50:   // UNKNOWN_TYPE
    case 53:   // TYPE_MISMATCH
    case 62:   // SYNTAX_ERROR
    case 70:   // CANNOT_CONVERT_TYPE
    case 73:   // UNKNOWN_FORMAT
    case 115:  // UNKNOWN_SETTING
    case 184:  // ILLEGAL_AGGREGATION
    case 215:  // NOT_AN_AGGREGATE
      return absl::StatusCode::kInvalidArgument;
    case 60:  // UNKNOWN_TABLE
    case 81:  // UNKNOWN_DATABASE
      return absl::StatusCode::kNotFound;
    case 57:  // TABLE_ALREADY_EXISTS
    case 82:  // DATABASE_ALREADY_EXISTS
      return absl::StatusCode::kAlreadyExists;
    case 48:  // NOT_IMPLEMENTED
      return absl::StatusCode::kUnimplemented;
    case 159:  // TIMEOUT_EXCEEDED
      return absl::StatusCode::kDeadlineExceeded;
    case 158:  // TOO_MANY_ROWS
    case 202:  // TOO_MANY_SIMULTANEOUS_QUERIES
    case 241:  // MEMORY_LIMIT_EXCEEDED
    case 252:  // TOO_MANY_PARTS
      return absl::StatusCode::kResourceExhausted;
    case 164:  // READONLY
    case 497:  // ACCESS_DENIED
      return absl::StatusCode::kPermissionDenied;
    case 192:  // UNKNOWN_USER
    case 193:  // WRONG_PASSWORD
    case 516:  // AUTHENTICATION_FAILED
      return absl::StatusCode::kUnauthenticated;
    case 209:  // SOCKET_TIMEOUT
    case 210:  // NETWORK_ERROR
      return absl::StatusCode::kUnavailable;
    case 394:  // QUERY_WAS_CANCELLED
      return absl::StatusCode::kCancelled;
    default:
      return std::nullopt;
  }
}

absl::StatusCode CodeForHttpStatus(long http_status) {
  switch (http_status) {
    case 400:
      return absl::StatusCode::kInvalidArgument;
    case 401:
      return absl::StatusCode::kUnauthenticated;
    case 403:
      return absl::StatusCode::kPermissionDenied;
    case 404:
      return absl::StatusCode::kNotFound;
    case 408:
    case 504:
      return absl::StatusCode::kDeadlineExceeded;
    case 413:
    case 429:
      return absl::StatusCode::kResourceExhausted;
    case 500:
      return absl::StatusCode::kInternal;
    case 501:
      return absl::StatusCode::kUnimplemented;
    case 502:
    case 503:
      return absl::StatusCode::kUnavailable;
    default:
      return absl::StatusCode::kUnknown;
  }
}

}  // namespace

absl::Status StatusFromServerError(long http_status, std::string_view body) {
  std::string_view text = body;
  while (!text.empty() && absl::ascii_isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && absl::ascii_isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  std::optional<int> server_code = ServerErrorCode(text);
  std::optional<absl::StatusCode> code =
      server_code.has_value() ? CodeForServerError(*server_code) : std::nullopt;
  std::string message = text.empty()
                            ? absl::StrCat("ClickHouse answered HTTP ", http_status, " with no error text")
                            : absl::StrCat("ClickHouse answered HTTP ", http_status, ": ", AbslView(text));
  return absl::Status(code.value_or(CodeForHttpStatus(http_status)), message);
}

std::optional<int> ServerErrorCode(std::string_view text) {
  constexpr std::string_view kPrefix = "Code: ";
  size_t start = text.find(kPrefix);
  if (start == std::string_view::npos) return std::nullopt;
  std::string_view digits = text.substr(start + kPrefix.size());
  int code = 0;
  auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), code);
  if (error != std::errc() || end == digits.data()) return std::nullopt;
  return code;
}

std::optional<int> ServerErrorCode(const absl::Status& status) {
  return ServerErrorCode(std::string_view(status.message().data(), status.message().size()));
}

}  // namespace custflow::clickhouse
