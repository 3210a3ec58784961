// Events as the wire and the files carry them, byte for byte the same on every run: map
// entries (attributes) are written sorted, where protobuf's default order varies from one
// process to the next. JSON is the protobuf JSON mapping; binary is length-delimited.
#pragma once

#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "custflow/v1/interaction.pb.h"

namespace custflow::loadgen {

// Appends `event` as one line of JSON (no newline).
absl::Status AppendJson(const v1::Interaction& event, std::string& out);

// Writes `event` as its varint size and its serialized bytes.
absl::Status WriteDelimited(const v1::Interaction& event, std::ostream& out);

}  // namespace custflow::loadgen
