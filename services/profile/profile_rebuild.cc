#include "services/profile/profile_rebuild.h"

#include <algorithm>

#include "absl/strings/numbers.h"

namespace custflow::profile {

absl::StatusOr<RebuildReport> RebuildFromArchive(ProfileStore& store, ProfileArchive& archive,
                                                 const std::function<void(const RebuildReport&)>& progress) {
  RebuildReport report;
  absl::Status visited = archive.ForEachLatest([&](std::vector<v1::Profile>& page) -> absl::Status {
    for (const v1::Profile& profile : page) {
      absl::StatusOr<bool> restored = store.Restore(profile);
      if (!restored.ok()) return restored.status();
      ++(*restored ? report.restored : report.present);
      for (const auto& [position, offset] : profile.applied_offsets()) {
        int64_t& highest = report.applied_offsets.try_emplace(position, offset).first->second;
        highest = std::max(highest, offset);
      }
    }
    if (progress) progress(report);
    return absl::OkStatus();
  });
  if (!visited.ok()) return visited;
  for (const auto& [position, offset] : report.applied_offsets) {
    size_t slash = position.rfind('/');
    int32_t partition = 0;
    if (slash == std::string::npos || !absl::SimpleAtoi(position.substr(slash + 1), &partition)) {
      return absl::DataLossError("an archived profile has the malformed position '" + position + "'");
    }
    if (absl::Status raised = store.RaiseAppliedOffset(position.substr(0, slash), partition, offset);
        !raised.ok()) {
      return raised;
    }
  }
  if (absl::Status marked = store.MarkComplete(); !marked.ok()) return marked;
  return report;
}

}  // namespace custflow::profile
