// Encodes commands in RESP, the Redis wire format, so that many callers' commands can be
// gathered in one buffer and sent with one write.
#pragma once

#include <string>
#include <string_view>

#include "absl/types/span.h"

namespace custflow::redis::internal {

// Appends `args` as one RESP array of bulk strings: binary safe, lengths first.
void AppendRespCommand(absl::Span<const std::string_view> args, std::string& out);

}  // namespace custflow::redis::internal
