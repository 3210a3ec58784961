// Search terms: the exact-match facts about a customer that SearchCustomers filters on,
// as strings ("owner=王芳", "province=广东省", "tag=vip"). The profile service keeps one
// index set per term; a search walks the smallest set of its filter's terms and checks
// the rest of the filter on each profile.
#pragma once

#include <string>
#include <vector>

#include "custflow/v1/customer.pb.h"
#include "custflow/v1/profile.pb.h"

namespace custflow::domain {

// The term every live customer has.
inline constexpr const char* kAllCustomersTerm = "all";

// The terms of `profile`, sorted and unique: "all" plus one per filled filterable field
// and one per tag. A merged-away profile has none: it is found through its survivor.
std::vector<std::string> SearchTerms(const v1::Profile& profile);

// The terms a customer must have to match `filter` ("all" for an empty filter). Text is
// not a term: check it with MatchesFilter.
std::vector<std::string> FilterTerms(const v1::CustomerFilter& filter);

// Whether `profile` matches every condition of `filter`, text included.
bool MatchesFilter(const v1::Profile& profile, const v1::CustomerFilter& filter);

}  // namespace custflow::domain
