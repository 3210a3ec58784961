// KafkaConsumer on librdkafka's C API. Messages are handed out without copying: each
// Message keeps its librdkafka message alive. Rebalance and error callbacks run inside
// rd_kafka_consumer_poll, i.e. on the thread that calls Poll or Close.
#include "custflow/kafka/kafka_consumer.h"

#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "client_config.h"
#include "kafka_status.h"

namespace custflow::kafka {
namespace {

using Clock = std::chrono::steady_clock;

struct PartitionListDeleter {
  void operator()(rd_kafka_topic_partition_list_t* list) const {
    rd_kafka_topic_partition_list_destroy(list);
  }
};
using PartitionListPtr = std::unique_ptr<rd_kafka_topic_partition_list_t, PartitionListDeleter>;

// Owns the librdkafka handle for the consumer and for every Message it handed out:
// rd_kafka_destroy blocks for good while messages are alive, so the last owner destroys it.
class ClientLifetime {
 public:
  explicit ClientLifetime(rd_kafka_t* rk) : rk_(rk) {}
  ClientLifetime(const ClientLifetime&) = delete;
  ClientLifetime& operator=(const ClientLifetime&) = delete;

  void Acquire() { references_.fetch_add(1, std::memory_order_relaxed); }
  void Release() {
    if (references_.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
    rd_kafka_destroy(rk_);
    delete this;
  }

 private:
  ~ClientLifetime() = default;

  rd_kafka_t* const rk_;
  std::atomic<int64_t> references_{1};  // The consumer's own.
};

void ReleaseKafkaMessage(void* message, void* client) {
  rd_kafka_message_destroy(static_cast<rd_kafka_message_t*>(message));
  static_cast<ClientLifetime*>(client)->Release();
}

Message ToMessage(rd_kafka_message_t* message, ClientLifetime& client) {
  Message result;
  result.topic = rd_kafka_topic_name(message->rkt);
  result.partition = message->partition;
  result.offset = message->offset;
  if (message->key != nullptr) {
    result.key = std::string_view(static_cast<const char*>(message->key), message->key_len);
  }
  if (message->payload != nullptr) {
    result.value = std::string_view(static_cast<const char*>(message->payload), message->len);
  }
  int64_t timestamp_ms = rd_kafka_message_timestamp(message, nullptr);
  if (timestamp_ms >= 0) {
    result.timestamp = std::chrono::system_clock::time_point(std::chrono::milliseconds(timestamp_ms));
  }
  client.Acquire();
  result.storage = std::unique_ptr<void, MessageStorageReleaser>(
      message, MessageStorageReleaser{&ReleaseKafkaMessage, &client});
  return result;
}

template <typename T>
std::vector<T> FromPartitionList(const rd_kafka_topic_partition_list_t& list) {
  std::vector<T> result;
  result.reserve(static_cast<size_t>(list.cnt));
  for (const rd_kafka_topic_partition_t& element : std::span(list.elems, list.cnt)) {
    T& partition = result.emplace_back();
    partition.topic = element.topic;
    partition.partition = element.partition;
  }
  return result;
}

// Applies the start offsets the hook chose; partitions it left unset keep
// RD_KAFKA_OFFSET_INVALID, which makes librdkafka use the committed offset.
absl::Status ApplyStartOffsets(const std::vector<TopicPartitionOffset>& chosen,
                               rd_kafka_topic_partition_list_t& partitions) {
  std::span<rd_kafka_topic_partition_t> elements(partitions.elems, partitions.cnt);
  if (chosen.size() != elements.size()) {
    return absl::InvalidArgumentError("on_assign must not add or remove partitions");
  }
  for (size_t i = 0; i < chosen.size(); ++i) {
    if (chosen[i].topic != elements[i].topic || chosen[i].partition != elements[i].partition) {
      return absl::InvalidArgumentError("on_assign must not reorder or rename partitions");
    }
    if (chosen[i].offset.has_value()) elements[i].offset = *chosen[i].offset;
  }
  return absl::OkStatus();
}

// How long the lag report may wait for the committed offsets of new partitions.
constexpr int kCommittedQueryTimeoutMs = 2000;

int RemainingMilliseconds(Clock::time_point deadline) {
  auto remaining = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return static_cast<int>(std::clamp<int64_t>(remaining, 0, 60'000));
}

}  // namespace

class KafkaConsumer::Impl {
 public:
  explicit Impl(ConsumerOptions options) : options_(std::move(options)) {}
  ~Impl();

  absl::Status Start();
  absl::StatusOr<std::vector<Message>> Poll(size_t max_messages, std::chrono::milliseconds timeout);
  absl::Status Commit(const std::vector<TopicPartitionOffset>& offsets);
  absl::Status Close();
  const std::string& group() const { return options_.group_id; }
  std::vector<PartitionLag> Lag();

 private:
  // Where the member starts reading an assigned partition, as far as known yet.
  struct PartitionStart {
    std::optional<int64_t> offset;  // chosen by on_assign, or the committed offset
    bool committed_asked = false;
  };
  using PartitionKey = std::pair<std::string, int32_t>;

  static void OnRebalance(rd_kafka_t* rk, rd_kafka_resp_err_t event,
                          rd_kafka_topic_partition_list_t* partitions, void* opaque);
  static void OnError(rd_kafka_t* rk, int error, const char* reason, void* opaque);

  void Assign(rd_kafka_topic_partition_list_t* partitions);
  void Revoke(rd_kafka_topic_partition_list_t* partitions);
  void SetAssignment(rd_kafka_topic_partition_list_t* partitions, bool add);
  absl::Status HandleErrorMessage(const rd_kafka_message_t& message);
  void ReportError(absl::Status error);
  std::string FatalError();
  bool Cooperative() const;
  void TrackAssignment(const rd_kafka_topic_partition_list_t& partitions, bool add);
  void AskCommittedOffsets(const std::vector<PartitionKey>& partitions);
  std::optional<int64_t> FallbackPosition(const PartitionKey& partition, int64_t low, int64_t high);

  const ConsumerOptions options_;
  rd_kafka_t* rk_ = nullptr;
  ClientLifetime* client_ = nullptr;  // Owns rk_.
  bool closed_ = false;
  // Sticky: once set, the consumer cannot go on and every Poll returns it.
  absl::Status fatal_;
  // The batch Poll is building; a revoke drops its messages of the revoked partitions.
  std::vector<Message> batch_;
  // The partitions assigned now; Lag reads them from another thread.
  std::mutex assignment_mutex_;
  std::map<PartitionKey, PartitionStart> assignment_;
};

absl::Status KafkaConsumer::Impl::Start() {
  absl::StatusOr<Properties> properties = ConsumerProperties(options_);
  if (!properties.ok()) return properties.status();
  absl::StatusOr<KafkaConfPtr> conf = NewKafkaConf(*properties);
  if (!conf.ok()) return conf.status();
  rd_kafka_conf_set_opaque(conf->get(), this);
  rd_kafka_conf_set_rebalance_cb(conf->get(), &Impl::OnRebalance);
  rd_kafka_conf_set_error_cb(conf->get(), &Impl::OnError);
  char error[512];
  rk_ = rd_kafka_new(RD_KAFKA_CONSUMER, conf->get(), error, sizeof error);
  if (rk_ == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("cannot create Kafka consumer: ", error));
  }
  conf->release();  // rd_kafka_new took ownership.
  client_ = new ClientLifetime(rk_);
  // Errors and rebalances are then served by rd_kafka_consumer_poll, i.e. inside Poll.
  rd_kafka_poll_set_consumer(rk_);
  PartitionListPtr topics(rd_kafka_topic_partition_list_new(static_cast<int>(options_.topics.size())));
  for (const std::string& topic : options_.topics) {
    rd_kafka_topic_partition_list_add(topics.get(), topic.c_str(), RD_KAFKA_PARTITION_UA);
  }
  return KafkaErrorStatus(rd_kafka_subscribe(rk_, topics.get()),
                          absl::StrCat("cannot subscribe group ", options_.group_id, " to ",
                                       absl::StrJoin(options_.topics, ",")));
}

KafkaConsumer::Impl::~Impl() {
  if (rk_ == nullptr) return;
  Close().IgnoreError();  // Nobody is left to tell; the group notices via the session.
  client_->Release();
}

absl::StatusOr<std::vector<Message>> KafkaConsumer::Impl::Poll(size_t max_messages,
                                                               std::chrono::milliseconds timeout) {
  if (closed_) return absl::FailedPreconditionError("Poll on a closed Kafka consumer");
  if (!fatal_.ok()) return fatal_;
  if (max_messages == 0) return absl::InvalidArgumentError("Poll needs max_messages >= 1");
  batch_.clear();
  const Clock::time_point deadline = Clock::now() + timeout;
  while (batch_.size() < max_messages) {
    // Wait for the first message only; then take what is already fetched.
    int wait_ms = batch_.empty() ? RemainingMilliseconds(deadline) : 0;
    rd_kafka_message_t* message = rd_kafka_consumer_poll(rk_, wait_ms);
    if (message == nullptr) {
      if (!fatal_.ok()) return fatal_;
      if (wait_ms == 0) break;
      continue;
    }
    if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      batch_.push_back(ToMessage(message, *client_));
      continue;
    }
    absl::Status error = HandleErrorMessage(*message);
    rd_kafka_message_destroy(message);
    if (!error.ok()) return error;
  }
  if (!fatal_.ok()) return fatal_;
  return std::move(batch_);
}

absl::Status KafkaConsumer::Impl::HandleErrorMessage(const rd_kafka_message_t& message) {
  if (message.err == RD_KAFKA_RESP_ERR__PARTITION_EOF) return absl::OkStatus();
  std::string context = absl::StrCat("Kafka consumer of group ", options_.group_id);
  if (message.rkt != nullptr) {
    absl::StrAppend(&context, " at ", rd_kafka_topic_name(message.rkt), "[", message.partition, "]");
  }
  if (message.err == RD_KAFKA_RESP_ERR__FATAL) {
    fatal_ = KafkaErrorStatus(message.err, context, FatalError());
    return fatal_;
  }
  ReportError(KafkaErrorStatus(message.err, context, rd_kafka_message_errstr(&message)));
  return absl::OkStatus();
}

void KafkaConsumer::Impl::ReportError(absl::Status error) {
  if (options_.on_error) options_.on_error(error);
}

void KafkaConsumer::Impl::OnError(rd_kafka_t* /*rk*/, int error, const char* reason, void* opaque) {
  auto* self = static_cast<Impl*>(opaque);
  auto code = static_cast<rd_kafka_resp_err_t>(error);
  std::string context = absl::StrCat("Kafka consumer of group ", self->options_.group_id);
  if (code == RD_KAFKA_RESP_ERR__FATAL) {
    self->fatal_ = KafkaErrorStatus(code, context, self->FatalError());
    return;
  }
  self->ReportError(KafkaErrorStatus(code, context, reason));
}

std::string KafkaConsumer::Impl::FatalError() {
  char reason[512];
  rd_kafka_resp_err_t error = rd_kafka_fatal_error(rk_, reason, sizeof reason);
  if (error == RD_KAFKA_RESP_ERR_NO_ERROR) return "fatal consumer error";
  return absl::StrCat("fatal consumer error, the consumer must be recreated: ", reason, " (",
                      rd_kafka_err2name(error), ")");
}

void KafkaConsumer::Impl::OnRebalance(rd_kafka_t* /*rk*/, rd_kafka_resp_err_t event,
                                      rd_kafka_topic_partition_list_t* partitions, void* opaque) {
  auto* self = static_cast<Impl*>(opaque);
  switch (event) {
    case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
      self->Assign(partitions);
      return;
    case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS:
      self->Revoke(partitions);
      return;
    default:
      self->ReportError(KafkaErrorStatus(event, "Kafka consumer group rebalance failed"));
      rd_kafka_assign(self->rk_, nullptr);
  }
}

bool KafkaConsumer::Impl::Cooperative() const {
  return std::string_view(rd_kafka_rebalance_protocol(rk_)) == "COOPERATIVE";
}

void KafkaConsumer::Impl::Assign(rd_kafka_topic_partition_list_t* partitions) {
  if (options_.on_assign) {
    auto chosen = FromPartitionList<TopicPartitionOffset>(*partitions);
    absl::Status status = options_.on_assign(chosen);
    if (status.ok()) status = ApplyStartOffsets(chosen, *partitions);
    if (!status.ok()) {
      // The partitions stay unassigned: reading from an unknown position could apply
      // events twice or skip them.
      fatal_ = absl::Status(status.code(), absl::StrCat("Kafka consumer of group ", options_.group_id,
                                                        ": on_assign hook failed: ", status.message()));
      return;
    }
  }
  SetAssignment(partitions, /*add=*/true);
}

void KafkaConsumer::Impl::Revoke(rd_kafka_topic_partition_list_t* partitions) {
  auto revoked = FromPartitionList<TopicPartition>(*partitions);
  std::erase_if(batch_, [&](const Message& message) {
    return std::any_of(revoked.begin(), revoked.end(), [&](const TopicPartition& partition) {
      return partition.partition == message.partition && partition.topic == message.topic;
    });
  });
  if (options_.on_revoke) options_.on_revoke(revoked);
  SetAssignment(partitions, /*add=*/false);
}

void KafkaConsumer::Impl::SetAssignment(rd_kafka_topic_partition_list_t* partitions, bool add) {
  TrackAssignment(*partitions, add);
  std::string context = absl::StrCat("Kafka consumer of group ", options_.group_id, ": cannot ",
                                     add ? "assign" : "unassign", " partitions");
  if (Cooperative()) {
    rd_kafka_error_t* error =
        add ? rd_kafka_incremental_assign(rk_, partitions) : rd_kafka_incremental_unassign(rk_, partitions);
    if (error == nullptr) return;
    fatal_ = KafkaErrorStatus(rd_kafka_error_code(error), context, rd_kafka_error_string(error));
    rd_kafka_error_destroy(error);
    return;
  }
  rd_kafka_resp_err_t error = rd_kafka_assign(rk_, add ? partitions : nullptr);
  if (error != RD_KAFKA_RESP_ERR_NO_ERROR) fatal_ = KafkaErrorStatus(error, context);
}

void KafkaConsumer::Impl::TrackAssignment(const rd_kafka_topic_partition_list_t& partitions, bool add) {
  std::lock_guard lock(assignment_mutex_);
  if (!add && !Cooperative()) {
    assignment_.clear();  // an eager revoke takes everything
    return;
  }
  for (const rd_kafka_topic_partition_t& element : std::span(partitions.elems, partitions.cnt)) {
    PartitionKey key(element.topic, element.partition);
    if (!add) {
      assignment_.erase(key);
      continue;
    }
    PartitionStart& start = assignment_[key];
    start = {};
    if (element.offset >= 0) start.offset = element.offset;
  }
}

void KafkaConsumer::Impl::AskCommittedOffsets(const std::vector<PartitionKey>& partitions) {
  if (partitions.empty()) return;
  PartitionListPtr list(rd_kafka_topic_partition_list_new(static_cast<int>(partitions.size())));
  for (const auto& [topic, partition] : partitions) {
    rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), partition);
  }
  // A failed query is asked again on the next report.
  if (rd_kafka_committed(rk_, list.get(), kCommittedQueryTimeoutMs) != RD_KAFKA_RESP_ERR_NO_ERROR) return;
  std::lock_guard lock(assignment_mutex_);
  for (const rd_kafka_topic_partition_t& element : std::span(list->elems, list->cnt)) {
    auto it = assignment_.find(PartitionKey(element.topic, element.partition));
    if (it == assignment_.end() || element.err != RD_KAFKA_RESP_ERR_NO_ERROR) continue;
    it->second.committed_asked = true;
    if (!it->second.offset && element.offset >= 0) it->second.offset = element.offset;
  }
}

std::optional<int64_t> KafkaConsumer::Impl::FallbackPosition(const PartitionKey& partition, int64_t low,
                                                             int64_t high) {
  std::lock_guard lock(assignment_mutex_);
  auto it = assignment_.find(partition);
  if (it == assignment_.end()) return std::nullopt;  // revoked meanwhile
  if (it->second.offset) return it->second.offset;
  return options_.auto_offset_reset == OffsetReset::kLatest ? high : low;
}

std::vector<PartitionLag> KafkaConsumer::Impl::Lag() {
  std::vector<PartitionKey> assigned;
  std::vector<PartitionKey> unasked;
  {
    std::lock_guard lock(assignment_mutex_);
    if (closed_) return {};
    for (const auto& [key, start] : assignment_) {
      assigned.push_back(key);
      if (!start.offset && !start.committed_asked) unasked.push_back(key);
    }
  }
  if (assigned.empty()) return {};
  AskCommittedOffsets(unasked);
  PartitionListPtr positions(rd_kafka_topic_partition_list_new(static_cast<int>(assigned.size())));
  for (const auto& [topic, partition] : assigned) {
    rd_kafka_topic_partition_list_add(positions.get(), topic.c_str(), partition);
  }
  if (rd_kafka_position(rk_, positions.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) return {};
  std::vector<PartitionLag> lags;
  for (const rd_kafka_topic_partition_t& element : std::span(positions->elems, positions->cnt)) {
    int64_t low = 0;
    int64_t high = 0;
    // Cached from the fetches: unknown until the first fetch response arrived.
    if (rd_kafka_get_watermark_offsets(rk_, element.topic, element.partition, &low, &high) !=
            RD_KAFKA_RESP_ERR_NO_ERROR ||
        high < 0) {
      continue;
    }
    PartitionKey key(element.topic, element.partition);
    std::optional<int64_t> position =
        element.offset >= 0 ? std::optional<int64_t>(element.offset) : FallbackPosition(key, low, high);
    if (!position) continue;
    lags.push_back(
        {.topic = key.first, .partition = key.second, .messages = std::max<int64_t>(0, high - *position)});
  }
  return lags;
}

absl::Status KafkaConsumer::Impl::Commit(const std::vector<TopicPartitionOffset>& offsets) {
  if (closed_) return absl::FailedPreconditionError("Commit on a closed Kafka consumer");
  if (offsets.empty()) return absl::OkStatus();
  PartitionListPtr list(rd_kafka_topic_partition_list_new(static_cast<int>(offsets.size())));
  for (const TopicPartitionOffset& offset : offsets) {
    if (!offset.offset.has_value()) {
      return absl::InvalidArgumentError(
          absl::StrCat("Commit needs an offset for ", offset.topic, "[", offset.partition, "]"));
    }
    rd_kafka_topic_partition_list_add(list.get(), offset.topic.c_str(), offset.partition)->offset =
        *offset.offset;
  }
  std::string context = absl::StrCat("commit of Kafka offsets for group ", options_.group_id);
  rd_kafka_resp_err_t error = rd_kafka_commit(rk_, list.get(), /*async=*/0);
  if (error != RD_KAFKA_RESP_ERR_NO_ERROR) return KafkaErrorStatus(error, context);
  for (const rd_kafka_topic_partition_t& element : std::span(list->elems, list->cnt)) {
    if (element.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return KafkaErrorStatus(element.err,
                              absl::StrCat(context, " at ", element.topic, "[", element.partition, "]"));
    }
  }
  return absl::OkStatus();
}

absl::Status KafkaConsumer::Impl::Close() {
  if (closed_) return absl::OkStatus();
  // Runs the revoke hook, which may still Commit, so closed_ is set afterwards.
  rd_kafka_resp_err_t error = rd_kafka_consumer_close(rk_);
  std::lock_guard lock(assignment_mutex_);
  closed_ = true;
  assignment_.clear();
  return KafkaErrorStatus(error, absl::StrCat("closing Kafka consumer of group ", options_.group_id));
}

absl::StatusOr<std::unique_ptr<KafkaConsumer>> KafkaConsumer::Create(ConsumerOptions options) {
  auto impl = std::make_unique<Impl>(std::move(options));
  if (absl::Status started = impl->Start(); !started.ok()) return started;
  return std::unique_ptr<KafkaConsumer>(new KafkaConsumer(std::move(impl)));
}

KafkaConsumer::KafkaConsumer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

KafkaConsumer::~KafkaConsumer() = default;

absl::StatusOr<std::vector<Message>> KafkaConsumer::Poll(size_t max_messages,
                                                         std::chrono::milliseconds timeout) {
  return impl_->Poll(max_messages, timeout);
}

absl::Status KafkaConsumer::Commit(const std::vector<TopicPartitionOffset>& offsets) {
  return impl_->Commit(offsets);
}

absl::Status KafkaConsumer::Close() { return impl_->Close(); }

std::string KafkaConsumer::group() const { return impl_->group(); }

std::vector<PartitionLag> KafkaConsumer::Lag() { return impl_->Lag(); }

}  // namespace custflow::kafka
