#include "custflow/core/shutdown.h"

#include <pthread.h>

namespace custflow::core {

ShutdownSignal::ShutdownSignal() {
  sigemptyset(&signals_);
  sigaddset(&signals_, SIGTERM);
  sigaddset(&signals_, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals_, nullptr);
  waiter_ = std::thread([this] {
    int received = 0;
    sigwait(&signals_, &received);
    signal_received_ = true;
    Trigger();
  });
}

ShutdownSignal::~ShutdownSignal() {
  // Wakes the waiter thread if no signal came, so it can be joined; the signal is blocked,
  // so it only ends the sigwait.
  if (!signal_received_) pthread_kill(waiter_.native_handle(), SIGTERM);
  waiter_.join();
}

void ShutdownSignal::Wait() {
  std::unique_lock lock(mutex_);
  cv_.wait(lock, [this] { return requested_; });
}

bool ShutdownSignal::WaitFor(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return cv_.wait_for(lock, timeout, [this] { return requested_; });
}

bool ShutdownSignal::requested() const {
  std::lock_guard lock(mutex_);
  return requested_;
}

void ShutdownSignal::Trigger() {
  {
    std::lock_guard lock(mutex_);
    requested_ = true;
  }
  cv_.notify_all();
}

}  // namespace custflow::core
