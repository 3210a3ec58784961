// Validation and normalization of incoming interaction events. Every problem is reported
// with the field's path and the reason, so a client can fix its data without guessing;
// a valid event comes out normalized (phones in E.164, e-mails lower-cased).
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "custflow/v1/common.pb.h"
#include "custflow/v1/interaction.pb.h"

namespace custflow::ingest {

inline constexpr size_t kMaxEventIdBytes = 128;

struct ValidationOptions {
  // Region assumed for phone numbers written without a country code (ISO 3166, e.g. "CN").
  std::string default_phone_region = "CN";
  // Events older than this are rejected.
  std::chrono::hours max_age{24 * 365};
  // Events further in the future than this are rejected (clock skew allowance).
  std::chrono::minutes max_future{10};
  // Largest serialized event accepted.
  size_t max_event_bytes = 64 * 1024;
  // "Now" for the time checks; the current time when unset (tests pin it).
  std::chrono::system_clock::time_point now{};
};

// Checks `event` and normalizes it in place. Returns every violation (empty when valid);
// `path` prefixes field names, e.g. "events[3]".
std::vector<v1::FieldViolation> ValidateAndNormalize(v1::Interaction& event, const ValidationOptions& options,
                                                     const std::string& path);

}  // namespace custflow::ingest
