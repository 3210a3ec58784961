// One Redis connection shared by many threads. Commands that callers send while an
// exchange is in flight are queued and go out together in the next one (automatic
// pipelining): one write and one read serve many callers, which is what lets a few
// connections carry tens of thousands of calls per second from dozens of threads.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "custflow/redis/hiredis_client.h"
#include "custflow/redis/redis_client.h"
#include "custflow/redis/reply.h"

struct redisContext;

namespace custflow::redis::internal {

struct HiredisReplyDeleter {
  void operator()(void* reply) const;
};
using HiredisReply = std::unique_ptr<void, HiredisReplyDeleter>;

// Opens lazily, on first use, and again after any failure. The thread whose command opens
// an exchange (the leader) does the I/O for everyone queued; the others sleep until their
// replies are in, and the first of those still waiting then leads the next exchange.
class SharedConnection {
 public:
  SharedConnection(HiredisOptions options, std::string address);
  ~SharedConnection();
  SharedConnection(const SharedConnection&) = delete;
  SharedConnection& operator=(const SharedConnection&) = delete;

  absl::StatusOr<Reply> Run(absl::Span<const std::string_view> args);
  // The commands go out back to back, never interleaved with other callers' commands.
  absl::StatusOr<std::vector<Reply>> RunPipeline(absl::Span<const CommandArgs> commands);

 private:
  // One caller's commands on their way; lives on the caller's stack.
  struct Request {
    explicit Request(size_t count) : reply_count(count) {}
    const size_t reply_count;
    absl::InlinedVector<HiredisReply, 1> replies;  // Filled by the leader.
    absl::Status status;
    bool done = false;
    bool leads = false;
    std::condition_variable wakeup;
  };

  // Queues `request`, whose commands the caller has just appended to pending_bytes_ under
  // `lock`, and returns once its replies are in.
  absl::Status Await(Request& request, std::unique_lock<std::mutex>& lock);
  // Leader only: sends sending_bytes_ and reads the replies of every request in sending_.
  void Exchange();
  // Leader only: makes sure context_ is a live connection, opening one if needed.
  absl::Status EnsureOpen();
  absl::Status Open();
  void Close();
  // The failure hiredis recorded in context_, as UNAVAILABLE; `saved_errno` is errno right
  // after the failing call, to tell a timeout apart.
  absl::Status TransportError(int saved_errno) const;
  absl::StatusOr<HiredisReply> Call(absl::Span<const std::string_view> args);

  const HiredisOptions options_;
  const std::string address_;

  std::mutex mutex_;
  std::string pending_bytes_;      // Guarded by mutex_.
  std::vector<Request*> pending_;  // Guarded by mutex_.
  bool leader_active_ = false;     // Guarded by mutex_.

  // Touched by the leader only, so without the lock.
  redisContext* context_ = nullptr;
  std::string sending_bytes_;
  std::vector<Request*> sending_;
  std::chrono::steady_clock::time_point last_exchange_;
};

}  // namespace custflow::redis::internal
