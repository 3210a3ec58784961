// A real redis-server on a free loopback port for integration tests: no persistence, data
// in a temporary directory, stopped when the owner goes away.
#pragma once

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tests/support/local_process.h"

namespace custflow::testing {

class LocalRedisServer {
 public:
  ~LocalRedisServer();
  LocalRedisServer(LocalRedisServer&&) noexcept = default;
  LocalRedisServer& operator=(LocalRedisServer&&) noexcept = default;

  int port() const { return port_; }

  // Stops the server (SIGTERM); clients then see their connections closed.
  void Stop();

  // Starts the server again on the same port (stopping it first if it runs) and waits
  // until it listens. The data set starts empty.
  absl::Status Restart();

  // Freezes the server (SIGSTOP) so that it accepts bytes but never answers, or lets it go
  // on (SIGCONT): a hung server, for timeout tests.
  void Pause();
  void Resume();

 private:
  friend absl::StatusOr<LocalRedisServer> StartRedisServer();
  LocalRedisServer(std::unique_ptr<TempDir> dir, int port) : dir_(std::move(dir)), port_(port) {}

  absl::Status Launch();

  // Declared before dir_ so that a move assignment stops the old server before its
  // directory goes.
  LocalProcess process_;
  std::unique_ptr<TempDir> dir_;
  int port_ = 0;
};

// Starts /usr/bin/redis-server (from PATH) bound to 127.0.0.1 on a free port.
absl::StatusOr<LocalRedisServer> StartRedisServer();

}  // namespace custflow::testing
