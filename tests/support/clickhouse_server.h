// A real clickhouse-server (Debian's 18.16) for integration tests: configured from
// deploy/local/clickhouse/ into a temporary data folder, on free loopback ports.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "tests/support/local_process.h"

namespace custflow::testing {

class LocalClickHouseServer {
 public:
  LocalClickHouseServer(LocalClickHouseServer&&) noexcept = default;
  // Stops this server before taking over `other`'s.
  LocalClickHouseServer& operator=(LocalClickHouseServer&& other) noexcept;
  // Stops the server and removes its data folder.
  ~LocalClickHouseServer() = default;

  int http_port() const { return http_port_; }
  int tcp_port() const { return tcp_port_; }
  // "http://127.0.0.1:<http_port>", for HttpClickHouseOptions::url.
  std::string url() const;

  // Stop() shuts the server down (SIGTERM; it waits up to 3 s for open connections, then
  // SIGKILL after 10 s) and Kill() crashes it (SIGKILL); both keep its data, so a fault
  // test can see clients fail and then Restart() it.
  void Stop();
  void Kill();
  // Starts the server again on the same ports and data, and waits until it answers.
  absl::Status Restart();

 private:
  friend absl::StatusOr<LocalClickHouseServer> StartClickHouseServer();
  LocalClickHouseServer() = default;

  std::unique_ptr<TempDir> data_dir_;  // declared first: removed after the process stops
  LocalProcess process_;
  int http_port_ = 0;
  int tcp_port_ = 0;
};

// Renders deploy/local/clickhouse/ with render-config.sh into a fresh temporary folder,
// starts clickhouse-server (CUSTFLOW_CLICKHOUSE_SERVER overrides its path, by default
// /usr/sbin/clickhouse-server) and waits up to 30 s until GET /ping answers "Ok.". The
// error carries the tail of the server's output.
absl::StatusOr<LocalClickHouseServer> StartClickHouseServer();

}  // namespace custflow::testing
