// SharedConnection: the leader/follower hand-off, the exchange and the hiredis calls.
#include "shared_connection.h"

#include <hiredis/hiredis.h>
#include <poll.h>
#include <sys/time.h>

#include <cerrno>
#include <utility>

#include "absl/strings/str_cat.h"
#include "resp.h"

namespace custflow::redis::internal {
namespace {

using Clock = std::chrono::steady_clock;

// A connection idle this long is checked for a close by the server (Redis restarted, an
// idle timeout) before it is used, so that the close does not fail a command. The check is
// one poll(2): busy connections skip it, idle ones can afford it.
constexpr auto kCheckIdleAfter = std::chrono::milliseconds(1);

timeval ToTimeval(std::chrono::milliseconds duration) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(duration.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((duration.count() % 1000) * 1000);
  return tv;
}

Reply ToReply(const redisReply& reply) {
  switch (reply.type) {
    case REDIS_REPLY_STRING:
      return Reply::String(std::string(reply.str, reply.len));
    case REDIS_REPLY_STATUS:
      return Reply::Status(std::string(reply.str, reply.len));
    case REDIS_REPLY_ERROR:
      return Reply::Error(std::string(reply.str, reply.len));
    case REDIS_REPLY_INTEGER:
      return Reply::Integer(reply.integer);
    case REDIS_REPLY_ARRAY: {
      std::vector<Reply> elements;
      elements.reserve(reply.elements);
      for (size_t i = 0; i < reply.elements; ++i) elements.push_back(ToReply(*reply.element[i]));
      return Reply::Array(std::move(elements));
    }
    case REDIS_REPLY_NIL:
      return Reply::Nil();
  }
  return Reply::Error(absl::StrCat("custflow: unknown hiredis reply type ", reply.type));
}

Reply ToReply(const HiredisReply& reply) { return ToReply(*static_cast<const redisReply*>(reply.get())); }

bool PeerClosed(const redisContext& context) {
  pollfd descriptor{.fd = context.fd, .events = POLLIN, .revents = 0};
  return ::poll(&descriptor, 1, 0) != 0;
}

}  // namespace

void HiredisReplyDeleter::operator()(void* reply) const { freeReplyObject(reply); }

SharedConnection::SharedConnection(HiredisOptions options, std::string address)
    : options_(std::move(options)), address_(std::move(address)) {}

SharedConnection::~SharedConnection() { Close(); }

absl::StatusOr<Reply> SharedConnection::Run(absl::Span<const std::string_view> args) {
  Request request(1);
  std::unique_lock lock(mutex_);
  AppendRespCommand(args, pending_bytes_);
  if (absl::Status status = Await(request, lock); !status.ok()) return status;
  return ToReply(request.replies[0]);
}

absl::StatusOr<std::vector<Reply>> SharedConnection::RunPipeline(absl::Span<const CommandArgs> commands) {
  Request request(commands.size());
  std::unique_lock lock(mutex_);
  for (const CommandArgs& command : commands) AppendRespCommand(command, pending_bytes_);
  if (absl::Status status = Await(request, lock); !status.ok()) return status;
  std::vector<Reply> replies;
  replies.reserve(request.replies.size());
  for (const HiredisReply& reply : request.replies) replies.push_back(ToReply(reply));
  return replies;
}

absl::Status SharedConnection::Await(Request& request, std::unique_lock<std::mutex>& lock) {
  pending_.push_back(&request);
  if (leader_active_) {
    request.wakeup.wait(lock, [&request] { return request.done || request.leads; });
    if (request.done) return std::move(request.status);
  }
  leader_active_ = true;
  sending_bytes_.swap(pending_bytes_);
  sending_.swap(pending_);
  lock.unlock();

  Exchange();

  lock.lock();
  for (Request* sent : sending_) {
    sent->done = true;
    // Notified under the lock: once `done` is seen, the request may leave its owner's stack.
    if (sent != &request) sent->wakeup.notify_one();
  }
  sending_.clear();
  sending_bytes_.clear();
  if (pending_.empty()) {
    leader_active_ = false;
  } else {
    pending_.front()->leads = true;
    pending_.front()->wakeup.notify_one();
  }
  return std::move(request.status);
}

void SharedConnection::Exchange() {
  absl::Status status = EnsureOpen();
  if (status.ok() &&
      redisAppendFormattedCommand(context_, sending_bytes_.data(), sending_bytes_.size()) != REDIS_OK) {
    status = TransportError(errno);
  }
  for (Request* request : sending_) {
    while (status.ok() && request->replies.size() < request->reply_count) {
      void* raw = nullptr;
      if (redisGetReply(context_, &raw) != REDIS_OK || raw == nullptr) {
        status = TransportError(errno);
        break;
      }
      request->replies.emplace_back(raw);
    }
    // Requests answered in full before a failure keep their replies.
    if (!status.ok()) request->status = status;
  }
  if (!status.ok()) Close();
  last_exchange_ = Clock::now();
}

absl::Status SharedConnection::EnsureOpen() {
  if (context_ != nullptr && Clock::now() - last_exchange_ >= kCheckIdleAfter && PeerClosed(*context_)) {
    Close();
  }
  if (context_ != nullptr) return absl::OkStatus();
  absl::Status opened = Open();
  if (!opened.ok()) Close();
  return opened;
}

absl::Status SharedConnection::Open() {
  context_ =
      redisConnectWithTimeout(options_.host.c_str(), options_.port, ToTimeval(options_.connect_timeout));
  if (context_ == nullptr) {
    return absl::ResourceExhaustedError(absl::StrCat("cannot allocate a connection to redis at ", address_));
  }
  if (context_->err != 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot connect to redis at ", address_, ": ", context_->errstr));
  }
  if (redisSetTimeout(context_, ToTimeval(options_.command_timeout)) != REDIS_OK ||
      redisEnableKeepAlive(context_) != REDIS_OK) {
    return TransportError(errno);
  }
  if (!options_.password.empty()) {
    absl::StatusOr<HiredisReply> reply = Call({"AUTH", options_.password});
    if (!reply.ok()) return reply.status();
    if (Reply answer = ToReply(*reply); answer.is_error()) {
      return absl::UnauthenticatedError(
          absl::StrCat("redis at ", address_, " rejected AUTH: ", answer.str()));
    }
  }
  if (options_.db != 0) {
    std::string db = std::to_string(options_.db);
    absl::StatusOr<HiredisReply> reply = Call({"SELECT", db});
    if (!reply.ok()) return reply.status();
    if (Reply answer = ToReply(*reply); answer.is_error()) {
      return absl::InvalidArgumentError(
          absl::StrCat("redis at ", address_, " rejected SELECT ", db, ": ", answer.str()));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<HiredisReply> SharedConnection::Call(absl::Span<const std::string_view> args) {
  std::string bytes;
  AppendRespCommand(args, bytes);
  void* raw = nullptr;
  if (redisAppendFormattedCommand(context_, bytes.data(), bytes.size()) != REDIS_OK ||
      redisGetReply(context_, &raw) != REDIS_OK || raw == nullptr) {
    return TransportError(errno);
  }
  return HiredisReply(raw);
}

void SharedConnection::Close() {
  if (context_ != nullptr) redisFree(context_);
  context_ = nullptr;
}

absl::Status SharedConnection::TransportError(int saved_errno) const {
  bool timed_out = context_->err == REDIS_ERR_IO && (saved_errno == EAGAIN || saved_errno == EWOULDBLOCK);
  return absl::UnavailableError(absl::StrCat(
      "redis at ", address_, ": ", context_->errstr,
      timed_out
          ? absl::StrCat(" (no reply within the ", options_.command_timeout.count(), " ms command timeout)")
          : ""));
}

}  // namespace custflow::redis::internal
