// The built-in tag rules of DOMAIN.md: behaviour tags from follow-up counts and value
// tags from cumulative spend. Pure: the tagging service evaluates them on every profile
// snapshot and publishes a set-tags command only when the result differs.
#pragma once

#include <string>
#include <vector>

#include "custflow/v1/customer.pb.h"
#include "custflow/v1/tagging.pb.h"

namespace custflow::tagging {

inline constexpr const char* kRulesVersion = "builtin-1";

// The rules in evaluation order, with their descriptions.
std::vector<v1::TagRule> BuiltinRules();

// The tags `profile` earns, sorted.
std::vector<std::string> EvaluateTags(const v1::Profile& profile);

}  // namespace custflow::tagging
