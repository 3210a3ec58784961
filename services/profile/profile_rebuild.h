// Restores a wiped (or partly lost) Redis from the profile archive: every customer's latest
// profile with its identities and search terms, then each input partition's applied offset
// raised to the highest offset any restored profile had folded from it, so the appliers
// resume where the archived state ends, and Redis marked complete (see profile_store.h).
// Profiles Redis still has are left alone. Run it
// with the appliers stopped and after the reporting sink has caught up with
// custflow.profiles.v1 (its lag is zero), so the archive holds every last change.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "services/profile/profile_archive.h"
#include "services/profile/profile_store.h"

namespace custflow::profile {

struct RebuildReport {
  // Profiles written into Redis.
  uint64_t restored = 0;
  // Profiles Redis had already (kept as they were).
  uint64_t present = 0;
  // The applied offset set for each input partition, keyed "<topic>/<partition>".
  std::map<std::string, int64_t> applied_offsets;
};

// `progress` is called after each page of profiles with the counts so far.
absl::StatusOr<RebuildReport> RebuildFromArchive(
    ProfileStore& store, ProfileArchive& archive,
    const std::function<void(const RebuildReport&)>& progress = {});

}  // namespace custflow::profile
