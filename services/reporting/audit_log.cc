#include "services/reporting/audit_log.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "custflow/clickhouse/sql.h"
#include "services/reporting/row_scope_sql.h"

namespace custflow::reporting {
namespace {

constexpr uint32_t kDefaultPageSize = 100;
constexpr uint32_t kMaxPageSize = 1000;
// DateTime holds unsigned 32-bit seconds.
constexpr int64_t kLastDateTimeSecond = 0xFFFFFFFFll;

// The sort key of the last entry of a page: the next page starts right after it.
struct PageKey {
  int64_t changed_at = 0;
  uint64_t version = 0;
  uint64_t position = 0;
  std::string customer_id;
};

// "<changed_at>:<version>:<position>:<customer_id>" in web-safe base64; the customer id
// comes last, so it may hold any byte, ':' included.
std::string EncodePageKey(const PageKey& key) {
  return absl::WebSafeBase64Escape(
      absl::StrCat(key.changed_at, ":", key.version, ":", key.position, ":", key.customer_id));
}

// Reads the next ':'-terminated unsigned number of `text` into `value`.
template <typename Number>
bool ConsumeNumber(std::string_view& text, Number& value) {
  const size_t colon = text.find(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  auto [end, error] = std::from_chars(text.data(), text.data() + colon, value);
  if (error != std::errc() || end != text.data() + colon) return false;
  text.remove_prefix(colon + 1);
  return true;
}

std::optional<PageKey> DecodePageKey(const std::string& token) {
  std::string decoded;
  if (!absl::WebSafeBase64Unescape(token, &decoded)) return std::nullopt;
  std::string_view text = decoded;
  PageKey key;
  if (!ConsumeNumber(text, key.changed_at) || !ConsumeNumber(text, key.version) ||
      !ConsumeNumber(text, key.position)) {
    return std::nullopt;
  }
  if (key.changed_at < 0 || key.changed_at > kLastDateTimeSecond) return std::nullopt;
  key.customer_id = std::string(text);
  return key;
}

absl::StatusOr<std::chrono::sys_seconds> DateTimeOf(const google::protobuf::Timestamp& at,
                                                    std::string_view field) {
  if (at.seconds() < 0 || at.seconds() > kLastDateTimeSecond) {
    return absl::InvalidArgumentError(
        absl::StrCat(std::string(field), ": must lie between 1970 and 2106, got ", at.seconds(), " seconds"));
  }
  return std::chrono::sys_seconds(std::chrono::seconds(at.seconds()));
}

uint32_t PageSize(const v1::AuditLogRequest& request) {
  return request.page_size() == 0 ? kDefaultPageSize : request.page_size();
}

absl::Status ReadEntry(const clickhouse::QueryResult& result, size_t row, v1::AuditEntry& entry) {
  absl::StatusOr<std::string> customer_id = result.GetString(row, "customer_id");
  absl::StatusOr<uint64_t> version = result.GetUInt64(row, "version");
  absl::StatusOr<std::chrono::sys_seconds> changed_at = result.GetTime(row, "changed_at");
  absl::StatusOr<std::string> actor = result.GetString(row, "actor");
  absl::StatusOr<std::string> origin = result.GetString(row, "origin");
  absl::StatusOr<std::string> command_id = result.GetString(row, "command_id");
  absl::StatusOr<std::string> field = result.GetString(row, "field");
  absl::StatusOr<std::string> old_value = result.GetString(row, "old_value");
  absl::StatusOr<std::string> new_value = result.GetString(row, "new_value");
  for (const absl::Status& status :
       {customer_id.status(), version.status(), changed_at.status(), actor.status(), origin.status(),
        command_id.status(), field.status(), old_value.status(), new_value.status()}) {
    if (!status.ok()) return status;
  }
  entry.set_customer_id(*std::move(customer_id));
  entry.set_version(*version);
  entry.mutable_changed_at()->set_seconds(changed_at->time_since_epoch().count());
  entry.set_actor(*std::move(actor));
  entry.set_origin(*std::move(origin));
  entry.set_command_id(*std::move(command_id));
  entry.set_field(*std::move(field));
  entry.set_old_value(*std::move(old_value));
  entry.set_new_value(*std::move(new_value));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::string> AuditLogSql(const v1::AuditLogRequest& request, const auth::RowScope& scope) {
  if (request.page_size() > kMaxPageSize) {
    return absl::InvalidArgumentError(
        absl::StrCat("page_size: at most ", kMaxPageSize, ", got ", request.page_size()));
  }
  clickhouse::SqlText sql;
  sql.Add(
      "SELECT customer_id, version, changed_at, actor, origin, command_id, position, field, old_value, "
      "new_value FROM audit_log WHERE 1");
  if (!request.customer_id().empty()) sql.Add(" AND customer_id = ?", request.customer_id());
  if (!request.actor().empty()) sql.Add(" AND actor = ?", request.actor());
  if (request.has_from()) {
    absl::StatusOr<std::chrono::sys_seconds> from = DateTimeOf(request.from(), "from");
    if (!from.ok()) return from.status();
    sql.Add(" AND changed_at >= ?", *from);
  }
  if (request.has_to()) {
    absl::StatusOr<std::chrono::sys_seconds> to = DateTimeOf(request.to(), "to");
    if (!to.ok()) return to.status();
    sql.Add(" AND changed_at < ?", *to);
  }
  if (request.has_from() && request.has_to() && request.from().seconds() >= request.to().seconds()) {
    return absl::InvalidArgumentError("from: must be before to");
  }
  if (!request.page_token().empty()) {
    std::optional<PageKey> after = DecodePageKey(request.page_token());
    if (!after) return absl::InvalidArgumentError("page_token: not a token this service issued");
    const std::chrono::sys_seconds at{std::chrono::seconds(after->changed_at)};
    // The rows after `after` in the read order below (changed_at, customer_id and version
    // descending, position ascending); the leading bound lets the primary key skip ahead.
    sql.Add(" AND changed_at <= ?", at)
        .Add(" AND (changed_at < ?", at)
        .Add(" OR (changed_at = ?", at)
        .Add(" AND (customer_id < ?", after->customer_id)
        .Add(" OR (customer_id = ?", after->customer_id)
        .Add(" AND (version < ?", after->version)
        .Add(" OR (version = ?", after->version)
        .Add(" AND position > ?))))))", after->position);
  }
  sql.Add(AndCustomerInRowScope(scope));
  sql.Add(" ORDER BY changed_at DESC, customer_id DESC, version DESC, position LIMIT ?",
          PageSize(request) + 1);
  return sql.Bind();
}

absl::StatusOr<v1::AuditLogResponse> QueryAuditLog(clickhouse::ClickHouseClient& client,
                                                   const v1::AuditLogRequest& request,
                                                   const auth::RowScope& scope) {
  absl::StatusOr<std::string> sql = AuditLogSql(request, scope);
  if (!sql.ok()) return sql.status();
  absl::StatusOr<clickhouse::QueryResult> result = client.Query(*sql);
  if (!result.ok()) return result.status();
  const size_t page_size = PageSize(request);
  const size_t rows = std::min(result->row_count(), page_size);
  v1::AuditLogResponse response;
  for (size_t row = 0; row < rows; ++row) {
    if (absl::Status read = ReadEntry(*result, row, *response.add_entries()); !read.ok()) return read;
  }
  if (result->row_count() > page_size) {
    const v1::AuditEntry& last = response.entries(response.entries_size() - 1);
    absl::StatusOr<uint64_t> position = result->GetUInt64(rows - 1, "position");
    if (!position.ok()) return position.status();
    response.set_next_page_token(EncodePageKey({.changed_at = last.changed_at().seconds(),
                                                .version = last.version(),
                                                .position = *position,
                                                .customer_id = last.customer_id()}));
  }
  return response;
}

}  // namespace custflow::reporting
