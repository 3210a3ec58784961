// A ClickHouse client that records being reached and fails: handler tests use it to show
// that a refused request fails before any SQL is sent.
#pragma once

#include <string>
#include <string_view>

#include "custflow/clickhouse/clickhouse_client.h"

namespace custflow::reporting {

class UnreachableClickHouse final : public clickhouse::ClickHouseClient {
 public:
  absl::Status Execute(std::string_view) override { return Reached(); }
  absl::StatusOr<clickhouse::QueryResult> Query(std::string_view) override { return Reached(); }
  absl::Status Insert(std::string_view, absl::Span<const std::string>,
                      const clickhouse::RowBinaryWriter&) override {
    return Reached();
  }
  absl::Status Ping() override { return Reached(); }

  bool reached = false;

 private:
  absl::Status Reached() {
    reached = true;
    return absl::InternalError("ClickHouse reached");
  }
};

}  // namespace custflow::reporting
