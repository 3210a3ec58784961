#include "custflow/domain/search_terms.h"

#include <algorithm>
#include <string_view>

namespace custflow::domain {
namespace {

// Field name and value of every exact-match condition, for a customer or a filter.
struct Facts {
  std::vector<std::pair<std::string_view, std::string>> pairs;

  void Add(std::string_view field, const std::string& value) {
    if (!value.empty()) pairs.emplace_back(field, value);
  }
};

std::string TypeName(v1::CustomerType type) {
  return type == v1::CUSTOMER_TYPE_UNSPECIFIED ? "" : v1::CustomerType_Name(type);
}

void AddCommon(Facts& facts, const std::string& owner, const std::string& department, const std::string& team,
               const v1::Region& region, const std::string& industry, const std::string& source,
               v1::CustomerType type, const std::string& stage) {
  facts.Add("owner", owner);
  facts.Add("department", department);
  facts.Add("team", team);
  facts.Add("province", region.province());
  facts.Add("city", region.city());
  facts.Add("district", region.district());
  facts.Add("industry", industry);
  facts.Add("source", source);
  facts.Add("type", TypeName(type));
  facts.Add("stage", stage);
}

std::vector<std::string> ToTerms(const Facts& facts) {
  std::vector<std::string> terms;
  terms.reserve(facts.pairs.size());
  for (const auto& [field, value] : facts.pairs) terms.push_back(std::string(field) + "=" + value);
  return terms;
}

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

}  // namespace

std::vector<std::string> SearchTerms(const v1::Profile& profile) {
  if (!profile.merged_into().empty()) return {};
  const v1::Customer& c = profile.customer();
  Facts facts;
  AddCommon(facts, c.owner(), c.department(), c.team(), c.region(), c.industry(), c.source(), c.type(),
            c.follow_up_stage());
  for (const std::string& tag : profile.tags()) facts.Add("tag", tag);
  std::vector<std::string> terms = ToTerms(facts);
  terms.emplace_back(kAllCustomersTerm);
  std::sort(terms.begin(), terms.end());
  terms.erase(std::unique(terms.begin(), terms.end()), terms.end());
  return terms;
}

std::vector<std::string> FilterTerms(const v1::CustomerFilter& filter) {
  Facts facts;
  AddCommon(facts, filter.owner(), filter.department(), filter.team(), filter.region(), filter.industry(),
            filter.source(), filter.type(), filter.follow_up_stage());
  facts.Add("tag", filter.tag());
  std::vector<std::string> terms = ToTerms(facts);
  if (terms.empty()) terms.emplace_back(kAllCustomersTerm);
  return terms;
}

bool MatchesFilter(const v1::Profile& profile, const v1::CustomerFilter& filter) {
  std::vector<std::string> have = SearchTerms(profile);
  for (const std::string& term : FilterTerms(filter)) {
    if (!std::binary_search(have.begin(), have.end(), term)) return false;
  }
  const std::string& text = filter.text();
  if (text.empty()) return true;
  const v1::Customer& c = profile.customer();
  return Contains(c.name(), text) || Contains(c.contact_person(), text) || Contains(c.contact_phone(), text);
}

}  // namespace custflow::domain
