// KafkaProducer on librdkafka's C API. The hot path (Send) copies the payload once into
// librdkafka and allocates only the callback holder; topic handles are cached so a
// message costs no topic lookup by C string.
#include "custflow/kafka/kafka_producer.h"

#include <librdkafka/rdkafka.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "client_config.h"
#include "kafka_status.h"

namespace custflow::kafka {

class KafkaProducer::Impl {
 public:
  explicit Impl(ProducerOptions options) : options_(std::move(options)) {}
  ~Impl();

  absl::Status Start();
  absl::Status Send(absl::string_view topic, std::string_view key, std::string_view value,
                    DeliveryCallback on_delivery);
  absl::Status Flush(std::chrono::milliseconds timeout);

 private:
  static void OnDelivery(rd_kafka_t* rk, const rd_kafka_message_t* message, void* opaque);
  static void OnError(rd_kafka_t* rk, int error, const char* reason, void* opaque);

  void PollUntilStopped();
  absl::StatusOr<rd_kafka_topic_t*> Topic(absl::string_view name);
  absl::Status SendError(rd_kafka_resp_err_t error, absl::string_view topic, size_t bytes);
  absl::Status DeliveryError(const rd_kafka_message_t& message);
  std::string FatalError();
  void FinishOne();
  bool WaitForDeliveries(std::chrono::milliseconds timeout);
  void Shutdown();

  const ProducerOptions options_;
  rd_kafka_t* rk_ = nullptr;

  std::shared_mutex topics_mu_;
  absl::flat_hash_map<std::string, rd_kafka_topic_t*> topics_;

  // Messages queued whose callback has not finished yet.
  std::atomic<int64_t> in_flight_{0};
  std::mutex delivered_mu_;
  std::condition_variable all_delivered_;

  std::mutex last_error_mu_;
  std::string last_error_;

  std::atomic<bool> stopping_{false};
  std::thread poller_;
};

absl::Status KafkaProducer::Impl::Start() {
  absl::StatusOr<Properties> properties = ProducerProperties(options_);
  if (!properties.ok()) return properties.status();
  absl::StatusOr<KafkaConfPtr> conf = NewKafkaConf(*properties);
  if (!conf.ok()) return conf.status();
  rd_kafka_conf_set_opaque(conf->get(), this);
  rd_kafka_conf_set_dr_msg_cb(conf->get(), &Impl::OnDelivery);
  rd_kafka_conf_set_error_cb(conf->get(), &Impl::OnError);
  char error[512];
  rk_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf->get(), error, sizeof error);
  if (rk_ == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("cannot create Kafka producer: ", error));
  }
  conf->release();  // rd_kafka_new took ownership.
  poller_ = std::thread([this] { PollUntilStopped(); });
  return absl::OkStatus();
}

KafkaProducer::Impl::~Impl() {
  if (rk_ == nullptr) return;
  Shutdown();
  for (auto& [name, topic] : topics_) rd_kafka_topic_destroy(topic);
  rd_kafka_destroy(rk_);
}

// Every queued message gets its callback before the thread that runs them stops.
void KafkaProducer::Impl::Shutdown() {
  if (!WaitForDeliveries(options_.close_timeout)) {
    rd_kafka_purge(rk_, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    // Purged messages are reported at once; the bound only guards against a bug.
    WaitForDeliveries(std::chrono::seconds(5));
  }
  stopping_.store(true);
  rd_kafka_yield(rk_);
  poller_.join();
}

void KafkaProducer::Impl::PollUntilStopped() {
  while (!stopping_.load(std::memory_order_relaxed)) rd_kafka_poll(rk_, 100);
}

absl::StatusOr<rd_kafka_topic_t*> KafkaProducer::Impl::Topic(absl::string_view name) {
  if (name.empty()) return absl::InvalidArgumentError("Kafka topic name is empty");
  {
    std::shared_lock lock(topics_mu_);
    if (auto it = topics_.find(name); it != topics_.end()) return it->second;
  }
  std::lock_guard lock(topics_mu_);
  if (auto it = topics_.find(name); it != topics_.end()) return it->second;
  std::string owned(name.data(), name.size());
  rd_kafka_topic_t* topic = rd_kafka_topic_new(rk_, owned.c_str(), nullptr);
  if (topic == nullptr) {
    return KafkaErrorStatus(rd_kafka_last_error(), absl::StrCat("cannot use Kafka topic '", name, "'"));
  }
  topics_.emplace(std::move(owned), topic);
  return topic;
}

absl::Status KafkaProducer::Impl::Send(absl::string_view topic, std::string_view key, std::string_view value,
                                       DeliveryCallback on_delivery) {
  absl::StatusOr<rd_kafka_topic_t*> handle = Topic(topic);
  if (!handle.ok()) return handle.status();
  auto* callback = new DeliveryCallback(std::move(on_delivery));
  in_flight_.fetch_add(1, std::memory_order_relaxed);
  // RD_KAFKA_MSG_F_COPY: librdkafka copies the bytes, so the views need not outlive Send.
  int result =
      rd_kafka_produce(*handle, RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY, const_cast<char*>(value.data()),
                       value.size(), key.empty() ? nullptr : key.data(), key.size(), callback);
  if (result == 0) return absl::OkStatus();
  rd_kafka_resp_err_t error = rd_kafka_last_error();
  delete callback;
  FinishOne();
  return SendError(error, topic, key.size() + value.size());
}

absl::Status KafkaProducer::Impl::SendError(rd_kafka_resp_err_t error, absl::string_view topic,
                                            size_t bytes) {
  std::string context = absl::StrCat("cannot queue message for Kafka topic ", topic);
  switch (error) {
    case RD_KAFKA_RESP_ERR__QUEUE_FULL:
      return KafkaErrorStatus(
          error, context,
          absl::StrCat("local producer queue is full (", options_.max_queued_messages, " messages or ",
                       options_.max_queued_kbytes, " KiB await delivery); retry later"));
    case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE:
      return KafkaErrorStatus(error, context,
                              absl::StrCat("message of ", bytes, " bytes exceeds message.max.bytes"));
    case RD_KAFKA_RESP_ERR__FATAL:
      return KafkaErrorStatus(error, context, FatalError());
    default:
      return KafkaErrorStatus(error, context);
  }
}

void KafkaProducer::Impl::OnDelivery(rd_kafka_t* /*rk*/, const rd_kafka_message_t* message, void* opaque) {
  auto* self = static_cast<Impl*>(opaque);
  std::unique_ptr<DeliveryCallback> callback(static_cast<DeliveryCallback*>(message->_private));
  absl::StatusOr<DeliveryReport> outcome =
      message->err == RD_KAFKA_RESP_ERR_NO_ERROR
          ? absl::StatusOr<DeliveryReport>(DeliveryReport{message->partition, message->offset})
          : self->DeliveryError(*message);
  DeliveryCallback on_delivery = std::move(*callback);
  callback.reset();
  std::move(on_delivery)(std::move(outcome));
  self->FinishOne();
}

absl::Status KafkaProducer::Impl::DeliveryError(const rd_kafka_message_t& message) {
  const char* topic = rd_kafka_topic_name(message.rkt);
  switch (message.err) {
    case RD_KAFKA_RESP_ERR__MSG_TIMED_OUT: {
      std::lock_guard lock(last_error_mu_);
      return KafkaErrorStatus(message.err,
                              absl::StrCat("delivery to Kafka topic ", topic, " not confirmed within ",
                                           options_.delivery_timeout.count(), " ms"),
                              last_error_.empty() ? std::string(rd_kafka_err2str(message.err))
                                                  : absl::StrCat(rd_kafka_err2str(message.err),
                                                                 "; last client error: ", last_error_));
    }
    case RD_KAFKA_RESP_ERR__PURGE_QUEUE:
    case RD_KAFKA_RESP_ERR__PURGE_INFLIGHT:
      return KafkaErrorStatus(message.err, absl::StrCat("delivery to Kafka topic ", topic, " cancelled"),
                              "the producer shut down before the broker confirmed the message; it may or may "
                              "not be stored");
    case RD_KAFKA_RESP_ERR__FATAL:
      return KafkaErrorStatus(message.err, absl::StrCat("delivery to Kafka topic ", topic, " failed"),
                              FatalError());
    default:
      return KafkaErrorStatus(message.err, absl::StrCat("delivery to Kafka topic ", topic, " failed"));
  }
}

void KafkaProducer::Impl::OnError(rd_kafka_t* /*rk*/, int error, const char* reason, void* opaque) {
  auto* self = static_cast<Impl*>(opaque);
  std::lock_guard lock(self->last_error_mu_);
  self->last_error_ =
      absl::StrCat(reason, " (", rd_kafka_err2name(static_cast<rd_kafka_resp_err_t>(error)), ")");
}

std::string KafkaProducer::Impl::FatalError() {
  char reason[512];
  rd_kafka_resp_err_t error = rd_kafka_fatal_error(rk_, reason, sizeof reason);
  if (error == RD_KAFKA_RESP_ERR_NO_ERROR) return "fatal producer error";
  return absl::StrCat("fatal producer error, the producer must be recreated: ", reason, " (",
                      rd_kafka_err2name(error), ")");
}

void KafkaProducer::Impl::FinishOne() {
  if (in_flight_.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
  std::lock_guard lock(delivered_mu_);
  all_delivered_.notify_all();
}

bool KafkaProducer::Impl::WaitForDeliveries(std::chrono::milliseconds timeout) {
  std::unique_lock lock(delivered_mu_);
  return all_delivered_.wait_for(lock, timeout, [this] { return in_flight_.load() == 0; });
}

absl::Status KafkaProducer::Impl::Flush(std::chrono::milliseconds timeout) {
  if (std::this_thread::get_id() == poller_.get_id()) {
    return absl::FailedPreconditionError("Flush called from a delivery callback would wait for itself");
  }
  if (WaitForDeliveries(timeout)) return absl::OkStatus();
  return absl::DeadlineExceededError(absl::StrCat("Kafka producer flush: ", in_flight_.load(),
                                                  " messages still await delivery after ", timeout.count(),
                                                  " ms"));
}

absl::StatusOr<std::unique_ptr<KafkaProducer>> KafkaProducer::Create(ProducerOptions options) {
  auto impl = std::make_unique<Impl>(std::move(options));
  if (absl::Status started = impl->Start(); !started.ok()) return started;
  return std::unique_ptr<KafkaProducer>(new KafkaProducer(std::move(impl)));
}

KafkaProducer::KafkaProducer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

KafkaProducer::~KafkaProducer() = default;

absl::Status KafkaProducer::Send(std::string_view topic, std::string_view key, std::string_view value,
                                 DeliveryCallback on_delivery) {
  // Debian's Abseil has its own string_view type, which the topic cache is keyed by.
  return impl_->Send(absl::string_view(topic.data(), topic.size()), key, value, std::move(on_delivery));
}

absl::Status KafkaProducer::Flush(std::chrono::milliseconds timeout) { return impl_->Flush(timeout); }

}  // namespace custflow::kafka
