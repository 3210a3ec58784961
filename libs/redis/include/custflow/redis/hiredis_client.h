// The real RedisClient: a few hiredis connections shared by all threads, with automatic
// pipelining of concurrent calls.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "custflow/redis/redis_client.h"

namespace custflow::redis {

namespace internal {
class SharedConnection;
}  // namespace internal

struct HiredisOptions {
  std::string host = "127.0.0.1";
  int port = 6379;
  // Sent with AUTH on every new connection when not empty.
  std::string password;
  // Chosen with SELECT on every new connection when not zero.
  int db = 0;
  // Bounds a TCP connect.
  std::chrono::milliseconds connect_timeout{1000};
  // Bounds each socket read and write of an exchange with Redis.
  std::chrono::milliseconds command_timeout{1000};
  // Connections to open, each on first use. Calls are spread over them in turn; calls made
  // while a connection is busy go out together in its next exchange, so a few connections
  // serve many threads.
  int pool_size = 4;
};

// Behaviour worth knowing:
// - Thread-safe. Each call blocks its thread until its reply is in. Concurrent calls share
//   connections: while one exchange is in flight, the next calls queue and go out together
//   in one write (automatic pipelining); a Pipeline's commands stay back to back.
// - Create opens one connection (with AUTH and SELECT) and fails if it cannot: UNAVAILABLE
//   when Redis cannot be reached, UNAUTHENTICATED or INVALID_ARGUMENT with Redis's text
//   when it rejects AUTH or SELECT. The other connections open on first use. Later outages
//   only make calls fail; once Redis is back, calls succeed again with the same client.
// - When an exchange fails (I/O error, timeout, EOF, protocol error), the connection is
//   closed and every call in it that had not got its reply returns UNAVAILABLE with
//   hiredis's error text and the address; the next call opens a new connection. Nothing is
//   ever retried: after such a failure a command may or may not have run, and replaying
//   INCR or LPUSH would run it twice. Callers decide.
// - An idle connection that the server closed (e.g. Redis restarted) is detected before
//   use and replaced, so it does not make the first call after an outage fail.
// - A call waits at most for the exchange in flight plus its own: about
//   2 x (connect_timeout + command_timeout) in the worst case; it never hangs.
// - Create sets SIGPIPE to ignored if it still has its default action: a write to a
//   connection the server closed must fail with EPIPE, not kill the process.
// - Connection state is shared, so commands that change it or hold it are not for this
//   client: SELECT, AUTH (use the options), SUBSCRIBE, MONITOR, CLIENT REPLY, WATCH, and
//   MULTI/EXEC unless all sent in one Pipeline. Blocking commands (BLPOP, XREAD BLOCK,
//   WAIT) would stall every caller behind them on that connection.
class HiredisClient final : public RedisClient {
 public:
  static absl::StatusOr<std::unique_ptr<RedisClient>> Create(const HiredisOptions& options);

  ~HiredisClient() override;
  HiredisClient(const HiredisClient&) = delete;
  HiredisClient& operator=(const HiredisClient&) = delete;

  absl::StatusOr<Reply> Command(absl::Span<const std::string_view> args) override;
  absl::StatusOr<std::vector<Reply>> Pipeline(absl::Span<const CommandArgs> commands) override;
  absl::StatusOr<Reply> Eval(const Script& script, absl::Span<const std::string_view> keys,
                             absl::Span<const std::string_view> args) override;

 private:
  explicit HiredisClient(std::vector<std::unique_ptr<internal::SharedConnection>> connections);

  // Spreads calls over connections_ in turn.
  internal::SharedConnection& NextConnection();

  std::vector<std::unique_ptr<internal::SharedConnection>> connections_;
  std::atomic<size_t> next_connection_ = 0;
};

}  // namespace custflow::redis
