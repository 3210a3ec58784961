#include "services/profile/profile_archive.h"

#include <map>

#include "absl/strings/escaping.h"
#include "custflow/clickhouse/sql.h"

namespace custflow::profile {
namespace {

// The latest non-empty snapshot per customer, hex-encoded so the bytes travel as text.
// Rows written before snapshots were archived have an empty profile and are left out.
constexpr const char* kLatestSql =
    "SELECT customer_id, hex(argMax(profile, version)) AS latest FROM profile_versions "
    "WHERE profile != '' AND ";

absl::StatusOr<std::map<std::string, v1::Profile>> ParseRows(const clickhouse::QueryResult& result) {
  std::map<std::string, v1::Profile> profiles;
  for (size_t row = 0; row < result.row_count(); ++row) {
    absl::StatusOr<std::string> id = result.GetString(row, 0);
    if (!id.ok()) return id.status();
    absl::StatusOr<std::string> hex = result.GetString(row, 1);
    if (!hex.ok()) return hex.status();
    v1::Profile profile;
    if (!profile.ParseFromString(absl::HexStringToBytes(*hex))) {
      return absl::DataLossError("the archived profile of " + *id + " does not parse");
    }
    profiles.emplace(*id, std::move(profile));
  }
  return profiles;
}

}  // namespace

absl::StatusOr<bool> ClickHouseProfileArchive::Empty() {
  absl::StatusOr<clickhouse::QueryResult> result =
      client_.Query("SELECT count() FROM profile_versions WHERE profile != ''");
  if (!result.ok()) {
    // No table yet: the reporting service never ran, so nothing was archived.
    if (absl::IsNotFound(result.status())) return true;
    return result.status();
  }
  absl::StatusOr<uint64_t> count = result->GetUInt64(0, 0);
  if (!count.ok()) return count.status();
  return *count == 0;
}

absl::StatusOr<std::vector<std::optional<v1::Profile>>> ClickHouseProfileArchive::Latest(
    const std::vector<std::string>& ids) {
  std::vector<std::optional<v1::Profile>> found(ids.size());
  if (ids.empty()) return found;
  std::string list;
  for (const std::string& id : ids) list += (list.empty() ? "" : ", ") + clickhouse::QuoteString(id);
  std::string sql = std::string(kLatestSql) + "customer_id IN (" + list + ") GROUP BY customer_id";
  absl::StatusOr<clickhouse::QueryResult> result = client_.Query(sql);
  if (!result.ok()) return result.status();
  absl::StatusOr<std::map<std::string, v1::Profile>> profiles = ParseRows(*result);
  if (!profiles.ok()) return profiles.status();
  for (size_t i = 0; i < ids.size(); ++i) {
    if (auto it = profiles->find(ids[i]); it != profiles->end()) found[i] = it->second;
  }
  return found;
}

absl::Status ClickHouseProfileArchive::ForEachLatest(
    const std::function<absl::Status(std::vector<v1::Profile>&)>& visit) {
  std::string after;
  while (true) {
    absl::StatusOr<std::string> sql = clickhouse::Bind(
        std::string(kLatestSql) + "customer_id > ? GROUP BY customer_id ORDER BY customer_id LIMIT ?", after,
        static_cast<uint64_t>(page_));
    if (!sql.ok()) return sql.status();
    absl::StatusOr<clickhouse::QueryResult> result = client_.Query(*sql);
    if (!result.ok()) return result.status();
    absl::StatusOr<std::map<std::string, v1::Profile>> profiles = ParseRows(*result);
    if (!profiles.ok()) return profiles.status();
    if (profiles->empty()) return absl::OkStatus();
    after = profiles->rbegin()->first;
    const bool last = profiles->size() < page_;
    std::vector<v1::Profile> page;
    page.reserve(profiles->size());
    for (auto& [id, profile] : *profiles) page.push_back(std::move(profile));
    if (absl::Status status = visit(page); !status.ok()) return status;
    if (last) return absl::OkStatus();
  }
}

}  // namespace custflow::profile
