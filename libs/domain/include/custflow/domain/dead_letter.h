// Dead letters: what a consumer publishes on custflow.deadletter.v1 for a message it
// cannot process, so that nothing accepted silently disappears.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "custflow/v1/deadletter.pb.h"

namespace custflow::domain {

struct FailedMessage {
  std::string_view topic;
  int32_t partition = 0;
  int64_t offset = 0;
  std::string_view key;
  std::string_view value;
};

// The dead letter for `message`, stamped with the current time.
v1::DeadLetter MakeDeadLetter(std::string_view service, std::string_view reason,
                              const FailedMessage& message);

}  // namespace custflow::domain
