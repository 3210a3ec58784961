// Starts a child process for a test (a real Redis, ClickHouse or Kafka broker on
// loopback), waits until it listens, and stops it when the owner goes away.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace custflow::testing {

// A free TCP port on 127.0.0.1 (asked from the kernel, then released).
int FreeLoopbackPort();

// A fresh directory under $TMPDIR (or /tmp), removed by the destructor.
class TempDir {
 public:
  explicit TempDir(const std::string& prefix);
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// A child process; SIGTERM then SIGKILL on Stop() or destruction.
class LocalProcess {
 public:
  LocalProcess() = default;
  ~LocalProcess();
  LocalProcess(LocalProcess&& other) noexcept;
  LocalProcess& operator=(LocalProcess&& other) noexcept;

  // Runs `argv[0]` (looked up in PATH) with stdout and stderr sent to `log_file`.
  static absl::StatusOr<LocalProcess> Start(const std::vector<std::string>& argv,
                                            const std::filesystem::path& log_file);

  // Waits until something accepts TCP connections on 127.0.0.1:`port`, or fails when the
  // process exits or the timeout passes; the error carries the tail of the log.
  absl::Status WaitForPort(int port, std::chrono::milliseconds timeout) const;

  // Waits until `file` exists and holds a complete first line, and returns that line.
  absl::StatusOr<std::string> WaitForLine(const std::filesystem::path& file,
                                          std::chrono::milliseconds timeout) const;

  // Sends `signal` (SIGTERM by default) and waits up to `grace` before SIGKILL.
  void Stop(int signal_number = 15, std::chrono::milliseconds grace = std::chrono::seconds(10));

  // Sends SIGKILL and reaps the process at once (a crash, for fault tests).
  void Kill();

  bool running() const;
  pid_t pid() const { return pid_; }

 private:
  std::string LogTail() const;

  pid_t pid_ = -1;
  std::filesystem::path log_file_;
};

}  // namespace custflow::testing
