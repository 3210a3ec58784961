// Validation of incoming interaction events: every problem is reported with the field's
// path and the reason, so a client can fix its data without guessing.
#pragma once

#include <string>
#include <vector>

#include "custflow/v1/common.pb.h"
#include "custflow/v1/interaction.pb.h"

namespace custflow::ingest {

inline constexpr size_t kMaxEventIdBytes = 128;

// Every violation of `event`; empty when it is valid. `path` prefixes field names, e.g.
// "events[3]".
std::vector<v1::FieldViolation> ValidateEvent(const v1::Interaction& event, const std::string& path);

}  // namespace custflow::ingest
