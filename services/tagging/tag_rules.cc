#include "services/tagging/tag_rules.h"

#include <algorithm>
#include <functional>

namespace custflow::tagging {
namespace {

struct Rule {
  const char* tag;
  const char* description;
  std::function<bool(const v1::Profile&)> matches;
};

// Cumulative spend thresholds in minor units of CNY.
constexpr int64_t kHighValueMinor = 100'000 * 100;
constexpr int64_t kMediumValueMinor = 50'000 * 100;

const std::vector<Rule>& Rules() {
  static const std::vector<Rule> rules = {
      {"follow-up:high", "follow-up count >= 5",
       [](const v1::Profile& p) { return p.follow_up_count() >= 5; }},
      {"follow-up:medium", "follow-up count 3-4",
       [](const v1::Profile& p) { return p.follow_up_count() >= 3 && p.follow_up_count() <= 4; }},
      {"follow-up:low", "follow-up count <= 2",
       [](const v1::Profile& p) { return p.follow_up_count() <= 2; }},
      {"value:high", "cumulative amount >= 100,000 CNY",
       [](const v1::Profile& p) { return p.cumulative_amount().amount_minor() >= kHighValueMinor; }},
      {"value:medium", "cumulative amount 50,000-100,000 CNY",
       [](const v1::Profile& p) {
         int64_t amount = p.cumulative_amount().amount_minor();
         return amount >= kMediumValueMinor && amount < kHighValueMinor;
       }},
      {"value:low", "cumulative amount < 50,000 CNY",
       [](const v1::Profile& p) { return p.cumulative_amount().amount_minor() < kMediumValueMinor; }},
  };
  return rules;
}

}  // namespace

std::vector<v1::TagRule> BuiltinRules() {
  std::vector<v1::TagRule> out;
  for (const Rule& rule : Rules()) {
    v1::TagRule& described = out.emplace_back();
    described.set_tag(rule.tag);
    described.set_description(rule.description);
  }
  return out;
}

std::vector<std::string> EvaluateTags(const v1::Profile& profile) {
  std::vector<std::string> tags;
  for (const Rule& rule : Rules()) {
    if (rule.matches(profile)) tags.emplace_back(rule.tag);
  }
  std::sort(tags.begin(), tags.end());
  return tags;
}

}  // namespace custflow::tagging
