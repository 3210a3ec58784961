// Scope terms spelled as the search index spells filter terms.
#include "services/profile/row_scope.h"

#include "custflow/domain/search_terms.h"

namespace custflow::profile {

std::optional<std::string> ScopeSearchTerm(const auth::RowScope& scope) {
  v1::CustomerFilter filter;
  switch (scope.kind()) {
    case auth::RowScope::Kind::kEverything:
      return domain::kAllCustomersTerm;
    case auth::RowScope::Kind::kDepartment:
      if (scope.department().empty()) return std::nullopt;
      filter.set_department(scope.department());
      break;
    case auth::RowScope::Kind::kOwner:
      if (scope.owner().empty()) return std::nullopt;
      filter.set_owner(scope.owner());
      break;
    case auth::RowScope::Kind::kNothing:
      return std::nullopt;
  }
  // The filter's own term, spelled as the index spells it.
  return domain::FilterTerms(filter).front();
}

bool InScope(const auth::RowScope& scope, const v1::Profile& profile) {
  return scope.Contains(profile.customer().department(), profile.customer().owner());
}

}  // namespace custflow::profile
