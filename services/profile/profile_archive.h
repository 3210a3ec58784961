// Where profiles lost from Redis come back from: the latest snapshot of each customer that
// the reporting sink stored in ClickHouse (profile_versions.profile, the protobuf bytes
// published on custflow.profiles.v1). Every profile change is published before it is
// stored in Redis, so once the sink has caught up the archive holds every profile as Redis
// last had it.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "custflow/clickhouse/clickhouse_client.h"
#include "custflow/v1/customer.pb.h"

namespace custflow::profile {

class ProfileArchive {
 public:
  virtual ~ProfileArchive() = default;
  // Whether the archive holds no profile at all (so a Redis without profiles lost none).
  virtual absl::StatusOr<bool> Empty() = 0;
  // The latest archived profile of each id, in order (nullopt where none).
  virtual absl::StatusOr<std::vector<std::optional<v1::Profile>>> Latest(
      const std::vector<std::string>& ids) = 0;
  // Calls `visit` with a page of latest profiles at a time, in id order, until all were
  // visited or `visit` or the archive fails.
  virtual absl::Status ForEachLatest(const std::function<absl::Status(std::vector<v1::Profile>&)>& visit) = 0;
};

class ClickHouseProfileArchive final : public ProfileArchive {
 public:
  explicit ClickHouseProfileArchive(clickhouse::ClickHouseClient& client, size_t page = 5000)
      : client_(client), page_(page) {}

  absl::StatusOr<bool> Empty() override;
  absl::StatusOr<std::vector<std::optional<v1::Profile>>> Latest(
      const std::vector<std::string>& ids) override;
  absl::Status ForEachLatest(const std::function<absl::Status(std::vector<v1::Profile>&)>& visit) override;

 private:
  clickhouse::ClickHouseClient& client_;
  size_t page_;
};

}  // namespace custflow::profile
