// Turns ClickHouse's error answers into absl::Status values, in one table, so every
// caller sees the same code for the same server error.
#pragma once

#include <optional>
#include <string_view>

#include "absl/status/status.h"

namespace custflow::clickhouse {

// The status for an HTTP answer with a non-2xx `http_status` whose body is ClickHouse's
// error text ("Code: 60, e.displayText() = DB::Exception: Table default.x doesn't exist.,
// ..."). The message holds the HTTP status and the server's text as it is. The code comes
// from ClickHouse's error code when known (syntax and type errors INVALID_ARGUMENT,
// unknown table or database NOT_FOUND, already exists ALREADY_EXISTS, limits
// RESOURCE_EXHAUSTED, timeouts DEADLINE_EXCEEDED, ...), else from the HTTP status.
absl::Status StatusFromServerError(long http_status, std::string_view body);

// ClickHouse's numeric error code ("Code: 60, ...") found in a server answer, or in the
// message of a status made by StatusFromServerError.
std::optional<int> ServerErrorCode(std::string_view text);
std::optional<int> ServerErrorCode(const absl::Status& status);

}  // namespace custflow::clickhouse
