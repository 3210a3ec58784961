#include "custflow/kafka/producer.h"

#include <memory>
#include <utility>

namespace custflow::kafka {

std::future<absl::StatusOr<DeliveryReport>> Producer::SendAsync(std::string_view topic, std::string_view key,
                                                                std::string_view value) {
  auto promise = std::make_shared<std::promise<absl::StatusOr<DeliveryReport>>>();
  std::future<absl::StatusOr<DeliveryReport>> future = promise->get_future();
  absl::Status queued = Send(topic, key, value, [promise](absl::StatusOr<DeliveryReport> outcome) {
    promise->set_value(std::move(outcome));
  });
  if (!queued.ok()) promise->set_value(std::move(queued));
  return future;
}

absl::StatusOr<DeliveryReport> Producer::SendAndWait(std::string_view topic, std::string_view key,
                                                     std::string_view value) {
  return SendAsync(topic, key, value).get();
}

}  // namespace custflow::kafka
