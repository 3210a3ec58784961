#include "custflow/domain/dead_letter.h"

#include <google/protobuf/util/time_util.h>

namespace custflow::domain {

v1::DeadLetter MakeDeadLetter(std::string_view service, std::string_view reason,
                              const FailedMessage& message) {
  v1::DeadLetter letter;
  letter.set_service(std::string(service));
  letter.set_reason(std::string(reason));
  letter.set_topic(std::string(message.topic));
  letter.set_partition(message.partition);
  letter.set_offset(message.offset);
  letter.set_key(std::string(message.key));
  letter.set_value(std::string(message.value));
  *letter.mutable_failed_at() = google::protobuf::util::TimeUtil::GetCurrentTime();
  return letter;
}

}  // namespace custflow::domain
