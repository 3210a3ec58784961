// LocalRedisServer: the redis-server command line and its life cycle.
#include "tests/support/redis_server.h"

#include <signal.h>

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace custflow::testing {
namespace {

constexpr auto kStartTimeout = std::chrono::seconds(10);

}  // namespace

LocalRedisServer::~LocalRedisServer() { Stop(); }

absl::Status LocalRedisServer::Launch() {
  std::vector<std::string> argv = {"redis-server", "--bind", "127.0.0.1", "--port", std::to_string(port_)};
  // No persistence: each start begins with an empty data set and leaves no files behind.
  argv.insert(argv.end(), {"--save", "", "--appendonly", "no", "--dir", dir_->path().string()});
  argv.insert(argv.end(), {"--daemonize", "no", "--loglevel", "warning"});
  absl::StatusOr<LocalProcess> process = LocalProcess::Start(argv, dir_->path() / "redis.log");
  if (!process.ok()) return process.status();
  process_ = *std::move(process);
  return process_.WaitForPort(port_, kStartTimeout);
}

void LocalRedisServer::Stop() {
  Resume();  // A paused server would hold SIGTERM until the grace period ran out.
  process_.Stop();
}

absl::Status LocalRedisServer::Restart() {
  Stop();
  return Launch();
}

void LocalRedisServer::Pause() {
  if (process_.pid() > 0) ::kill(process_.pid(), SIGSTOP);
}

void LocalRedisServer::Resume() {
  if (process_.pid() > 0) ::kill(process_.pid(), SIGCONT);
}

absl::StatusOr<LocalRedisServer> StartRedisServer() {
  LocalRedisServer server(std::make_unique<TempDir>("custflow-redis"), FreeLoopbackPort());
  if (absl::Status started = server.Launch(); !started.ok()) return started;
  return server;
}

}  // namespace custflow::testing
