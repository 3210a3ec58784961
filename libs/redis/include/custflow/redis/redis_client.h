// The one interface through which custflow reaches Redis. HiredisClient is the real
// implementation; unit tests of services use an in-memory implementation instead.
#pragma once

#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "custflow/redis/reply.h"
#include "custflow/redis/script.h"

namespace custflow::redis {

// The words of one command, e.g. {"HGET", key, field}. Binary safe: a view may hold any
// bytes, NUL included. The viewed bytes only need to live until the call returns.
using CommandArgs = std::vector<std::string_view>;

// Errors follow one rule for every method: a Redis error reply (ERR, WRONGTYPE, a failing
// Lua script, ...) is a successful call whose Reply has type kError; a failed status means
// the command could not be exchanged with Redis (UNAVAILABLE for connection problems and
// timeouts, INVALID_ARGUMENT for an empty command). After a failed status the command may
// or may not have run on the server.
class RedisClient {
 public:
  virtual ~RedisClient() = default;

  // Sends one command and waits for its reply. `args` accepts a braced list:
  // `client.Command({"GET", key})`.
  virtual absl::StatusOr<Reply> Command(absl::Span<const std::string_view> args) = 0;

  // Sends all commands in one round trip and returns one reply per command, in order. The
  // commands are not a transaction: others' commands may run in between. An empty list
  // returns an empty vector.
  virtual absl::StatusOr<std::vector<Reply>> Pipeline(absl::Span<const CommandArgs> commands) = 0;

  // Runs `script` with KEYS = `keys` and ARGV = `args`: EVALSHA first and, when Redis
  // answers NOSCRIPT (the script cache was flushed or Redis restarted), EVAL once.
  virtual absl::StatusOr<Reply> Eval(const Script& script, absl::Span<const std::string_view> keys,
                                     absl::Span<const std::string_view> args) = 0;
};

}  // namespace custflow::redis
