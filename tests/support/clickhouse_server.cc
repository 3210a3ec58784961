// Starts clickhouse-server from the project's config template for integration tests.
#include "tests/support/clickhouse_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"

extern char** environ;

namespace custflow::testing {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::chrono::seconds kStartTimeout(30);

std::filesystem::path ConfigDir() {
  return std::filesystem::path(CUSTFLOW_SOURCE_DIR) / "deploy" / "local" / "clickhouse";
}

std::string ServerBinary() {
  const char* override_path = std::getenv("CUSTFLOW_CLICKHOUSE_SERVER");
  return override_path != nullptr ? override_path : "/usr/sbin/clickhouse-server";
}

std::string Tail(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::stringstream all;
  all << in.rdbuf();
  std::string text = all.str();
  constexpr size_t kTail = 2000;
  return text.size() > kTail ? text.substr(text.size() - kTail) : text;
}

// Runs `argv` with its output appended to `log`, and waits for it to exit 0.
absl::Status Run(const std::vector<std::string>& argv, const std::filesystem::path& log) {
  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  pid_t pid = -1;
  int error = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (error != 0) return absl::InternalError(absl::StrCat("cannot run ", argv[0]));
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return absl::InternalError(absl::StrCat(argv[0], " failed; output:\n", Tail(log)));
  }
  return absl::OkStatus();
}

// One HTTP/1.0 GET /ping; true when the answer is 200 with body "Ok.".
bool AnswersPing(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  timeval timeout{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string answer;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    constexpr std::string_view kRequest = "GET /ping HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
    if (::send(fd, kRequest.data(), kRequest.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(kRequest.size())) {
      char buffer[512];
      for (ssize_t n; (n = ::recv(fd, buffer, sizeof buffer, 0)) > 0;) answer.append(buffer, n);
    }
  }
  ::close(fd);
  return answer.starts_with("HTTP/1.") && answer.find(" 200 ") != std::string::npos &&
         answer.ends_with("Ok.\n");
}

}  // namespace

LocalClickHouseServer& LocalClickHouseServer::operator=(LocalClickHouseServer&& other) noexcept {
  if (this != &other) {
    process_ = std::move(other.process_);
    data_dir_ = std::move(other.data_dir_);
    http_port_ = other.http_port_;
    tcp_port_ = other.tcp_port_;
  }
  return *this;
}

std::string LocalClickHouseServer::url() const { return absl::StrCat("http://127.0.0.1:", http_port_); }

void LocalClickHouseServer::Stop() { process_.Stop(); }

void LocalClickHouseServer::Kill() { process_.Kill(); }

absl::Status LocalClickHouseServer::Restart() {
  process_.Stop();
  const std::filesystem::path dir = data_dir_->path();
  absl::StatusOr<LocalProcess> process =
      LocalProcess::Start({ServerBinary(), absl::StrCat("--config-file=", (dir / "config.xml").string())},
                          dir / "logs" / "stdout.log");
  if (!process.ok()) return process.status();
  process_ = *std::move(process);
  const auto deadline = Clock::now() + kStartTimeout;
  if (absl::Status listening = process_.WaitForPort(http_port_, kStartTimeout); !listening.ok()) {
    return absl::Status(listening.code(),
                        absl::StrCat("clickhouse-server did not start: ", listening.message(),
                                     "\nerror log:\n", Tail(dir / "logs" / "clickhouse-server.err.log")));
  }
  while (!AnswersPing(http_port_)) {
    if (Clock::now() > deadline || !process_.running()) {
      return absl::DeadlineExceededError(absl::StrCat("clickhouse-server on port ", http_port_,
                                                      " does not answer /ping; error log:\n",
                                                      Tail(dir / "logs" / "clickhouse-server.err.log")));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return absl::OkStatus();
}

absl::StatusOr<LocalClickHouseServer> StartClickHouseServer() {
  LocalClickHouseServer server;
  server.data_dir_ = std::make_unique<TempDir>("custflow-clickhouse");
  server.http_port_ = FreeLoopbackPort();
  server.tcp_port_ = FreeLoopbackPort();
  while (server.tcp_port_ == server.http_port_) server.tcp_port_ = FreeLoopbackPort();
  const std::filesystem::path dir = server.data_dir_->path();
  if (absl::Status rendered = Run({"bash", (ConfigDir() / "render-config.sh").string(), dir.string(),
                                   absl::StrCat(server.http_port_), absl::StrCat(server.tcp_port_)},
                                  dir / "render.log");
      !rendered.ok()) {
    return rendered;
  }
  if (absl::Status started = server.Restart(); !started.ok()) return started;
  return server;
}

}  // namespace custflow::testing
