// Row scopes over the profile store: the search term that selects a scope's customers
// and whether one profile is in it. The profile and tagging services' reads use both.
#pragma once

#include <optional>
#include <string>

#include "custflow/auth/principal.h"
#include "custflow/v1/customer.pb.h"

namespace custflow::profile {

// The search term every customer in `scope` has ("department=A" for a manager's scope,
// "owner=x" for a sales rep's, "all" for everything), or nullopt for a scope of nothing:
// reads walk or intersect its index like any filter term.
std::optional<std::string> ScopeSearchTerm(const auth::RowScope& scope);

// Whether `profile`'s customer is in `scope`.
bool InScope(const auth::RowScope& scope, const v1::Profile& profile);

}  // namespace custflow::profile
