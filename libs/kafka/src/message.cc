#include "custflow/kafka/message.h"

#include <algorithm>

namespace custflow::kafka {

std::vector<TopicPartitionOffset> NextOffsets(std::span<const Message> messages) {
  std::vector<TopicPartitionOffset> offsets;
  for (const Message& message : messages) {
    // A batch spans few partitions, so a linear search beats hashing here.
    auto it = std::find_if(offsets.begin(), offsets.end(), [&](const TopicPartitionOffset& o) {
      return o.partition == message.partition && o.topic == message.topic;
    });
    if (it == offsets.end()) {
      offsets.push_back({std::string(message.topic), message.partition, message.offset + 1});
    } else {
      it->offset = std::max(*it->offset, message.offset + 1);
    }
  }
  return offsets;
}

}  // namespace custflow::kafka
