// Validation and normalization of incoming interaction events. Every problem is reported
// with the field's path and the reason, so a client can fix its data without guessing;
// a valid event comes out normalized (phones in E.164, e-mails lower-cased, the channel
// filled in from the type). docs/EVENTS.md lists every rule with its exact text.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "custflow/v1/common.pb.h"
#include "custflow/v1/interaction.pb.h"

namespace custflow::ingest {

inline constexpr size_t kMaxEventIdBytes = 128;
// customer_id, login_id and visitor_id: keys in Kafka and Redis, so kept short.
inline constexpr size_t kMaxIdBytes = 128;

struct ValidationOptions {
  // Region assumed for phone numbers written without a country code (ISO 3166, e.g. "CN").
  std::string default_phone_region = "CN";
  // Events older than this are rejected.
  std::chrono::hours max_age{24 * 365};
  // Events further in the future than this are rejected (clock skew allowance).
  std::chrono::minutes max_future{10};
  // Largest serialized event accepted.
  size_t max_event_bytes = 64 * 1024;
  // Longest string field, in bytes (ids have the smaller limits above).
  size_t max_string_bytes = 4 * 1024;
  // Most entries in `attributes`.
  size_t max_attributes = 64;
  // "Now" for the time checks; the current time when unset (tests pin it).
  std::chrono::system_clock::time_point now{};
};

// Checks `event` and normalizes it in place. Returns every violation (empty when valid),
// at most one per field; `path` prefixes field names, e.g. "events[3]". A violation of
// the whole event (its size) is named by `path` alone.
std::vector<v1::FieldViolation> ValidateAndNormalize(v1::Interaction& event, const ValidationOptions& options,
                                                     const std::string& path);

}  // namespace custflow::ingest
