// ClickHouseClient over ClickHouse's HTTP interface with libcurl, keeping connections
// alive between requests.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "custflow/clickhouse/clickhouse_client.h"

namespace custflow::clickhouse {

struct HttpClickHouseOptions {
  // Base URL of the HTTP interface, without a path.
  std::string url = "http://127.0.0.1:8123";
  // Sent with HTTP basic authentication; an empty user sends none (the server's default).
  std::string user = "default";
  std::string password;
  // The database unqualified names refer to; empty means the server's default.
  std::string database;
  std::chrono::milliseconds connect_timeout{2000};
  // The whole request, connection included: a long report needs a long one.
  std::chrono::milliseconds request_timeout{60000};
  // Idle connections kept for reuse. More concurrent requests than this still run, on
  // connections closed after use.
  size_t pool_size = 4;
};

// Query and Execute post the SQL as the request body and ask for
// TabSeparatedWithNamesAndTypes with wait_end_of_query=1, so an error met while the
// result is produced comes back as an HTTP error instead of a truncated body. Insert puts
// the INSERT statement in the URL and posts the RowBinary rows as they are, uncopied.
class HttpClickHouseClient final : public ClickHouseClient {
 public:
  explicit HttpClickHouseClient(HttpClickHouseOptions options = {});
  ~HttpClickHouseClient() override;
  HttpClickHouseClient(const HttpClickHouseClient&) = delete;
  HttpClickHouseClient& operator=(const HttpClickHouseClient&) = delete;

  absl::Status Execute(std::string_view sql) override;
  absl::StatusOr<QueryResult> Query(std::string_view sql) override;
  absl::Status Insert(std::string_view table, absl::Span<const std::string> columns,
                      const RowBinaryWriter& rows) override;
  absl::Status Ping() override;

  const HttpClickHouseOptions& options() const { return options_; }

 private:
  class Transport;

  HttpClickHouseOptions options_;
  std::unique_ptr<Transport> transport_;
};

}  // namespace custflow::clickhouse
