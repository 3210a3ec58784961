// SegmentMembers: the index walk, batch loading and matching behind one page of a segment.
#include "services/tagging/segment_members.h"

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "custflow/domain/search_terms.h"
#include "custflow/tagging/tag_expression.h"
#include "services/profile/row_scope.h"

namespace custflow::tagging {
namespace {

// The search terms (see custflow/domain/search_terms.h) any of which holds every member:
// the expression's required tags and `scope_term`.
std::vector<std::string> CandidateTerms(const TagExpression& expression, const std::string& scope_term) {
  std::vector<std::string> terms;
  for (const std::string& tag : expression.RequiredTags()) terms.push_back("tag=" + tag);
  if (terms.empty() || scope_term != domain::kAllCustomersTerm) terms.push_back(scope_term);
  return terms;
}

bool IsMember(const std::optional<v1::Profile>& profile, const TagExpression& expression,
              const auth::RowScope& scope) {
  // Missing: indexed a moment before its profile was written. Merged away: its survivor
  // stands for it.
  if (!profile || !profile->merged_into().empty()) return false;
  if (!profile::InScope(scope, *profile)) return false;
  std::vector<std::string> tags(profile->tags().begin(), profile->tags().end());
  std::sort(tags.begin(), tags.end());
  return expression.Matches(tags);
}

}  // namespace

absl::StatusOr<v1::SegmentMembersResponse> SegmentMembers::Page(const v1::SegmentMembersRequest& request,
                                                                const auth::RowScope& scope) {
  const uint32_t page_size = request.page_size() == 0 ? kDefaultPageSize : request.page_size();
  if (page_size > kMaxPageSize) {
    return absl::InvalidArgumentError("page_size: must be at most " + std::to_string(kMaxPageSize) +
                                      ", got " + std::to_string(page_size));
  }
  absl::StatusOr<TagExpression> expression = ParseTagExpression(request.expression());
  if (!expression.ok()) {
    return absl::InvalidArgumentError("expression: " + std::string(expression.status().message()));
  }

  const std::optional<std::string> scope_term = profile::ScopeSearchTerm(scope);
  if (!scope_term) return v1::SegmentMembersResponse();  // a scope of nothing: no members, no token
  const std::vector<std::string> terms = CandidateTerms(*expression, *scope_term);
  absl::StatusOr<std::vector<uint64_t>> counts = store_.MemberCounts(terms);
  if (!counts.ok()) return counts.status();
  const std::string& walked = terms[std::min_element(counts->begin(), counts->end()) - counts->begin()];

  v1::SegmentMembersResponse response;
  std::string after = request.page_token();
  size_t scanned = 0;
  // A page of a common segment fills from the first batch; a rare one reads many, so the
  // batches grow.
  const size_t max_batch = std::max<size_t>(options_.max_batch, 1);
  const size_t scan_budget = std::max<size_t>(options_.scan_budget, 1);  // so the token advances
  size_t batch = std::min<size_t>(2 * page_size, max_batch);
  while (scanned < scan_budget) {
    const size_t limit = std::min(batch, scan_budget - scanned);
    absl::StatusOr<std::vector<std::string>> ids = store_.Members(walked, after, limit);
    if (!ids.ok()) return ids.status();
    absl::StatusOr<std::vector<std::optional<v1::Profile>>> profiles = store_.BatchGet(*ids);
    if (!profiles.ok()) return profiles.status();
    for (size_t i = 0; i < ids->size(); ++i) {
      after = (*ids)[i];
      ++scanned;
      if (!IsMember((*profiles)[i], *expression, scope)) continue;
      response.add_customer_ids(after);
      if (static_cast<uint32_t>(response.customer_ids_size()) == page_size) {
        response.set_next_page_token(after);
        return response;
      }
    }
    if (ids->size() < limit) return response;  // the index is exhausted: the last page
    batch = std::min(2 * batch, max_batch);
  }
  response.set_next_page_token(after);
  return response;
}

}  // namespace custflow::tagging
