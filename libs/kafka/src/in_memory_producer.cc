#include "custflow/kafka/in_memory_producer.h"

#include <functional>
#include <utility>

namespace custflow::kafka {

InMemoryProducer::InMemoryProducer(int partitions) : partitions_(partitions) {}

absl::Status InMemoryProducer::Send(std::string_view topic, std::string_view key, std::string_view value,
                                    DeliveryCallback on_delivery) {
  std::lock_guard lock(mu_);
  if (!next_send_error_.ok()) return std::exchange(next_send_error_, absl::OkStatus());
  auto partition =
      static_cast<int32_t>(std::hash<std::string_view>{}(key) % static_cast<size_t>(partitions_));
  pending_.push_back(
      {{std::string(topic), std::string(key), std::string(value), partition, 0}, std::move(on_delivery)});
  return absl::OkStatus();
}

absl::Status InMemoryProducer::Flush(std::chrono::milliseconds /*timeout*/) {
  DeliverPending();
  return absl::OkStatus();
}

void InMemoryProducer::DeliverPending(const absl::Status& outcome) {
  std::vector<Pending> batch;
  {
    std::lock_guard lock(mu_);
    batch.swap(pending_);
    for (Pending& pending : batch) {
      if (!outcome.ok()) continue;
      Record& record = pending.record;
      record.offset = next_offsets_[{record.topic, record.partition}]++;
      delivered_.push_back(record);
    }
  }
  // Callbacks run without the lock, so they may Send again.
  for (Pending& pending : batch) {
    if (outcome.ok()) {
      std::move(pending.on_delivery)(DeliveryReport{pending.record.partition, pending.record.offset});
    } else {
      std::move(pending.on_delivery)(outcome);
    }
  }
}

void InMemoryProducer::FailNextSend(absl::Status error) {
  std::lock_guard lock(mu_);
  next_send_error_ = std::move(error);
}

std::vector<InMemoryProducer::Record> InMemoryProducer::delivered() const {
  std::lock_guard lock(mu_);
  return delivered_;
}

size_t InMemoryProducer::pending_count() const {
  std::lock_guard lock(mu_);
  return pending_.size();
}

}  // namespace custflow::kafka
