// Graceful shutdown on SIGTERM / SIGINT. Construct it first thing in main, before any
// thread starts, so every thread inherits the blocked signals and only the waiter sees
// them.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <mutex>
#include <thread>

namespace custflow::core {

class ShutdownSignal {
 public:
  ShutdownSignal();
  ~ShutdownSignal();
  ShutdownSignal(const ShutdownSignal&) = delete;
  ShutdownSignal& operator=(const ShutdownSignal&) = delete;

  // Blocks until SIGTERM or SIGINT arrives or Trigger() is called.
  void Wait();
  // Waits at most `timeout`; true when shutdown was requested.
  bool WaitFor(std::chrono::milliseconds timeout);
  bool requested() const;
  // Requests shutdown from inside the process (e.g. a fatal consumer error).
  void Trigger();

 private:
  sigset_t signals_{};
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  bool requested_ = false;
  std::atomic<bool> signal_received_{false};
  std::thread waiter_;
};

}  // namespace custflow::core
