// SegmentMembers: the customers whose tags match a tag expression, in id order, a page at
// a time, read from the profile store. It walks the search index of the expression's
// rarest required tag ("all" when no tag is required, as for `not a`), loads the
// candidates' profiles and keeps those whose tags match: the index only proposes
// candidates, the profile decides. The caller's row scope is one more required term: its
// index set ("department=east", "owner=x") is walked when it is the smallest, and every
// candidate's customer must be in the scope, so pages hold in-scope members only and the
// token goes on where the walk stopped. Each call examines a bounded number of ids, so a rare
// segment among many customers may give short (even empty) pages whose token still
// advances; only an empty token means the end.
#pragma once

#include <cstddef>
#include <cstdint>

#include "absl/status/statusor.h"
#include "custflow/auth/principal.h"
#include "custflow/v1/tagging.pb.h"
#include "services/profile/profile_store.h"

namespace custflow::tagging {

struct SegmentMembersOptions {
  // Ids examined per call at most, matching or not.
  size_t scan_budget = 20'000;
  // Profiles loaded per round trip at most; the first round trip loads fewer, sized by the
  // page, and each further one doubles.
  size_t max_batch = 1'000;
};

class SegmentMembers {
 public:
  static constexpr uint32_t kDefaultPageSize = 100;
  static constexpr uint32_t kMaxPageSize = 1'000;

  explicit SegmentMembers(profile::ProfileStore& store, SegmentMembersOptions options = {})
      : store_(store), options_(options) {}

  // One page of the segment's members within `scope` (none for a scope of nothing). A
  // malformed expression or page size gives InvalidArgument; a store failure is returned as
  // it is.
  absl::StatusOr<v1::SegmentMembersResponse> Page(const v1::SegmentMembersRequest& request,
                                                  const auth::RowScope& scope);

 private:
  profile::ProfileStore& store_;
  SegmentMembersOptions options_;
};

}  // namespace custflow::tagging
