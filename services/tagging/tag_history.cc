#include "services/tagging/tag_history.h"

#include <string>
#include <utility>

#include "custflow/clickhouse/sql.h"

namespace custflow::tagging {
namespace {

constexpr uint32_t kDefaultLimit = 100;
constexpr uint32_t kMaxLimit = 10'000;

absl::StatusOr<std::string> TagHistorySql(const v1::TagHistoryRequest& request) {
  if (request.customer_id().empty()) return absl::InvalidArgumentError("customer_id: required");
  if (request.limit() > kMaxLimit) {
    return absl::InvalidArgumentError("limit: at most " + std::to_string(kMaxLimit) + ", got " +
                                      std::to_string(request.limit()));
  }
  const uint32_t limit = request.limit() == 0 ? kDefaultLimit : request.limit();
  // One version may add and remove several tags at once: a fixed order among them keeps
  // the same query returning the same rows under a limit.
  constexpr char kSelect[] =
      "SELECT customer_id, tag, action, changed_at, profile_version, rule, rules_version"
      " FROM tag_history WHERE customer_id = ?";
  constexpr char kOrder[] = " ORDER BY changed_at DESC, profile_version DESC, action, tag LIMIT ?";
  if (request.tag().empty())
    return clickhouse::Bind(std::string(kSelect) + kOrder, request.customer_id(), limit);
  return clickhouse::Bind(std::string(kSelect) + " AND tag = ?" + kOrder, request.customer_id(),
                          request.tag(), limit);
}

absl::Status ReadEntry(const clickhouse::QueryResult& result, size_t row, v1::TagHistoryEntry& entry) {
  absl::StatusOr<std::string> customer_id = result.GetString(row, "customer_id");
  absl::StatusOr<std::string> tag = result.GetString(row, "tag");
  absl::StatusOr<std::string> action = result.GetString(row, "action");
  absl::StatusOr<std::chrono::sys_seconds> changed_at = result.GetTime(row, "changed_at");
  absl::StatusOr<uint64_t> profile_version = result.GetUInt64(row, "profile_version");
  absl::StatusOr<std::string> rule = result.GetString(row, "rule");
  absl::StatusOr<std::string> rules_version = result.GetString(row, "rules_version");
  for (const absl::Status& status : {customer_id.status(), tag.status(), action.status(), changed_at.status(),
                                     profile_version.status(), rule.status(), rules_version.status()}) {
    if (!status.ok()) return status;
  }
  entry.set_customer_id(*std::move(customer_id));
  entry.set_tag(*std::move(tag));
  entry.set_action(*std::move(action));
  entry.mutable_changed_at()->set_seconds(changed_at->time_since_epoch().count());
  entry.set_profile_version(*profile_version);
  entry.set_rule(*std::move(rule));
  entry.set_rules_version(*std::move(rules_version));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<v1::TagHistoryResponse> QueryTagHistory(clickhouse::ClickHouseClient& client,
                                                       const v1::TagHistoryRequest& request) {
  absl::StatusOr<std::string> sql = TagHistorySql(request);
  if (!sql.ok()) return sql.status();
  absl::StatusOr<clickhouse::QueryResult> result = client.Query(*sql);
  if (!result.ok()) return result.status();
  v1::TagHistoryResponse response;
  for (size_t row = 0; row < result->row_count(); ++row) {
    if (absl::Status read = ReadEntry(*result, row, *response.add_entries()); !read.ok()) return read;
  }
  return response;
}

}  // namespace custflow::tagging
