// HiredisClient: checks options and arguments, picks a connection per call and runs
// scripts with EVALSHA, then EVAL when Redis does not know the script.
#include "custflow/redis/hiredis_client.h"

#include <signal.h>

#include <string>
#include <utility>

#include "absl/container/inlined_vector.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "shared_connection.h"

namespace custflow::redis {
namespace {

absl::Status Validate(const HiredisOptions& options) {
  if (options.host.empty()) return absl::InvalidArgumentError("redis host is empty");
  if (options.port <= 0 || options.port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("redis port ", options.port, " is not 1-65535"));
  }
  if (options.db < 0) {
    return absl::InvalidArgumentError(absl::StrCat("redis db ", options.db, " is negative"));
  }
  if (options.pool_size < 1) {
    return absl::InvalidArgumentError(absl::StrCat("redis pool size ", options.pool_size, " is less than 1"));
  }
  if (options.connect_timeout.count() <= 0 || options.command_timeout.count() <= 0) {
    return absl::InvalidArgumentError("redis connect and command timeouts must be positive");
  }
  return absl::OkStatus();
}

// hiredis writes with write(2): without this, a write to a connection the server has closed
// would kill the process with SIGPIPE instead of failing with EPIPE. A handler installed by
// the application is left alone.
void IgnoreSigpipeUnlessHandled() {
  struct sigaction current {};
  if (::sigaction(SIGPIPE, nullptr, &current) == 0 && current.sa_handler == SIG_DFL) {
    ::signal(SIGPIPE, SIG_IGN);
  }
}

}  // namespace

absl::StatusOr<std::unique_ptr<RedisClient>> HiredisClient::Create(const HiredisOptions& options) {
  if (absl::Status valid = Validate(options); !valid.ok()) return valid;
  IgnoreSigpipeUnlessHandled();
  std::string address = absl::StrCat(options.host, ":", options.port);
  std::vector<std::unique_ptr<internal::SharedConnection>> connections;
  connections.reserve(static_cast<size_t>(options.pool_size));
  for (int i = 0; i < options.pool_size; ++i) {
    connections.push_back(std::make_unique<internal::SharedConnection>(options, address));
  }
  // Opens the first connection now so that a wrong address or password fails at start-up.
  absl::StatusOr<Reply> pong = connections.front()->Run({"PING"});
  if (!pong.ok()) return pong.status();
  if (pong->is_error()) {
    return absl::Status(pong->ToStatus().code(),
                        absl::StrCat("redis at ", address, " answered PING with: ", pong->str()));
  }
  return std::unique_ptr<RedisClient>(new HiredisClient(std::move(connections)));
}

HiredisClient::HiredisClient(std::vector<std::unique_ptr<internal::SharedConnection>> connections)
    : connections_(std::move(connections)) {}

HiredisClient::~HiredisClient() = default;

internal::SharedConnection& HiredisClient::NextConnection() {
  size_t turn = next_connection_.fetch_add(1, std::memory_order_relaxed);
  return *connections_[turn % connections_.size()];
}

absl::StatusOr<Reply> HiredisClient::Command(absl::Span<const std::string_view> args) {
  if (args.empty()) return absl::InvalidArgumentError("redis command is empty");
  return NextConnection().Run(args);
}

absl::StatusOr<std::vector<Reply>> HiredisClient::Pipeline(absl::Span<const CommandArgs> commands) {
  if (commands.empty()) return std::vector<Reply>();
  for (size_t i = 0; i < commands.size(); ++i) {
    if (commands[i].empty()) {
      return absl::InvalidArgumentError(absl::StrCat("redis pipeline command ", i, " is empty"));
    }
  }
  return NextConnection().RunPipeline(commands);
}

absl::StatusOr<Reply> HiredisClient::Eval(const Script& script, absl::Span<const std::string_view> keys,
                                          absl::Span<const std::string_view> args) {
  std::string key_count = std::to_string(keys.size());
  absl::InlinedVector<std::string_view, 16> command = {"EVALSHA", script.sha1(), key_count};
  command.insert(command.end(), keys.begin(), keys.end());
  command.insert(command.end(), args.begin(), args.end());

  internal::SharedConnection& connection = NextConnection();
  absl::StatusOr<Reply> reply = connection.Run(command);
  if (!reply.ok() || !reply->is_error() || !absl::StartsWith(reply->str(), "NOSCRIPT")) {
    return reply;
  }
  // NOSCRIPT means nothing ran, so sending the source is safe; EVAL also caches it again.
  command[0] = "EVAL";
  command[1] = script.source();
  return connection.Run(command);
}

}  // namespace custflow::redis
